from django.apps import AppConfig


class PublicWebConfig(AppConfig):
    name = "mcf.web.public"
    label = "web_public"

from django.apps import AppConfig


class ApiWebConfig(AppConfig):
    name = "mcf.web.api"
    label = "web_api"
    verbose_name = "API"

from django.apps import AppConfig


class BackofficeWebConfig(AppConfig):
    name = "mcf.web.backoffice"
    label = "web_backoffice"

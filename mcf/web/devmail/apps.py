from django.apps import AppConfig


class DevmailWebConfig(AppConfig):
    name = "mcf.web.devmail"
    label = "web_devmail"

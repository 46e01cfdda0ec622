from django.apps import AppConfig


class TitulaireWebConfig(AppConfig):
    name = "mcf.web.titulaire"
    label = "web_titulaire"

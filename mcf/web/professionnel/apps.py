from django.apps import AppConfig


class ProfessionnelWebConfig(AppConfig):
    name = "mcf.web.professionnel"
    label = "web_professionnel"

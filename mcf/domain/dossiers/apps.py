from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "mcf.domain.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers de formation"

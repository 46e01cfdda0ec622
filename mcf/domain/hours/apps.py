from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "mcf.domain.hours"
    label = "hours"
    verbose_name = "Compte d'heures"

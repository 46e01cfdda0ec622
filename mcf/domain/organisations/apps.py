from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "mcf.domain.organisations"
    label = "organisations"
    verbose_name = "Organisations professionnelles"

from django.apps import AppConfig


class DelegationsConfig(AppConfig):
    name = "mcf.domain.delegations"
    label = "delegations"
    verbose_name = "Délégations"

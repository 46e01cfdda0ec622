from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "mcf.domain.journal"
    label = "journal"
    verbose_name = "Historique des actions"

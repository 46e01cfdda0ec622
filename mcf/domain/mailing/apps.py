from django.apps import AppConfig


class MailingConfig(AppConfig):
    name = "mcf.domain.mailing"
    label = "mailing"
    verbose_name = "Courriels"

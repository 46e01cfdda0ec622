from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mcf.domain.accounts"
    label = "accounts"
    verbose_name = "Comptes"

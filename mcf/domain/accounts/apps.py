from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mcf.domain.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        # Session records follow logins and logouts (signal receivers).
        from mcf.domain.accounts import session_lifetime  # noqa: F401

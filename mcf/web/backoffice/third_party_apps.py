"""French names for the third-party apps the back office shows.

django-tasks-db and django-otp name their apps, models and fields in English with no French
catalogue (« Tasks Database Backend », « TOTP devices », « Par status »). Django's way to
rename a third-party app is an AppConfig subclass named in INSTALLED_APPS; the same
subclasses give French names to the apps' models and fields when the registry is ready.
Only the names people read change: ``verbose_name`` of the Meta *as declared* and of the
fields *as constructed* (``_verbose_name``) are what migrations compare, and they are left
alone, so ``makemigrations --check`` stays clean. Help texts and the admin's own words
(fieldsets, columns) are set where the admin is registered (mcf/web/backoffice/admin.py).
tests/web/test_french_text.py reads every back-office page for English words.
"""

from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpConfig
from django_tasks_db.apps import TasksAppConfig
from oauth2_provider.apps import DOTConfig


def name_in_french(model, singular: str, plural: str, fields: dict[str, str]) -> None:
    """Give ``model`` and its ``fields`` the names the back office shows (not migrations)."""
    model._meta.verbose_name = singular
    model._meta.verbose_name_plural = plural
    for field_name, label in fields.items():
        model._meta.get_field(field_name).verbose_name = label


class TasksInFrench(TasksAppConfig):
    verbose_name = "Tâches en arrière-plan"

    def ready(self):
        super().ready()
        name_in_french(
            self.get_model("DBTaskResult"),
            "tâche",
            "tâches",
            {
                "id": "identifiant",
                "status": "état",
                "enqueued_at": "mise en file le",
                "started_at": "commencée le",
                "finished_at": "terminée le",
                "args_kwargs": "arguments",
                "priority": "priorité",
                "task_path": "tâche (chemin Python)",
                "worker_ids": "processus",
                "queue_name": "file",
                "backend_name": "moteur",
                "run_after": "à lancer après",
                "return_value": "valeur renvoyée",
                "exception_class_path": "exception",
                "traceback": "trace d'erreur",
            },
        )


class TotpInFrench(OtpTotpConfig):
    verbose_name = "Double authentification (TOTP)"

    def ready(self):
        super().ready()
        name_in_french(
            self.get_model("TOTPDevice"),
            "appareil TOTP",
            "appareils TOTP",
            {
                "user": "utilisateur",
                "name": "nom",
                "confirmed": "confirmé",
                "created_at": "créé le",
                "last_used_at": "dernière utilisation",
                "key": "clé secrète",
                "step": "période",
                "t0": "origine des périodes",
                "digits": "nombre de chiffres",
                "tolerance": "tolérance",
                "drift": "décalage",
                "last_t": "dernière période acceptée",
                "throttling_failure_timestamp": "dernier échec",
                "throttling_failure_count": "échecs consécutifs",
            },
        )


class OAuthInFrench(DOTConfig):
    """django-oauth-toolkit: its models are not in the back office (admin.py), but their
    permissions are listed on an operator's account and a group."""

    verbose_name = "Serveur OAuth 2 de l'API"

    def ready(self):
        super().ready()
        for model, singular, plural in (
            ("Application", "application OAuth", "applications OAuth"),
            ("AccessToken", "jeton d'accès", "jetons d'accès"),
            ("RefreshToken", "jeton de renouvellement", "jetons de renouvellement"),
            ("Grant", "autorisation", "autorisations"),
            ("IDToken", "jeton d'identité", "jetons d'identité"),
            ("DeviceGrant", "autorisation d'appareil", "autorisations d'appareils"),
        ):
            name_in_french(self.get_model(model), singular, plural, {})

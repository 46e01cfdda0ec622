"""Load the demo data. Idempotent: a second run changes nothing.

Refused when DEBUG is off: a production database never gets accounts with published
passwords (AUTH-16).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mcf.demo.accounts import DEMO_LOGINS, DEMO_OPERATOR_PASSWORD, DEMO_OPERATOR_USERNAME
from mcf.domain.accounts.models import User


class Command(BaseCommand):
    help = "Charge les données de démonstration (uniquement avec DEBUG activé)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Les données de démonstration ne se chargent qu'avec DEBUG=1.")
        with transaction.atomic():
            created = self._operator()
        self.stdout.write(
            "Données de démonstration : "
            + ("créées." if created else "déjà présentes, rien n'a changé.")
        )
        for space, login, password in DEMO_LOGINS:
            self.stdout.write(f"  {space} : identifiant {login} / mot de passe {password}")

    def _operator(self) -> bool:
        if User.objects.filter(username=DEMO_OPERATOR_USERNAME).exists():
            return False
        User.objects.create_superuser(
            username=DEMO_OPERATOR_USERNAME,
            email="operateur.demo@moncompteformation.example",
            password=DEMO_OPERATOR_PASSWORD,
            first_name="Opératrice",
            last_name="Démo",
        )
        return True

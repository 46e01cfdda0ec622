"""Load the demo data. Idempotent: a second run changes nothing.

Refused when DEBUG is off: a production database never gets accounts with published
passwords (AUTH-16).
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from mcf.demo.accounts import (
    DEMO_HOLDER_NIR,
    DEMO_HOLDER_PASSWORD,
    DEMO_LOGINS,
    DEMO_OPERATOR_PASSWORD,
    DEMO_OPERATOR_USERNAME,
)
from mcf.domain.accounts.models import User
from mcf.domain.accounts.registration import (
    RegistrationData,
    confirm_registration,
    register_holder,
)
from mcf.domain.identity.nir import Nir
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.legal import cgu


class Command(BaseCommand):
    help = "Charge les données de démonstration (uniquement avec DEBUG activé)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Les données de démonstration ne se chargent qu'avec DEBUG=1.")
        with transaction.atomic():
            created = self._operator()
            created = self._holder() or created
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

    def _holder(self) -> bool:
        """Touria Orange, the seed's holder, registered through the real write path."""
        nir = Nir.parse(DEMO_HOLDER_NIR)
        if User.objects.filter(nir_hash=nir_lookup_hash(nir)).exists():
            return False
        token = register_holder(
            RegistrationData(
                nir=nir,
                civility="madame",
                first_name="Touria",
                birth_name="Orange",
                landline="",
                mobile="+33612345678",
                email="touria.orange@demo.moncompteformation.example",
                apprenticeship_declared=False,
                password_hash=make_password(DEMO_HOLDER_PASSWORD),
                cgu_version=cgu.CURRENT.version,
                cgu_accepted_at=timezone.now(),
            )
        )
        confirm_registration(token)
        return True

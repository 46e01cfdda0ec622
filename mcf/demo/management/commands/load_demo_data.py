"""Load the demo data. Idempotent: a second run changes nothing.

Refused when DEBUG is off: a production database never gets accounts with published
passwords or second-factor secrets (AUTH-16).
"""

import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.core.dates import add_years
from mcf.demo.accounts import (
    DEMO_EMPLOYER_ADMIN_FIRST_NAME,
    DEMO_EMPLOYER_ADMIN_LAST_NAME,
    DEMO_EMPLOYER_ADMIN_PASSWORD,
    DEMO_EMPLOYER_ADMIN_TOTP_SECRET,
    DEMO_EMPLOYER_ADMIN_USERNAME,
    DEMO_EMPLOYER_NAME,
    DEMO_EMPLOYER_SIRET,
    DEMO_GESTIONNAIRE_FIRST_NAME,
    DEMO_GESTIONNAIRE_LAST_NAME,
    DEMO_GESTIONNAIRE_PASSWORD,
    DEMO_GESTIONNAIRE_TOTP_SECRET,
    DEMO_GESTIONNAIRE_USERNAME,
    DEMO_HOLDER_NIR,
    DEMO_HOLDER_PASSWORD,
    DEMO_LOGINS,
    DEMO_OPERATOR_PASSWORD,
    DEMO_OPERATOR_TOTP_SECRET,
    DEMO_OPERATOR_USERNAME,
    DEMO_ORGANISATION_NAME,
    DEMO_ORGANISATION_SIRET,
    DEMO_PRO_ADMIN_FIRST_NAME,
    DEMO_PRO_ADMIN_LAST_NAME,
    DEMO_PRO_ADMIN_PASSWORD,
    DEMO_PRO_ADMIN_TOTP_SECRET,
    DEMO_PRO_ADMIN_USERNAME,
    DEMO_SECOND_HOLDER_EMAIL,
    DEMO_SECOND_HOLDER_NIR,
    DEMO_SECOND_HOLDER_PASSWORD,
)
from mcf.demo.catalogue import give_demo_situation, load_demo_catalogue
from mcf.demo.dossiers import REGISTERED_DAYS_AGO, hours_sentence, load_demo_dossiers
from mcf.domain.accounts.models import User
from mcf.domain.accounts.registration import (
    RegistrationData,
    confirm_registration,
    register_holder,
)
from mcf.domain.hours.feed import import_declarations
from mcf.domain.identity.nir import Nir
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.legal import cgu
from mcf.domain.organisations.actions import (
    change_provisional_password,
    create_gestionnaire,
    create_organisation_with_principal_admin,
)
from mcf.domain.organisations.models import Organisation
from mcf.domain.organisations.second_factor import key_from_base32, otpauth_uri

DEMO_DECLARATIONS = Path(__file__).resolve().parents[2] / "declarations_2015_2017.csv"


def _register(nir_text: str, password: str, **identity) -> bool:
    """A holder registered through the real write path, some months ago."""
    nir = Nir.parse(nir_text)
    if User.objects.filter(nir_hash=nir_lookup_hash(nir)).exists():
        return False
    registered = timezone.now() - timedelta(days=REGISTERED_DAYS_AGO)
    token = register_holder(
        RegistrationData(
            nir=nir,
            landline="",
            mobile="+33612345678",
            apprenticeship_declared=False,
            password_hash=make_password(password),
            cgu_version=cgu.CURRENT.version,
            cgu_accepted_at=registered,
            **identity,
        ),
        now=registered,
    )
    confirm_registration(token, now=registered)
    return True


class Command(BaseCommand):
    help = "Charge les données de démonstration (uniquement avec DEBUG activé)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Les données de démonstration ne se chargent qu'avec DEBUG=1.")
        with transaction.atomic():
            created = self._operator()
            created = self._holder() or created
            created = self._professional_admin() or created
            created = self._gestionnaire() or created
            created = self._employer() or created
            created = self._second_holder() or created
        created = self._declarations() or created
        created = self._catalogue() or created
        with transaction.atomic():
            created = self._dossiers() or created
        self.stdout.write(
            "Données de démonstration : "
            + ("créées." if created else "déjà présentes, rien n'a changé.")
        )
        for demo in DEMO_LOGINS:
            self.stdout.write(
                f"  {demo.space} : identifiant {demo.login} / mot de passe {demo.password}"
            )
            if demo.totp_secret:
                self.stdout.write(
                    f"    double authentification (application TOTP) : clé {demo.totp_secret}"
                    f" — {otpauth_uri(demo.totp_secret, demo.login)}"
                )
        self.stdout.write("  " + hours_sentence(self._demo_holder()))

    @staticmethod
    def _demo_holder() -> User:
        return User.objects.get(nir_hash=nir_lookup_hash(Nir.parse(DEMO_HOLDER_NIR)))

    def _gestionnaire(self) -> bool:
        """A gestionnaire of « OPCA Démo », created by its administrateur principal through
        « Comptes gestionnaires » (the product's path), the provisional password replaced."""
        if User.objects.filter(username=DEMO_GESTIONNAIRE_USERNAME).exists():
            return False
        admin = User.objects.get(username=DEMO_PRO_ADMIN_USERNAME)
        account = create_gestionnaire(
            admin,
            organisation=admin.professional_profile.organisation,
            first_name=DEMO_GESTIONNAIRE_FIRST_NAME,
            last_name=DEMO_GESTIONNAIRE_LAST_NAME,
            email="karim.demo@opca-demo.moncompteformation.example",
        )
        if account.username != DEMO_GESTIONNAIRE_USERNAME:
            raise CommandError(
                f"L'identifiant {DEMO_GESTIONNAIRE_USERNAME} est déjà pris par un autre compte."
            )
        change_provisional_password(account.user, DEMO_GESTIONNAIRE_PASSWORD)
        self._totp_device(account.user, DEMO_GESTIONNAIRE_TOTP_SECRET)
        return True

    def _dossiers(self) -> bool:
        """Touria Orange's dossiers, one per state, instructed by OPCA Démo (which covers her
        branch), leaving her the issue's example: 120 h DIF + 48 h CPF available."""
        return load_demo_dossiers(
            self._demo_holder(),
            admin=User.objects.get(username=DEMO_PRO_ADMIN_USERNAME),
            gestionnaire=User.objects.get(username=DEMO_GESTIONNAIRE_USERNAME),
        )

    def _declarations(self) -> bool:
        """Employers' declarations 2015–2017 for the demo holders (full time, part time,
        two employers, assimilated absences, overtime), through the real yearly feed: a
        second load finds every year « déjà chargé » and changes nothing. (The 150 h
        ceiling cannot be approached with three years at 24 h a year.) Touria Orange gets
        48 h: a full year, then two half years (part time with assimilated absences, two
        part-time employers) — the CPF of the issue's example (issue 13)."""
        report = import_declarations(
            DEMO_DECLARATIONS, report_path=Path(tempfile.gettempdir()) / "mcf-demo.rapport.csv"
        )
        return report.years_loaded > 0

    def _catalogue(self) -> bool:
        """The real referentials, a fixed slice of the synthetic catalogue, and the demo
        holder's situation (which lists her training search uses)."""
        created = load_demo_catalogue()
        return give_demo_situation(self._demo_holder()) or created

    def _totp_device(self, user: User, secret: str) -> bool:
        """A confirmed TOTP device with the published demo secret (second factor)."""
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return False
        TOTPDevice.objects.create(
            user=user, name="Démo", key=key_from_base32(secret), confirmed=True
        )
        return True

    def _operator(self) -> bool:
        operator = User.objects.filter(username=DEMO_OPERATOR_USERNAME).first()
        created = operator is None
        if created:
            operator = User.objects.create_superuser(
                username=DEMO_OPERATOR_USERNAME,
                email="operateur.demo@moncompteformation.example",
                password=DEMO_OPERATOR_PASSWORD,
                first_name="Opératrice",
                last_name="Démo",
            )
        # Also for a database made before the back office required a second factor.
        return self._totp_device(operator, DEMO_OPERATOR_TOTP_SECRET) or created

    def _holder(self) -> bool:
        """Touria Orange, the seed's holder, registered through the real write path, some
        months ago (her dossiers' history starts after it)."""
        return _register(
            DEMO_HOLDER_NIR,
            DEMO_HOLDER_PASSWORD,
            civility="madame",
            first_name="Touria",
            birth_name="Orange",
            email="touria.orange@demo.moncompteformation.example",
        )

    def _second_holder(self) -> bool:
        """Jean Dupont: a holder to whom Touria Orange may give a délégation (issue 14)."""
        return _register(
            DEMO_SECOND_HOLDER_NIR,
            DEMO_SECOND_HOLDER_PASSWORD,
            civility="monsieur",
            first_name="Jean",
            birth_name="Dupont",
            email=DEMO_SECOND_HOLDER_EMAIL,
        )

    def _employer(self) -> bool:
        """« Garage Démo », an employer under an accord 0,2 % in force, and its
        administrateur principal."""
        account = self._organisation(
            DEMO_EMPLOYER_NAME,
            Organisation.Kind.EMPLOYEUR,
            DEMO_EMPLOYER_SIRET,
            (DEMO_EMPLOYER_ADMIN_FIRST_NAME, DEMO_EMPLOYER_ADMIN_LAST_NAME),
            "paul.demo@garage-demo.moncompteformation.example",
            (DEMO_EMPLOYER_ADMIN_USERNAME, DEMO_EMPLOYER_ADMIN_PASSWORD),
            DEMO_EMPLOYER_ADMIN_TOTP_SECRET,
        )
        if account is None:
            return False
        organisation = account.organisation
        organisation.accord_starts_on = timezone.localdate() - timedelta(days=REGISTERED_DAYS_AGO)
        organisation.accord_ends_on = add_years(organisation.accord_starts_on, 3) - timedelta(1)
        organisation.full_clean()
        organisation.save(update_fields=["accord_starts_on", "accord_ends_on"])
        return True

    def _professional_admin(self) -> bool:
        """« OPCA Démo » and its administrateur principal."""
        account = self._organisation(
            DEMO_ORGANISATION_NAME,
            Organisation.Kind.OPCA,
            DEMO_ORGANISATION_SIRET,
            (DEMO_PRO_ADMIN_FIRST_NAME, DEMO_PRO_ADMIN_LAST_NAME),
            "amandine.demo@opca-demo.moncompteformation.example",
            (DEMO_PRO_ADMIN_USERNAME, DEMO_PRO_ADMIN_PASSWORD),
            DEMO_PRO_ADMIN_TOTP_SECRET,
        )
        return account is not None

    def _organisation(self, name, kind, siret, admin_name, admin_email, login, totp_secret):
        """An organisation and its administrateur principal, through the back office's
        action; the provisional password replaced by the published one (the owner's path),
        his TOTP device the published one. None when it exists already."""
        if Organisation.objects.filter(siret=siret).exists():
            return None
        username, password = login
        account = create_organisation_with_principal_admin(
            name=name,
            kind=kind,
            siret=siret,
            admin_first_name=admin_name[0],
            admin_last_name=admin_name[1],
            admin_email=admin_email,
        )
        if account.username != username:
            raise CommandError(f"L'identifiant {username} est déjà pris par un autre compte.")
        change_provisional_password(account.user, password)
        self._totp_device(account.user, totp_secret)
        return account

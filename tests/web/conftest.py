"""A logged-in browser per kind of user, for the route sweeps (tests/web/routes.py).

The sweeps (every route × every role, in several modules) share one world per module:
built once in a transaction left open for the module's tests, each test in a savepoint of
it (pytest-django's ``db``), rolled back after the test — so each test starts from the same
data, without building it again (0.35 s a test, times 1 400 tests). Each test gets fresh
browsers on the sessions opened once (a test may set ``enforce_csrf_checks``). The browser
stage (live server, committed data) builds its own: ``build_clients`` / ``build_route_objects``.
"""

import copy
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from dsfr.models import DsfrConfig

from mcf.domain.accounts.models import User
from mcf.domain.catalogue.models import Branch
from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.dossiers.actions import create_dossier_for_code
from mcf.domain.hours.feed.uploads import report_path
from mcf.domain.hours.ledger import enter_dif
from mcf.domain.hours.models import Counter, FeedImport
from mcf.domain.identity.nir import with_key
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.organisations.models import Organisation, ProfessionalProfile
from tests.domain.delegations.builders import to_person
from tests.domain.dossiers.builders import (
    ANGLAIS_CODE,
    World,
    give_hours,
    salarie_of,
    sent_dossier,
)
from tests.domain.organisations.builders import (
    active_principal_admin,
    operator_client,
    verified_client,
)
from tests.factories import registered_holder
from tests.web.catalogue.conftest import build_catalogue
from tests.web.routes import HOLDER


def build_clients() -> dict[str, Client]:
    """A browser per kind of user, each logged in to its own space; « operator » has the
    back office's two permissions of its own (feed, corrections), « superuser » all."""
    holder = Client()
    holder.force_login(registered_holder(HOLDER))
    browsers = {
        "anonymous": Client(),
        "holder": holder,
        "professional": verified_client(*active_principal_admin()),
        "operator": operator_client("operatrice", "import_declarations", "correct_counter")[1],
        "superuser": operator_client("superviseuse", superuser=True)[1],
    }
    for browser in browsers.values():
        browser.raise_request_exception = False  # a server error is a status to report
    return browsers


def build_route_objects() -> tuple[int, dict[str, int | uuid.UUID]]:
    """(a training offer's id, {back-office model routes: the pk of one of its objects}):
    the objects the routes' parameters name (tests/web/routes.py, route_values). After
    ``build_clients``, with ``FEED_UPLOAD_DIR`` set (an import's report file)."""
    catalogue = build_catalogue()
    offer_id = catalogue.anglais.pk
    submit_contact_message(
        full_name="Camille Martin",
        email="camille@example.net",
        topic=ContactMessage.Topic.choices[0][0],
        message="Bonjour",
    )
    operator = User.objects.get(username="operatrice")
    objects = {
        "gestion/auth/group/": Group.objects.create(name="Gestionnaires du service"),
        "gestion/dsfr/dsfrconfig/": DsfrConfig.objects.create(),
        "gestion/django_tasks_database/dbtaskresult/": DBTaskResult.objects.first(),
        "gestion/accounts/user/": User.objects.get(nir_hash=nir_lookup_hash(HOLDER)),
        "gestion/mailing/outboxemail/": OutboxEmail.objects.first(),
        "gestion/contact/contactmessage/": ContactMessage.objects.get(),
        "gestion/organisations/organisation/": Organisation.objects.get(),
        "gestion/organisations/professionalprofile/": ProfessionalProfile.objects.get(),
        "gestion/otp_totp/totpdevice/": TOTPDevice.objects.first(),
        "gestion/hours/feedimport/": (
            run := FeedImport.objects.create(
                file_name="dads-2024.csv",
                size=10,
                uploaded_by=operator,
                status=FeedImport.Status.DONE,
            )
        ),
        "gestion/hours/counter/": Counter.objects.get(holder__nir_hash=nir_lookup_hash(HOLDER)),
    }
    report_path(run).write_text("ligne;motif\n")
    # A second session of the holder: « Mes sessions » then shows its « Fermer » forms.
    holder = User.objects.get(nir_hash=nir_lookup_hash(HOLDER))
    Client().force_login(holder)
    # A dossier de formation of the holder, in preparation (his dossier pages).
    enter_dif(holder, 0)
    sent = _financeur_dossier(catalogue)
    # A délégation of the holder to another person (his délégation's page, the back office).
    delegation = to_person(
        holder, registered_holder(DELEGATE, email="delegataire@example.org", first_name="Jean")
    )
    public_ids = {
        "titulaire/delegations/": delegation.public_id,
        "gestion/delegations/delegation/": delegation.pk,
        "titulaire/dossiers-de-formation/": create_dossier_for_code(holder, ANGLAIS_CODE).public_id,
        "professionnel/dossiers/": sent.public_id,
        "gestion/dossiers/dossier/": sent.pk,  # the back office's read-only view of it
    }
    return offer_id, {prefix: instance.pk for prefix, instance in objects.items()} | public_ids


@dataclass(frozen=True)
class SweepWorld:
    cookies: dict[str, SimpleCookie]
    route_objects: tuple[int, dict[str, int | uuid.UUID]]
    upload_dir: Path


@pytest.fixture(scope="module")
def sweep_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The users, their sessions and the routes' objects, once for the module, in a
    transaction rolled back at its end (each test runs in a savepoint of it)."""
    upload_dir = tmp_path_factory.mktemp("feed")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(FEED_UPLOAD_DIR=upload_dir):
                browsers = build_clients()
                objects = build_route_objects()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield SweepWorld({role: b.cookies for role, b in browsers.items()}, objects, upload_dir)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def clients(sweep_world, db, settings) -> dict[str, Client]:
    """Fresh browsers on the module's sessions (see ``build_clients``)."""
    settings.FEED_UPLOAD_DIR = sweep_world.upload_dir
    browsers = {}
    for role, cookies in sweep_world.cookies.items():
        browser = Client()
        browser.cookies = copy.deepcopy(cookies)
        browser.raise_request_exception = False  # a server error is a status to report
        browsers[role] = browser
    return browsers


@pytest.fixture
def route_objects(sweep_world, clients) -> tuple[int, dict[str, int | uuid.UUID]]:
    return sweep_world.route_objects


# Another holder than the sweeps' own, whose counter the sweeps check stays at 0 h.
DOSSIER_HOLDER = with_key("2800375112345")
# The person the sweeps' holder gave a délégation to.
DELEGATE = with_key("1900375112346")


def _financeur_dossier(catalogue):
    """A dossier sent to the « professional »'s organisation (OPCA Test) by another holder."""
    holder = registered_holder(DOSSIER_HOLDER, email="dossier.titulaire@example.org")
    branch = Branch.objects.get(pk=catalogue.branch_id)
    salarie_of(holder, branch)
    give_hours(holder, cpf=48, dif=120)
    holder.refresh_from_db()  # its counter as it is now, DIF entered
    opca = Organisation.objects.get(name="OPCA Test")
    opca.branches.add(branch)
    admin = opca.members.get().user
    return sent_dossier(World(holder, catalogue, opca, admin, admin))


def more_dossiers(count: int) -> None:
    """``count`` more dossiers of that holder sent to OPCA Test (the sweeps' growth)."""
    holder = User.objects.get(nir_hash=nir_lookup_hash(DOSSIER_HOLDER))
    opca = Organisation.objects.get(name="OPCA Test")
    admin = opca.members.get(role=ProfessionalProfile.Role.ADMINISTRATEUR_PRINCIPAL).user
    for _ in range(count):
        sent_dossier(World(holder, None, opca, admin, admin))

"""A logged-in browser per kind of user, for the route sweeps (tests/web/routes.py)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from dsfr.models import DsfrConfig

from mcf.domain.accounts.models import User
from mcf.domain.catalogue.models import Branch
from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.dossiers.models import Dossier
from mcf.domain.hours.feed.uploads import report_path
from mcf.domain.hours.models import Counter, FeedImport
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.organisations.models import Organisation, ProfessionalProfile
from tests.domain.dossiers.builders import World, give_hours, salarie_of, sent_dossier
from tests.domain.organisations.builders import (
    active_principal_admin,
    operator_client,
    verified_client,
)
from tests.factories import registered_holder
from tests.web.catalogue.conftest import build_catalogue
from tests.web.routes import HOLDER


@pytest.fixture
def clients(db) -> dict[str, Client]:
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


@pytest.fixture
def route_objects(clients, settings, tmp_path) -> tuple[int, dict[str, int]]:
    """(a training offer's id, {back-office model routes: the pk of one of its objects}):
    the objects the routes' parameters name (tests/web/routes.py, route_values)."""
    settings.FEED_UPLOAD_DIR = tmp_path
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
        "gestion/accounts/user/": User.objects.get(nir_hash__isnull=False),
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
        "gestion/hours/counter/": Counter.objects.get(),
    }
    report_path(run).write_text("ligne;motif\n")
    dossier = _sent_dossier(
        User.objects.get(nir_hash__isnull=False), Organisation.objects.get(), catalogue
    )
    # A second session of the holder: « Mes sessions » then shows its « Fermer » forms.
    Client().force_login(User.objects.get(nir_hash__isnull=False))
    pks = {prefix: instance.pk for prefix, instance in objects.items()}
    # The dossier routes of both spaces name the same dossier, by its public id.
    pks["titulaire/dossiers-de-formation/"] = dossier.public_id
    pks["gestion/dossiers/dossier/"] = dossier.pk
    return offer_id, pks


def _sent_dossier(holder: User, organisation: Organisation, catalogue) -> Dossier:
    """A dossier of the sweeps' holder, sent to the professional's organisation (an OPCA
    covering the holder's branch): each space's dossier routes open it."""
    branch = Branch.objects.get(pk=catalogue.branch_id)
    organisation.branches.add(branch)
    salarie_of(holder, branch)
    give_hours(holder, cpf=0, dif=120)  # the gallery feeds the CPF later (test_every_page)
    admin = ProfessionalProfile.objects.get(organisation=organisation).user
    return sent_dossier(World(holder, catalogue, organisation, admin, admin))

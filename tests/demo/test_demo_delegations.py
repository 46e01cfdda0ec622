"""Issue 14's « done when », on `make run`'s data: Touria Orange delegates to Garage Démo (by
its SIRET) and to Jean Dupont (by his address); each sees what the rights allow; she revokes
and the delegate's next click is refused; Garage Démo answers the accord request of her
dossier; her history shows every step with its actor."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.demo.accounts import (
    DEMO_EMPLOYER_ADMIN_USERNAME,
    DEMO_EMPLOYER_SIRET,
    DEMO_HOLDER_NIR,
    DEMO_HOLDER_PASSWORD,
    DEMO_SECOND_HOLDER_EMAIL,
    DEMO_SECOND_HOLDER_NIR,
    DEMO_SECOND_HOLDER_PASSWORD,
)
from mcf.domain.accounts.models import User
from mcf.domain.delegations.models import Delegation
from mcf.domain.dossiers.models import Dossier, State
from mcf.domain.journal.models import JournalEntry
from mcf.domain.organisations.models import Organisation
from tests.domain.delegations.builders import last_invitation_token
from tests.domain.organisations.builders import verified_client
from tests.web.keys import keyed
from tests.web.titulaire.dossier_helpers import text

pytestmark = pytest.mark.django_db


def _login(nir: str, password: str) -> Client:
    client = Client()
    assert (
        client.post("/titulaire/connexion/", {"nir": nir, "password": password})["Location"]
        == "/titulaire/"
    )
    return client


def test_the_demo_holder_delegates_to_the_demo_employer_and_to_jean(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())
    garage = Organisation.objects.get(siret=DEMO_EMPLOYER_SIRET)
    assert garage.accord_in_force() and garage.is_financeur

    touria = _login(DEMO_HOLDER_NIR, DEMO_HOLDER_PASSWORD)
    new = "/titulaire/delegations/nouvelle/"
    ends_on = timezone.localdate().replace(day=1).replace(year=timezone.localdate().year + 1)
    for data in (
        {"delegate_kind": "entreprise", "siret": DEMO_EMPLOYER_SIRET, "consult": "on"},
        {"delegate_kind": "personne", "email": DEMO_SECOND_HOLDER_EMAIL, "modify": "on"},
    ):
        response = touria.post(new, keyed(touria, new, data | {"ends_on": ends_on.isoformat()}))
        assert response.status_code == 302, text(response)

    jean = _login(DEMO_SECOND_HOLDER_NIR, DEMO_SECOND_HOLDER_PASSWORD)
    token = last_invitation_token(DEMO_SECOND_HOLDER_EMAIL)
    jean.get(f"/titulaire/delegations/invitation/{token}/")
    assert jean.post("/titulaire/delegations/invitation/reprendre/").status_code == 302
    to_jean = Delegation.objects.get(invited_email=DEMO_SECOND_HOLDER_EMAIL)
    jean.post(f"/titulaire/delegations/{to_jean.public_id}/ouvrir/")
    dossiers = text(jean.get("/titulaire/dossiers-de-formation/"))
    assert "Touria O." in dossiers
    assert jean.get("/titulaire/dossiers-de-formation/nouveau/").status_code == 200  # modify

    paul = User.objects.get(username=DEMO_EMPLOYER_ADMIN_USERNAME)
    garage_client = verified_client(paul, TOTPDevice.objects.get(user=paul))
    assert "Touria O." in text(garage_client.get("/professionnel/salaries/"))
    waiting = Dossier.objects.get(employer_siret=DEMO_EMPLOYER_SIRET, state=State.TRANSMIS)
    page = f"/professionnel/demandes-d-accord/{waiting.public_id}/"
    answered = garage_client.post(
        page, keyed(garage_client, page, {"answer": "accord", "version": str(waiting.version)})
    )
    assert answered.status_code == 302
    assert Dossier.objects.get(pk=waiting.pk).employer_answer == "accord"

    revoke = f"/titulaire/delegations/{to_jean.public_id}/revoquer/"
    detail = f"/titulaire/delegations/{to_jean.public_id}/"
    assert touria.post(revoke, keyed(touria, detail, action=revoke)).status_code == 302
    assert jean.get("/titulaire/dossiers-de-formation/").status_code == 403

    actors = set(JournalEntry.objects.filter(holder=to_jean.holder).values_list("actor", flat=True))
    assert {"Vous", "Jean D., par délégation", "Garage Démo (Paul D.)"} <= actors

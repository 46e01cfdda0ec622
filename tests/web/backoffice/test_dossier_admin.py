"""The back office's dossiers de formation (read only, no NIR) and what an organisation
funds (branches, région)."""

from __future__ import annotations

import re

import pytest

from mcf.domain.organisations.models import Organisation
from tests.domain.dossiers.builders import dossier_world, sent_dossier
from tests.domain.organisations.builders import operator_client
from tests.factories import NIR_A
from tests.web.titulaire.test_read_dossier import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return dossier_world()


def test_backoffice_lists_dossiers_read_only_without_nir(world):
    dossier = sent_dossier(world)
    _, client = operator_client("guichet", "view_dossier")
    listing = client.get("/gestion/dossiers/dossier/", {"q": dossier.number_display})
    assert listing.status_code == 200
    assert dossier.number_display in text(listing) and "1 dossier" in text(listing)
    page = client.get(f"/gestion/dossiers/dossier/{dossier.pk}/change/")
    assert page.status_code == 200
    shown = text(page)
    assert "Touria ORANGE" in shown and "Organisme Démo" in shown
    nir_digits = re.sub(r"\D", "", NIR_A)
    assert nir_digits[:13] not in re.sub(r"\D", "", page.content.decode())
    assert "Enregistrer" not in shown
    assert client.get("/gestion/dossiers/dossier/add/").status_code == 403
    assert client.post(f"/gestion/dossiers/dossier/{dossier.pk}/delete/").status_code == 403
    _, other = operator_client("autre", "correct_counter")
    assert other.get("/gestion/dossiers/dossier/").status_code == 403


def test_backoffice_organisation_says_what_it_funds(world):
    _, client = operator_client("superviseuse", superuser=True)
    page = client.get(f"/gestion/organisations/organisation/{world.opca.pk}/change/")
    assert "Ce que finance l'organisation" in text(page)
    assert 'name="branches"' in page.content.decode() and 'name="region"' in page.content.decode()
    response = client.post(
        f"/gestion/organisations/organisation/{world.opca.pk}/change/",
        {
            "name": "OPCA Démo",
            "kind": "opca",
            "siret": world.opca.siret,
            "branches": [],
            "region": "53",
            # The read-only list of members is an inline formset: its management form.
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "1",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
            "members-0-id": str(world.financeur.professional_profile.pk),
            "members-0-organisation": str(world.opca.pk),
        },
    )
    assert response.status_code == 302
    opca = Organisation.objects.get(pk=world.opca.pk)
    assert opca.region_id == "53" and not opca.branches.exists()


def test_backoffice_history_says_nothing_of_a_dossier_to_staff_who_may_not_read_it(world):
    """AC-01: a staff member without « Voir dossier de formation » gets the same 403 for a
    dossier that exists and one that does not (Django 6.1 alone redirected for the latter)."""
    dossier = sent_dossier(world)
    _, other = operator_client("autre", "correct_counter")
    answers = [
        other.get(f"/gestion/dossiers/dossier/{pk}/history/").status_code
        for pk in (dossier.pk, dossier.pk + 1000)
    ]
    assert answers == [403, 403]
    _, allowed = operator_client("guichet", "view_dossier")
    assert allowed.get(f"/gestion/dossiers/dossier/{dossier.pk}/history/").status_code == 200


def test_ac_01_no_history_page_tells_which_ids_exist():
    """The same 403 for an object that exists and one that does not, on the history page of
    every model of the back office (ours and the third parties'), to staff without its
    permission (Django 6.1 alone redirects for a missing one)."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mcf.domain.mailing.models import OutboxEmail
    from tests.domain.organisations.builders import new_organisation

    account = new_organisation()
    _, other = operator_client("sans-droit", "correct_counter")
    existing = {
        "accounts/user": account.user.pk,
        "organisations/organisation": account.organisation.pk,
        "mailing/outboxemail": OutboxEmail.objects.first().pk,
        "auth/group": Group.objects.create(name="Guichet").pk,
        "otp_totp/totpdevice": TOTPDevice.objects.first().pk,
    }
    for model, pk in existing.items():
        answers = [
            other.get(f"/gestion/{model}/{object_id}/history/").status_code
            for object_id in (pk, 999999)
        ]
        assert answers == [403, 403], model

"""Back office (issue 14): a holder's délégations found by his NIR (never in a URL), read
only; revoked on his written request with a motif; an employer's accord 0,2 % dates."""

from __future__ import annotations

import pytest

from mcf.domain.delegations.models import Delegation, Status
from mcf.domain.identity.nir import with_key
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.organisations.models import Organisation
from tests.domain.delegations.builders import employer, second_holder, to_company, to_person
from tests.domain.organisations.builders import operator_client
from tests.factories import NIR_A, registered_holder

pytestmark = pytest.mark.django_db

LIST = "/gestion/delegations/delegation/"


@pytest.fixture
def delegation():
    return to_person(registered_holder(), second_holder())


def test_the_list_is_found_by_the_holder_s_nir_in_a_post(delegation):
    _, client = operator_client("lecteur", "view_delegation")
    found = client.post(LIST, {"nir": NIR_A})
    assert found.status_code == 302
    assert NIR_A not in found["Location"]
    page = client.get(found["Location"]).content.decode()
    assert "TOURIA ORANGE" in page.upper() and "Jean" in page
    assert NIR_A not in page
    unknown = client.post(LIST, {"nir": with_key("1900375500500")})
    assert unknown.status_code == 200 and "Aucun titulaire inscrit" in unknown.content.decode()


def test_revoking_needs_the_permission_and_a_motif_and_is_journaled(delegation):
    page = f"{LIST}{delegation.pk}/change/"
    _, reader = operator_client("lecteur", "view_delegation")
    assert "Révoquer" not in reader.get(page).content.decode()
    assert reader.post(page, {"motif": "Courrier"}).status_code == 403
    _, operator = operator_client("revocation", "view_delegation", "change_delegation")
    blank = operator.post(page, {"motif": " \u200f "})
    assert blank.status_code == 200 and "n'a pas été révoquée" in blank.content.decode()
    assert Delegation.objects.get().status == Status.ACTIVE
    done = operator.post(page, {"motif": "Courrier du titulaire reçu le 02/12/2026"})
    assert done.status_code == 302
    assert Delegation.objects.get().status == Status.REVOQUEE
    entry = JournalEntry.objects.get(action=Action.DELEGATION_REVOKED)
    assert entry.actor == "La Caisse des Dépôts" and "02/12/2026" in entry.details


def test_no_operator_without_the_permission_sees_a_délégation(delegation):
    _, client = operator_client("dossiers", "view_dossier")
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{delegation.pk}/change/").status_code in (403, 404)


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("2026-01-01", "2025-12-31", "précède son début"),
        ("2026-01-01", "2029-01-02", "3 ans au plus"),
        ("2026-01-01", "", "les deux dates"),
    ],
)
def test_an_employer_s_accord_dates_are_checked(starts, ends, message):
    company, _ = employer()
    _, client = operator_client("admin", superuser=True)
    page = f"/gestion/organisations/organisation/{company.pk}/change/"
    response = client.post(page, {
        "name": company.name, "kind": "employeur", "siret": company.siret,
        "accord_starts_on": starts, "accord_ends_on": ends,
        "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0",
    })  # fmt: skip
    assert response.status_code == 200 and message in response.content.decode()
    assert Organisation.objects.get(pk=company.pk).accord_starts_on is None


def test_a_company_délégation_shows_its_company(delegation):
    company, _ = employer()
    to_company(delegation.holder, company)
    _, client = operator_client("lecteur", "view_delegation")
    assert "Garage Martin" in client.get(LIST).content.decode()

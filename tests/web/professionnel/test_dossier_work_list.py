"""« Dossiers à instruire »: the financeur organisation's work list and the home page's
counts per state (AC-01: only the organisation's dossiers, never a draft, never a NIR)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mcf.domain.dossiers import actions
from mcf.domain.identity.nir import Nir
from mcf.domain.organisations.models import Organisation
from tests.domain.dossiers.builders import ready_dossier, sent_dossier, validated_dossier
from tests.domain.organisations.builders import active_principal_admin, verified_client
from tests.factories import NIR_A
from tests.web.professionnel.dossier_helpers import (
    WORK_LIST,
    client_of,
    page_of,
    text,
)

pytestmark = pytest.mark.django_db

NIR_PATTERN = re.compile(r"[12][0-9]{2}(0[1-9]|1[0-2]|[2-9][0-9])(2A|2B|[0-9]{2})[0-9]{6}[0-9]{2}")


def _rows(html: str) -> list[str]:
    """The dossier numbers of the table, in order."""
    return re.findall(r"n°&nbsp;(\d{4} \d{4} \d{4})</a>", html)


def test_lists_what_waits_for_the_organisation_never_a_draft_nor_another_s(world, financeur):
    draft = ready_dossier(world)
    sent = sent_dossier(world)
    validated = validated_dossier(world)
    refused = sent_dossier(world)
    actions.refuse_dossier(refused.pk, by=world.financeur, version=refused.version, motif="Non")
    theirs = sent_dossier(world)
    # The holder changes financeur: the dossier goes to the other OPCA.
    theirs_org = world.other_financeur.professional_profile.organisation
    actions.withdraw_dossier(theirs.pk, by=world.holder, version=theirs.version)
    theirs.refresh_from_db()
    theirs = actions.update_dossier(
        theirs.pk, by=world.holder, version=theirs.version, values={"financeur": theirs_org}
    )
    actions.send_dossier(theirs.pk, by=world.holder, version=theirs.version)

    response = financeur.get(WORK_LIST)
    html = text(response)
    assert response.status_code == 200
    assert "<h1>Dossiers à instruire</h1>" in html
    # By default: transmis and validés, the newest sent first.
    assert _rows(html) == [validated.number_display, sent.number_display]
    assert draft.number_display not in html and theirs.number_display not in html
    assert "Touria ORANGE" in html
    assert not NIR_PATTERN.search(html.replace(" ", ""))
    # Every state the financeur may see, on demand.
    everything = text(financeur.get(WORK_LIST, {"etat": ["transmis", "valide", "annule"]}))
    assert sorted(_rows(everything)) == sorted(
        [validated.number_display, sent.number_display, refused.number_display]
    )
    # The other OPCA sees its dossier only.
    other = text(client_of(world.other_financeur).get(WORK_LIST, {"etat": "transmis"}))
    assert _rows(other) == [theirs.number_display]


def test_filters_by_state_dates_and_sorts(world, financeur):
    soon = sent_dossier(world, start_in_days=70)
    later = sent_dossier(world, start_in_days=200)
    validated = validated_dossier(world, start_in_days=100)
    html = text(financeur.get(WORK_LIST, {"etat": "valide"}))
    assert _rows(html) == [validated.number_display]
    html = text(financeur.get(WORK_LIST, {"etat": ["transmis", "valide"], "tri": "start_date"}))
    assert _rows(html) == [soon.number_display, validated.number_display, later.number_display]
    html = text(financeur.get(WORK_LIST, {"tri": "-start_date", "etat": "transmis"}))
    assert _rows(html) == [later.number_display, soon.number_display]
    today = timezone.localdate()
    start = {
        "debut_du": (today + datetime.timedelta(days=90)).isoformat(),
        "debut_au": (today + datetime.timedelta(days=150)).strftime("%d/%m/%Y"),
    }
    assert _rows(text(financeur.get(WORK_LIST, {"etat": ["transmis", "valide"], **start}))) == [
        validated.number_display
    ]
    sent = {"transmis_du": today.isoformat(), "transmis_au": today.isoformat()}
    assert len(_rows(text(financeur.get(WORK_LIST, sent)))) == 3
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    html = text(financeur.get(WORK_LIST, {"transmis_du": tomorrow}))
    assert _rows(html) == []
    assert "Aucun dossier ne correspond à ces critères." in html


def test_search_by_number_or_full_nir_never_shows_nor_puts_the_nir_in_a_url(world, financeur):
    first = sent_dossier(world)
    second = sent_dossier(world)
    validated = validated_dossier(world)
    # A number, typed with spaces: whatever its state (no default state when searching).
    html = text(financeur.post(WORK_LIST, {"q": validated.number_display}))
    assert _rows(html) == [validated.number_display]
    assert f'value="{validated.number_display}"' in html  # a number is shown back
    # The search is POSTed: the GET query string has no search (a NIR is never in a URL).
    assert _rows(text(financeur.get(WORK_LIST, {"q": first.number}))) == [
        validated.number_display,
        second.number_display,
        first.number_display,
    ]
    # A NIR typed in full, grouped or not, finds the holder's dossiers, over the filters of
    # the query string; it is not written back.
    formatted = Nir.parse(NIR_A).formatted
    response = financeur.post(f"{WORK_LIST}?etat=transmis", {"q": formatted})
    html = text(response)
    assert response.status_code == 200
    assert sorted(_rows(html)) == sorted([first.number_display, second.number_display])
    assert not NIR_PATTERN.search(re.sub(r"\s", "", html))
    assert 'action="/professionnel/dossiers/?etat=transmis"' in html
    # A NIR of nobody of the organisation: nothing.
    assert _rows(text(financeur.post(WORK_LIST, {"q": "290102A12312354"}))) == []


@pytest.mark.parametrize(
    "search",
    ["1234", "１２３４５６７８９０１２", "x" * 500, "185057800608492", "1 85 05 78 006 084"],
)
def test_a_bad_search_gets_a_french_message_never_the_nir_back(world, financeur, search):
    sent_dossier(world)
    response = financeur.post(WORK_LIST, {"q": search})
    html = text(response)
    assert response.status_code == 422
    assert 'href="#id_q"' in html
    assert html.count("Saisissez un numéro de dossier (12 chiffres)") == 2  # summary, field
    assert "<table" not in html
    assert search not in html or len(search) <= 12
    assert not NIR_PATTERN.search(re.sub(r"\s", "", html))


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"transmis_du": "31/02/2026"}, "transmis_du", "Saisissez une date valide"),
        ({"debut_du": "２０２７-０１-１５"}, "debut_du", "Saisissez une date valide"),
        (
            {"debut_du": "2027-03-01", "debut_au": "2027-02-01"},
            "debut_au",
            "La fin de la période doit suivre son début.",
        ),
        ({"etat": "brouillon"}, "etat", "Choisissez des états de la liste."),
        ({"tri": "holder__nir_hash"}, "tri", "Choisissez un ordre de la liste."),
    ],
)
def test_bad_filters_get_a_french_message_next_to_the_field(
    world, financeur, params, field, message
):
    sent_dossier(world)
    response = financeur.get(WORK_LIST, params)
    html = text(response)
    assert response.status_code == 422
    assert "La liste n'a pas été filtrée" in html
    assert f'href="#id_{field}' in html  # the summary links to the field
    assert message in html
    assert "<table" not in html


def test_bad_page_numbers_give_a_page(world, financeur):
    for _ in range(3):
        sent_dossier(world)
    for page in ("²", "０", "-1", "99999999999999999999", "abc"):
        assert financeur.get(WORK_LIST, {"page": page}).status_code == 200


def test_paginated_by_twenty(world, financeur, monkeypatch):
    monkeypatch.setattr("mcf.web.professionnel.dossier_views.PAGE_SIZE", 2)
    for _ in range(3):
        sent_dossier(world)
    html = text(financeur.get(WORK_LIST, {"etat": "transmis", "tri": "sent_at"}))
    assert len(_rows(html)) == 2
    assert "3 dossiers" in html
    assert "page=2" in html and "etat=transmis" in html
    html = text(financeur.get(WORK_LIST, {"etat": "transmis", "tri": "sent_at", "page": "2"}))
    assert len(_rows(html)) == 1


def _queries(client, url, params=None, *, post=False) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert (client.post if post else client.get)(url, params or {}).status_code == 200
    return len(queries)


def test_query_count_is_flat_from_1_to_50_dossiers(world, financeur):
    sent_dossier(world)
    financeur.get(WORK_LIST)  # the first request after login refreshes the session record
    search = {"q": Nir.parse(NIR_A).formatted}
    one = [_queries(financeur, WORK_LIST), _queries(financeur, WORK_LIST, search, post=True)]
    for _ in range(49):
        sent_dossier(world)
    fifty = [_queries(financeur, WORK_LIST), _queries(financeur, WORK_LIST, search, post=True)]
    assert one == fifty
    # Session, user, OTP device, profile with its organisation, the count, the page
    # (dossiers with their holders), then the session save (savepoint, UPDATE, release).
    assert one == [9, 9]


def test_the_home_page_counts_dossiers_per_state(world, financeur):
    sent_dossier(world)
    sent_dossier(world)
    validated_dossier(world)
    ready_dossier(world)  # a draft: not the financeur's
    html = text(financeur.get("/professionnel/"))
    counts = dict(
        re.findall(
            r'etat=(\w+)">[^<]+</a></h3>\s*<p class="fr-tile__detail"><span[^>]*>(\d+)', html
        )
    )
    assert counts == {"transmis": "2", "complement": "0", "valide": "1", "clos": "0", "annule": "0"}
    assert 'href="/professionnel/dossiers/"' in html


def test_home_query_count_is_flat(world, financeur):
    sent_dossier(world)
    financeur.get("/professionnel/")
    one = _queries(financeur, "/professionnel/")
    for _ in range(5):
        sent_dossier(world)
    assert _queries(financeur, "/professionnel/") == one == 9


@pytest.mark.parametrize("kind", [Organisation.Kind.CAP_EMPLOI, Organisation.Kind.CDC])
def test_a_cep_or_the_cdc_has_no_dossiers_to_instruct(world, kind):
    """Decision: the work list is 403 for an organisation that funds nothing (it exists,
    not for them); a dossier's page is 404 (nothing tells whether it exists)."""
    dossier = sent_dossier(world)
    client = verified_client(
        *active_principal_admin(
            name="Conseil", kind=kind, siret="99900012800010", email="cep@example.org"
        )
    )
    assert client.get(WORK_LIST).status_code == 403
    assert client.get(page_of(dossier)).status_code == 404
    home = text(client.get("/professionnel/"))
    assert "Dossiers à instruire" not in home and "Dossiers de formation" not in home

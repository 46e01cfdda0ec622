"""A dossier de formation as its holder reads it (titulaire:dossier, its récapitulatif PDF),
and the two acts of its page: « Reprendre le dossier pour le modifier », « Annuler le
dossier » (REL-04, stale form, refused act → 409, another holder's dossier → 404)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from mcf.domain.dossiers import actions
from mcf.domain.dossiers.models import Dossier, DossierTransition, State, WorkingTime
from mcf.domain.identity.nir import Nir
from mcf.domain.journal.models import JournalEntry
from mcf.web.idempotency import FIELD
from tests.domain.dossiers.builders import (
    dossier_world,
    ready_dossier,
    sent_dossier,
    validated_dossier,
)
from tests.domain.organisations.builders import verified_client
from tests.factories import NIR_A, NIR_B, registered_holder
from tests.web.keys import client_key
from tests.web.routes import page_forms
from tests.web.titulaire import dossier_helpers
from tests.web.titulaire.dossier_helpers import text
from tests.web.titulaire.test_attestation import drawn_text

pytestmark = pytest.mark.django_db


def page_of(dossier) -> str:
    return f"/titulaire/dossiers-de-formation/{dossier.public_id}/"


@pytest.fixture
def world():
    return dossier_world()


@pytest.fixture
def browser(world) -> Client:
    return dossier_helpers.browser(world.holder)


def form_posting_to(response, action: str) -> dict[str, str]:
    """The values of the page's form that posts to ``action`` (its key and version)."""
    for form in page_forms(response.content.decode()):
        if form.method == "post" and form.action == action:
            return {name: values[0] for name, values in form.values.items()}
    raise AssertionError(f"no form posting to {action}")


def test_a_draft_says_what_is_missing_and_offers_to_cancel(world, browser):
    dossier = actions.create_dossier_for_code(world.holder, 236593)
    response = browser.get(page_of(dossier))
    assert response.status_code == 200
    page = text(response)
    assert f"Dossier de formation n° {dossier.number_display}" in page
    assert "En cours d'élaboration" in page
    assert "Complétez votre dossier, puis transmettez-le au financeur." in page
    assert "Indiquez le SIRET de l'organisme de formation." in page  # actions.send_errors
    assert "Dossier de formation créé" in page and "Vous" in page
    assert "Annuler le dossier" in page and "Motif de l'annulation" in page
    assert "Reprendre le dossier pour le modifier" not in page


def test_a_complete_draft_shows_every_field_and_the_plan(world, browser):
    dossier = ready_dossier(world)  # 200 h, the holder has 120 DIF + 48 CPF
    page = text(browser.get(page_of(dossier)))
    assert "Votre dossier est complet : transmettez-le au financeur." in page
    for shown in (
        "Organisme Démo",
        "732 829 320 00074",
        f"{dossier.start_date:%d/%m/%Y}",
        f"{dossier.end_date:%d/%m/%Y}",
        "2 400 €",
        "Hors temps de travail",
        "OPCA Démo",
        f"Donné le {timezone.localtime(dossier.consent_at):%d/%m/%Y}",
    ):
        assert shown in page, shown
    plan = page.partition("Plan des heures")[2].partition("Historique des opérations")[0]
    assert "Heures DIF 120 h" in plan and "Heures CPF 30 h" in plan
    assert "Total mobilisé sur votre compte 150 h" in plan
    assert "financer autrement (abondement) 50 h" in plan
    assert "Il vous resterait 0 h de DIF et 18 h de CPF." in plan


def test_a_sent_dossier_can_be_taken_back_once(world, browser):
    dossier = sent_dossier(world)
    page = browser.get(page_of(dossier))
    assert "entre les mains d'OPCA Démo" in text(page)
    form = form_posting_to(page, page_of(dossier) + "reprendre/")
    assert form["version"] == str(dossier.version)
    first = browser.post(page_of(dossier) + "reprendre/", form)
    again = browser.post(page_of(dossier) + "reprendre/", form)  # double click
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == page_of(dossier)
    dossier.refresh_from_db()
    assert dossier.state == State.BROUILLON
    assert DossierTransition.objects.filter(dossier=dossier, name="reprendre").count() == 1
    shown = text(browser.get(page_of(dossier)))
    assert "Votre dossier vous est revenu" in shown
    assert "Dossier repris pour modification" in shown


def test_cancel_needs_a_motif_and_keeps_what_was_typed(world, browser):
    dossier = sent_dossier(world)
    form = form_posting_to(browser.get(page_of(dossier)), page_of(dossier) + "annuler/")
    response = browser.post(page_of(dossier) + "annuler/", {**form, "motif": "  \u200f "})
    assert response.status_code == 200
    assert "Indiquez le motif de l'annulation." in text(response)
    assert "Le dossier n'a pas été annulé" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == State.TRANSMIS

    form = form_posting_to(response, page_of(dossier) + "annuler/")
    done = browser.post(page_of(dossier) + "annuler/", {**form, "motif": "Formation reportée"})
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.ANNULE and dossier.cancel_reason == "Formation reportée"
    page = text(browser.get(page_of(dossier)))
    assert "Annulé" in page and "Motif : Formation reportée" in page and "par vous" in page
    assert "Annuler le dossier" not in page.partition("Historique des opérations")[2]


def test_a_stale_form_changes_nothing_and_says_so(world, browser):
    dossier = sent_dossier(world)
    form = form_posting_to(browser.get(page_of(dossier)), page_of(dossier) + "annuler/")
    # Meanwhile, in another tab: taken back and changed.
    actions.withdraw_dossier(dossier.pk, by=world.holder, version=dossier.version)
    response = browser.post(page_of(dossier) + "annuler/", {**form, "motif": "Trop tard"})
    assert response.status_code == 409
    assert "Ce dossier a changé depuis que vous avez ouvert cette page" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == State.BROUILLON and dossier.cancel_reason == ""


@pytest.mark.parametrize("version", ["", "²", "１", "99999999999999999999", "1 OR 1=1"])
def test_a_version_that_is_no_number_is_a_stale_form(world, browser, version):
    dossier = sent_dossier(world)
    form = form_posting_to(browser.get(page_of(dossier)), page_of(dossier) + "reprendre/")
    response = browser.post(page_of(dossier) + "reprendre/", {**form, "version": version})
    assert response.status_code == 409
    dossier.refresh_from_db()
    assert dossier.state == State.TRANSMIS


def test_an_act_the_state_refuses_is_a_409_with_the_message(world, browser):
    dossier = validated_dossier(world)
    assert "Annuler le dossier" not in text(browser.get(page_of(dossier)))
    response = browser.post(
        page_of(dossier) + "annuler/",
        {
            "version": str(dossier.version),
            "motif": "Je change d'avis",
            FIELD: client_key(browser, "titulaire:dossier_cancel"),
        },
    )
    assert response.status_code == 409
    assert "l'action « Annuler le dossier » n'est plus possible" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == State.VALIDE


def test_a_form_without_its_key_changes_nothing(world, browser):
    dossier = sent_dossier(world)
    response = browser.post(page_of(dossier) + "reprendre/", {"version": str(dossier.version)})
    assert response.status_code == 409
    assert "ouvert il y a trop longtemps" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == State.TRANSMIS


def test_a_validated_dossier_names_its_financeur_in_the_history(world, browser):
    dossier = validated_dossier(world)
    page = text(browser.get(page_of(dossier)))
    assert "Validé" in page
    assert "Vos heures sont réservées pour cette formation." in page
    assert "Dossier validé" in page and "OPCA Démo (Amandine M.)" in page
    assert "Aucun abondement" in page
    assert "Reprendre le dossier" not in page


def test_a_closed_dossier_shows_the_hours_done(world, browser):
    dossier = validated_dossier(world)
    actions.close_dossier(dossier.pk, by=world.financeur, version=dossier.version, hours_done=130)
    page = text(browser.get(page_of(dossier)))
    assert "Clos" in page
    assert "130 h réalisées : 120 h de DIF et 10 h de CPF débitées" in page


def test_sur_temps_de_travail_shows_the_employer_deadlines(world, browser):
    dossier = ready_dossier(world, working_time=WorkingTime.SUR, start_in_days=90)
    page = text(browser.get(page_of(dossier)))
    assert "L'accord de votre employeur" in page
    assert f"{dossier.start_date - timedelta(days=60):%d/%m/%Y}" in page
    assert "Pas encore enregistrée" in page


def test_another_holders_dossier_is_not_found(world):
    dossier = sent_dossier(world)
    stranger = Client()
    stranger.force_login(registered_holder(NIR_B, email="autre@example.org"))
    for path in ("", "recapitulatif.pdf"):
        assert stranger.get(page_of(dossier) + path).status_code == 404
    for path in ("reprendre/", "annuler/"):
        response = stranger.post(
            page_of(dossier) + path,
            {"version": str(dossier.version), "motif": "x", FIELD: client_key(stranger, "x")},
        )
        assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.state == State.TRANSMIS
    browser = Client()
    browser.force_login(world.holder)
    assert browser.get(f"/titulaire/dossiers-de-formation/{uuid.uuid4()}/").status_code == 404


def test_the_professional_gets_no_holder_page(world):
    dossier = sent_dossier(world)
    pro = verified_client(world.financeur, TOTPDevice.objects.get(user=world.financeur))
    assert pro.get(page_of(dossier)).status_code == 403


def _many(world, count: int) -> Dossier:
    for _ in range(count - 1):
        actions.create_dossier_for_code(world.holder, 236593)
    return ready_dossier(world)


@pytest.mark.parametrize("state", ["brouillon", "valide"])
def test_the_page_query_count_is_flat(world, browser, django_assert_num_queries, state):
    # session, user, dossier + financeur, journal entries, and: the counter (a dossier
    # being prepared: its live plan) or the abondements (validated); the session's save
    # (3 statements in a savepoint).
    one = ready_dossier(world) if state == "brouillon" else validated_dossier(world)
    browser.get(page_of(one))
    with django_assert_num_queries(8):
        browser.get(page_of(one))
    many = _many(world, 50)
    for _ in range(20):
        many = actions.update_dossier(
            many.pk, by=world.holder, version=many.version, values={"comments": str(_)}
        )
    if state == "valide":
        many = actions.send_dossier(many.pk, by=world.holder, version=many.version)
        many = actions.validate_dossier(
            many.pk, by=world.financeur, version=many.version, dif=0, cpf=18
        )
    assert JournalEntry.objects.filter(subject_id=many.public_id).count() > 20
    browser.get(page_of(many))
    with django_assert_num_queries(8):
        browser.get(page_of(many))


def test_history_entries_of_a_dossier_link_to_it(world, browser):
    dossier = sent_dossier(world)
    page = browser.get("/titulaire/historique/").content.decode()
    about = JournalEntry.objects.filter(holder=world.holder, subject_id=dossier.public_id)
    assert about.count() >= 3  # created, changed, sent
    assert page.count(f'href="{page_of(dossier)}"') == about.count()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_recap_pdf_holds_the_dossier_and_masks_the_nir(world, browser, caplog):
    dossier = validated_dossier(world)
    actions.close_dossier(dossier.pk, by=world.financeur, version=dossier.version, hours_done=130)
    response = browser.get(page_of(dossier) + "recapitulatif.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"dossier-de-formation-{dossier.number}.pdf" in response["Content-Disposition"]
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]
    content = pdf_text(response.content)
    for shown in (
        f"Dossier de formation n° {dossier.number_display}",
        "Clos",
        "Organisme Démo",
        "OPCA Démo",
        "Heures réalisées 130",
        "Dossier validé",
        "OPCA Démo (Amandine M.)",
        Nir.parse(NIR_A).masked.split()[0],
    ):
        assert shown in content, shown
    digits = re.sub(r"\D", "", content)
    assert re.sub(r"\D", "", NIR_A)[:13] not in digits  # PRIV-02: no NIR in clear
    # Every drawn character has its glyph (attestation.py's printable()).
    assert all(gid != 0 for _, char, gid, _ in drawn_text(response.content) if char.strip())

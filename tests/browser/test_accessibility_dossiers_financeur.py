"""The financeur's dossier pages pass axe-core (WCAG 2.0/2.1 A and AA) in the states a
gestionnaire meets, walked through with the keyboard and the real forms: the work list
(filtered, a search by NIR, a bad filter), the instruct page of a sent dossier, its
validation refused then done, the validated dossier closed with an error then closed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mcf.domain.dossiers.models import Dossier, State
from tests.browser.conftest import assert_no_axe_violations, wait_for_dsfr
from tests.browser.test_every_page import _log_in
from tests.domain.dossiers.builders import sent_dossier
from tests.factories import NIR_A
from tests.web.professionnel.dossier_helpers import client_of, financeur_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _log_out_afterwards(axe_page: Page):
    # The axe context is shared by every axe test: leave it as a newcomer's.
    yield
    axe_page.context.clear_cookies()


def checked(page: Page, text: str) -> None:
    wait_for_dsfr(page)
    expect(page.locator("main")).to_contain_text(text)
    assert_no_axe_violations(page)


def press_enter_in(page: Page, selector: str) -> None:
    """Submit a form from one of its fields, as a keyboard user does."""
    page.focus(selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_work_list_and_the_instruct_page_with_the_keyboard(axe_page: Page, live_server):
    page, base = axe_page, live_server.url
    world = financeur_world()
    dossier = sent_dossier(world)
    sent_dossier(world)
    _log_in(page, base, client_of(world.financeur))

    page.goto(base + "/professionnel/")
    checked(page, "Dossiers de formation")
    page.goto(base + "/professionnel/dossiers/")
    checked(page, "2 dossiers")
    page.fill("#id_transmis_du", "2027-02-01")
    page.fill("#id_transmis_au", "2027-01-01")
    press_enter_in(page, "#id_transmis_au")
    checked(page, "La fin de la période doit suivre son début.")
    page.goto(base + "/professionnel/dossiers/?etat=transmis")
    page.fill("#id_q", " ".join([NIR_A[:1], NIR_A[1:3], NIR_A[3:]]))
    press_enter_in(page, "#id_q")
    checked(page, "2 dossiers")
    assert page.input_value("#id_q") == ""  # the NIR is not written back

    page.goto(base + f"/professionnel/dossiers/{dossier.public_id}/")
    checked(page, "Valider le dossier")
    # Refused: no attestation ticked while DIF hours are used for the first time.
    press_enter_in(page, "#id_valider-dif")
    checked(page, "Rien n'a été modifié")
    expect(page.locator("#erreurs")).to_contain_text("Attestation DIF vérifiée")
    page.focus("#id_valider-dif_attestation_checked")
    page.keyboard.press("Space")
    page.fill("#id_abondements-0-hours", "50")
    page.select_option("#id_abondements-0-payer", "employeur")
    press_enter_in(page, "#id_valider-cpf")
    checked(page, "est validé")
    assert Dossier.objects.get(pk=dossier.pk).state == State.VALIDE

    page.fill("#id_cloture-hours_done", "151")
    press_enter_in(page, "#id_cloture-hours_done")
    checked(page, "Saisissez 150 heures au plus.")
    page.fill("#id_cloture-hours_done", "140")
    press_enter_in(page, "#id_cloture-hours_done")
    checked(page, "est clos")
    assert Dossier.objects.get(pk=dossier.pk).state == State.CLOS

"""The API's pages in a browser: the documentation (Swagger UI from django-ninja's static
files, CSP enforced, nothing from a third party) and « Accès API » of the professional
space in its empty, error and filled states, passing axe-core. With ``MCF_SCREENSHOTS``
set, each state is saved at 1280 and 375 px (the gallery's folder, space « api »)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import gallery
from tests.browser.conftest import assert_no_axe_violations, wait_for_dsfr
from tests.browser.test_every_page import _log_in
from tests.domain.dossiers.builders import sent_dossier
from tests.web.professionnel.dossier_helpers import client_of, financeur_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _log_out_afterwards(axe_page: Page):
    yield
    axe_page.context.clear_cookies()


def shots(page: Page, name: str, state: str) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        gallery.shoot(page, "api", name, state, width, [])
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_documentation_is_served_from_our_own_files(journey):
    page = journey.page
    page.goto(journey.url("/api/v1/docs"))
    expect(page.locator("h1:visible")).to_have_text(
        "Documentation de l'API de Mon Compte Formation"
    )
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Rechercher des formations éligibles")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "fr"
    shots(page, "documentation", "rempli")
    journey.assert_clean()  # no CDN, no CSP violation, no failed request


def test_acces_api_empty_error_and_filled(axe_page: Page, live_server, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    page, base = axe_page, live_server.url
    world = financeur_world()
    _log_in(page, base, client_of(world.financeur))

    page.goto(base + "/professionnel/acces-api/")
    wait_for_dsfr(page)
    expect(page.locator("main")).to_contain_text("Aucun client API pour l'instant")
    assert_no_axe_violations(page)
    shots(page, "acces-api", "vide")

    page.get_by_label("Nom du client").fill("SI gestion des dossiers")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le client").click()
    expect(page.locator("main")).to_contain_text("Choisissez au moins une portée.")
    assert page.get_by_label("Nom du client").input_value() == "SI gestion des dossiers"
    assert_no_axe_violations(page)
    shots(page, "acces-api", "erreur")

    page.get_by_label("Lire les dossiers de l'organisation et leur historique").focus()
    page.keyboard.press("Space")  # the DSFR's label covers its box: as a keyboard user
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le client").click()
    expect(page.locator("h1")).to_have_text("Client API créé")
    assert_no_axe_violations(page)
    shots(page, "client-cree", "rempli")

    page.goto(base + "/professionnel/acces-api/")
    page.get_by_label("Adresse de réception (https)").fill(live_server.url + "/recevoir")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter l'adresse").click()
    expect(page.locator("h1")).to_have_text("Adresse de webhook ajoutée")
    assert_no_axe_violations(page)

    sent_dossier(world)
    page.goto(base + "/professionnel/acces-api/")
    wait_for_dsfr(page)
    assert_no_axe_violations(page)
    shots(page, "acces-api", "rempli")
    page.goto(base + "/professionnel/acces-api/envois/")
    wait_for_dsfr(page)
    expect(page.locator("main")).to_contain_text("dossier.transmettre")
    assert_no_axe_violations(page)
    shots(page, "journal-des-envois", "rempli")

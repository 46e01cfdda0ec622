"""The holder's space passes axe-core (WCAG 2.0/2.1 A and AA) on every page and state:
« Synthèse de votre compte » (new and fed), « Mon compte d'heures » (empty, with movements
and chart, with a form error), history, sessions, password change, « bientôt disponible »."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import Page

from mcf.domain.hours.ledger import credit_feed, enter_dif
from mcf.domain.hours.models import Counter
from tests.browser.conftest import assert_no_axe_violations, wait_for_dsfr
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/titulaire/",
    "/titulaire/compte-d-heures/",
    "/titulaire/historique/",
    "/titulaire/sessions/",
    "/titulaire/mot-de-passe/",
    "/titulaire/informations-personnelles/",
    "/titulaire/rechercher-une-formation/",
    "/titulaire/dossiers-de-formation/",
    "/titulaire/delegations/",
]


@pytest.fixture(autouse=True)
def _log_out_afterwards(axe_page: Page):
    # The axe context is shared by every axe test: leave it as a newcomer's.
    yield
    axe_page.context.clear_cookies()


def log_in(page: Page, base_url: str) -> None:
    page.goto(base_url + "/titulaire/connexion/")
    page.get_by_label("Numéro de Sécurité sociale").fill(NIR_A)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="S'identifier").click()
    assert page.url.endswith("/titulaire/"), page.url


def check(page: Page, base_url: str, path: str) -> None:
    response = page.goto(base_url + path)
    assert response is not None and response.status == 200, path
    wait_for_dsfr(page)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("fed", [False, True], ids=["new account", "fed account"])
def test_holder_space_pages(axe_page: Page, live_server, fed):
    holder = registered_holder()
    if fed:
        with transaction.atomic():
            for year, hours in [(2015, 24), (2016, 24), (2017, 24), (2018, 24), (2019, 24)]:
                counter = Counter.objects.select_for_update().get(holder=holder)
                credit_feed(counter, year=year, hours=hours, source="test")
        enter_dif(holder, 45)
    log_in(axe_page, live_server.url)
    for path in PAGES:
        check(axe_page, live_server.url, path)


def test_dif_form_with_an_error(axe_page: Page, live_server):
    registered_holder()
    log_in(axe_page, live_server.url)
    axe_page.goto(live_server.url + "/titulaire/compte-d-heures/")
    axe_page.get_by_label("Saisissez le solde du DIF").fill("1000")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Enregistrer").click()
    assert "ne peut pas dépasser 999 heures" in axe_page.content()
    wait_for_dsfr(axe_page)
    assert_no_axe_violations(axe_page)

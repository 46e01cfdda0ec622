"""The holder's space passes axe-core (WCAG 2.0/2.1 A and AA) on every page and state:
« Synthèse de votre compte » (new and fed), « Mon compte d'heures » (empty, with movements
and chart, with a form error), both with hours reserved for a dossier and once it is
closed, history, sessions, password change, « Mes informations personnelles » (with and
without form errors), the e-mail change (form, link page, invalid link), data export,
closing the space, « Confirmez votre mot de passe » (with an error), « bientôt disponible »."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from mcf.domain.accounts.email_change import request_email_change
from mcf.domain.catalogue.models import Branch, Region
from mcf.domain.hours.ledger import credit_feed, enter_dif
from mcf.domain.hours.models import Counter
from mcf.domain.hours.reservations import Hours, reserve, settle
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
    # Sensitive pages (SESS-05): the login has just typed the password, so they open.
    "/titulaire/informations-personnelles/courriel/",
    "/titulaire/informations-personnelles/mes-donnees/",
    "/titulaire/informations-personnelles/fermeture/",
    "/titulaire/confirmer-mot-de-passe/",
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


def with_a_dossier(holder, *, closed: bool) -> None:
    """Fed, DIF entered, hours reserved for a dossier (and the dossier closed, if asked)."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(holder=holder)
        for year in range(2015, 2020):
            credit_feed(counter, year=year, hours=24, source="test")
    enter_dif(holder, 45)
    hours = Hours(dif=45, cpf=30)
    with transaction.atomic():
        reserve(counter.pk, hours, source="dossier:1", by="OPCA Démo", number="2026-0001")
        if closed:
            settle(counter.pk, reserved=hours, used=Hours(45, 20), source="dossier:1", by="OPCA")


@pytest.mark.parametrize("closed", [False, True], ids=["hours reserved", "dossier closed"])
def test_hours_pages_with_a_dossier(axe_page: Page, live_server, closed):
    with_a_dossier(registered_holder(), closed=closed)
    log_in(axe_page, live_server.url)
    for path in ("/titulaire/", "/titulaire/compte-d-heures/"):
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


def submit(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    wait_for_dsfr(page)


def test_personal_information_with_form_errors(axe_page: Page, live_server):
    registered_holder()
    Region.objects.create(code="11", name="Île-de-France")
    Branch.objects.create(idcc="1486", name="Bureaux d'études techniques (Syntec)")
    log_in(axe_page, live_server.url)
    axe_page.goto(live_server.url + "/titulaire/informations-personnelles/")
    axe_page.get_by_label("Téléphone fixe").fill("06 11 22 33 44")
    submit(axe_page, "Enregistrer mes téléphones")
    assert "saisissez-le dans « Téléphone portable »" in axe_page.content()
    assert_no_axe_violations(axe_page)
    # Progressive enhancement: the fields of the other situation are hidden once one is chosen.
    expect(axe_page.get_by_label("Région de votre domicile")).to_be_visible()
    axe_page.get_by_text("Salarié(e)", exact=True).click()
    expect(axe_page.get_by_label("Région de votre domicile")).to_be_hidden()
    expect(axe_page.get_by_label("Région de votre lieu de travail")).to_be_visible()
    submit(axe_page, "Enregistrer ma situation")
    assert "Choisissez la branche professionnelle de votre employeur." in axe_page.content()
    assert_no_axe_violations(axe_page)


def test_password_confirmation_with_an_error(axe_page: Page, live_server):
    registered_holder()
    log_in(axe_page, live_server.url)
    axe_page.goto(live_server.url + "/titulaire/confirmer-mot-de-passe/")
    axe_page.locator("#id_password").fill("pas-le-bon")
    submit(axe_page, "Confirmer")
    assert "Mot de passe incorrect." in axe_page.content()
    assert_no_axe_violations(axe_page)


def test_email_change_link_pages(axe_page: Page, live_server):
    token = request_email_change(registered_holder(), "touria.nouvelle@example.net")
    check(
        axe_page,
        live_server.url,
        f"/titulaire/informations-personnelles/courriel/confirmation/{token}/",
    )
    response = axe_page.goto(
        live_server.url + "/titulaire/informations-personnelles/courriel/confirmation/inconnu/"
    )
    assert response is not None and response.status == 404
    wait_for_dsfr(axe_page)
    assert_no_axe_violations(axe_page)

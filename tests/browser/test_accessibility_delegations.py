"""Délégations (issue 14) pass axe-core (WCAG 2.0/2.1 A and AA) in every state: « Mes
délégations » (empty, filled), « Donner une délégation » (empty, errors), a délégation's
page (with its reads), the invitation (to log in, to accept), the delegate in the holder's
account (home, hours, a refused page), the employer's employees, requests and answer (with
its error)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from mcf.domain.delegations import actions as delegations
from mcf.domain.identity.nir import with_key
from tests.browser.conftest import assert_no_axe_violations, take_session, wait_for_dsfr
from tests.domain.delegations.builders import delegation_world, in_days, second_holder
from tests.factories import registered_holder
from tests.web.professionnel.dossier_helpers import client_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _log_out_afterwards(axe_page: Page):
    yield
    axe_page.context.clear_cookies()


def check(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, url
    wait_for_dsfr(page)
    assert_no_axe_violations(page)


def submit(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    wait_for_dsfr(page)
    assert_no_axe_violations(page)


def test_the_holder_s_pages(axe_page: Page, live_server):
    base = live_server.url
    empty = Client()
    empty.force_login(registered_holder(with_key("2850375123456"), email="vide@example.org"))
    take_session(axe_page, base, empty)
    check(axe_page, base + "/titulaire/delegations/")
    check(axe_page, base + "/titulaire/delegations/nouvelle/")
    submit(axe_page, "Donner la délégation")  # every error at once
    axe_page.locator(
        "label", has_text="Une entreprise"
    ).click()  # the DSFR radio is drawn by its label
    axe_page.get_by_label("SIRET de l'entreprise").fill("443 061 841 00048")
    submit(axe_page, "Donner la délégation")
    axe_page.context.clear_cookies()

    world, _, _, to_jean, _ = delegation_world()
    holder = Client()
    holder.force_login(world.holder)
    take_session(axe_page, base, holder)
    check(axe_page, base + "/titulaire/delegations/")
    check(axe_page, base + reverse("titulaire:delegation", args=[to_jean.public_id]))


def test_the_invitation_and_the_delegate_in_the_account(axe_page: Page, live_server):
    base = live_server.url
    holder, jean = registered_holder(), second_holder()
    _, token = delegations.invite_person(
        holder, email=jean.email, consult=True, modify=False, ends_on=in_days(90)
    )
    check(axe_page, f"{base}/titulaire/delegations/invitation/{token}/")
    client = Client()
    client.force_login(jean)
    take_session(axe_page, base, client)
    check(axe_page, f"{base}/titulaire/delegations/invitation/{token}/")  # logged in now
    check(axe_page, base + reverse("titulaire:delegation_invitation_resume"))
    submit(axe_page, "Accepter la délégation")
    axe_page.get_by_role("button", name="Ouvrir ce compte").click()
    axe_page.wait_for_url("**/titulaire/")
    wait_for_dsfr(axe_page)
    assert_no_axe_violations(axe_page)
    check(axe_page, base + "/titulaire/compte-d-heures/")
    check(axe_page, base + "/titulaire/historique/", status=403)


def test_the_employer_s_pages(axe_page: Page, live_server):
    base = live_server.url
    _, admin, _, _, dossier = delegation_world()
    take_session(axe_page, base, client_of(admin))
    check(axe_page, base + "/professionnel/salaries/")
    check(axe_page, base + "/professionnel/demandes-d-accord/")
    check(axe_page, base + reverse("professionnel:employer_request", args=[dossier.public_id]))
    axe_page.locator("label[for=id_answer_1]").click()
    submit(axe_page, "Enregistrer ma réponse")  # the motif missing

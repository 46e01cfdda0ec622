"""The professional space passes axe-core (WCAG 2.0/2.1 A and AA) in every state a
financeur meets, walked through with the real forms: a wrong password, the enrolment of
the authenticator (QR code and secret) with a wrong then a right code, the forced change
of the provisional password (with an error), the home page, « Comptes gestionnaires »
(empty, with errors, a gestionnaire created), and a later login's code step with a
wrong code."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_axe_violations, wait_for_dsfr
from tests.domain.organisations.builders import (
    PRO_PASSWORD,
    code_for,
    new_organisation,
    wrong_code_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "amandine.martin"


@pytest.fixture(autouse=True)
def _log_out_afterwards(axe_page: Page):
    # The axe context is shared by every axe test: leave it as a newcomer's.
    yield
    axe_page.context.clear_cookies()


# Fields by id: their labels end with the DSFR's required marker (« Mot de passe * »).


def submit(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    wait_for_dsfr(page)


def checked(page: Page, text: str) -> None:
    """The page shows ``text`` and has no axe violation."""
    expect(page.locator("main")).to_contain_text(text)
    assert_no_axe_violations(page)


def password_step(page: Page, base_url: str, password: str) -> None:
    page.goto(base_url + "/professionnel/connexion/")
    page.get_by_label("Identifiant").fill(USERNAME)
    page.locator("#id_password").fill(password)
    submit(page, "S'identifier")


def test_first_login_and_the_space(axe_page: Page, live_server):
    page, base = axe_page, live_server.url
    account = new_organisation()

    password_step(page, base, "Pas-le-bon-2026")
    checked(page, "Identifiant ou mot de passe incorrect")

    password_step(page, base, account.provisional_password)
    assert page.url.endswith("/professionnel/connexion/double-authentification/"), page.url
    expect(page.locator(".mcf-qr-code")).to_be_visible()
    checked(page, "Code de vérification")
    device = TOTPDevice.objects.get(user=account.user)
    page.get_by_label("Code de vérification").fill(wrong_code_for(device))
    submit(page, "Valider")
    checked(page, "Code incorrect ou déjà utilisé")
    # django-otp refuses any code for 1 s after a failure (its throttling).
    page.wait_for_timeout(1_100)
    page.get_by_label("Code de vérification").fill(code_for(device))
    submit(page, "Valider")

    assert page.url.endswith("/professionnel/mot-de-passe-provisoire/"), page.url
    assert_no_axe_violations(page)
    page.locator("#id_password").fill("abc")
    page.locator("#id_password_confirmation").fill("abc")
    submit(page, "Enregistrer mon mot de passe")
    checked(page, "au moins 8 caractères")
    page.locator("#id_password").fill(PRO_PASSWORD)
    page.locator("#id_password_confirmation").fill(PRO_PASSWORD)
    submit(page, "Enregistrer mon mot de passe")

    assert page.url.endswith("/professionnel/"), page.url
    checked(page, "OPCA Test")

    page.goto(base + "/professionnel/gestionnaires/")
    wait_for_dsfr(page)
    checked(page, "Aucun compte gestionnaire pour l'instant.")
    submit(page, "Créer le compte")
    expect(page.locator("#id_first_name")).to_have_attribute("aria-invalid", "true")
    checked(page, "Ce champ est obligatoire.")
    page.locator("#id_first_name").fill("Bastien")
    page.locator("#id_last_name").fill("Lefèvre")
    page.locator("#id_email").fill("bastien.lefevre@opca.example")
    submit(page, "Créer le compte")
    checked(page, "Bastien")

    # A later login: the code step of an enrolled account, with a wrong code.
    page.context.clear_cookies()
    password_step(page, base, PRO_PASSWORD)
    assert page.url.endswith("/professionnel/connexion/code/"), page.url
    assert_no_axe_violations(page)
    page.get_by_label("Code de vérification").fill(wrong_code_for(device))
    submit(page, "Valider")
    checked(page, "Code incorrect ou déjà utilisé")

"""Every page of the registration, of « Mot de passe oublié » and of a failed login passes
axe-core's WCAG 2.0/2.1 A and AA rules with zero violation, in each of its states.

The pages are served by the in-process ``live_server`` (production-like settings, CSP
enforced). The wizard keeps its state in the session, so each case brings a newcomer
(no cookie) to its page through the browser, checks that the state is reached (a step, an
error summary, a message), then runs axe. ``settings.CAPTCHA_TEST_MODE`` lets the captcha
accept « passed »; links are read from the outbox, as a holder reads the mail.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mcf.domain.accounts.password_reset import reset_url
from mcf.domain.accounts.registration import confirm_registration, register_holder
from tests.browser.conftest import assert_no_axe_violations, wait_for_dsfr
from tests.factories import NIR_B, last_confirmation_token, registration_data

pytestmark = pytest.mark.browser

CGU_LABEL = "Je déclare avoir lu, compris et accepté les Conditions Générales d'Utilisation"
PASSWORD_LABEL = re.compile(r"^\s*Mot de passe\b")  # not « Confirmation Mot de passe »
PASSWORD = "Chocolat-2026x"
NIR = "1 85 05 78 006 084 91"
EMAIL = "touria.orange@example.org"
ACTIVATED = "Votre compte a bien été activé"


# --------------------------------------------------------------------------------------
# Reaching each state
# --------------------------------------------------------------------------------------


def open_page(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered {response.status}"


def submit(page: Page, button: str) -> None:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{page.url}: {response}"


def expect_step(page: Page, number: int) -> None:
    expect(page.locator(".fr-stepper__state")).to_have_text(f"Étape {number} sur 4")


def expect_error_summary(page: Page, title: str) -> None:
    expect(page.get_by_role("alert").filter(has_text=title)).to_be_visible()


def step_cgu(page: Page, base: str) -> None:
    open_page(page, base + "/titulaire/inscription/")
    expect_step(page, 1)


def step_cgu_refused(page: Page, base: str) -> None:
    step_cgu(page, base)
    submit(page, "Continuer")
    expect_step(page, 1)
    expect(page.get_by_label(CGU_LABEL)).to_have_attribute("aria-invalid", "true")


def step_identity(page: Page, base: str) -> None:
    step_cgu(page, base)
    page.locator("label", has_text=CGU_LABEL).click()
    submit(page, "Continuer")
    expect_step(page, 2)


def step_identity_with_errors(page: Page, base: str) -> None:
    step_identity(page, base)
    page.get_by_label("N° de sécurité sociale").fill("1 85 05 78 006 084 92")  # wrong key
    page.get_by_label("Téléphone portable").fill("06 12")
    page.get_by_role("textbox", name=re.compile(r"^Courriel")).fill(EMAIL)
    page.get_by_label("Confirmation courriel").fill("autre@example.org")
    page.get_by_label("Caractères affichés dans l'image").fill("ZZZZZZ")
    submit(page, "Continuer")
    expect_step(page, 2)
    expect_error_summary(page, "Votre saisie est à corriger")
    expect(page.get_by_label("N° de sécurité sociale")).to_have_attribute("aria-invalid", "true")


def step_password(page: Page, base: str) -> None:
    step_identity(page, base)
    page.get_by_label("N° de sécurité sociale").fill(NIR)
    page.locator("label", has_text="Madame").click()  # the DSFR radio is drawn by its label
    page.get_by_label("Prénom", exact=True).fill("Touria")
    page.get_by_label("Nom de naissance").fill("Orange")
    page.get_by_role("textbox", name=re.compile(r"^Courriel")).fill(EMAIL)
    page.get_by_label("Confirmation courriel").fill(EMAIL)
    page.get_by_label("Caractères affichés dans l'image").fill("passed")
    submit(page, "Continuer")
    expect_step(page, 3)


def step_password_typing(page: Page, base: str) -> None:
    """Half a password typed: the live checklist shows met and unmet rules."""
    step_password(page, base)
    page.get_by_label(PASSWORD_LABEL).press_sequentially("Chocolat")
    expect(page.locator("[data-rule][data-ok=true]")).not_to_have_count(0)
    expect(page.locator("[data-rule][data-ok=false]")).not_to_have_count(0)


def step_password_with_errors(page: Page, base: str) -> None:
    step_password(page, base)
    page.get_by_label(PASSWORD_LABEL).fill("abc")
    page.get_by_label("Confirmation Mot de passe").fill("abd")
    submit(page, "Valider mon inscription")
    expect_step(page, 3)
    expect_error_summary(page, "Votre mot de passe est à corriger")
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_attribute("aria-invalid", "true")


def step_done(page: Page, base: str) -> None:
    step_password(page, base)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Confirmation Mot de passe").fill(PASSWORD)
    submit(page, "Valider mon inscription")
    expect_step(page, 4)
    expect(page.get_by_role("link", name="Terminer")).to_be_visible()


def confirmation(page: Page, base: str) -> None:
    step_done(page, base)
    link = f"{base}/titulaire/inscription/confirmation/{last_confirmation_token(EMAIL)}/"
    open_page(page, link)
    expect(page.get_by_role("button", name="Confirmer mon inscription")).to_be_visible()


def activated(page: Page, base: str) -> None:
    """The login page with the activation message."""
    confirmation(page, base)
    submit(page, "Confirmer mon inscription")
    expect(page.get_by_role("status").filter(has_text=ACTIVATED)).to_be_visible()


def link_unknown(page: Page, base: str) -> None:
    open_page(page, base + "/titulaire/inscription/confirmation/inconnu-123/", status=404)
    expect(page.locator("h1")).to_have_text("Ce lien de confirmation n'est plus valide")


def link_used(page: Page, base: str) -> None:
    activated(page, base)
    link = f"{base}/titulaire/inscription/confirmation/{last_confirmation_token(EMAIL)}/"
    open_page(page, link, status=410)
    expect(page.locator("main")).to_contain_text("déjà été utilisé")


def link_expired(page: Page, base: str) -> None:
    sixteen_days_ago = timezone.now() - timedelta(days=16)
    token = register_holder(registration_data(NIR_B), now=sixteen_days_ago)
    open_page(page, f"{base}/titulaire/inscription/confirmation/{token}/", status=410)
    expect(page.locator("main")).to_contain_text("Le lien a expiré")


def password_reset(page: Page, base: str) -> None:
    open_page(page, base + "/titulaire/mot-de-passe-oublie/")
    expect(page.locator("h1")).to_have_text("Mot de passe oublié")


def password_reset_with_errors(page: Page, base: str) -> None:
    password_reset(page, base)
    submit(page, "Recevoir un lien")
    expect(page.get_by_label("Numéro de Sécurité sociale")).to_have_attribute(
        "aria-invalid", "true"
    )


def password_reset_requested(page: Page, base: str) -> None:
    password_reset(page, base)
    page.get_by_label("Numéro de Sécurité sociale").fill(NIR)
    submit(page, "Recevoir un lien")
    expect(page.get_by_role("status")).to_contain_text("Si ce numéro correspond")


def password_reset_invalid_link(page: Page, base: str) -> None:
    open_page(page, f"{base}/titulaire/mot-de-passe-oublie/{uuid.uuid4()}/faux-jeton/", 410)
    expect(page.locator("h1")).to_have_text("Ce lien n'est plus valide")


def _reset_link(base: str) -> str:
    holder = confirm_registration(register_holder(registration_data(NIR_B)))
    return base + urlsplit(reset_url(holder)).path


def password_reset_new_password(page: Page, base: str) -> None:
    open_page(page, _reset_link(base))
    expect(page.locator("h1")).to_have_text("Choisir un nouveau mot de passe")


def password_reset_new_password_with_errors(page: Page, base: str) -> None:
    password_reset_new_password(page, base)
    page.get_by_label(PASSWORD_LABEL).fill("abc")
    page.get_by_label("Confirmation Mot de passe").fill("abd")
    submit(page, "Enregistrer le nouveau mot de passe")
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_attribute("aria-invalid", "true")


def login_failed(page: Page, base: str) -> None:
    open_page(page, base + "/titulaire/connexion/")
    page.get_by_label("Numéro de Sécurité sociale").fill(NIR)
    page.get_by_label(PASSWORD_LABEL).fill("Mauvais-mot-2-passe")
    submit(page, "S'identifier")
    expect_error_summary(page, "Numéro de Sécurité sociale ou mot de passe incorrect")


# --------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    reach: Callable[[Page, str], None]


CASES = [
    Case("inscription-etape-1", step_cgu),
    Case("inscription-etape-1-erreur", step_cgu_refused),
    Case("inscription-etape-2", step_identity),
    Case("inscription-etape-2-erreurs", step_identity_with_errors),
    Case("inscription-etape-3", step_password),
    Case("inscription-etape-3-saisie", step_password_typing),
    Case("inscription-etape-3-erreurs", step_password_with_errors),
    Case("inscription-etape-4", step_done),
    Case("inscription-confirmation", confirmation),
    Case("inscription-compte-active", activated),
    Case("inscription-lien-inconnu", link_unknown),
    Case("inscription-lien-deja-utilise", link_used),
    Case("inscription-lien-expire", link_expired),
    Case("mot-de-passe-oublie", password_reset),
    Case("mot-de-passe-oublie-erreur", password_reset_with_errors),
    Case("mot-de-passe-oublie-demande", password_reset_requested),
    Case("mot-de-passe-oublie-lien-invalide", password_reset_invalid_link),
    Case("mot-de-passe-nouveau", password_reset_new_password),
    Case("mot-de-passe-nouveau-erreurs", password_reset_new_password_with_errors),
    Case("connexion-echec", login_failed),
]


@pytest.fixture(autouse=True)
def _captcha_test_mode(settings):
    settings.CAPTCHA_TEST_MODE = True


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_no_axe_violation(axe_page: Page, live_server, case: Case):
    # The axe context is shared by the tests: start each case as a newcomer.
    axe_page.context.clear_cookies()
    case.reach(axe_page, live_server.url)
    wait_for_dsfr(axe_page)
    expect(axe_page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(axe_page)

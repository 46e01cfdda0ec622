"""The registration issue's acceptance journeys, against the real stack of `make run`.

`make run` is started in a subprocess (its own process group, killed at the end) with a
throwaway SQLite database and STATIC_ROOT, DEBUG=1, CAPTCHA_TEST_MODE=1 and EMAIL_URL
pointing at an SMTP server of this test (aiosmtpd). So the confirmation mail really goes
through the outbox, the `db_worker` of scripts/run-dev and SMTP, and the link is the one
a holder receives (built from SITE_URL). Chromium drives gunicorn with the CSP enforced
(``recorded_journey``: no third-party request, no error response, no console error), and
the log of gunicorn and of the worker must hold no traceback.

- ``test_registration_with_the_mouse``: home → « Mon compte formation » → « S'inscrire » →
  the four steps → the mail → « Confirmer mon inscription » → login → holder space, axe-core
  (WCAG 2.1 A/AA) on every page on the way;
- ``test_registration_with_the_keyboard_alone``: the same from step 1, with Tab,
  Shift+Tab, Space, Enter and typing only (no click, no ``fill``).

Each test registers its own NIR: the stack (started once for the module) keeps its data.
"""

from __future__ import annotations

import email.message
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import (
    Journey,
    assert_no_axe_violations,
    recorded_journey,
    wait_for_dsfr,
)
from tests.domain.mailing.conftest import SMTPServer, free_port
from tests.servers import log_tail, make_command, site_environment, start, stop, wait_until_healthy

pytestmark = pytest.mark.browser

MAIL_TIMEOUT = 30

CGU_LABEL = "Je déclare avoir lu, compris et accepté les Conditions Générales d'Utilisation"
PASSWORD = "Chocolat-2026x"
DONE_TITLE = "Votre inscription a bien été enregistrée"
ACTIVATED = (
    "Votre compte a bien été activé, vous pouvez vous connecter avec votre numéro de "
    "Sécurité sociale et le mot de passe que vous avez choisi lors de votre inscription."
)
RULES = ["length", "letters", "digits", "categories"]
# « Mot de passe * », not « Confirmation Mot de passe » (Playwright matches a regular
# expression against the label's raw text, hence the leading spaces).
PASSWORD_LABEL = re.compile(r"^\s*Mot de passe\b")


@dataclass(frozen=True)
class Person:
    nir: str  # as typed, with spaces
    first_name: str
    birth_name: str
    landline: str
    mobile: str
    email: str

    @property
    def nir_digits(self) -> str:
        return self.nir.replace(" ", "")


MOUSE_USER = Person(
    nir="1 85 05 78 006 084 91",
    first_name="Touria",
    birth_name="Orange",
    landline="01 45 67 89 01",
    mobile="06 12 34 56 78",
    email="touria.orange@example.org",
)
KEYBOARD_USER = Person(
    nir="2 92 03 69 123 456 04",
    first_name="Aïcha",
    birth_name="Clavier",
    landline="04 72 00 00 01",
    mobile="06 98 76 54 32",
    email="aicha.clavier@example.org",
)


# --------------------------------------------------------------------------------------
# The real stack: `make run` + an SMTP server
# --------------------------------------------------------------------------------------


@dataclass
class Stack:
    site_url: str
    smtp: SMTPServer
    log: Path

    def log_tail(self, size: int = 4000) -> str:
        return log_tail(self.log, size)

    def assert_no_traceback(self) -> None:
        """Nothing failed behind the pages: no traceback in the log of gunicorn and of the
        worker (a 500, a failed delivery, a crash)."""
        log = self.log.read_text(errors="replace")
        start = log.find("Traceback")
        assert start == -1, (
            f"traceback in the log of `make run`:\n{log[max(0, start - 500) : start + 3500]}"
        )

    def wait_for_mail(self, to: str) -> email.message.Message:
        """The first mail received for ``to``, waiting at most MAIL_TIMEOUT seconds."""
        deadline = time.monotonic() + MAIL_TIMEOUT
        while time.monotonic() < deadline:
            with self.smtp.handler.lock:
                for message in self.smtp.handler.received:
                    if message["To"] == to:
                        return message
            time.sleep(0.2)
        pytest.fail(
            f"no mail for {to} after {MAIL_TIMEOUT} s (worker log below)\n{self.log_tail()}"
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("make-run")
    smtp = SMTPServer()
    smtp.start()
    port = free_port()
    site_url = f"http://127.0.0.1:{port}"
    # collectstatic of `make run` into a folder of its own, not the repository's var/.
    env = site_environment(
        folder, PORT=str(port), SITE_URL=site_url, CAPTCHA_TEST_MODE="1", EMAIL_URL=smtp.url
    )
    log = folder / "make-run.log"
    process = start([make_command(), "--no-print-directory", "run"], env, log)
    try:
        wait_until_healthy(process, site_url, log)
        yield Stack(site_url=site_url, smtp=smtp, log=log)
    finally:
        stop(process)
        smtp.stop()


@pytest.fixture
def stack_journey(browser: Browser, stack: Stack) -> Iterator[Journey]:
    with recorded_journey(browser, stack.site_url) as j:
        yield j


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def checked_by_axe(page: Page) -> None:
    wait_for_dsfr(page)
    expect(page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(page)


def click_and_load(page: Page, target: Locator) -> None:
    with page.expect_navigation() as navigation:
        target.click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{page.url}: {response}"


def expect_step(page: Page, number: int, title: str) -> None:
    stepper = page.locator(".fr-stepper__title")
    expect(stepper).to_contain_text(title)
    expect(stepper).to_contain_text(f"Étape {number} sur 4")


def rule_states(page: Page) -> Locator:
    return page.locator("[data-password-rules] [data-rule]")


def expect_rules(page: Page, *, met: set[str]) -> None:
    """The live checklist says « respectée » for the rules in ``met``, « non respectée »
    for the others (the state is read by screen readers, its colour is for the eyes)."""
    expect(rule_states(page)).to_have_count(len(RULES))
    for rule in RULES:
        item = page.locator(f"[data-password-rules] [data-rule='{rule}']")
        if rule in met:
            expect(item).to_have_attribute("data-ok", "true")
            expect(item).to_have_text(re.compile(r"\S : respectée$"))
        else:
            expect(item).to_have_attribute("data-ok", "false")
            expect(item).to_have_text(re.compile(r": non respectée$"))


def plain_text(message: email.message.Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    pytest.fail("the mail has no text/plain part")


def confirmation_link(stack: Stack, person: Person) -> str:
    """The link of the confirmation mail received by the SMTP server (sent by the worker)."""
    message = stack.wait_for_mail(person.email)
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Mon compte formation : confirmez votre inscription"
    body = plain_text(message)
    links = re.findall(r"https?://\S+", body)
    confirm = [link for link in links if "/inscription/confirmation/" in link]
    assert len(confirm) == 1, f"one confirmation link expected in:\n{body}"
    link = confirm[0]
    assert link.startswith(stack.site_url + "/titulaire/inscription/confirmation/"), link
    # PRIV: the NIR is neither in the link nor anywhere in the mail, in any form.
    for form in (person.nir_digits, person.nir, person.nir_digits[:13]):
        assert form not in link
        assert form not in body
    return link


# --------------------------------------------------------------------------------------
# With the mouse
# --------------------------------------------------------------------------------------


def test_registration_with_the_mouse(stack_journey: Journey, stack: Stack):
    person = MOUSE_USER
    page = stack_journey.page
    response = page.goto(stack_journey.url("/"))
    assert response is not None and response.status == 200
    wait_for_dsfr(page)

    # « Mon compte formation » (header) → the login page → « S'inscrire ».
    header_button = page.locator(".fr-header__tools-links").get_by_role(
        "link", name="Mon compte formation"
    )
    click_and_load(page, header_button)
    expect(page.locator("h1")).to_have_text("Espace Titulaire")
    click_and_load(page, page.get_by_role("link", name="S'inscrire", exact=True))

    # Step 1: the CGU.
    expect_step(page, 1, "Valider les CGU")
    checked_by_axe(page)
    # The DSFR draws the box in the <label>, over the (transparent) input: click the label.
    page.locator("label", has_text=CGU_LABEL).click()
    expect(page.get_by_label(CGU_LABEL)).to_be_checked()
    click_and_load(page, page.get_by_role("button", name="Continuer"))

    # Step 2: identity and captcha (test mode: « passed », any case).
    expect_step(page, 2, "S'inscrire")
    checked_by_axe(page)
    page.get_by_label("N° de sécurité sociale").fill(person.nir)
    page.locator("label", has_text="Madame").click()  # the DSFR radio is drawn by its label
    page.get_by_label("Prénom", exact=True).fill(person.first_name)
    page.get_by_label("Nom de naissance").fill(person.birth_name)
    page.get_by_label("Téléphone fixe").fill(person.landline)
    page.get_by_label("Téléphone portable").fill(person.mobile)
    page.get_by_role("textbox", name=re.compile(r"^Courriel")).fill(person.email)
    page.get_by_label("Confirmation courriel").fill(person.email)
    page.get_by_label("Caractères affichés dans l'image").fill("passed")
    click_and_load(page, page.get_by_role("button", name="Continuer"))

    # Step 3: the password, with the live checklist of the rules.
    expect_step(page, 3, "Saisir son mot de passe")
    checked_by_axe(page)
    password = page.get_by_label(PASSWORD_LABEL)
    password.press_sequentially(PASSWORD[:4])  # « Choc »
    expect_rules(page, met=set())
    password.press_sequentially(PASSWORD[4:])
    expect_rules(page, met=set(RULES))
    checked_by_axe(page)
    page.get_by_label("Confirmation Mot de passe").fill(PASSWORD)
    click_and_load(page, page.get_by_role("button", name="Valider mon inscription"))

    # Step 4: registered, the mail is on its way.
    expect_step(page, 4, "Valider son inscription")
    expect(page.get_by_role("heading", name=DONE_TITLE)).to_be_visible()
    finish = page.get_by_role("link", name="Terminer")
    expect(finish).to_be_visible()
    checked_by_axe(page)
    click_and_load(page, finish)
    expect(page.locator("h1")).to_have_text("Espace Titulaire")

    # The mail, delivered by the worker through SMTP; its link opens the confirmation page.
    link = confirmation_link(stack, person)
    response = page.goto(link)
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("Confirmer votre inscription")
    checked_by_axe(page)
    click_and_load(page, page.get_by_role("button", name="Confirmer mon inscription"))

    # The login page says the account is active; the holder logs in.
    expect(page.locator("h1")).to_have_text("Espace Titulaire")
    expect(page.get_by_role("status").filter(has_text=ACTIVATED)).to_have_text(ACTIVATED)
    checked_by_axe(page)
    page.get_by_label("Numéro de Sécurité sociale").fill(person.nir)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    click_and_load(page, page.get_by_role("button", name="S'identifier"))
    expect(page.locator("h1")).to_have_text("Synthèse de votre compte")
    checked_by_axe(page)
    stack_journey.assert_clean()
    stack.assert_no_traceback()


# --------------------------------------------------------------------------------------
# With the keyboard alone
# --------------------------------------------------------------------------------------

MAX_TABS = 80


def has_focus(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, *, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until ``target`` has the focus: it is reachable."""
    expect(target).to_have_count(1)
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if has_focus(target):
            return
    pytest.fail(f"{target} not reached after {MAX_TABS} × {key}")


def skip_to_content(page: Page) -> None:
    """The first Tab of a freshly opened page reaches the « Contenu » skip link; Enter
    moves the focus to <main>. (The pages reached afterwards keep the URL's #contenu
    across the form's redirects, so Tab already starts from the content there.)"""
    wait_for_dsfr(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Contenu", exact=True)
    assert has_focus(skip), "the first Tab does not reach the « Contenu » skip link"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def press_and_load(page: Page, key: str) -> None:
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    response = navigation.value
    assert response is not None and response.status == 200, f"{page.url}: {response}"


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)
    expect(target).to_have_value(text)


def test_registration_with_the_keyboard_alone(stack_journey: Journey, stack: Stack):
    person = KEYBOARD_USER
    page = stack_journey.page
    response = page.goto(stack_journey.url("/titulaire/inscription/"))
    assert response is not None and response.status == 200

    # Step 1: Space ticks the CGU box, Enter on « Continuer ».
    skip_to_content(page)
    expect_step(page, 1, "Valider les CGU")
    accept = page.get_by_label(CGU_LABEL)
    tab_to(page, accept)
    page.keyboard.press("Space")
    expect(accept).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continuer"))
    press_and_load(page, "Enter")

    # Step 2: every field in turn; Space selects « Madame ».
    expect_step(page, 2, "S'inscrire")
    type_into(page, page.get_by_label("N° de sécurité sociale"), person.nir)
    madame = page.get_by_role("radio", name="Madame")
    tab_to(page, madame)
    page.keyboard.press("Space")
    expect(madame).to_be_checked()
    type_into(page, page.get_by_label("Prénom", exact=True), person.first_name)
    type_into(page, page.get_by_label("Nom de naissance"), person.birth_name)
    type_into(page, page.get_by_label("Téléphone fixe"), person.landline)
    type_into(page, page.get_by_label("Téléphone portable"), person.mobile)
    type_into(page, page.get_by_role("textbox", name=re.compile(r"^Courriel")), person.email)
    type_into(page, page.get_by_label("Confirmation courriel"), person.email)
    captcha = page.get_by_label("Caractères affichés dans l'image")
    type_into(page, captcha, "passed")
    # « Continuer » is reachable; back to the field (Shift+Tab), Enter submits the form
    # with « Continuer », not with « renouveler les caractères » that comes first.
    tab_to(page, page.get_by_role("button", name="Continuer"))
    tab_to(page, captcha, key="Shift+Tab")
    press_and_load(page, "Enter")

    # Step 3: typing updates the checklist; Enter on « Valider mon inscription ».
    expect_step(page, 3, "Saisir son mot de passe")
    password = page.get_by_label(PASSWORD_LABEL)
    tab_to(page, password)
    page.keyboard.type(PASSWORD[:4])
    expect_rules(page, met=set())
    page.keyboard.type(PASSWORD[4:])
    expect_rules(page, met=set(RULES))
    type_into(page, page.get_by_label("Confirmation Mot de passe"), PASSWORD)
    tab_to(page, page.get_by_role("button", name="Valider mon inscription"))
    press_and_load(page, "Enter")

    # Step 4: « Terminer » leads to the login page.
    expect_step(page, 4, "Valider son inscription")
    expect(page.get_by_role("heading", name=DONE_TITLE)).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Terminer"))
    press_and_load(page, "Enter")
    expect(page.locator("h1")).to_have_text("Espace Titulaire")

    # The link of the mail (opened as from a mail client), Space on the button.
    response = page.goto(confirmation_link(stack, person))
    assert response is not None and response.status == 200
    skip_to_content(page)
    tab_to(page, page.get_by_role("button", name="Confirmer mon inscription"))
    press_and_load(page, "Space")
    expect(page.get_by_role("status").filter(has_text=ACTIVATED)).to_have_text(ACTIVATED)

    # Login: Enter in the password field submits « S'identifier ».
    type_into(page, page.get_by_label("Numéro de Sécurité sociale"), person.nir)
    password = page.get_by_label(PASSWORD_LABEL)
    tab_to(page, password)
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="S'identifier"))
    tab_to(page, password, key="Shift+Tab")
    press_and_load(page, "Enter")
    expect(page.locator("h1")).to_have_text("Synthèse de votre compte")
    stack_journey.assert_clean()
    stack.assert_no_traceback()

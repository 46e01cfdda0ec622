"""The back office's own screens pass axe-core (WCAG 2.0/2.1 A and AA), walked through by an
operator with the real forms: the login with its TOTP code, the index, the yearly feed
(list, upload form with an error, the run's page waiting, then following the run by
itself until it is done), and the CPF counter
correction (search with an error, the counter, the correction form with errors)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from mcf.domain.accounts.models import User
from mcf.domain.hours.feed import HEADER_LINE
from tests.browser.conftest import assert_no_axe_violations
from tests.domain.organisations.builders import code_for
from tests.factories import NIR_A, registered_holder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Gestion-essai-2026"
SIRET = "73282932000074"


@pytest.fixture(autouse=True)
def _log_out_afterwards(axe_page: Page):
    # The axe context is shared by every axe test: leave it as a newcomer's.
    yield
    axe_page.context.clear_cookies()


def operator() -> TOTPDevice:
    user = User.objects.create_user(
        username="operatrice", password=PASSWORD, is_staff=True, kind=User.Kind.OPERATEUR
    )
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["import_declarations", "correct_counter"])
    )
    return TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#content-main [type=submit]").first.click()


def checked(page: Page, text: str) -> None:
    """The page shows ``text`` and has no axe violation."""
    expect(page.locator("#content")).to_contain_text(text)
    assert_no_axe_violations(page)


def test_operator_screens(axe_page: Page, live_server, tmp_path, settings):
    settings.FEED_UPLOAD_DIR = tmp_path
    page, base = axe_page, live_server.url
    device = operator()
    registered_holder()

    page.goto(base + "/gestion/login/")
    assert_no_axe_violations(page)
    page.locator("#id_username").fill("operatrice")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_otp_token").fill(code_for(device))
    submit(page)
    assert page.url == base + "/gestion/", page.url
    checked(page, "Chargements de déclarations annuelles")

    page.goto(base + "/gestion/hours/feedimport/")
    assert_no_axe_violations(page)
    page.goto(base + "/gestion/hours/feedimport/add/")
    checked(page, HEADER_LINE)
    submit(page)
    checked(page, "Choisissez le fichier à charger.")
    declarations = tmp_path / "dads-2024.csv"
    declarations.write_text(f"{HEADER_LINE}\n2024;{SIRET};{NIR_A};DUPONT;Jean;1607;;0\n")
    page.locator("input[type=file]").set_input_files(declarations)
    submit(page)
    checked(page, "En attente")
    # The page follows the run by itself (no <meta refresh>), and can be told not to.
    pause = page.get_by_role("button", name="Suspendre la mise à jour automatique")
    pause.click()
    expect(page.get_by_role("status")).to_have_text("Mise à jour automatique suspendue.")
    # The worker runs in this thread, on the database connection the live server's threads
    # share (SQLite in memory): no update of the page may be under way meanwhile.
    page.wait_for_load_state("networkidle")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.get_by_role("button", name="Reprendre la mise à jour automatique").click()
    expect(page.get_by_role("status")).to_have_text("État du chargement : Terminé", timeout=15_000)
    expect(pause).to_be_hidden()
    checked(page, "Lignes lues : 1")

    page.goto(base + "/gestion/hours/counter/")
    assert_no_axe_violations(page)
    page.get_by_label("NIR du titulaire").fill("1 23 45")
    submit(page)
    expect(page.locator(".errorlist")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("NIR du titulaire").fill(NIR_A)
    submit(page)
    checked(page, "Correction (heures)")
    submit(page)
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_no_axe_violations(page)

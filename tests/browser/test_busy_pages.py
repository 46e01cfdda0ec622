"""« Le service est très sollicité » as people see it: the busy page (any page, when the
process is full) and the login page when no password slot is free (the NIR kept), at
1280 px and 375 px, with axe-core's rules (mcf/core/overload.py, decision 0018)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from mcf.core import overload
from tests.browser import gallery
from tests.browser.conftest import assert_no_axe_violations
from tests.core.test_overload import hold_the_slot
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1280, 375)


def test_the_busy_page_reads_well_and_passes_axe(browser: Browser, live_server, monkeypatch):
    monkeypatch.setattr(overload._InFlight, "enter", lambda self, limit: False)  # full
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        page = context.new_page()
        try:
            response = page.goto(f"{live_server.url}/formations/?q=anglais")
            assert response.status == 503
            assert response.headers["retry-after"]
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Le service est très sollicité"
            )
            expect(page.get_by_text("Rien n'a été enregistré")).to_be_visible()
            assert_no_axe_violations(page)
            gallery.shoot(page, "public", "service-tres-sollicite", "erreur", width, [])
        finally:
            context.close()


def test_a_busy_login_keeps_the_nir_and_passes_axe(browser: Browser, live_server, settings):
    registered_holder()
    settings.PASSWORD_SLOTS, settings.PASSWORD_SLOT_WAIT = 1, 0.05
    overload._slots = None
    release, holder = hold_the_slot()
    try:
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
            page = context.new_page()
            try:
                page.goto(f"{live_server.url}/titulaire/connexion/")
                page.get_by_label("Numéro de Sécurité sociale").fill(NIR_A)
                page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="S'identifier").click()
                expect(page.get_by_role("alert")).to_contain_text("Le service est très sollicité")
                expect(page.get_by_label("Numéro de Sécurité sociale")).to_have_value(NIR_A)
                assert_no_axe_violations(page)
                gallery.shoot(page, "titulaire", "connexion", "tres-sollicite", width, [])
            finally:
                context.close()
    finally:
        release.set()
        holder.join()
        overload._slots = None

"""Every public page passes axe-core's WCAG 2.0/2.1 A and AA rules with zero violation.

The list of pages is built from the registries (``PAGES``, the CGU versions, the URL names),
not from a hand-written list of slugs: a new ContentPage or CGU version is checked without
touching this file. ``test_every_linked_page_is_checked`` fails if a menu, a home block or
the footer links to a page that the list misses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from mcf.domain.legal import cgu
from mcf.web.public.navigation import FOOTER_LINKS, HOME_BLOCKS, MAIN_MENU
from mcf.web.public.pages import PAGES
from tests.browser.conftest import assert_no_axe_violations, wait_for_dsfr

pytestmark = pytest.mark.browser


def _contact_with_errors(page: Page) -> None:
    """Submit « Nous contacter » with an invalid address: the errors are shown."""
    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("Courriel").fill("camille.martin-sans-arobase")
    page.get_by_label("Votre message").fill("Bonjour, combien me reste-t-il d'heures DIF ?")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")


def _open_menu(label: str) -> Callable[[Page], None]:
    """Open a menu of the header: its links are then checked too (axe skips hidden ones)."""

    def open_menu(page: Page) -> None:
        wait_for_dsfr(page)
        button = page.get_by_role("navigation", name="Menu principal").get_by_role(
            "button", name=label
        )
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")

    return open_menu


def _has_results(page: Page) -> None:
    expect(page.get_by_role("status")).to_contain_text("trouvée")


def _has_no_result(page: Page) -> None:
    expect(page.get_by_role("status")).to_contain_text("Aucune page ne correspond")


@dataclass(frozen=True)
class Case:
    id: str
    path: str
    status: int = 200
    # Run in the browser after loading `path`, before axe: reach a state, check it is reached.
    then: Callable[[Page], None] | None = None


def public_pages() -> list[Case]:
    cases = [Case("accueil", reverse("public:home"))]
    cases += [
        Case(f"accueil-menu-{i}-ouvert", reverse("public:home"), then=_open_menu(menu.label))
        for i, menu in enumerate(MAIN_MENU, start=1)
    ]
    cases += [Case(f"page-{p.slug}", p.url) for p in PAGES]
    cases.append(Case("cgu", reverse("public:cgu")))
    cases += [
        Case(f"cgu-version-{v.version}", reverse("public:cgu_version", args=[v.version]))
        for v in cgu.VERSIONS
    ]
    cases += [
        Case("contact", reverse("public:contact")),
        Case("contact-erreurs", reverse("public:contact"), then=_contact_with_errors),
        Case("contact-envoye", reverse("public:contact_sent")),
        Case("cookies", reverse("public:cookies")),
        Case("recherche-resultats", reverse("public:search") + "?q=DIF", then=_has_results),
        Case(
            "recherche-aucun-resultat",
            reverse("public:search") + "?q=zzyzx",
            then=_has_no_result,
        ),
        Case("recherche-vide", reverse("public:search")),
        # « Rechercher une formation » with results and errors: tests/browser/test_search*.py
        Case("rechercher-une-formation", reverse("public:training_search")),
        Case("titulaire-connexion", reverse("titulaire:login")),
        Case("professionnel-connexion", reverse("professionnel:login")),
        Case("page-introuvable", "/cette-page-n-existe-pas/", status=404),
    ]
    return cases


CASES = public_pages()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_no_axe_violation(axe_page: Page, live_server, case: Case):
    response = axe_page.goto(live_server.url + case.path)
    assert response is not None
    assert response.status == case.status, f"{case.path} answered {response.status}"
    if case.then:
        case.then(axe_page)
    wait_for_dsfr(axe_page)
    expect(axe_page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(axe_page)


def test_every_linked_page_is_checked():
    """The menus, the home blocks and the footer link to no page missing from CASES."""
    linked = [link for menu in MAIN_MENU for link in menu.links]
    linked += [link for block in HOME_BLOCKS for link in (*block.links, block.more)]
    linked += list(FOOTER_LINKS)
    checked = {c.path for c in CASES}
    missing = sorted({link.url for link in linked} - checked)
    assert not missing, f"linked but not checked by axe: {missing}"

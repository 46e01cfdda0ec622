"""A newcomer's journeys through the public site, in Chromium, with the CSP enforced.

Each test ends with ``journey.assert_clean()``: no request to another origin than the
portal (PRIV-05), no error response, no console error (CSP violations included).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from mcf.domain.contact.models import ContactMessage
from mcf.domain.mailing.models import OutboxEmail
from mcf.web.public.cookies import NOTICE_COOKIE, allowed_cookie_names
from mcf.web.public.navigation import MAIN_MENU
from tests.browser.conftest import Journey, wait_for_dsfr

pytestmark = pytest.mark.browser

# The seed site's home page, word for word: the acceptance criterion, not a copy of
# navigation.HOME_BLOCKS (a change there must be a deliberate change here too).
SEED_HOME_BLOCKS = {
    "Titulaire": [
        "Mes droits",
        "Mes interlocuteurs",
        "Accéder à mon espace sécurisé",
        "Rechercher une formation",
    ],
    "Employeurs": [
        "Informer sur les heures DIF",
        "L'accompagnement par l'OPCA",
        "Compétences et parcours professionnel des salariés",
        "Le financement du compte personnel de formation",
    ],
    "Professionnels": [
        "Espace professionnel",
        "Accéder à mon espace sécurisé",
        "Rechercher une formation",
    ],
}
SEED_MENUS = ["Le compte personnel de formation", "Questions fréquentes", "Espaces dédiés"]
NOTICE_TEXT = (
    "En poursuivant votre navigation sur le site, vous acceptez l'utilisation des cookies."
)


def open_home(journey: Journey) -> Page:
    page = journey.page
    response = page.goto(journey.url("/"))
    assert response is not None and response.status == 200
    wait_for_dsfr(page)
    return page


def follow(page: Page, link: Locator) -> None:
    """Click a link: the target answers 200 and has a non-empty <h1>."""
    href = link.get_attribute("href")
    label = link.inner_text()
    with page.expect_navigation() as navigation:
        link.click()
    response = navigation.value
    assert response is not None
    assert response.status == 200, f"« {label} » ({href}) answered {response.status}"
    assert page.url.endswith(href), f"« {label} » led to {page.url}, not {href}"
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(re.compile(r"\S"))


def home_blocks(page: Page) -> Locator:
    """The audience blocks: the <section>s of the home page, each named by its <h2>."""
    return page.locator("main section")


def block_links(block: Locator) -> Locator:
    """The links listed in a block (« EN SAVOIR + » is not a list item)."""
    return block.locator("li a")


def test_home_blocks_and_their_links(journey: Journey):
    page = open_home(journey)
    # The DSFR styles are served (whitenoise finders) and applied, not blocked by the CSP.
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate(
        """() => [...document.querySelectorAll('link[rel=stylesheet]')]
            .every(link => link.sheet && link.sheet.cssRules.length > 0)"""
    )

    blocks = home_blocks(page)
    expect(blocks).to_have_count(len(SEED_HOME_BLOCKS))
    for i, (title, labels) in enumerate(SEED_HOME_BLOCKS.items()):
        block = blocks.nth(i)
        expect(block.get_by_role("heading", level=2)).to_contain_text(title)
        expect(block_links(block)).to_have_text(labels)
        expect(block.get_by_role("link", name="EN SAVOIR +")).to_have_count(1)

    # Every link of the three blocks, then each « EN SAVOIR + ».
    for i, labels in enumerate(SEED_HOME_BLOCKS.values()):
        for j in range(len(labels) + 1):
            page = open_home(journey)
            block = home_blocks(page).nth(i)
            if j < len(labels):
                link = block_links(block).nth(j)
            else:
                link = block.get_by_role("link", name="EN SAVOIR +")
            follow(page, link)
    journey.assert_clean()


def test_header_button_leads_to_the_titulaire_space(journey: Journey):
    page = open_home(journey)
    button = page.locator(".fr-header__tools-links").get_by_role(
        "link", name="Mon compte formation"
    )
    follow(page, button)
    expect(page.locator("h1")).to_have_text("Espace Titulaire")
    expect(page).to_have_title(re.compile(r"^Espace Titulaire"))
    journey.assert_clean()


def test_main_menus_open_and_their_links_work(journey: Journey):
    assert [menu.label for menu in MAIN_MENU] == SEED_MENUS
    page = open_home(journey)
    nav = page.get_by_role("navigation", name="Menu principal")
    for menu in MAIN_MENU:
        button = nav.get_by_role("button", name=menu.label)
        expect(button).to_have_attribute("aria-expanded", "false")
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        panel = page.locator("#" + button.get_attribute("aria-controls"))
        expect(panel.get_by_role("link")).to_have_text([link.label for link in menu.links])
        for link in panel.get_by_role("link").all():
            expect(link).to_be_visible()

    # Every link, each clicked from the page the previous one led to (the menus are on
    # every page, not only on the home page).
    for menu in MAIN_MENU:
        for link in menu.links:
            button = page.get_by_role("navigation", name="Menu principal").get_by_role(
                "button", name=menu.label
            )
            button.click()
            expect(button).to_have_attribute("aria-expanded", "true")
            panel = page.locator("#" + button.get_attribute("aria-controls"))
            follow(page, panel.get_by_role("link", name=link.label, exact=True))
    journey.assert_clean()


def test_cookie_notice(journey: Journey):
    page = open_home(journey)
    notice = page.get_by_role("region", name="Information sur les cookies")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(NOTICE_TEXT)
    expect(notice.get_by_role("button", name="OK")).to_be_visible()

    # « En savoir plus et gérer vos cookies »: the cookies page lists what is set.
    follow(page, notice.get_by_role("link", name="En savoir plus et gérer vos cookies"))
    expect(page.locator("h1")).to_have_text("Gestion des cookies")
    for name in allowed_cookie_names():
        expect(page.locator("table")).to_contain_text(name)

    # « OK » on the cookies page: back on the same page, without the notice.
    cookies_url = page.url
    notice = page.get_by_role("region", name="Information sur les cookies")
    with page.expect_navigation():
        notice.get_by_role("button", name="OK").click()
    assert page.url == cookies_url
    expect(notice).to_have_count(0)

    # ... nor on the next pages.
    for path in ["/", "/informations/mes-droits/", "/nous-contacter/"]:
        page.goto(journey.url(path))
        expect(page.locator("h1")).to_have_count(1)
        expect(page.get_by_role("region", name="Information sur les cookies")).to_have_count(0)

    # Only strictly necessary cookies (PRIV-05), the notice's own included.
    names = {cookie["name"] for cookie in journey.context.cookies()}
    assert NOTICE_COOKIE in names
    assert names <= allowed_cookie_names(), f"unexpected cookies: {names - allowed_cookie_names()}"
    journey.assert_clean()


def test_site_search_from_the_header(journey: Journey):
    page = open_home(journey)
    field = page.get_by_role("banner").get_by_role("searchbox", name="Rechercher sur le site")
    expect(field).to_be_visible()
    field.fill("heures DIF")
    with page.expect_navigation() as navigation:
        field.press("Enter")
    assert navigation.value is not None and navigation.value.status == 200
    assert "/recherche/?q=heures+DIF" in page.url
    expect(page.get_by_role("status")).to_contain_text("trouvée")
    expect(page.get_by_role("status")).to_contain_text("« heures DIF »")
    results = page.locator("main ol li h2 a")
    expect(results.first).to_be_visible()
    result = results.get_by_text("Les heures DIF", exact=True)
    expect(result).to_have_count(1)
    follow(page, result)
    expect(page.locator("h1")).to_have_text("Les heures DIF")
    journey.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_contact_form(journey: Journey):
    page = open_home(journey)
    follow(page, page.get_by_role("contentinfo").get_by_role("link", name="Nous contacter"))
    expect(page.locator("h1")).to_have_text("Nous contacter")

    message = "Bonjour,\nmon employeur ne m'a pas remis l'attestation de mes heures DIF."
    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("Courriel").fill("camille.martin@")
    # A DSFR radio button is drawn by its label, which takes the click.
    page.locator("label", has_text="Mes heures CPF ou DIF").click()
    page.get_by_label("Votre message").fill(message)
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le message").click()

    # Invalid address: French errors, and what was typed is kept.
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    email = page.get_by_label("Courriel")
    expect(email).to_have_attribute("aria-invalid", "true")
    error_id = email.get_attribute("aria-describedby").split()[0]
    expect(page.locator(f"#{error_id}")).to_have_text("Saisissez une adresse de courriel valide.")
    expect(page.get_by_label("Votre message")).to_have_value(message)
    expect(page.get_by_label("Nom et prénom")).to_have_value("Camille Martin")
    expect(page.get_by_role("radio", name="Mes heures CPF ou DIF")).to_be_checked()
    assert not OutboxEmail.objects.exists()

    email.fill("camille.martin@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le message").click()
    expect(page.locator("h1")).to_have_text("Votre message a bien été envoyé")

    # The message to the service and the acknowledgement to the sender.
    assert OutboxEmail.objects.count() == 2
    assert set(OutboxEmail.objects.values_list("to", flat=True)) >= {"camille.martin@example.org"}
    contact = ContactMessage.objects.get()
    assert contact.message == message.replace("\n", "\r\n")
    journey.assert_clean()

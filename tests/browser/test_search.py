"""« Rechercher une formation » in Chromium: axe-core on the search page (with results, with
an error, after an htmx update) and on the offer page; a journey with the keyboard and the
mouse (keywords, a facet, the URL following along, the back button), CSP enforced."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Journey, assert_no_axe_violations, wait_for_dsfr
from tests.web.catalogue.conftest import Catalogue, build_catalogue, more_offers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue() -> Catalogue:
    catalogue = build_catalogue()
    more_offers(25)  # two pages of « Bureautique »
    return catalogue


def open_search(page: Page, base_url: str, query: str = "") -> None:
    response = page.goto(f"{base_url}/formations/{query}")
    assert response is not None and response.status == 200
    wait_for_dsfr(page)


def results_heading(page: Page):
    return page.locator("#resultats-titre")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "29 formations trouvées"),
        ("?q=bureautique&page=2", "25 formations trouvées"),
        ("?statut=salarie&region_situation=53&branche=3248&type=CQP", "1 formation trouvée"),
        ("?q=zzyzx", "Aucune formation trouvée"),
    ],
    ids=["tout", "page-2", "situation-et-filtre", "aucun-resultat"],
)
def test_search_page_has_no_axe_violation(axe_page: Page, live_server, catalogue, query, expected):
    open_search(axe_page, live_server.url, query)
    expect(results_heading(axe_page)).to_have_text(expected)
    expect(axe_page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(axe_page)


@pytest.mark.parametrize(
    "query",
    [
        "?lieu=Atlantide&prix_min=900&prix_max=100&du=2027-03-01&au=2027-01-01",
        "?rayon=20&tri=distance&type=XYZ",
    ],
    ids=["lieu-prix-dates", "rayon-tri-filtre"],
)
def test_search_page_with_errors_has_no_axe_violation(
    axe_page: Page, live_server, catalogue, query
):
    open_search(axe_page, live_server.url, query)
    expect(axe_page.locator("#erreurs-recherche")).to_contain_text("n'a pas été lancée")
    assert_no_axe_violations(axe_page)


def test_offer_pages_have_no_axe_violation(axe_page: Page, live_server, catalogue):
    offer = catalogue.anglais
    offer.organisme.email = "contact@organisme.example"
    offer.organisme.website = "https://organisme.example/"
    offer.organisme.save()
    offer.content = "Module 1 : se présenter.\nModule 2 : téléphoner."
    offer.strengths = "Petits groupes."
    offer.save()
    for path in [
        f"/formations/{offer.pk}/",
        f"/formations/{catalogue.soudure.pk}/",
        f"/formations/{offer.pk}/dossier/",
    ]:
        response = axe_page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        wait_for_dsfr(axe_page)
        assert_no_axe_violations(axe_page)
    response = axe_page.goto(live_server.url + "/formations/987654/")
    assert response is not None and response.status == 404
    wait_for_dsfr(axe_page)
    assert_no_axe_violations(axe_page)


def test_a_search_journey_updates_in_place_and_the_back_button_works(journey: Journey, catalogue):
    page = journey.page
    open_search(page, journey.base_url)
    expect(results_heading(page)).to_have_text("29 formations trouvées")
    page.evaluate("() => { window.mcfSamePage = true }")  # gone if the page reloads

    # Keywords, then Enter: only the results change, the URL holds the search.
    page.get_by_label("Mots-clés ou code CPF").fill("bureautique")
    page.get_by_label("Mots-clés ou code CPF").press("Enter")
    expect(results_heading(page)).to_have_text("25 formations trouvées")
    expect(page).to_have_url(re.compile(r"/formations/\?q=bureautique$"))
    expect(page.locator("#annonce-resultats")).to_have_text("25 formations trouvées, page 1 sur 2.")
    assert page.evaluate("() => window.mcfSamePage === true"), "the page was reloaded"
    expect(page).to_have_title(re.compile("^25 formations pour « bureautique »"))

    # Another page of results: focus goes to the results heading.
    page.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url(re.compile(r"/formations/\?q=bureautique&page=2$"))
    expect(results_heading(page)).to_be_focused()

    # A facet: ticked with the mouse, the results follow, the box keeps the focus.
    page.locator('label[for="filtre-type-RS"]').click()  # the DSFR box is drawn by its label
    expect(page).to_have_url(re.compile(r"/formations/\?q=bureautique&type=RS$"))
    expect(results_heading(page)).to_have_text("25 formations trouvées")
    expect(page.get_by_label(re.compile(r"^Répertoire spécifique"))).to_be_focused()
    assert page.evaluate("() => window.mcfSamePage === true"), "the page was reloaded"

    # A mistake: the message is next to the field, the list of errors gets the focus.
    page.get_by_text("Plus de critères").click()
    page.get_by_label("Prix maximal (€)").fill("beaucoup")
    page.get_by_role("button", name="Rechercher des formations").click()
    expect(page.locator("#erreurs-recherche")).to_be_focused()
    expect(page.locator("#id_prix_max-desc-error")).to_contain_text("Saisissez un montant en euros")
    expect(page.get_by_label("Prix maximal (€)")).to_have_value("beaucoup")
    page.get_by_label("Prix maximal (€)").fill("")
    page.get_by_role("button", name="Rechercher des formations").click()
    expect(results_heading(page)).to_have_text("25 formations trouvées")
    expect(page.locator(".mcf-search__more")).to_have_attribute("open", "")  # still open

    # Back: the search with the mistake, then the one before it, as they were.
    page.go_back()
    expect(page).to_have_url(re.compile(r"prix_max=beaucoup"))
    expect(page.locator("#erreurs-recherche")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/formations/\?q=bureautique&type=RS$"))
    expect(results_heading(page)).to_have_text("25 formations trouvées")
    expect(page.get_by_label(re.compile(r"^Répertoire spécifique"))).to_be_checked()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/formations/\?q=bureautique&page=2$"))
    expect(page.locator('[aria-current="page"][title="Page 2"]')).to_be_visible()
    journey.assert_clean()


def test_the_search_works_without_javascript(browser, live_server, catalogue):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/formations/")
        page.get_by_label("Mots-clés ou code CPF").fill("soudeur")
        with page.expect_navigation():
            page.get_by_role("button", name="Rechercher des formations").click()
        assert re.search(r"/formations/\?q=soudeur", page.url)
        expect(page.locator("#resultats-titre")).to_have_text("1 formation trouvée")
        with page.expect_navigation():
            page.get_by_role("link", name="Soudeur assembleur industriel").click()
        expect(page.locator("h1")).to_have_text("Soudeur assembleur industriel")
    finally:
        context.close()


@pytest.mark.parametrize("complete", [False, True], ids=["situation-incomplete", "salarie"])
def test_holder_search_and_offer_pages_have_no_axe_violation(
    axe_page: Page, live_server, catalogue, complete
):
    from mcf.domain.accounts.models import EmploymentStatus
    from tests.browser.test_accessibility_holder_space import log_in
    from tests.factories import registered_holder

    holder = registered_holder()
    if complete:
        holder.employment_status = EmploymentStatus.SALARIE
        holder.branch_id = catalogue.branch_id
        holder.work_region_id = "53"
        holder.save()
    log_in(axe_page, live_server.url)
    try:
        base = live_server.url + "/titulaire/rechercher-une-formation/"
        for path, expected in [
            ("?lieu=Rennes&rayon=30", "formations trouvées"),
            ("?prix_min=abc&lieu=Atlantide", "n'a pas été lancée"),
            (f"{catalogue.usinage.pk}/", "Opérateur régleur en usinage"),
            # Without DIF hours entered: « Heures DIF non renseignées », and a link.
            (f"{catalogue.anglais.pk}/dossier/", "Heures DIF non renseignées"),
        ]:
            response = axe_page.goto(base + path)
            assert response is not None and response.status == 200, path
            wait_for_dsfr(axe_page)
            expect(axe_page.locator("main")).to_contain_text(expected)
            assert_no_axe_violations(axe_page)
    finally:
        axe_page.context.clear_cookies()  # the axe context is shared: leave it logged out


def test_communes_are_suggested_while_typing(journey: Journey, catalogue):
    page = journey.page
    open_search(page, journey.base_url)
    page.locator("#id_lieu").press_sequentially("Sain")
    expect(page.locator('#lieu-suggestions option[value="Saint-Malo (35)"]')).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/formations/$"))  # suggestions are not a search
    page.locator("#id_lieu").fill("Saint-Malo (35)")
    page.get_by_label("Rayon autour de la commune").select_option("100")
    page.get_by_role("button", name="Rechercher des formations").click()
    expect(page.locator("#lieu-retenu")).to_have_text(
        "Lieu retenu : Saint-Malo (35), à 100 km autour"
    )
    expect(results_heading(page)).to_have_text("27 formations trouvées")
    journey.assert_clean()


# --------------------------------------------------------------------------------------
# Layout at every width: what a screenshot shows, measured
# --------------------------------------------------------------------------------------

# Widths of a phone, each DSFR breakpoint (sm 576, md 768, lg 992) and a desktop.
WIDTHS = [375, 576, 768, 800, 992, 1024, 1280]

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const shown = (el) =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const describe = (el) => (el.id ? "#" + el.id : el.className || el.tagName) + " « "
    + el.textContent.trim().replace(/\\s+/g, " ").slice(0, 50) + " »";

  // A facet's count: a space's width after its name, on the name's line unless no room.
  for (const count of document.querySelectorAll(".mcf-facets__count")) {
    if (!shown(count)) continue;
    const name = count.previousSibling;
    const range = document.createRange();
    range.setStart(name, 0);
    range.setEnd(name, name.textContent.trimEnd().length);
    const rects = range.getClientRects();
    const end = rects[rects.length - 1];
    const start = count.getClientRects()[0];
    const label = count.closest("label");
    if (Math.abs(start.top - end.top) < 2) {
      if (start.left - end.right < 3) problems.push("count glued to its name: " + describe(label));
    } else if (label.getBoundingClientRect().right - end.right > start.width + 8) {
      problems.push("count on its own line with room beside its name: " + describe(label));
    }
  }

  // A card's parts are shown in the order they are read (title, organisme, details).
  for (const content of document.querySelectorAll(".fr-card__content")) {
    const parts = [...content.children].filter(shown);
    for (let i = 1; i < parts.length; i++) {
      const before = parts[i - 1].getBoundingClientRect();
      const after = parts[i].getBoundingClientRect();
      if (after.top < before.bottom - 1) {
        problems.push("card part shown above the one before it: " + describe(parts[i]));
      }
    }
  }

  // No field wider than the form (its columns), nothing off the side of the screen.
  const form = document.getElementById("recherche-formations").getBoundingClientRect();
  for (const field of document.querySelectorAll("#recherche-formations input, select")) {
    const box = field.getBoundingClientRect();
    if (shown(field) && box.width && (box.left < form.left - 1 || box.right > form.right + 1)) {
      problems.push(`field out of the form: ${field.id} (${Math.round(box.right)} px)`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px)`);
  }

  // Every option of a select fits in it (« Sans rayo »).
  const canvas = document.createElement("canvas").getContext("2d");
  for (const select of document.querySelectorAll("select")) {
    if (!shown(select)) continue;
    const style = getComputedStyle(select);
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room =
      select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const option of select.options) {
      const width = canvas.measureText(option.text).width;
      const figures = `${Math.round(width)} px in ${Math.round(room)}`;
      if (width > room) problems.push(`option cut (${figures}): ${select.id} « ${option.text} »`);
    }
  }
  return problems;
}"""


def test_the_search_page_is_laid_out_at_every_width(browser, live_server, catalogue):
    """Facet counts apart from their names, cards read from the title down, no option cut
    in its select: at each width, on results with facets and on an error, on the public
    page and on the holder's (narrower: his space has a side menu)."""
    from tests.browser.test_accessibility_holder_space import log_in
    from tests.domain.catalogue import builders as b
    from tests.factories import registered_holder

    vae = b.certification("VAE", title="Accompagnement VAE", code="")
    b.listing(vae)
    b.offer(vae, title="Accompagnement VAE tous diplômes")  # the facet of the issue
    registered_holder()
    problems = []
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        for space in ["/formations/", "/titulaire/rechercher-une-formation/"]:
            if space.startswith("/titulaire/"):
                log_in(page, live_server.url)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for query in ["?q=", "?lieu=Rennes&rayon=30&prix_min=abc"]:
                    response = page.goto(live_server.url + space + query)
                    assert response is not None and response.status == 200
                    wait_for_dsfr(page)
                    page.evaluate("() => document.fonts.ready")
                    found = page.evaluate(LAYOUT_PROBLEMS)
                    problems += [f"{space}{query} at {width} px: {p}" for p in found]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


FILTERS = "#filtres .mcf-facets"


def assert_nothing_folded(page: Page) -> None:
    expect(page.locator(FILTERS)).to_be_visible()
    expect(page.locator("#situation")).to_be_visible()
    for toggle in page.locator(".mcf-fold__toggle").all():
        expect(toggle).to_be_hidden()


def test_on_a_phone_the_filters_fold_behind_filtrer(browser, live_server, catalogue):
    """At 375 px the filters filled screens before the first result: they fold behind
    « Filtrer » (open while one is being ticked), the visitor's situation behind its own
    button; on a desktop, and without JavaScript, they are shown and the buttons not."""
    filters = FILTERS
    phone = {"width": 375, "height": 800}
    context = browser.new_context(viewport=phone, locale="fr-FR", reduced_motion="reduce")
    page = context.new_page()
    try:
        open_search(page, live_server.url, "?q=bureautique")
        toggle = page.get_by_role("button", name="Filtrer")
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator(filters)).to_be_hidden()
        expect(page.locator("#situation")).to_be_hidden()  # the visitor's situation too
        # The first result is on the first screen or just below it.
        assert page.locator(".mcf-result").first.bounding_box()["y"] < 2 * phone["height"]

        toggle.click()
        expect(page.locator(filters)).to_be_visible()
        page.locator('label[for="filtre-type-RS"]').click()
        expect(page).to_have_url(re.compile(r"/formations/\?q=bureautique&type=RS$"))
        # The results were swapped: the filters stay open, the box keeps the focus.
        expect(page.locator(filters)).to_be_visible()
        expect(page.get_by_label(re.compile(r"^Répertoire spécifique"))).to_be_checked()
        expect(page.get_by_label(re.compile(r"^Répertoire spécifique"))).to_be_focused()
        expect(page.get_by_role("button", name="Filtrer (1 choisi)")).to_be_visible()

        page.set_viewport_size({"width": 1280, "height": 800})
        open_search(page, live_server.url, "?q=bureautique")
        assert_nothing_folded(page)
    finally:
        context.close()

    context = browser.new_context(viewport=phone, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/formations/?q=bureautique")
        assert_nothing_folded(page)
    finally:
        context.close()

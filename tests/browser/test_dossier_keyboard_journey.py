"""The issue's « Done when », in Chromium, with the keyboard alone: a holder finds a
training, creates a dossier from the offer, fills its steps while the hours plan follows
the duration typed, gives his consent and sends it; the OPCA's gestionnaire logs in
(password, then his authenticator's code), finds it in « Dossiers à instruire »,
validates it with the plan proposed DIF first and closes it with the hours done; the
holder sees each step on his list and page, in his mails, in « Historique de vos
actions », and his balances in « Mon compte d'heures » follow the issue's example
(120 DIF + 48 CPF available, a 200 h training: 120 DIF + 30 CPF = 150 h, 50 h to finance
otherwise, 18 CPF hours stay).

Keyboard only: no click and no fill. The focus moves with Tab (``tab_to``: the element
is reachable, in a sane order, and shows a focus indicator), text is typed, Enter or
Space activates, the arrows choose a radio button or an option. Both logins are typed
too: the professional login (password + TOTP) has no keyboard test of its own. Every page
of the journey passes axe-core, and both browsers run with the CSP enforced and no
request to a third party, no error response, no console error (``recorded_journey``).
Screenshots of the key steps go to $MCF_JOURNEY_SHOTS (default /tmp/keyboard-journey).
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from mcf.domain.dossiers.models import Dossier, State
from mcf.domain.dossiers.notifications import send_digest
from mcf.domain.hours.models import Counter
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.organisations.actions import change_provisional_password, create_gestionnaire
from tests.browser.conftest import (
    Journey,
    assert_no_axe_violations,
    recorded_journey,
    wait_for_dsfr,
)
from tests.domain.dossiers.builders import ORGANISME_SIRET, World, dossier_world
from tests.domain.organisations.builders import PRO_PASSWORD, code_for, enrolled
from tests.factories import NIR_A, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("MCF_JOURNEY_SHOTS", Path(tempfile.gettempdir()) / "keyboard-journey"))
# From « Contenu » (the skip link) to a field or a button of the page: a few presses, in
# the reading order. From the top of a page to its side menu or the header's links: more.
MAX_TABS = 20
MENU_TABS = 30
GESTIONNAIRE = ("Bastien", "Lefèvre", "bastien.lefevre@opca.example")
BY_GESTIONNAIRE = "OPCA Démo (Bastien L.)"
TRAINING = "Opérateur régleur en usinage"  # CPNE of the holder's branch, 200 h


# ----- the keyboard ---------------------------------------------------------------------


def has_focus(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def focused(page: Page) -> str:
    """The focused element, described for a failure message."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            if (!e || e === document.body) return 'the page itself (<body>)';
            const text = (e.innerText || e.value || e.getAttribute('aria-label') || '')
                .trim().slice(0, 60);
            return `<${e.tagName.toLowerCase()}${e.id ? ' id=' + e.id : ''}> « ${text} »`;
        }"""
    )


# The focus ring the DSFR draws: an outline on the element; its radio buttons and
# checkboxes are transparent <input>s (their outline is not seen), the ring is drawn around
# the box their label shows (its ::before).
FOCUS_RING = """element => {
    const ring = style => style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    if (element.type === 'checkbox' || element.type === 'radio') {
        return [...element.labels].some(label => ring(getComputedStyle(label, '::before')));
    }
    const style = getComputedStyle(element);
    return ring(style) && style.opacity !== '0' && style.visibility === 'visible';
}"""


def tab_to(page: Page, target: Locator, max_presses: int = MAX_TABS, *, key: str = "Tab") -> None:
    """Press Tab (or ``key``) until ``target`` has the focus, and check that it shows it."""
    expect(target).to_have_count(1)
    for _ in range(max_presses):
        page.keyboard.press(key)
        if has_focus(target):
            assert target.evaluate(FOCUS_RING), f"{target}: focused without a visible outline"
            return
    pytest.fail(
        f"{target} not reached after {max_presses} × {key} on {page.url}; "
        f"the focus is on {focused(page)}"
    )


def skip_to_content(page: Page) -> None:
    """A page just opened: the first Tab reaches the « Contenu » skip link, Enter moves
    the focus into <main> (the side menu and the header are then behind).

    A form sent from a page whose URL ends in #contenu leads to a page whose URL does too
    (a redirect keeps the fragment): the browser then starts the Tab order at <main>."""
    wait_for_dsfr(page)
    if urlsplit(page.url).fragment == "contenu":
        return
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Contenu", exact=True)
    assert has_focus(skip), f"the first Tab reaches {focused(page)}, not « Contenu »"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def type_into(page: Page, target: Locator, text: str, *, expected: str | None = None) -> None:
    tab_to(page, target)
    page.keyboard.press("ControlOrMeta+a")  # replace what the form already holds
    page.keyboard.type(text)
    expect(target).to_have_value(text if expected is None else expected)


def press_and_load(page: Page, key: str = "Enter") -> None:
    """``key`` on the focused element leads to a page that answers 200."""
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    response = navigation.value
    assert response is not None and response.status == 200, f"{page.url}: {response}"
    wait_for_dsfr(page)


def follow(page: Page, target: Locator, max_presses: int = MAX_TABS) -> None:
    """Tab to a link or a button, Enter."""
    tab_to(page, target, max_presses)
    press_and_load(page)


def choose_radio(page: Page, group: str, target: Locator) -> None:
    """Tab into the radio group ``group`` (its inputs' name), then the arrows (Space if the
    focus lands on it) until ``target`` is checked."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("name => document.activeElement.name === name", group):
            break
    else:
        pytest.fail(f"radio group {group!r} not reached; the focus is on {focused(page)}")
    assert page.locator(":focus").evaluate(FOCUS_RING), f"{focused(page)}: no visible outline"
    if has_focus(target):
        page.keyboard.press("Space")
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{target} not checked with the arrows")


def choose_option(page: Page, select: Locator, value: str) -> None:
    """A <select>: Tab to it, then ArrowDown (a closed list changes its choice in place)."""
    tab_to(page, select)
    for _ in range(20):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{select}: option {value!r} not reached with the arrows")


def type_date(page: Page, target: Locator, day: datetime.date) -> None:
    """A date field (<input type=date>): its digits typed segment after segment.

    Chromium orders the segments as its own language does: jj/mm/aaaa in French, but
    mm/dd/yyyy where only its English locale is installed (Debian's chromium without
    chromium-l10n, as on the test machines). A first date typed tells which; the left
    arrow goes back to the first segment, and the date is typed again over it."""
    tab_to(page, target)
    page.keyboard.type("01022000")
    month_first = target.input_value() == "2000-01-02"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type(day.strftime("%m%d%Y" if month_first else "%d%m%Y"))
    expect(target).to_have_value(day.isoformat())


# ----- looking --------------------------------------------------------------------------


def checked_page(page: Page, title: str, shot: str = "", *, into_content: bool = True) -> None:
    """The page's <h1> is ``title``, it passes axe; photographed when ``shot`` is given;
    then the focus goes into the content (``skip_to_content``) unless ``into_content`` is
    false (the next target is in the header or the side menu, or the page was updated
    in place and the focus is already where the user left it)."""
    wait_for_dsfr(page)
    expect(page.locator("h1")).to_have_text(title)
    assert_no_axe_violations(page)
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{shot}.png", full_page=True)
    if into_content:
        skip_to_content(page)


def balances(world: World) -> tuple[int, int, int, int]:
    """(DIF available, DIF reserved, CPF available, CPF reserved) of the ledger."""
    counter = Counter.objects.get(holder=world.holder)
    return counter.dif_available, counter.dif_reserved, counter.cpf_available, counter.cpf_reserved


# ----- the journey ----------------------------------------------------------------------


def log_in_holder(page: Page, base: str) -> None:
    page.goto(base + "/titulaire/connexion/")
    checked_page(page, "Espace Titulaire")
    type_into(page, page.get_by_label("Numéro de Sécurité sociale"), NIR_A)
    tab_to(page, page.locator("#id_password"))
    page.keyboard.type(PASSWORD)
    press_and_load(page)  # Enter in the password field: « S'identifier »
    checked_page(page, "Synthèse de votre compte", into_content=False)


def log_in_gestionnaire(page: Page, base: str, username: str, device) -> None:
    page.goto(base + "/professionnel/connexion/")
    checked_page(page, "Espace professionnel")
    type_into(page, page.get_by_label("Identifiant"), username)
    tab_to(page, page.locator("#id_password"))
    page.keyboard.type(PRO_PASSWORD)
    press_and_load(page)
    assert page.url.endswith("/professionnel/connexion/code/"), page.url
    checked_page(page, "Code de vérification")
    # The code of the next time step: the one of this step was used by the enrolment
    # just before, and django-otp accepts each step once (one step of drift is allowed).
    code = page.get_by_label("Code de vérification")
    type_into(page, code, code_for(device, drift=1))
    press_and_load(page)
    checked_page(page, "Espace professionnel")
    expect(page.locator("main")).to_contain_text("en tant que gestionnaire")


def gestionnaire_of(world: World):
    """A gestionnaire of « OPCA Démo », past his first login (own password, TOTP)."""
    first, last, email = GESTIONNAIRE
    account = create_gestionnaire(
        world.financeur, organisation=world.opca, first_name=first, last_name=last, email=email
    )
    change_provisional_password(account.user, PRO_PASSWORD)
    return account.user, enrolled(account.user)


def test_create_send_validate_close_with_the_keyboard(browser: Browser, live_server):
    world = dossier_world()  # 120 DIF + 48 CPF, salarié of the usinage branch
    user, device = gestionnaire_of(world)
    base = live_server.url
    assert balances(world) == (120, 0, 48, 0)
    OutboxEmail.objects.all().delete()  # the accounts' own mails

    with (
        recorded_journey(browser, base) as holder,
        recorded_journey(browser, base) as financeur,
    ):
        dossier = holder_creates_and_sends(holder, world)
        holder_sees(holder, world, dossier, State.TRANSMIS)
        financeur_validates(financeur, world, user, device, dossier)
        holder_sees(holder, world, dossier, State.VALIDE)
        financeur_closes(financeur, world, dossier)
        holder_sees(holder, world, dossier, State.CLOS)
        holder.assert_clean()
        financeur.assert_clean()


def holder_creates_and_sends(journey: Journey, world: World) -> Dossier:
    page, base = journey.page, journey.base_url
    log_in_holder(page, base)

    # « Rechercher une formation » in the side menu; the keywords, Enter (htmx update).
    follow(page, page.get_by_role("link", name="Rechercher une formation", exact=True), MENU_TABS)
    checked_page(page, "Rechercher une formation")
    keywords = page.locator("#id_q")
    type_into(page, keywords, "usinage")
    page.keyboard.press("Enter")
    expect(page.locator("#resultats-titre")).to_have_text("1 formation trouvée")
    assert has_focus(keywords), f"after the update the focus is on {focused(page)}"
    checked_page(page, "Rechercher une formation", "titulaire-1-recherche", into_content=False)
    follow(page, page.get_by_role("link", name=TRAINING))
    checked_page(page, TRAINING)

    # « Créer un dossier de formation », then « Créer le dossier ».
    follow(page, page.get_by_role("link", name="Créer un dossier de formation"))
    checked_page(page, "Créer un dossier de formation", "titulaire-2-creer")
    follow(page, page.get_by_role("button", name="Créer le dossier"))
    dossier = Dossier.objects.get(holder=world.holder)
    title = f"Dossier de formation n° {dossier.number_display}"
    checked_page(page, title)
    expect(page.get_by_role("status")).to_contain_text("est créé")

    # Step 1: the organisme.
    type_into(page, page.get_by_label("SIRET de l'organisme de formation"), ORGANISME_SIRET)
    type_into(page, page.get_by_label("Raison sociale"), "Usinage Formation")
    type_into(page, page.get_by_label("Nom du contact"), "Claire Tourneur")
    follow(page, page.get_by_role("button", name="Enregistrer et continuer"))

    # Step 2: dates, duration (the plan follows it), cost, hors temps de travail.
    checked_page(page, title)
    start = timezone.localdate() + datetime.timedelta(days=90)
    type_date(page, page.get_by_label("Date de début de la formation"), start)
    type_date(
        page, page.get_by_label("Date de fin de la formation"), start + datetime.timedelta(days=60)
    )
    duration = page.get_by_label("Durée de la formation")
    type_into(page, duration, "200")
    plan = page.locator("#plan-heures")
    expect(plan).to_contain_text("50 h restent à financer")
    expect(plan).to_contain_text("heures DIF : 120 h mobilisées, 0 h restent sur votre compte")
    expect(plan).to_contain_text("heures CPF : 30 h mobilisées, 18 h restent sur votre compte")
    expect(plan).to_contain_text("150 h de vos compteurs pour 200 h de formation")
    assert has_focus(duration), f"after the plan's update the focus is on {focused(page)}"
    checked_page(page, title, "titulaire-3-plan-des-heures")
    cost = page.get_by_label("Coût TTC de la formation")
    expect(cost).to_have_value("3\u202f000")  # the offer's price, written in French
    type_into(page, cost, "3 000")
    choose_radio(page, "working_time", page.get_by_role("radio", name="Hors temps de travail"))
    follow(page, page.get_by_role("button", name="Enregistrer et continuer"))

    # Step 3: the financeur (two OPCA of the branch), a comment.
    checked_page(page, title)
    choose_radio(page, "financeur", page.get_by_role("radio", name=re.compile("OPCA Démo")))
    type_into(page, page.get_by_label("Commentaires pour le financeur"), "Session de mars.")
    follow(page, page.get_by_role("button", name="Enregistrer et continuer"))

    # The send page: the plan again, the consent (Space), « Transmettre au financeur ».
    checked_page(page, title)
    expect(page.locator("main")).to_contain_text("50 h restent à financer")
    consent = page.get_by_label("J'accepte que mes heures soient mobilisées pour cette formation")
    tab_to(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    follow(page, page.get_by_role("button", name="Transmettre au financeur"))
    checked_page(page, title, "titulaire-4-transmis")
    expect(page.get_by_role("status")).to_contain_text("est transmis à OPCA Démo")

    dossier.refresh_from_db()
    assert dossier.state == State.TRANSMIS
    assert (dossier.plan_dif, dossier.plan_cpf, dossier.duration_hours) == (120, 30, 200)
    assert dossier.consent_at is not None
    assert balances(world) == (120, 0, 48, 0)  # nothing reserved before the validation
    # The gestionnaires' digest (a task run ten minutes later) reaches him too.
    assert send_digest(world.opca.pk) == 2
    assert OutboxEmail.objects.filter(to=GESTIONNAIRE[2], kind="dossiers_a_instruire").exists()
    return dossier


def financeur_validates(journey: Journey, world: World, user, device, dossier: Dossier) -> None:
    page, base = journey.page, journey.base_url
    log_in_gestionnaire(page, base, user.username, device)
    sent = page.locator(".fr-tile").filter(has_text="Transmis au financeur")
    expect(sent).to_contain_text("1 dossier")
    follow(page, page.get_by_role("link", name="Voir les dossiers à instruire"))
    checked_page(page, "Dossiers à instruire", "financeur-1-dossiers-a-instruire")
    # Past the search and the filters (four date fields of three stops each: day, month,
    # year), the first dossier of the list.
    follow(page, page.get_by_role("link", name=f"n° {dossier.number_display}"), 40)
    checked_page(page, f"Dossier n° {dossier.number_display}")

    # The plan proposed DIF first: 120 DIF + 30 CPF; the attestation (Space); the 50 h
    # left funded by the OPCA (a <select> chosen with the arrows).
    expect(page.locator("#id_valider-dif")).to_have_value("120")
    expect(page.locator("#id_valider-cpf")).to_have_value("30")
    attestation = page.locator("#id_valider-dif_attestation_checked")
    tab_to(page, attestation)
    page.keyboard.press("Space")
    expect(attestation).to_be_checked()
    choose_option(page, page.locator("#id_abondements-0-payer"), "opca")
    type_into(page, page.locator("#id_abondements-0-hours"), "50")
    follow(page, page.get_by_role("button", name="Valider le dossier"))
    checked_page(page, f"Dossier n° {dossier.number_display}", "financeur-2-valide")
    expect(page.locator("main")).to_contain_text("est validé")
    dossier.refresh_from_db()
    assert dossier.state == State.VALIDE
    assert balances(world) == (0, 120, 18, 30)


def financeur_closes(journey: Journey, world: World, dossier: Dossier) -> None:
    page = journey.page
    type_into(page, page.locator("#id_cloture-hours_done"), "150")
    press_and_load(page)  # Enter in the field: « Clore le dossier »
    checked_page(page, f"Dossier n° {dossier.number_display}", "financeur-3-clos")
    expect(page.locator("main")).to_contain_text("est clos")
    dossier.refresh_from_db()
    assert (dossier.state, dossier.used_dif, dossier.used_cpf) == (State.CLOS, 120, 30)
    assert balances(world) == (0, 0, 18, 0)


@dataclass(frozen=True)
class Seen:
    """What the holder sees of his dossier after one act."""

    badge: str  # on « Mes dossiers de formation »
    hours: str  # the card's hours
    page: str  # on the dossier's page
    mails: tuple[str, ...]  # every dossier mail he got so far (subjects' ends)
    history: tuple[str, str]  # the latest entry of « Historique de vos actions »: what, by
    synthese: tuple[str, str, str, str]  # CPF, DIF, dossiers en cours, dossiers clos
    balances: tuple[tuple[str, str], ...]  # « Mon compte d'heures »: (CPF, DIF) per row


SENT_MAIL = "a été transmis au financeur"
SEEN = {
    State.TRANSMIS: Seen(
        badge="En cours d'élaboration",
        hours="200 h (prévu : 120 h DIF et 30 h CPF)",
        page="Transmis le",
        mails=(SENT_MAIL,),
        history=("Dossier transmis au financeur", "Vous"),
        synthese=("48", "120", "1", "0"),
        balances=(("48 h", "120 h"), ("0 h", "0 h"), ("48 h", "120 h")),
    ),
    State.VALIDE: Seen(
        badge="Validé",
        hours="200 h (120 h DIF et 30 h CPF réservées)",
        page="Heures réservées sur votre compte pour cette formation, selon le plan validé "
        "par OPCA Démo.",
        mails=(SENT_MAIL, "a été validé"),
        history=("120 h DIF et 30 h CPF réservées", BY_GESTIONNAIRE),
        synthese=("18", "0", "1", "0"),
        balances=(("18 h", "0 h"), ("30 h", "120 h"), ("48 h", "120 h")),
    ),
    State.CLOS: Seen(
        badge="Clos",
        hours="200 h (120 h DIF et 30 h CPF utilisées)",
        page="150 h réalisées : 120 h de DIF et 30 h de CPF débitées",
        mails=(SENT_MAIL, "a été validé", "a été clos"),
        history=("150 h réalisées (120 h DIF et 30 h CPF débitées)", BY_GESTIONNAIRE),
        synthese=("18", "0", "0", "1"),
        # The example: the 18 CPF hours not used stay on the account.
        balances=(("18 h", "0 h"), ("0 h", "0 h"), ("18 h", "0 h")),
    ),
}


def holder_sees(journey: Journey, world: World, dossier: Dossier, state: str) -> None:
    """The holder's synthèse, list, dossier page, mails, history and hours after an act
    (his own sending, or the financeur's), each page reached from the previous one."""
    seen = SEEN[state]
    page, base = journey.page, journey.base_url
    page.goto(base + "/titulaire/")
    checked_page(page, "Synthèse de votre compte", into_content=False)
    expect(page.locator(".mcf-summary__value")).to_have_text(list(seen.synthese))

    menu_link = page.get_by_role("link", name="Mes dossiers de formation", exact=True)
    follow(page, menu_link, MENU_TABS)
    checked_page(page, "Mes dossiers de formation", f"titulaire-{state}-1-liste")
    card = page.locator(".mcf-dossier")
    expect(card).to_have_count(1)
    expect(card.locator(".fr-badge").first).to_have_text(seen.badge)
    expect(card).to_contain_text(seen.hours)
    follow(page, card.get_by_role("link", name=TRAINING))
    checked_page(
        page,
        f"Dossier de formation n° {dossier.number_display}",
        f"titulaire-{state}-2-dossier",
        into_content=False,
    )
    expect(page.locator("main .fr-badge").first).to_have_text(seen.badge)
    expect(page.locator("main")).to_contain_text(seen.page)

    subjects = [
        mail.subject
        for mail in OutboxEmail.objects.filter(to=world.holder.email).order_by("created_at")
    ]
    assert subjects == [
        f"Mon compte formation : votre dossier de formation {event}" for event in seen.mails
    ]

    follow(page, page.get_by_role("link", name="Historique de vos actions"))
    checked_page(
        page, "Historique de vos actions", f"titulaire-{state}-3-historique", into_content=False
    )
    latest = page.locator("main tbody tr").first.locator("td")
    expect(latest.nth(1)).to_contain_text(f"Dossier n° {dossier.number_display}")
    expect(latest.nth(1)).to_contain_text(seen.history[0])
    expect(latest.nth(2)).to_have_text(seen.history[1])

    follow(page, page.get_by_role("link", name="Mon compte d'heures", exact=True), MENU_TABS)
    checked_page(page, "Mon compte d'heures", f"titulaire-{state}-4-heures")
    rows = page.locator("table.mcf-balances tbody tr")
    for row, figures in zip(rows.all(), seen.balances, strict=True):
        expect(row.locator("td")).to_have_text(list(figures))

"""Every page of every space, in its main states, at 1280 px and at 375 px, passes the layout
checks of page_checks.js (a visible boundary on every form control, no text overflowing or
clipped in its control, no sideways scroll, numbers in SVG and inline styles that parse);
with ``MCF_SCREENSHOTS=<folder>`` (`make screenshots`) each state is also saved as a PNG,
and an index.html shows them side by side (tests/browser/gallery.py).

The pages come from the URL resolver (tests/web/routes.py), with the role the access table
gives (tests/web/test_access_table.py) and real objects in their URLs (route_objects): a
new route is checked, and photographed, without touching this file. The pages reached only
through a journey (the registration's steps, the links of e-mails, the professional's
second factor) have a ``reach`` of their own in ``JOURNEYS``; the routes that serve no page
(POST-only actions, files, redirections) are named in ``NO_PAGE``.
``test_every_route_is_reviewed`` fails on a route that is in none of them.

The states of a page: as it opens (``empty``; the holder's pages also with a fed account,
``data``), its forms filled (``filled``: each select on its longest option), each form
submitted emptied (``error-blank``) and with bad input (``error-bad``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from mcf.core import errors
from mcf.domain.accounts.email_change import request_email_change
from mcf.domain.accounts.models import User
from mcf.domain.accounts.password_reset import reset_url
from mcf.domain.dossiers import actions as dossier_actions
from mcf.domain.dossiers.models import WorkingTime
from mcf.domain.hours.ledger import credit_feed, enter_dif
from mcf.domain.hours.models import Counter
from mcf.domain.legal import cgu
from mcf.web.public.pages import PAGES
from tests.browser import gallery
from tests.browser.conftest import _new_context, take_session, wait_for_dsfr
from tests.browser.test_accessibility_registration import (
    confirmation,
    step_done,
    step_identity,
    step_password,
)
from tests.domain.delegations.builders import delegation_world
from tests.domain.dossiers.builders import (
    dossier_world,
    ready_dossier,
    sent_dossier,
    validated_dossier,
)
from tests.domain.organisations.builders import (
    PRO_PASSWORD,
    active_principal_admin,
    code_for,
    new_organisation,
)
from tests.factories import registered_holder
from tests.web.conftest import build_clients, build_route_objects
from tests.web.professionnel.dossier_helpers import client_of, financeur_world, sent_sur_temps
from tests.web.routes import ROUTES, SPACES, Route, route_values
from tests.web.test_access_table import ACCESS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 375)
# The back office is Django's admin, used by operators at their desks: checked at 1280 px
# only (photographed at both). At 375 px Django's own layout cuts its action select
# (« Supprimer les … sélectionnés ») and scrolls sideways on wide forms and tables.
CHECKED_WIDTHS = {"gestion": (1280,)}
HEIGHT = 900
CHECKS = Path(__file__).with_name("page_checks.js")
# Where the space's pages are filed in the gallery, by namespace.
FOLDERS = {
    "": "public",
    "public": "public",
    "titulaire": "titulaire",
    "professionnel": "professionnel",
    "admin": "gestion",
    "antibot": "public",
}

# Routes that serve no page of their own, and why: what they do is checked elsewhere.
NO_PAGE = {
    "healthz": "plain text for the load balancer",
    "public:commune_suggestions": "JSON of the search's autocompletion",
    "public:dismiss_cookie_notice": "POST only",
    "titulaire:logout": "POST only",
    "titulaire:end_session": "POST only",
    "titulaire:personal_phones": "POST only (its form is on personal_information)",
    "titulaire:personal_situation": "POST only (its form is on personal_information)",
    "titulaire:attestation": "a PDF",
    "titulaire:dossier_plan": "an htmx fragment (photographed in the dossier's dates step)",
    "titulaire:dossier_recap": "a PDF",
    "titulaire:dossier_withdraw": "POST only (its form is on titulaire:dossier)",
    "titulaire:dossier_cancel": "POST only (its form is on titulaire:dossier)",
    "titulaire:delegation_revoke": "POST only (its form is on titulaire:delegation)",
    "titulaire:delegation_open": "POST only (its form is on titulaire:delegations)",
    "titulaire:delegation_give_back": "POST only (its form is on titulaire:delegations)",
    "titulaire:delegation_leave": "POST only (its form is in the delegate's banner)",
    "professionnel:logout": "POST only",
    "professionnel:dossier_validate": "POST only (its form is on the dossier's page)",
    "professionnel:dossier_complement": "POST only (its form is on the dossier's page)",
    "professionnel:dossier_refuse": "POST only (its form is on the dossier's page)",
    "professionnel:dossier_close": "POST only (its form is on the dossier's page)",
    "professionnel:dossier_cancel": "POST only (its form is on the dossier's page)",
    "antibot:image": "the captcha's image",
    "antibot:audio": "the captcha's sound",
    "admin:logout": "POST only",
    "admin:autocomplete": "JSON",
    "admin:jsi18n": "JavaScript",
    "admin:view_on_site": "a redirection",
    "admin:hours_feedimport_report": "a CSV file",
    "admin:otp_totp_totpdevice_qrcode": "an SVG image (shown on the device's config page)",
    "gestion/(?P<url>.*)": "the back office's catch-all (404)",
    "professionnel:api_client_create": "POST only (its form is on professionnel:api_access)",
    "professionnel:api_client_revoke": "POST only (its form is on professionnel:api_access)",
    "professionnel:webhook_create": "POST only (its form is on professionnel:api_access)",
    "professionnel:webhook_remove": "POST only (its form is on professionnel:api_access)",
    "professionnel:webhook_redeliver": "POST only (its form is on professionnel:webhook_log)",
    "api-v1:api-root": "the API's root (a 404 problem)",
    "api-v1:openapi-json": "JSON: the OpenAPI document (tests/web/api/)",
    "api-v1:openapi-view": "Swagger UI of django-ninja (tests/browser/test_api_pages.py)",
    "api-v1:search_offers": "JSON (tests/web/api/, schemathesis)",
    "api-v1:offer": "JSON (tests/web/api/, schemathesis)",
    "api-v1:certification": "JSON (tests/web/api/, schemathesis)",
    "api/(?P<rest>.*)": "the API's catch-all (a 404 problem)",
    "api_token": "OAuth 2 token endpoint (JSON, tests/web/api/)",
    **{
        f"api-v1:{name}": "JSON with a token (tests/web/api/: AC matrix, schemathesis)"
        for name in (
            "list_dossiers",
            "dossier",
            "history",
            "dossier_valider",
            "dossier_demander_complement",
            "dossier_refuser",
            "dossier_clore",
            "dossier_annuler_financeur",
        )
    },
}


# --------------------------------------------------------------------------------------
# Which page, as whom
# --------------------------------------------------------------------------------------


def role_of(route: Route) -> str | None:
    """Who opens ``route`` in the review: anonymous if it may, else its space's user."""
    allowed = ACCESS.get(route.key, frozenset())
    if "anonymous" in allowed:
        return "anonymous"
    space_user = SPACES.get(route.namespace)
    return space_user if space_user in allowed else None


def _is_object_redirection(route: Route) -> bool:
    # Django admin's « <path:object_id>/ » routes only redirect to « …/change/ ».
    return route.key.startswith("gestion/") and route.key.endswith("<path:object_id>/")


ROUTE_PAGES = [route for route in ROUTES if route.key not in NO_PAGE and role_of(route) is not None]


@dataclass(frozen=True)
class Journey:
    """A page reached through other pages: ``reach`` brings a newcomer's browser there."""

    folder: str
    name: str
    routes: tuple[str, ...]  # the route keys it reviews
    reach: Callable[[Page, str], None]
    forms: bool = True  # submit its forms for the error states


def _pro_password_step(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/professionnel/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="S'identifier").click()


def _pro_enrol(page: Page, base: str) -> None:
    account = new_organisation()
    _pro_password_step(page, base, account.user.username, account.provisional_password)
    assert page.url.endswith("/double-authentification/"), page.url


def _pro_change_password(page: Page, base: str) -> None:
    account = new_organisation()
    _pro_password_step(page, base, account.user.username, account.provisional_password)
    page.get_by_label("Code de vérification").fill(
        code_for(TOTPDevice.objects.get(user=account.user))
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Valider").click()
    assert page.url.endswith("/mot-de-passe-provisoire/"), page.url


def _pro_verify_code(page: Page, base: str) -> None:
    user, _device = active_principal_admin()
    _pro_password_step(page, base, user.username, PRO_PASSWORD)
    assert page.url.endswith("/connexion/code/"), page.url


def _financeur_dossier(state: str) -> Callable[[Page, str], None]:
    """The financeur's page of a dossier in ``state`` (the sweeps' one is only sent), and
    his work list showing dossiers in every state."""

    def reach(page: Page, base: str) -> None:
        world = financeur_world()
        dossier = validated_dossier(world)
        sent_sur_temps(world)
        if state == "clos":
            dossier = dossier_actions.close_dossier(
                dossier.pk, by=world.financeur, version=dossier.version, hours_done=130
            )
        _log_in(page, base, client_of(world.financeur))
        page.goto(base + reverse("professionnel:dossier", args=[dossier.public_id]))

    return reach


def _financeur_work_list(page: Page, base: str) -> None:
    world = financeur_world()
    for _ in range(3):
        sent_dossier(world)
    validated_dossier(world)
    _log_in(page, base, client_of(world.financeur))
    page.goto(base + reverse("professionnel:dossiers"))


def _password_reset_link(page: Page, base: str) -> None:
    url = reset_url(registered_holder())
    page.goto(base + url[url.index("/titulaire/") :])


def _email_change_link(page: Page, base: str) -> None:
    token = request_email_change(registered_holder(), "touria.nouvelle@example.net")
    page.goto(f"{base}/titulaire/informations-personnelles/courriel/confirmation/{token}/")


def _dossier_in(state: str) -> Callable[[Page, str], None]:
    """The holder's page of a dossier in ``state`` (the route review sees a draft),
    built once for the page's browser, then opened again by each state of the review."""

    def build() -> tuple[Client, str]:
        world = dossier_world()
        if state == "brouillon-sur-temps-de-travail":
            dossier = ready_dossier(world, working_time=WorkingTime.SUR)
            dossier = dossier_actions.record_employer_request(
                dossier.pk,
                by=world.holder,
                version=dossier.version,
                requested_on=timezone.localdate(),
            )
        elif state == "complement":
            dossier = sent_dossier(world)
            dossier = dossier_actions.request_complement(
                dossier.pk,
                by=world.financeur,
                version=dossier.version,
                message="Joignez le programme détaillé de la formation.",
            )
        else:
            dossier = validated_dossier(world)
            if state == "clos":
                dossier_actions.close_dossier(
                    dossier.pk, by=world.financeur, version=dossier.version, hours_done=130
                )
            elif state == "annule":
                dossier_actions.cancel_validated(
                    dossier.pk,
                    by=world.financeur,
                    version=dossier.version,
                    motif="La session de formation a été supprimée par l'organisme.",
                )
        client = Client()
        client.force_login(world.holder)
        return client, f"/titulaire/dossiers-de-formation/{dossier.public_id}/"

    def reach(page: Page, base: str) -> None:
        if not hasattr(page, "mcf_dossier_url"):
            client, page.mcf_dossier_url = build()
            _log_in(page, base, client)
        page.goto(base + page.mcf_dossier_url)

    return reach


DOSSIER_STATES = ("brouillon-sur-temps-de-travail", "complement", "valide", "clos", "annule")


def _holder_delegations(detail: bool) -> Callable[[Page, str], None]:
    def reach(page: Page, base: str) -> None:
        if not hasattr(page, "mcf_url"):
            world, _, _, to_jean, _ = delegation_world()
            client = Client()
            client.force_login(world.holder)
            _log_in(page, base, client)
            page.mcf_url = (
                reverse("titulaire:delegation", args=[to_jean.public_id])
                if detail
                else reverse("titulaire:delegations")
            )
        page.goto(base + page.mcf_url)

    return reach


def _delegate(path: str) -> Callable[[Page, str], None]:
    """Jean in Touria's account (the banner), on ``path`` (a page his délégation opens, or
    one it does not: the refusal)."""

    def reach(page: Page, base: str) -> None:
        if not hasattr(page, "mcf_ready"):
            _, _, jean, to_jean, _ = delegation_world()
            client = Client()
            client.force_login(jean)
            client.post(reverse("titulaire:delegation_open", args=[to_jean.public_id]))
            _log_in(page, base, client)
            page.mcf_ready = True
        page.goto(base + path)

    return reach


def _invitation(logged_in: bool) -> Callable[[Page, str], None]:
    def reach(page: Page, base: str) -> None:
        from mcf.domain.delegations import actions as delegations
        from tests.domain.delegations.builders import in_days, second_holder

        holder, jean = registered_holder(), second_holder()
        _, token = delegations.invite_person(
            holder, email=jean.email, consult=True, modify=True, ends_on=in_days(365)
        )
        if logged_in:
            client = Client()
            client.force_login(jean)
            _log_in(page, base, client)
        page.goto(f"{base}/titulaire/delegations/invitation/{token}/")
        if logged_in:
            page.goto(base + reverse("titulaire:delegation_invitation_resume"))

    return reach


def _employer(path: str) -> Callable[[Page, str], None]:
    def reach(page: Page, base: str) -> None:
        if not hasattr(page, "mcf_url"):
            _, admin, _, _, dossier = delegation_world()
            _log_in(page, base, client_of(admin))
            page.mcf_url = path or reverse("professionnel:employer_request",
                                           args=[dossier.public_id])  # fmt: skip
        page.goto(base + page.mcf_url)

    return reach


def _goto(path: str) -> Callable[[Page, str], None]:
    def reach(page: Page, base: str) -> None:
        page.goto(base + path)

    return reach


# Pages of a route with a parameter that only some values open (the content pages, the
# CGU versions): opened by the anonymous visitor with each of their values.
STATIC_PAGES = [
    *[(f"page-{p.slug}", p.url) for p in PAGES],
    *[(f"cgu-{v.version}", reverse("public:cgu_version", args=[v.version])) for v in cgu.VERSIONS],
]
STATIC_ROUTES = ("public:page", "public:cgu_version")

JOURNEYS = [
    Journey("inscription", "2-identite", ("titulaire:registration_identity",), step_identity),
    Journey("inscription", "3-mot-de-passe", ("titulaire:registration_password",), step_password),
    Journey("inscription", "4-fin", ("titulaire:registration_done",), step_done),
    Journey(
        "inscription", "5-confirmation", ("titulaire:registration_confirm",), confirmation, False
    ),
    Journey(
        "titulaire",
        "password_reset_confirm",
        ("titulaire:password_reset_confirm",),
        _password_reset_link,
    ),
    Journey(
        "titulaire",
        "email_change_confirm",
        ("titulaire:email_change_confirm",),
        _email_change_link,
        False,
    ),
    *[
        Journey("titulaire", f"dossier-{state}", ("titulaire:dossier",), _dossier_in(state))
        for state in DOSSIER_STATES
    ],
    Journey("titulaire", "delegations-remplies", (), _holder_delegations(False), False),
    Journey("titulaire", "delegation", ("titulaire:delegation",), _holder_delegations(True)),
    Journey("titulaire", "delegue-accueil", (), _delegate("/titulaire/"), False),
    Journey("titulaire", "delegue-heures", (), _delegate("/titulaire/compte-d-heures/"), False),
    Journey("titulaire", "delegue-refus", (), _delegate("/titulaire/historique/"), False),
    Journey(
        "titulaire",
        "delegation_invitation",
        ("titulaire:delegation_invitation",),
        _invitation(False),
        False,
    ),
    Journey(
        "titulaire",
        "delegation_invitation_resume",
        ("titulaire:delegation_invitation_resume",),
        _invitation(True),
        False,
    ),
    Journey(
        "professionnel",
        "employees",
        ("professionnel:employees",),
        _employer("/professionnel/salaries/"),
        False,
    ),
    Journey(
        "professionnel",
        "employer_requests",
        ("professionnel:employer_requests",),
        _employer("/professionnel/demandes-d-accord/"),
        False,
    ),
    Journey(
        "professionnel", "employer_request", ("professionnel:employer_request",), _employer("")
    ),
    Journey("professionnel", "enrol", ("professionnel:enrol",), _pro_enrol),
    Journey("professionnel", "dossier-valide", (), _financeur_dossier("valide")),
    Journey("professionnel", "dossier-clos", (), _financeur_dossier("clos")),
    Journey("professionnel", "dossiers-remplis", (), _financeur_work_list),
    Journey("professionnel", "verify_code", ("professionnel:verify_code",), _pro_verify_code),
    Journey(
        "professionnel", "change_password", ("professionnel:change_password",), _pro_change_password
    ),
]

# The error pages, as the handlers of mcf/core/errors.py render them (a 500 cannot be
# caused on purpose: the handler's own page is served at a URL of the live server).
ERROR_PAGES = {
    "400": errors.bad_request,
    "403": errors.permission_denied,
    "403_csrf": errors.csrf_failure,
    "404": errors.page_not_found,
    "429": errors.too_many_requests,
    "500": errors.server_error,
}


def test_every_route_is_reviewed():
    """A new route is in the review (and the gallery) or says why it serves no page."""
    journeys = {key for journey in JOURNEYS for key in journey.routes} | set(STATIC_ROUTES)
    reviewed = {route.key for route in ROUTE_PAGES} | journeys
    unreviewed = [
        route.key
        for route in ROUTES
        if route.key not in reviewed | set(NO_PAGE)
        and not _is_object_redirection(route)
        and ACCESS.get(route.key)  # a page someone may open by GET
    ]
    nobody = [
        route.key
        for route in ROUTES
        if not ACCESS.get(route.key)
        and route.key not in journeys | set(NO_PAGE)
        and not _is_object_redirection(route)
        # Back-office models without adding or deleting (the access table says so).
        and not (route.namespace == "admin" and route.key.endswith(("_add", "_delete")))
    ]
    assert not unreviewed, f"routes missing from the review: {unreviewed}"
    assert not nobody, f"routes opened by nobody, with no journey nor NO_PAGE reason: {nobody}"
    assert not set(NO_PAGE) - {route.key for route in ROUTES}, "stale NO_PAGE line"


# --------------------------------------------------------------------------------------
# The states of a page
# --------------------------------------------------------------------------------------


# The forms of the page's content (not the header's search or logout) with a field a person
# fills, and what each state puts in their fields.
FORMS_JS = """
(mode) => {
  const forms = [...document.querySelectorAll('main form, #content form')].filter((form) =>
    [...form.elements].some((el) => el.matches(
      'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=file]), '
      + 'select, textarea') && el.checkVisibility() && !el.disabled));
  return forms.length;
}
"""

FILL_JS = """
([index, mode]) => {
  const forms = [...document.querySelectorAll('main form, #content form')].filter((form) =>
    [...form.elements].some((el) => el.matches(
      'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=file]), '
      + 'select, textarea') && el.checkVisibility() && !el.disabled));
  const GOOD = {email: 'camille.martin@example.net', tel: '06 12 34 56 78', number: '12',
    password: 'Chocolat-2026x', date: '2024-01-15', url: 'https://example.net/',
    search: 'anglais', text: 'Camille Martin'};
  const BAD = {email: 'x1', tel: 'x1', number: '-1', password: 'x1', date: '',
    url: 'x1', search: 'x1', text: 'x1'};
  const chosen = index === null ? forms : [forms[index]];
  const seen = new Set();
  for (const form of chosen) {
    for (const el of form.elements) {
      if (el.disabled || el.readOnly) continue;
      const type = (el.getAttribute('type')
        || (el.tagName === 'INPUT' ? 'text' : '')).toLowerCase();
      if (['hidden', 'submit', 'button', 'file', 'reset', 'image'].includes(type)) continue;
      if (el.tagName === 'SELECT') {
        const options = [...el.options].filter((o) => !o.disabled);
        if (mode === 'good' && options.length) {
          options.sort((a, b) => b.text.length - a.text.length)[0].selected = true;
        } else if (options.length) {
          options[0].selected = true;
        }
      } else if (type === 'checkbox' || type === 'radio') {
        el.checked = mode === 'good' && (type === 'checkbox' || !seen.has(el.name));
        seen.add(el.name);
      } else if (el.tagName === 'TEXTAREA') {
        el.value = mode === 'good' ? 'Bonjour, je voudrais connaître mes heures DIF.'
          : mode === 'bad' ? 'x1' : '';
      } else {
        el.value = mode === 'good' ? (GOOD[type] ?? 'Camille Martin')
          : mode === 'bad' ? (BAD[type] ?? 'x1') : '';
      }
      el.dispatchEvent(new Event('input', {bubbles: true}));
      el.dispatchEvent(new Event('change', {bubbles: true}));
    }
  }
  if (index === null) return;
  // Submitted as the browser would with its first submit button, without the browser's
  // own validation (the server's messages are the state to see).
  const form = chosen[0];
  const button = form.querySelector('[type=submit], button:not([type])');
  if (button && button.name) {
    const pressed = document.createElement('input');
    Object.assign(pressed, {type: 'hidden', name: button.name, value: button.value});
    form.append(pressed);
  }
  HTMLFormElement.prototype.submit.call(form);
}
"""


class Review:
    """The pages of one test, checked (and photographed) as they go; what the checks find,
    by page, width and problem, with the states where it was seen."""

    def __init__(self, page: Page):
        self.page = page
        self.found: dict[tuple[str, int, str], list[str]] = {}
        self.width = WIDTHS[0]

    def check(self, folder: str, name: str, state: str) -> None:
        wait_for_dsfr(self.page)
        # Both widths, starting from the current one (one resize per state).
        for width in sorted(WIDTHS, key=lambda w: w != self.width):
            checked = width in CHECKED_WIDTHS.get(folder, WIDTHS)
            if not checked and not gallery.folder():
                continue
            if width != self.width:
                self.page.set_viewport_size({"width": width, "height": HEIGHT})
                self.width = width
            problems = self.page.evaluate(CHECK_JS) if checked else []
            for problem in problems:
                self.found.setdefault((f"{folder}/{name}", width, problem), []).append(state)
            gallery.shoot(self.page, folder, name, state, width, problems)

    def states(self, folder: str, name: str, reach: Callable[[], None], forms: bool = True) -> None:
        """The page as it opens, filled, then each of its forms submitted blank and bad."""
        path = urlsplit(self.page.url).path
        self.check(folder, name, "empty")
        count = self.page.evaluate(FORMS_JS) if forms else 0
        if not count:
            return
        self.page.evaluate(FILL_JS, [None, "good"])
        self.check(folder, name, "filled")
        for index in range(count):
            suffix = f"-{index + 1}" if count > 1 else ""
            for mode in ("blank", "bad"):
                # Sent from the page as the previous step left it (filled, or showing the
                # previous submit's errors), or from the page anew if that led elsewhere.
                same = urlsplit(self.page.url).path == path
                if not same or self.page.evaluate(FORMS_JS) != count:
                    reach()
                try:
                    with self.page.expect_navigation():
                        self.page.evaluate(FILL_JS, [index, mode])
                except PlaywrightError as error:
                    if "net::ERR_ABORTED" not in str(error):
                        raise
                    reach()  # the form answered with a file (a download): no page to see
                    continue
                self.check(folder, name, f"error-{mode}{suffix}")

    def review(self, folder: str, name: str, reach: Callable[[], None], forms: bool = True):
        """``states``, a failure to reach a state recorded as a problem of the page: one
        page that breaks does not hide what the checks find on the others."""
        try:
            reach()
            self.states(folder, name, reach, forms)
        except (AssertionError, PlaywrightError) as error:
            message = str(error).splitlines()[0]
            self.found.setdefault((f"{folder}/{name}", 0, f"not reviewed: {message}"), [])

    def assert_no_problem(self) -> None:
        lines = [
            f"{where} at {width} px ({', '.join(dict.fromkeys(states))}): {problem}"
            for (where, width, problem), states in sorted(self.found.items())
        ]
        assert not lines, f"{len(lines)} layout problem(s):\n" + "\n".join(lines)


CHECK_JS = "async () => { await document.fonts.ready; return (" + CHECKS.read_text() + ")(); }"


@pytest.fixture(scope="session")
def review_context(browser: Browser) -> BrowserContext:
    context = _new_context(browser)
    yield context
    context.close()


@pytest.fixture
def review(review_context: BrowserContext, live_server) -> Review:
    review_context.clear_cookies()
    page = review_context.new_page()
    yield Review(page)
    page.close()
    review_context.clear_cookies()


_log_in = take_session


def _feed(holder: User) -> None:
    with transaction.atomic():
        for year, hours in [(2015, 24), (2016, 24), (2017, 24), (2018, 24), (2019, 24)]:
            counter = Counter.objects.select_for_update().get(holder=holder)
            credit_feed(counter, year=year, hours=hours, source="test")
    enter_dif(holder, 45)


def _opener(page: Page, url: str) -> Callable[[], None]:
    def reach() -> None:
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response}"
        assert "text/html" in response.headers.get("content-type", ""), (
            f"{url} is not a page: name it in NO_PAGE"
        )

    return reach


ROLES = sorted({role_of(route) for route in ROUTE_PAGES})


@pytest.fixture
def clients(db) -> dict[str, Client]:
    """The sweeps' users (tests/web/conftest.py), committed: the live server reads them."""
    return build_clients()


@pytest.fixture
def route_objects(clients, settings, tmp_path):
    settings.FEED_UPLOAD_DIR = tmp_path
    return build_route_objects()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_every_state(review, live_server, clients, route_objects, role):
    """Every page a role opens, in each state. One test per role: the objects of the routes
    are built once (a few seconds), the pages share them."""
    page, base = review.page, live_server.url
    _log_in(page, base, clients[role])
    pages = [
        (
            FOLDERS[route.namespace],
            route.name or route.pattern,
            base + route.url(route_values(route, *route_objects)[0]),
        )
        for route in ROUTE_PAGES
        if role_of(route) == role
    ]
    if role == "anonymous":
        pages += [("public", name, base + path) for name, path in STATIC_PAGES]
    for folder, name, url in pages:
        review.review(folder, name, _opener(page, url))
    if role == "holder":
        # The same pages with a fed account: movements, balances, the chart.
        _feed(User.objects.get(pk=clients["holder"].session["_auth_user_id"]))
        for folder, name, url in pages:
            _opener(page, url)()
            review.check(folder, name, "data")
    review.assert_no_problem()


@pytest.mark.parametrize("journey", JOURNEYS, ids=[f"{j.folder}/{j.name}" for j in JOURNEYS])
def test_every_journey_page_in_every_state(review, live_server, settings, journey):
    settings.CAPTCHA_TEST_MODE = True
    journey.reach(review.page, live_server.url)
    review.states(
        journey.folder, journey.name, _opener(review.page, review.page.url), journey.forms
    )
    review.assert_no_problem()


def _serve(html: str):
    return lambda route: route.fulfill(body=html, content_type="text/html")


def test_every_error_page(review, live_server):
    page, base = review.page, live_server.url
    for name, handler in sorted(ERROR_PAGES.items()):
        html = handler(RequestFactory().get("/")).content.decode()
        url = f"{base}/erreur-{name}/"
        page.route(url, _serve(html))
        page.goto(url)
        review.check("erreurs", name, "empty")
    review.assert_no_problem()

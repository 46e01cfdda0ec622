"""Every route of the portal, for each space's user, against hostile input.

The per-page tests check what each form says; this sweep checks what no page may do,
whichever route a new issue adds (the routes are read from the URL resolver, the fields
from each page's own forms):

* VAL-01: unexpected input (NUL bytes, 10 000 characters, RTL override and combining
  characters, markup, SQL, huge and non-numbers) in every field of every form and in the
  query string gives a page, a form error, a redirection, 400, 403, 404 or 405 — never a
  server error; markup sent is never echoed unescaped (VAL-02);
* AC-06: a POST without the CSRF token is refused with 403 on every route;
* HDR-01: every response carries the security headers, and an authenticated page
  ``Cache-Control: no-store``;
* PRIV-02: the holder's NIR, in any grouping, is in no page, header or redirection (his
  own profile shows it masked);
* every HTML page is in French, has a title and exactly one ``<h1>`` (RGAA 8.3, 8.5, 9.1).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.domain.accounts.models import User
from tests.domain.organisations.builders import active_principal_admin, verified_client
from tests.factories import NIR_B, registered_holder
from tests.web.catalogue.conftest import build_catalogue

pytestmark = pytest.mark.django_db

MARKUP = "<script>alert('mcf')</script>"
HOSTILE = [
    "",
    "\x00",
    "x" * 10_000,
    "\u202egnp.exe\u202c e\u0301\u0327 عربي",
    MARKUP,
    "' OR 1=1 --",
    "-1",
    "99999999999999999999999999",
    "1e400",
    "NaN",
    "../../../etc/passwd",
    "🧑‍🎓",
]
# Query parameters the pages read, besides the names of their forms' fields.
QUERY_KEYS = ["q", "page", "next", "tri", "lieu", "o", "p", "e", "_changelist_filters"]
# Which space's user visits which routes (everyone else is tested anonymous).
SPACES = {"titulaire": "holder", "professionnel": "professional", "admin": "operator"}
# Namespaces of pages without login (the root one: health check, captcha media…).
OPEN_NAMESPACES = {"", "public", "antibot"}
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")
# The holder's NIR with any spacing between its characters (« 2 90 10 2A 123 123 54 »…).
# Not NIR_A: it is the seed's example, printed in the help text of the NIR fields.
HOLDER = NIR_B
HOLDER_NIR = re.compile(r"\s*".join(HOLDER))
# A route's parameters, by converter or name: values that exist, and some that do not.
MISSING_ID = "999999"


@dataclass(frozen=True)
class Route:
    pattern: str  # the route as written, for the test's id
    namespace: str
    parts: tuple  # literal text and parameter names (str) / converters, in order

    def url(self, values: dict[str, str]) -> str:
        return "/" + "".join(values.get(part, part) for part in self.parts)


def _routes() -> list[Route]:
    """Every route of the resolver, as (literal, parameter…) parts."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: tuple, namespace: str) -> None:
        for entry in resolver.url_patterns:
            parts = prefix + _parts(str(entry.pattern))
            if isinstance(entry, URLResolver):
                walk(entry, parts, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                found.append(Route("".join(parts), namespace, parts))

    walk(get_resolver(), (), "")
    return found


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _parts(pattern: str) -> tuple:
    """``formations/<int:pk>/`` → ("formations/", "<int:pk>", "/"); regex routes
    (the admin's) likewise, anchors removed."""
    pattern = pattern.removeprefix("^").removesuffix("$")
    parts: list[str] = []
    position = 0
    for match in PARAMETER.finditer(pattern):
        parts += [pattern[position : match.start()], match.group(0)]
        position = match.end()
    parts.append(pattern[position:])
    return tuple(part for part in parts if part)


ROUTES = _routes()


def _values(route: Route, offer_id: int) -> list[dict[str, str]]:
    """Parameter values for ``route``: one set that may exist, one that does not (both
    match the route's converters: the request reaches the view)."""
    existing, missing = {}, {}
    for part in route.parts:
        match = PARAMETER.fullmatch(part)
        if not match:
            continue
        converter, name = match.group(1), match.group(2) or match.group(3)
        if converter == "int":
            existing[part], missing[part] = str(offer_id), MISSING_ID
        elif converter == "uuid":
            existing[part] = missing[part] = str(uuid.UUID(int=7))
        elif name == "app_label":
            existing[part], missing[part] = "hours", "hours"
        elif converter == "slug":
            existing[part], missing[part] = "1", "page-inconnue"
        else:  # str, slug, path (object ids of the back office, tokens, page slugs)
            existing[part], missing[part] = "1", "x'%20OR%201=1"
    return [existing, missing] if existing else [existing]


@pytest.fixture
def clients(db) -> dict[str, Client]:
    """A browser per kind of user, each logged in to its own space."""
    holder = Client()
    holder.force_login(registered_holder(HOLDER))
    professional = verified_client(*active_principal_admin())
    operator = User.objects.create_user(
        username="operatrice", password="x", is_staff=True, kind=User.Kind.OPERATEUR
    )
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["import_declarations", "correct_counter"])
    )
    device = TOTPDevice.objects.create(user=operator, name="Téléphone", confirmed=True)
    browsers = {
        "anonymous": Client(),
        "holder": holder,
        "professional": professional,
        "operator": verified_client(operator, device),
    }
    for browser in browsers.values():
        browser.raise_request_exception = False  # a server error is a status to report
    return browsers


def test_every_namespace_is_known():
    """A new space's routes must say who visits them (else they are swept anonymous only)."""
    assert {route.namespace for route in ROUTES} <= OPEN_NAMESPACES | set(SPACES)


def _visitors(route: Route) -> list[str]:
    space = SPACES.get(route.namespace.split(":")[0])
    return ["anonymous", space] if space else ["anonymous"]


def _fields(html: str) -> list[str]:
    return sorted({name for name in FIELD.findall(html) if name != "csrfmiddlewaretoken"})


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_val_01_no_route_answers_hostile_input_with_a_server_error(route, clients):
    offer_id = build_catalogue().anglais.pk
    failures = []
    for visitor in _visitors(route):
        browser = clients[visitor]
        for values in _values(route, offer_id):
            url = route.url(values)
            page = browser.get(url)
            html = page.content.decode(errors="replace") if page.status_code == 200 else ""
            fields = _fields(html)
            for payload in HOSTILE:
                for method, data in (
                    ("get", dict.fromkeys(QUERY_KEYS + fields, payload)),
                    ("post", dict.fromkeys(fields or ["champ"], payload)),
                ):
                    response = getattr(browser, method)(url, data)
                    where = f"{visitor} {method.upper()} {url} {payload[:20]!r}"
                    if response.status_code >= 500:
                        failures.append(f"{where}: {response.status_code}")
                    elif payload == MARKUP and MARKUP in response.content.decode(errors="replace"):
                        failures.append(f"{where}: markup echoed unescaped")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_ac_06_a_post_without_csrf_token_is_refused_on_every_route(route, clients):
    offer_id = build_catalogue().anglais.pk
    for visitor in _visitors(route):
        browser = clients[visitor]
        browser.handler.enforce_csrf_checks = True
        for values in _values(route, offer_id):
            url = route.url(values)
            response = browser.post(url, {"champ": "valeur"})
            assert response.status_code == 403, f"{visitor} POST {url}"


REFERRER_POLICIES = ("same-origin", "strict-origin", "no-referrer")


def _csp(response) -> dict[str, str]:
    policy = response.get("Content-Security-Policy", "")
    return dict(([*part.strip().split(" ", 1), ""])[:2] for part in policy.split(";") if part)


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_hdr_01_priv_02_every_page_as_each_role(route, clients):
    offer_id = build_catalogue().anglais.pk
    failures = []
    for visitor in _visitors(route):
        for values in _values(route, offer_id):
            url = route.url(values)
            response = clients[visitor].get(url, secure=True)
            where = f"{visitor} GET {url} ({response.status_code})"
            csp = _csp(response)
            headers_ok = (
                csp.get("default-src") == "'self'"
                and csp.get("object-src") == "'none'"
                and csp.get("base-uri") == "'none'"
                and csp.get("frame-ancestors") == "'none'"
                and csp.get("form-action") == "'self'"
                and "unsafe-inline" not in response.get("Content-Security-Policy", "")
                and response.get("X-Content-Type-Options") == "nosniff"
                # strict-origin on the pages with a token in their URL: registration_views.
                and response.get("Referrer-Policy") in REFERRER_POLICIES
                and response.get("Cross-Origin-Opener-Policy") == "same-origin"
                and response.get("Strict-Transport-Security", "").startswith("max-age=31536000")
                and "Server" not in response
                and "X-Powered-By" not in response
            )
            if not headers_ok:
                failures.append(f"{where}: security headers")
            if (
                visitor != "anonymous"
                and response.status_code == 200
                and "no-store" not in response.get("Cache-Control", "")
            ):
                failures.append(f"{where}: authenticated page without no-store")
            text = "" if response.streaming else response.content.decode(errors="replace")
            if HOLDER_NIR.search(text) or HOLDER_NIR.search(response.get("Location", "")):
                failures.append(f"{where}: the holder's NIR in clear")
            if response.status_code == 200 and "<html" in text:  # a page, not a fragment
                if '<html lang="fr"' not in text and "<html lang='fr'" not in text:
                    failures.append(f"{where}: not marked as French")
                title = re.search(r"<title>\s*(.*?)\s*</title>", text, re.S)
                if not title or not title.group(1):
                    failures.append(f"{where}: no title")
                if len(re.findall(r"<h1[\s>]", text)) != 1:
                    failures.append(f"{where}: {len(re.findall(r'<h1[\s>]', text))} <h1>")
    assert not failures, "\n".join(failures)

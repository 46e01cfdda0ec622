"""Every route of the portal, for each space's user, against hostile input.

The per-page tests check what each form says; this sweep checks what no page may do,
whichever route a new issue adds (the routes are read from the URL resolver, the fields
from each page's own forms):

* VAL-01: unexpected input (NUL bytes, 10 000 characters, RTL override and combining
  characters, markup, SQL, huge and non-numbers, digits that are not ASCII: « ² », « ٣ »,
  full-width « １２ », Unicode spaces and dashes) in every field of every form — a route
  that only takes a POST gets the fields of the forms that post to it from its parent
  pages — and in the query string gives a page, a form error, a redirection, 400, 403, 404
  or 405 — never a server error; markup sent is never echoed unescaped (VAL-02);
* AC-06: a POST without the CSRF token is refused with 403 on every route;
* HDR-01: every response carries the security headers, and an authenticated page
  ``Cache-Control: no-store``;
* PRIV-02: the holder's NIR, in any grouping, is in no page, header or redirection (his
  own profile shows it masked); typed into every field of every form, it is in no log
  line and no e-mail;
* every HTML page is in French, has a title and exactly one ``<h1>`` (RGAA 8.3, 8.5, 9.1),
  and shows no template syntax as text (a ``{# … #}`` over two lines).
"""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail

from mcf.domain.mailing.models import OutboxEmail
from mcf.web.idempotency import FIELD as KEY_FIELD
from tests.web.keys import client_key
from tests.web.routes import (
    HOLDER,
    OPEN_NAMESPACES,
    ROUTES,
    SPACES,
    body,
    page_forms,
    route_values,
    status,
    visitors,
)

# A whole-site sweep: run on PostgreSQL only (make test-sqlite skips it, see Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

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
    # Digits that are not ASCII: « ² » passes str.isdigit() and makes int() raise; « ٣ »
    # and full-width « １２ » pass int() and a regular expression's \d (mcf/core/digits.py).
    "²",
    "１２٣",
    # Unicode separators and dashes between digits (no-break, narrow no-break, line
    # separator, hyphens U+2010–U+2014, minus), full-width letters, RTL and LTR marks.
    "1\u00a02\u202f3\u20284\u20105\u20116\u20127\u20138\u20149\u22120",
    "\u200fＡｂｃ\u200e",
    " ".join(
        [
            HOLDER[:1],
            HOLDER[1:3],
            HOLDER[3:5],
            HOLDER[5:7],
            HOLDER[7:10],
            HOLDER[10:13],
            HOLDER[13:],
        ]
    ),
]
# The idempotency key of a form gets the first payloads (none, NUL, 10 000 characters).
KEY_PAYLOADS = 3
# Query parameters the pages read, besides the names of their forms' fields.
QUERY_KEYS = ["q", "page", "next", "tri", "lieu", "o", "p", "e", "_changelist_filters"]
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\sname=\"([^\"]+)\"")  # not data-…-name
# The holder's NIR with any spacing between its characters (« 2 90 10 2A 123 123 54 »…).
HOLDER_NIR = re.compile(r"\s*".join(HOLDER))


def test_every_namespace_is_known():
    """A new space's routes must say who visits them (else they are swept anonymous only)."""
    assert {route.namespace for route in ROUTES} <= OPEN_NAMESPACES | set(SPACES)


def _fields(html: str) -> list[str]:
    return sorted({name for name in FIELD.findall(html) if name != "csrfmiddlewaretoken"})


def _posted_here(browser, url: str) -> list[str]:
    """The fields of the forms that post to ``url``, read from its parent pages: a route
    that only takes a POST (« Fermer » a session, a section of « Mes informations
    personnelles ») has no page of its own to read them from."""
    names: set[str] = set()
    parts = url.strip("/").split("/")
    for depth in range(len(parts) - 1, 0, -1):
        page_url = "/" + "/".join(parts[:depth]) + "/"
        page = browser.get(page_url)
        if page.status_code != 200:
            continue
        for form in page_forms(body(page)):
            if form.method == "post" and (form.action or page_url) == url:
                names.update(form.values)
    return sorted(names - {"csrfmiddlewaretoken"})


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_val_01_no_route_answers_hostile_input_with_a_server_error(
    route, clients, route_objects, caplog
):
    caplog.set_level(logging.INFO)
    failures = []
    for visitor in visitors(route):
        browser = clients[visitor]
        for values in route_values(route, *route_objects):
            url = route.url(values)
            page = browser.get(url)
            html = body(page)
            fields = _fields(html) if page.status_code == 200 else _posted_here(browser, url)
            for index, payload in enumerate(HOSTILE):
                posted = dict.fromkeys(fields or ["champ"], payload)
                if KEY_FIELD in posted and index >= KEY_PAYLOADS:
                    # A valid idempotency key (REL-04), so that the payload reaches the
                    # change itself; the key gets the first payloads only.
                    posted[KEY_FIELD] = client_key(browser, route.key)
                for method, data in (
                    ("get", dict.fromkeys(QUERY_KEYS + fields, payload)),
                    ("post", posted),
                ):
                    response = getattr(browser, method)(url, data)
                    text = body(response)
                    where = f"{visitor} {method.upper()} {url} {payload[:20]!r}"
                    if response.status_code >= 500:
                        failures.append(f"{where}: {response.status_code}")
                    elif payload == MARKUP and MARKUP in text:
                        failures.append(f"{where}: markup echoed unescaped")
    # PRIV-02: the NIR typed into every field is in no log line and no e-mail.
    if HOLDER_NIR.search(caplog.text):
        failures.append("the NIR in the logs")
    mails = [m.subject + m.body for m in mail.outbox]
    mails += [m.subject + m.body for m in OutboxEmail.objects.all()]
    failures += [f"the NIR in an e-mail: {m[:80]!r}" for m in mails if HOLDER_NIR.search(m)]
    assert not failures, "\n".join(failures)


TOKEN_NAMESPACES = {"api-v1"}


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_ac_06_a_post_without_csrf_token_is_refused_on_every_route(route, clients, route_objects):
    if route.namespace in TOKEN_NAMESPACES or route.key == "api_token":
        # The API reads no cookie: a bearer token (or, at the token endpoint, the client's
        # secret), which a third-party page cannot send, is its only credential
        # (tests/web/api/test_dossiers_api.py: a session opens nothing there), so there is
        # no CSRF to refuse.
        return
    for visitor in visitors(route):
        browser = clients[visitor]
        browser.handler.enforce_csrf_checks = True
        for values in route_values(route, *route_objects):
            url = route.url(values)
            response = browser.post(url, {"champ": "valeur"})
            assert status(response) == 403, f"{visitor} POST {url}"


REFERRER_POLICIES = ("same-origin", "strict-origin", "no-referrer")


def _csp(response) -> dict[str, str]:
    policy = response.get("Content-Security-Policy", "")
    return dict(([*part.strip().split(" ", 1), ""])[:2] for part in policy.split(";") if part)


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_hdr_01_priv_02_every_page_as_each_role(route, clients, route_objects):
    failures = []
    for visitor in visitors(route):
        for values in route_values(route, *route_objects):
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
            text = body(response)
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
                # A {# … #} comment over two lines is not one: Django shows it as text.
                if re.search(r"\{#|#\}|\{%|%\}", text):
                    failures.append(f"{where}: template syntax shown as text")
    assert not failures, "\n".join(failures)

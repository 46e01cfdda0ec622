"""Fixtures of the end-to-end browser tests (`make test-browser`, `pytest -m browser`).

One headless Chromium (Debian's, at /usr/bin/chromium: Playwright's own download is not
used) is launched once per run and shared by every test. Each journey gets a fresh browser
context (a newcomer: no cookie, CSP enforced); the axe runs share one context of their own
(CSP enforced too, see ``axe_context``). The portal itself is served by
pytest-django's ``live_server`` (a Django server thread in this process, static files
included), with the production-like settings of tests/settings.py (DEBUG off, strict CSP).
The registration journeys of test_registration_journey.py run against the real stack of
`make run` instead: ``recorded_journey`` and ``assert_no_axe_violations`` take any page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No request of Chromium's own (updates, sync, safe browsing…) may pollute the
    # "no third party" check of the journeys.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A desktop window: the header search field and the main menu are shown inline, as on the
# seed site (below 992 px the DSFR folds them into « Menu » and « Rechercher » modals).
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    # Every test of this folder is a browser test, even one that forgets `pytestmark`:
    # `pytest -m "not browser"` (the SQLite and PostgreSQL runs) must never start Chromium.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True, scope="session")
def _production_template_rendering(_fail_on_undefined_template_variables):
    # The strict undefined-variable check changes how third-party templates render (Django
    # skips filters such as `|default` when `string_if_invalid` is set), so django-dsfr's
    # form fields would lose their classes. The browser and axe must see what users see;
    # undefined variables are caught by the client-based suite.
    engine = _fail_on_undefined_template_variables
    strict, engine.string_if_invalid = engine.string_if_invalid, ""
    yield
    engine.string_if_invalid = strict


@pytest.fixture(scope="session")
def browser(live_server) -> Iterator[Browser]:
    # Depending on live_server makes pytest close the browser before it stops the server:
    # the other way round, the server thread would drop the sockets of Chromium's
    # keep-alive connections unclosed (a ResourceWarning, hence an error in this suite).
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API drives the browser from an asyncio event loop that it keeps
    # running in the main thread (the test code runs in a greenlet inside that loop). From
    # then on Django's async-safety guard sees "a running event loop" in the main thread and
    # refuses every ORM call of the tests and of pytest-django's own fixtures (the
    # transactional_db flush after each test) with SynchronousOnlyOperation. Our code is not
    # a coroutine and never shares a connection with one, so the guard is a false alarm
    # here. It is lifted only while the browser runs, not at import time, so that
    # `pytest -m "not browser"` keeps the guard for the rest of the suite.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()


def _new_context(browser: Browser, **options) -> BrowserContext:
    # Reduced motion: the DSFR then skips its opening transitions (menus, collapses), and
    # Playwright does not wait for an element to stop moving before clicking it.
    context = browser.new_context(
        viewport=VIEWPORT, locale="fr-FR", reduced_motion="reduce", **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def wait_for_dsfr(page: Page) -> None:
    """Wait until the DSFR script has started (it marks <html data-fr-js="true">).

    Pages without the DSFR script (the error pages) are ready once loaded.
    """
    page.wait_for_function(
        """() => document.documentElement.getAttribute('data-fr-js') === 'true'
            || !document.querySelector('script[src*="dsfr"]')"""
    )


# --------------------------------------------------------------------------------------
# Accessibility: axe-core
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_context(browser: Browser) -> Iterator[BrowserContext]:
    """The browser context of the axe runs only, shared by all of them so that the DSFR
    styles, scripts and fonts are downloaded once.

    The site's Content-Security-Policy is enforced here as for the visitors: axe checks the
    page as they get it (see ``axe_violations`` for how axe-core runs despite the CSP).
    """
    context = _new_context(browser)
    yield context
    context.close()


@pytest.fixture
def axe_page(axe_context: BrowserContext, live_server) -> Iterator[Page]:
    page = axe_context.new_page()
    yield page
    page.close()


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core (WCAG 2.0 and 2.1, levels A and AA) on the current page.

    axe-core is evaluated by Playwright (DevTools protocol), not added as a <script>: the
    portal sends ``script-src 'self' 'nonce-…'``, which refuses an injected inline script
    ("Executing inline script violates the following Content Security Policy directive")
    but does not apply to code evaluated by the debugger. axe can thus check a page of a
    journey, whose context enforces the CSP and fails on any console error, in place
    (a page reached by a POST or showing a one-time message cannot be reloaded elsewhere).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source() + "\n;undefined")
    results = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        AXE_TAGS,
    )
    # A run that checked nothing would "pass" silently (e.g. an empty document).
    assert results["passes"] or results["incomplete"], "axe-core checked nothing"
    return results["violations"]


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe-core violation(s) on {url}:"]
    for v in violations:
        targets = [", ".join(n["target"]) for n in v["nodes"][:3]]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} node(s))")
        lines.append(f"    {v['helpUrl']}")
        lines.append(f"    targets: {' | '.join(targets)}{more}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    violations = axe_violations(page)
    if violations:
        pytest.fail(format_violations(page.url, violations))


# --------------------------------------------------------------------------------------
# Journeys: CSP enforced, every request and console error recorded
# --------------------------------------------------------------------------------------


@dataclass
class Journey:
    """A browser context that records what the pages do, for the PRIV-05 and CSP checks."""

    base_url: str
    context: BrowserContext
    page: Page
    requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    checked: bool = False

    def url(self, path: str) -> str:
        return self.base_url + path

    def foreign_requests(self) -> list[str]:
        own = _origin(self.base_url)
        # data: URLs (DSFR icons inlined in the CSS) are not network requests.
        return [u for u in self.requests if not u.startswith("data:") and _origin(u) != own]

    def assert_clean(self) -> None:
        """PRIV-05 and CSP: see the ``journey`` fixture."""
        self.checked = True
        assert self.requests, "no request was recorded"
        foreign = self.foreign_requests()
        assert not foreign, "requests to a third party (PRIV-05):\n" + "\n".join(foreign)
        failed = self.failed_responses
        assert not failed, "error responses:\n" + "\n".join(failed)
        errors = self.console_errors
        assert not errors, "console errors (CSP violations included):\n" + "\n".join(errors)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def recorded_journey(browser: Browser, base_url: str) -> Iterator[Journey]:
    """A fresh visitor (no cookie) of the portal served at ``base_url``, CSP enforced.

    Every request, error response and console error of the context is recorded for
    ``Journey.assert_clean()``; if the test did not call it, it is called on exit.
    """
    context = _new_context(browser)
    page = context.new_page()
    j = Journey(base_url=base_url, context=context, page=page)
    context.on("request", lambda request: j.requests.append(request.url))
    context.on(
        "response",
        lambda response: (
            j.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.on(
        "console",
        lambda msg: (
            j.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: j.console_errors.append(f"uncaught: {error}"))
    try:
        yield j
    finally:
        context.close()
    # The tests call assert_clean() at their end, so that a breach is reported as their
    # failure; this guards a test that forgets to (reported as an error at teardown).
    if not j.checked:
        j.assert_clean()


@pytest.fixture
def journey(browser: Browser, live_server) -> Iterator[Journey]:
    """A fresh visitor (no cookie) of the live server, with the CSP enforced.

    At the end of the test: no request left the live server's origin (PRIV-05: no third
    party, no CDN, no audience measurement), no response was an error (a missing style
    sheet, font, icon or favicon), and the browser logged no console error and no uncaught
    script error. A CSP violation is reported by Chromium as a console error,
    so this also proves the policy does not block the site's own styles and scripts.
    """
    with recorded_journey(browser, live_server.url) as j:
        yield j


def pytest_sessionfinish(session):
    # `make screenshots`: the gallery's index.html, once every page is photographed.
    from tests.browser import gallery

    index = gallery.write_index()
    if index is not None:
        print(f"\nGalerie : {index.resolve()}")


def take_session(page: Page, base: str, client: Client) -> None:
    """The browser takes the session of a test client logged in by the fixtures: the
    production cookies (``__Host-``, Secure) are accepted by Chromium on http://localhost."""
    host = urlsplit(base).hostname
    page.context.add_cookies(
        [
            {
                "name": name,
                "value": morsel.value,
                "domain": host,
                "path": "/",
                "secure": True,
                "httpOnly": True,
                "sameSite": "Lax",
            }
            for name, morsel in client.cookies.items()
            if morsel.value
        ]
    )

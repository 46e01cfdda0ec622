"""HDR-01, PRIV-05, AC-06 on the public site."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from mcf.web.public.cookies import allowed_cookie_names
from tests.web.public.conftest import public_urls

pytestmark = pytest.mark.django_db

PROJECT_CODE = Path(settings.BASE_DIR) / "mcf"


@pytest.mark.parametrize("url", public_urls())
def test_security_headers_on_every_public_page(client, url):
    """HDR-01: CSP with nonce and strict directives, nosniff, referrer, COOP, framing."""
    response = client.get(url, secure=True)
    csp = response["Content-Security-Policy"]
    directives = dict(
        ([*part.split(" ", 1), ""])[:2] for part in (p.strip() for p in csp.split(";")) if part
    )
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    # PRIV-05: scripts only from us, with a per-response nonce; no 'unsafe-inline'.
    script_src = directives["script-src"].split()
    assert script_src[0] == "'self'"
    assert script_src[1].startswith("'nonce-")
    assert len(script_src) == 2
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert "Server" not in response
    assert "X-Powered-By" not in response
    assert len(response["X-Request-ID"]) == 12


def test_csp_nonce_changes_per_response_and_is_used_by_our_scripts(client):
    first = client.get("/")
    second = client.get("/")
    nonce1 = first["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    nonce2 = second["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert nonce1 != nonce2
    assert f'nonce="{nonce1}"' in first.content.decode()


@pytest.mark.parametrize("url", public_urls())
def test_fresh_visitor_gets_only_strictly_necessary_cookies(url):
    """PRIV-05 / CNIL 2020-091: a fresh client on every public page, cookies ⊆ allowlist."""
    response = Client().get(url)
    assert set(response.cookies) <= allowed_cookie_names(), set(response.cookies)


def test_csrf_is_enforced_on_every_public_post_route():
    """AC-06: a POST without token is refused with the French 403 page."""
    client = Client(enforce_csrf_checks=True)
    for url in ["/nous-contacter/", "/cookies/bandeau/"]:
        response = client.post(url, {"full_name": "A"})
        assert response.status_code == 403, url
        assert "Votre formulaire a expiré" in response.content.decode()


def test_no_csrf_exempt_in_project_code():
    """AC-06: no view opts out of CSRF protection."""
    offenders = []
    for path in PROJECT_CODE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name | ast.Attribute):
                name = node.id if isinstance(node, ast.Name) else node.attr
                if name == "csrf_exempt":
                    offenders.append(str(path))
    assert offenders == []


def test_admin_is_not_served_under_admin(client):
    """AUTH-16: the back office is not at the well-known /admin/ address."""
    assert client.get("/admin/").status_code == 404
    assert client.get("/gestion/").status_code == 302


def test_safe_methods_change_nothing(client):
    """AC-06: GET on the cookie-notice action is refused (it only accepts POST)."""
    response = client.get("/cookies/bandeau/")
    assert response.status_code == 405
    assert "mcf_bandeau_cookies" not in response.cookies

"""Production serving: gunicorn + whitenoise with DEBUG off, as the README documents it.

Runs the real commands in subprocesses: collectstatic into a temporary STATIC_ROOT (manifest
+ compression), then gunicorn on a free loopback port. Catches what the test client cannot:
a static file missing from the manifest, a settings error only raised with DEBUG off, a
WSGI import error.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@dataclass
class Server:
    base: str
    access_log: Path


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    logs = tmp_path_factory.mktemp("logs")
    access_log, error_log = logs / "access.log", logs / "error.log"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mcf.settings",
        "DEBUG": "0",
        "SECRET_KEY": "production-like-secret-" + "s" * 40,
        "EMAIL_URL": "console:",
        "NIR_ENCRYPTION_KEYS": "dGVzdC1rZXktZm9yLW5pci1lbmNyeXB0aW9uLTMyYj0=",
        "NIR_HASH_KEY": "production-like-hash-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://moncompteformation.example",
        "STATIC_ROOT": str(static_root),
        # TLS is terminated by the proxy in production; here we talk plain HTTP on loopback.
        "SECURE_SSL_REDIRECT": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    error_file = error_log.open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mcf.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            # The command of the README's production section, with an access log to read.
            "--config",
            "gunicorn.conf.py",
            "--access-logfile",
            str(access_log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe nobody reads: gunicorn's error log (a traceback per 500 — the
        # PostgreSQL database of the run is not migrated) filled the pipe and blocked the
        # worker, so requests timed out.
        stderr=error_file,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            fetch(base + "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        server.wait(timeout=10)
        error_file.close()
        pytest.fail("gunicorn did not start: " + error_log.read_text()[-2000:])
    yield Server(base, access_log)
    server.terminate()
    server.wait(timeout=10)
    error_file.close()


def test_gunicorn_serves_the_home_page_and_hashed_static_files(production_server):
    status, headers, body = fetch(production_server.base + "/")
    assert status == 200
    html = body.decode()
    assert "Mon compte formation" in html
    # Static URLs carry the manifest hash, and whitenoise serves them for a year.
    css = next(
        part.split('"')[0] for part in html.split('href="')[1:] if "dsfr" in part and ".css" in part
    )
    assert css.count(".") >= 3, css  # dsfr.min.<hash>.css
    status, headers, _ = fetch(production_server.base + css)
    assert status == 200
    assert "max-age=315360000" in headers["Cache-Control"]
    # Not framable either (found missing by the DAST scan: whitenoise answers before the
    # clickjacking middleware).
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_gunicorn_healthz_and_french_404(production_server):
    status, _, body = fetch(production_server.base + "/healthz")
    assert status == 200
    status, _, body = fetch(production_server.base + "/nexiste-pas/")
    assert status == 404
    assert "Page non trouvée" in body.decode()


# Every header gunicorn and the application may send. A header outside this list (a
# `Server`, an `X-Powered-By`…) fails the test until someone decides it may be sent (HDR-01).
EXPECTED_HEADERS = {
    "access-control-allow-origin",  # whitenoise, static files
    "cache-control",
    "connection",
    "content-encoding",
    "content-language",
    "content-length",
    "content-security-policy",
    "content-type",
    "cross-origin-opener-policy",
    "date",
    "etag",
    "expires",
    "last-modified",
    "referrer-policy",
    "set-cookie",
    "strict-transport-security",
    "transfer-encoding",
    "vary",
    "x-content-type-options",
    "x-frame-options",
    "x-request-id",
    "allow",  # 405
}
SOFTWARE = ("gunicorn", "python", "django", "whitenoise", "wsgi")


@pytest.mark.parametrize(
    "path",
    ["/", "/healthz", "/titulaire/connexion/", "/nexiste-pas/", "/titulaire/deconnexion/"],
)
def test_hdr_01_every_response_header_is_expected_and_names_no_software(production_server, path):
    answers = {}
    for method in ("GET", "HEAD"):
        status, headers, body = fetch(production_server.base + path, method=method)
        answers[method] = status, body
        names = {name.lower() for name in headers}
        assert names <= EXPECTED_HEADERS, (method, path, names - EXPECTED_HEADERS)
        for name, value in headers.items():
            assert not any(word in value.lower() for word in SOFTWARE), (method, path, name)
    assert answers["HEAD"] == (answers["GET"][0], b""), path


def test_head_healthz_answers_200_for_load_balancers(production_server):
    status, _, body = fetch(production_server.base + "/healthz", method="HEAD")
    assert (status, body) == (200, b"")


def test_auth_11_the_access_log_never_holds_a_token(production_server):
    """Every route with a token (from the URL resolver), spelt as a browser or a prober
    might, and a token link in the Referer: gunicorn's access log masks the token."""
    from mcf.core.access_log import token_route_patterns
    from tests.web.routes import ROUTES

    token = "Jeton-secret_0123456789abcdefghijklmnopqrstu"
    token_routes = [route for route in ROUTES if "<str:token>" in route.parts]
    assert len(token_routes) == len(token_route_patterns()) >= 3
    for route in token_routes:
        url = route.url({part: str(uuid.uuid4()) for part in route.parts if "<uuid:" in part})
        url = url.replace("<str:token>", token)
        for spelling in (url, url.rstrip("/"), url + "?suite=1", url.replace("/t", "/%74", 1)):
            fetch(production_server.base + spelling)
        fetch(production_server.base + "/", headers={"Referer": production_server.base + url})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the log line is written after the response
        log = production_server.access_log.read_text()
        if log.count("\n") >= 5 * len(token_routes):
            break
        time.sleep(0.2)
    assert "***" in log
    assert token not in log
    assert token[:12] not in log

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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
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
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
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
        pytest.fail("gunicorn did not start: " + server.stderr.read().decode()[-2000:])
    yield base
    server.terminate()
    server.wait(timeout=10)
    server.stderr.close()


def test_gunicorn_serves_the_home_page_and_hashed_static_files(production_server):
    status, headers, body = fetch(production_server + "/")
    assert status == 200
    html = body.decode()
    assert "Mon compte formation" in html
    # Static URLs carry the manifest hash, and whitenoise serves them for a year.
    css = next(
        part.split('"')[0] for part in html.split('href="')[1:] if "dsfr" in part and ".css" in part
    )
    assert css.count(".") >= 3, css  # dsfr.min.<hash>.css
    status, headers, _ = fetch(production_server + css)
    assert status == 200
    assert "max-age=315360000" in headers["Cache-Control"]
    assert "Server" not in headers or "gunicorn/" not in headers.get("Server", "")


def test_gunicorn_healthz_and_french_404(production_server):
    status, _, body = fetch(production_server + "/healthz")
    assert status == 200
    status, _, body = fetch(production_server + "/nexiste-pas/")
    assert status == 404
    assert "Page non trouvée" in body.decode()

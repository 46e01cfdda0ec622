"""SITE_URL, the base of every link in an e-mail (confirmation, reset, e-mail change).

`PORT=8123 make run` sent links to localhost:8000 (dead): in development the default is the
address served; in production (DEBUG=0) there is no default, the service refuses to start.
Read from a fresh process, as `make run` and gunicorn read the settings.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SETTINGS_READ = "import django; django.setup(); from django.conf import settings as s; "


def _run(code: str, **variables: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SITE_URL", "PORT", "HOST", "DEBUG"}
    }
    env |= {"DJANGO_SETTINGS_MODULE": "mcf.settings", **variables}
    return subprocess.run(
        [sys.executable, "-c", SETTINGS_READ + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "8123", "HOST": "0.0.0.0"}, "http://localhost:8123"),  # noqa: S104
        ({"HOST": "::1", "PORT": "9000"}, "http://[::1]:9000"),
        ({"PORT": "8123", "SITE_URL": "http://portail.test:8080/"}, "http://portail.test:8080"),
    ],
)
def test_in_development_links_point_to_the_address_served(variables, expected):
    done = _run("print(s.SITE_URL)", DEBUG="1", **variables)
    assert done.stdout.strip() == expected, done.stderr[-2000:]


def test_the_development_mail_links_follow_the_port():
    done = _run(
        "from mcf.domain.accounts.registration import confirmation_url; "
        "print(confirmation_url('jeton'))",
        DEBUG="1",
        PORT="8123",
    )
    assert done.stdout.strip() == "http://127.0.0.1:8123/titulaire/inscription/confirmation/jeton/"


def test_in_production_site_url_is_required():
    done = _run("print(s.SITE_URL)", DEBUG="0", PORT="8123")
    assert done.returncode != 0
    assert "SITE_URL is required when DEBUG is off" in done.stderr
    done = _run("print(s.SITE_URL)", DEBUG="0", SITE_URL="https://moncompteformation.example")
    assert done.stdout.strip() == "https://moncompteformation.example", done.stderr[-2000:]

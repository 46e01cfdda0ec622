"""The real servers of `make run`, started by the slow and browser tests.

One way to set up a throwaway site (`make install migrate [demo]`, a SQLite file and a
STATIC_ROOT of its own), start a command serving it (`make run`, scripts/run-dev) in a
process group of its own, wait for its /healthz, and stop the whole group: used by
tests/slow/ and tests/browser/test_registration_journey.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN_DEV = ROOT / "scripts" / "run-dev"
STARTUP_TIMEOUT = 180  # `make install migrate demo`, or a server's start on a loaded machine
STOP_TIMEOUT = 20

# The configuration variables of the README and Django's own: a server gets ours only,
# never those that tests/settings.py and pytest-django set in this process.
CONFIG_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "EMAIL_URL",
    "NIR_ENCRYPTION_KEYS",
    "NIR_HASH_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "PORT",
    "HOST",
    "STATIC_ROOT",
    "TRUSTED_PROXY_COUNT",
    "CONTACT_EMAIL",
    "DEFAULT_FROM_EMAIL",
    "OUTBOX_MAX_ATTEMPTS",
    "OUTBOX_FIRST_RETRY_SECONDS",
    "SECURE_SSL_REDIRECT",
    "WEB_CONCURRENCY",
    "LOG_LEVEL",
    "CAPTCHA_TEST_MODE",
}


def environment(**config: str) -> dict[str, str]:
    """This process's environment without its configuration (tests/settings.py, pytest),
    plus DEBUG=1, mails on the console and ``config``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in CONFIG_VARIABLES and not name.startswith(("DJANGO_", "PYTEST_"))
    }
    return {**env, "DEBUG": "1", "EMAIL_URL": "console:", **config}


def site_environment(folder: Path, static: Path | None = None, **config: str) -> dict[str, str]:
    """``environment`` for the site of ``folder``: its SQLite file, and its static files
    (``static``: those of another site, already collected)."""
    return environment(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        STATIC_ROOT=str(static or folder / "static"),
        **config,
    )


def make_command() -> str:
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is missing (apt-get install make)")
    return make


def set_up_site(folder: Path) -> Path:
    """`make install migrate demo` — the first half of `make run` — into ``folder``."""
    setup = subprocess.run(
        [make_command(), "--no-print-directory", "install", "migrate", "demo"],
        cwd=ROOT,
        env=site_environment(folder),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=STARTUP_TIMEOUT,
    )
    if setup.returncode:
        pytest.fail(f"`make install migrate demo` failed:\n{setup.stdout[-3000:]}")
    return folder


def copy_site(prepared: Path, folder: Path, **config: str) -> dict[str, str]:
    """A copy of the database of ``prepared`` in ``folder``; the environment of a server of
    that copy (the static files of ``prepared``)."""
    shutil.copy(prepared / "db.sqlite3", folder / "db.sqlite3")
    return site_environment(folder, static=prepared / "static", **config)


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``command`` in a process group of its own (``stop`` ends it all), output to ``log``."""
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def log_tail(log: Path, size: int = 4000) -> str:
    return log.read_text(errors="replace")[-size:]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def wait_for(
    condition: Callable[[], bool],
    what: str,
    log: Path,
    process: subprocess.Popen | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> None:
    """Poll ``condition``; fail with the log's tail if ``process`` ends or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the server stopped ({process.returncode}):\n{log_tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} after {timeout} s:\n{log_tail(log)}")
        time.sleep(0.25)


def wait_until_healthy(process: subprocess.Popen, base_url: str, log: Path) -> None:
    wait_for(lambda: healthy(base_url + "/healthz"), "/healthz silent", log, process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole process group (make, run-dev, uv, gunicorn, the worker)."""
    pgid = process.pid  # start_new_session: the group of the command is its own pid
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        process.poll()
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(pgid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)

"""`make run`'s second half (scripts/run-dev), run for real: it restarts a dead worker and
keeps serving, prints each thing once, and ends with status 0 on Ctrl-C (REL-06, issue 12).

Before: a dead worker stopped the web server too, the demo accounts and the captcha
warning were printed several times, every worker line twice, and Ctrl-C ended with
« make: *** Error 130/143 ».
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.browser.test_registration_journey import _healthy
from tests.domain.mailing.conftest import free_port
from tests.slow.test_login_throttle_under_faketime import ROOT, STARTUP_TIMEOUT, _environment

pytestmark = pytest.mark.slow


def _worker_pids(session: int) -> list[int]:
    """The Python processes of the task worker in ``session`` (not their `uv run`)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != session:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ProcessLookupError):
            continue
        if b"db_worker" in command and not command[0].endswith(b"uv"):
            pids.append(int(entry.name))
    return pids


def _wait(condition, what: str, log: Path, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.25)


def test_run_dev_restarts_a_dead_worker_prints_once_and_stops_cleanly(tmp_path):
    port = free_port()
    env = _environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        PORT=str(port),
        CAPTCHA_TEST_MODE="1",
    )
    make = shutil.which("make")
    setup = subprocess.run(
        [make, "--no-print-directory", "install", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=STARTUP_TIMEOUT,
    )
    assert setup.returncode == 0, setup.stdout[-3000:]
    log = tmp_path / "run-dev.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "run-dev")],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        _wait(lambda: _healthy(url), "/healthz silent", log)
        _wait(lambda: len(_worker_pids(process.pid)) == 1, "no worker", log)
        first = _worker_pids(process.pid)[0]
        os.kill(first, signal.SIGKILL)  # a crash
        _wait(
            lambda: _worker_pids(process.pid) not in ([], [first]),
            "the dead worker was not restarted",
            log,
        )
        assert process.poll() is None, "run-dev stopped with its worker"
        assert _healthy(url)
        text = log.read_text(errors="replace")
        assert "redémarrage" in text
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
        try:
            status = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    assert status == 0, log.read_text(errors="replace")[-3000:]
    text = log.read_text(errors="replace")
    assert text.count("Espace Titulaire (/titulaire/connexion/)") == 1
    assert text.count("CAPTCHA_TEST_MODE est activé") == 1
    assert text.count("Mon compte formation est servi sur") == 1
    # Every line of the worker once, in our format (not a bare copy as well).
    assert not [line for line in text.splitlines() if line.startswith("Task id=")]

"""`make run`'s second half (scripts/run-dev), run for real: it restarts a dead worker and
keeps serving, prints each thing once, and ends with status 0 on Ctrl-C (REL-06, issue 12).

Before: a dead worker stopped the web server too, the demo accounts and the captcha
warning were printed several times, every worker line twice, and Ctrl-C ended with
« make: *** Error 130/143 ».
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.domain.mailing.conftest import free_port
from tests.servers import RUN_DEV, copy_site, healthy, start, wait_for, wait_until_healthy

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


def test_run_dev_restarts_a_dead_worker_prints_once_and_stops_cleanly(prepared_site, tmp_path):
    port = free_port()
    env = copy_site(prepared_site, tmp_path, PORT=str(port), CAPTCHA_TEST_MODE="1")
    log = tmp_path / "run-dev.log"
    process = start([str(RUN_DEV)], env, log)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(process, base_url, log)
        wait_for(lambda: len(_worker_pids(process.pid)) == 1, "no worker", log)
        first = _worker_pids(process.pid)[0]
        os.kill(first, signal.SIGKILL)  # a crash
        wait_for(
            lambda: _worker_pids(process.pid) not in ([], [first]),
            "the dead worker was not restarted",
            log,
        )
        assert process.poll() is None, "run-dev stopped with its worker"
        assert healthy(base_url + "/healthz")
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

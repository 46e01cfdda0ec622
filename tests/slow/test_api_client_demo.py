"""Issue 16's « done when », kept true: bench/api_client_demo.py — a financeur's system that
gets a token, lists OPCA Démo's dossiers, validates and closes one, and checks the signed
webhooks the task worker posts — succeeds against a portal served as `make run` does."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_the_api_client_demo_succeeds():
    result = subprocess.run(  # the script serves its own throwaway portal
        [sys.executable, str(ROOT / "bench" / "api_client_demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "VERDICT : RÉUSSI" in result.stdout
    assert "signature valide" in result.stdout

"""Benchmarks on a database of their own (PostgreSQL): created on the server of
DATABASE_URL, migrated, the measures run by the script itself in a child process connected
to it (``--child …``), dropped at the end unless kept."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent


def bench_url(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def run_in_own_database(
    name: str,
    script: str,
    child_args: list[str],
    *,
    describe: Callable[[str], str],
    fresh: bool = True,
    keep: bool = False,
) -> None:
    """``fresh``: drop and create the database first (else reuse the one kept); ``keep``:
    leave it there afterwards. ``describe(server_version)`` is printed before the run."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as admin:
        if fresh:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        version = admin.execute("SHOW server_version").fetchone()[0]
    print(describe(version))
    env = {**os.environ, "DATABASE_URL": bench_url(url, name), "LOG_LEVEL": "WARNING"}
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"],
            env={**env, "DJANGO_SETTINGS_MODULE": "tests.settings"},
            check=True,
        )
        subprocess.run(
            [sys.executable, str(Path(script).resolve()), "--child", *child_args],
            env=env,
            check=True,
        )
    finally:
        if not keep:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name}")


def on_postgres(refusal: str) -> bool:
    """Whether DATABASE_URL names a PostgreSQL server; else print ``refusal`` and, run as a
    script (not from run_all.py, which imports _setup first), exit 2."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return True
    print(refusal)
    if "_setup" not in sys.modules:
        sys.exit(2)
    return False


def machine_line(version: str, what: str) -> str:
    """« PostgreSQL 15.18, 2 cœurs, charge 0.8 au départ ; <what> » (thin spaces in numbers)."""
    return (
        f"PostgreSQL {version}, {os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f} au "
        f"départ ; {what}".replace(",", "\u202f")
    )

"""Fault drill: the yearly feed killed halfway, then run again (issue 15 §2).

    make bench-faults-feed            # ARGS="--lines 300000"

One generated declarations file (bench/feed.py's generator), two databases on the
throwaway cluster: in the first, one clean import; in the second, the import is killed with
SIGKILL halfway through (half the clean run's time), then run again to its end. The final
ledgers must be the same: every counter's balance, last year fed, and the entries (count
and hours), compared row by row through a digest; the ledger's invariants must hold.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "load"))
from feed import generate  # noqa: E402  (bench/feed.py)
from run import report  # noqa: E402  (bench/load/run.py)

DIGEST = (
    "from django.db import connection as c; k = c.cursor(); "
    "k.execute(\"SELECT md5(string_agg(nir_hash || ':' || cpf_balance || ':' || "
    "coalesce(last_fed_year, 0), ',' ORDER BY nir_hash)), count(*) FROM hours_counter\"); "
    "a = k.fetchone(); k.execute('SELECT count(*), coalesce(sum(hours), 0) FROM hours_entry'); "
    "b = k.fetchone(); print(a[0], a[1], b[0], b[1])"
)


def manage(url: str, *command: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tests.settings",
               LOG_LEVEL="WARNING")  # fmt: skip
    return subprocess.run([sys.executable, "manage.py", *command], env=env, cwd=ROOT,
                          check=check, capture_output=True, text=True)  # fmt: skip


def database(base_url: str, name: str) -> str:
    bin_dir = os.environ["PG_BIN"]
    subprocess.run([f"{bin_dir}/psql", base_url, "-q", "-c", f"DROP DATABASE IF EXISTS {name}",
                    "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)  # fmt: skip
    url = base_url.rsplit("/", 1)[0] + f"/{name}"
    manage(url, "migrate", "-v", "0")
    return url


def digest(url: str) -> str:
    return manage(url, "shell", "--no-imports", "-c", DIGEST).stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--kill-at", type=float, default=0.5,
                        help="fraction of the clean import's time (0.5)")  # fmt: skip
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres") or "PG_BIN" not in os.environ:
        raise SystemExit("à lancer sous scripts/with-postgres (make bench-faults-feed)")
    work = ROOT / "var" / "faults"
    work.mkdir(parents=True, exist_ok=True)
    path = work / "declarations.csv"
    generate(path, args.lines)
    clean, killed = database(base, "feed_propre"), database(base, "feed_interrompu")

    started = time.monotonic()
    manage(clean, "import_declarations", str(path), "--no-progress")
    clean_seconds = time.monotonic() - started
    print(f"import propre : {args.lines} lignes en {clean_seconds:.1f} s")

    env = dict(os.environ, DATABASE_URL=killed, DJANGO_SETTINGS_MODULE="tests.settings",
               LOG_LEVEL="WARNING")  # fmt: skip
    victim = subprocess.Popen(
        [sys.executable, "manage.py", "import_declarations", str(path), "--no-progress"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    time.sleep(clean_seconds * args.kill_at)
    os.killpg(victim.pid, signal.SIGKILL)  # the import and its reading helper
    victim.wait()
    print(
        f"import tué (SIGKILL) après {clean_seconds * args.kill_at:.1f} s ; "
        f"état (empreinte, compteurs, écritures, heures) : {digest(killed)}"
    )
    rerun = manage(killed, "import_declarations", str(path), "--no-progress", check=False)
    print(f"relance : code {rerun.returncode} ; {rerun.stdout.strip().splitlines()[-1:]}")
    if rerun.returncode:
        print(rerun.stderr[-2000:])

    same = digest(clean) == digest(killed)
    print(f"propre     : {digest(clean)}\ninterrompu : {digest(killed)}")
    breaks = manage(killed, "shell", "--no-imports", "-c",
                    "from mcf.domain.dossiers.synthetic import ledger_breaks as b; "
                    "from mcf.domain.accounts.models import User as U; "
                    "print(len(b(list(U.objects.values_list('pk', flat=True)))))")  # fmt: skip
    verdicts = [
        ("la relance se termine", rerun.returncode == 0, f"code {rerun.returncode}"),
        (
            "mêmes soldes, mêmes écritures qu'un import propre",
            same,
            "identiques" if same else "différents",
        ),
        ("invariants du registre", breaks.stdout.strip().endswith("0"), breaks.stdout.strip()),
    ]
    return report(verdicts)


if __name__ == "__main__":
    sys.exit(main())

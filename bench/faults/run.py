"""Fault drills (issue 15 §2, REL-01 / REL-06): inject a fault in the middle of concurrent
writes, recover, check that nothing acknowledged was lost and nothing applied twice.

    make bench-faults                              # every drill
    make bench-faults ARGS="--drill web-kill"      # one: web-kill, pg-stop, backup

The stack is the load test's (bench/load/run.py: production settings, nginx, gunicorn,
task worker, throwaway PostgreSQL with fsync on). Writers: holders entering their DIF again
and again through the site, each request recorded as in Jepsen's histories: « ok » (the
server acknowledged: a redirect), « fail » (it refused: 4xx/503, nothing written), « info »
(no answer: the fault hit it, written or not). After recovery, for every holder, the balance
in the ledger is the value of his last « ok » or of an « info » sent after it, and the
ledger's invariants hold (Σ entries = balances, ``ledger_breaks``).

- web-kill: kill -9 of a gunicorn worker, then of the other, while 16 holders write;
- pg-stop: PostgreSQL stopped at once (``pg_ctl stop -m immediate``: no checkpoint, like a
  power cut), 5 s down, started again; the site answers 503 meanwhile, then recovers;
- backup: ``pg_dump`` of the live database while holders write, restored into a new
  database, the invariants checked on the restored copy (the drill of docs/reliability.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import requests
import urllib3
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))
from run import (
    CSRF,
    OUT,
    Stack,
    children,
    process_tree,
    report,
    run_check,
    shell,
    sign_in_holder,
)

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
FORM_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


class FromAddress(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Writer(threading.Thread):
    """One holder entering his DIF, value after value, until told to stop."""

    def __init__(self, base: str, nir: str, password: str, number: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.nir, self.password, self.stop = base, nir, password, stop
        self.history: list[tuple[str, int, float]] = []  # (ok|fail|info, hours, time)
        self.session = requests.Session()
        self.session.verify = False  # our own proxy's self-signed certificate
        self.session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify=False
        self.session.mount("https://", FromAddress(f"127.9.{number // 250}.{number % 250 + 1}"))

    def get(self, path: str):
        return self.session.get(self.base + path, timeout=10, allow_redirects=False)

    def sign_in(self) -> bool:
        try:
            return sign_in_holder(self.session, self.base, self.nir, self.password)
        except (requests.RequestException, AttributeError):
            return False

    def run(self):
        signed_in = False
        while not self.stop.is_set():
            if not signed_in:
                signed_in = self.sign_in()
                if not signed_in:
                    time.sleep(0.5)
                    continue
            try:
                page = self.get("/titulaire/compte-d-heures/")
                if page.status_code == 302:  # signed out (a worker's death loses nothing
                    signed_in = False  # of the session: it is in the database)
                    continue
                token, key = CSRF.search(page.text).group(1), FORM_KEY.search(page.text).group(1)
            except (requests.RequestException, AttributeError):
                time.sleep(0.2)
                continue
            hours = random.randint(0, 999)
            sent = time.time()
            try:
                reply = self.session.post(
                    self.base + "/titulaire/compte-d-heures/",
                    data={
                        "csrfmiddlewaretoken": token,
                        "idempotency_key": key,
                        "hours": str(hours),
                    },
                    headers={"Referer": page.url},
                    timeout=10,
                    allow_redirects=False,
                )
                outcome = "ok" if reply.status_code == 302 else "fail"
                if reply.status_code >= 500 and reply.status_code != 503:
                    outcome = "info"  # a 502 from the proxy: the worker died mid-request
            except requests.RequestException:
                outcome = "info"
            self.history.append((outcome, hours, sent))
            time.sleep(random.uniform(0.05, 0.2))


def write_while(stack: Stack, seconds: float, fault, writers: int = 16) -> list[Writer]:
    world = json.loads((OUT / "world.json").read_text())
    base = f"https://localhost:{stack.tls_port}"
    stop = threading.Event()
    threads = [
        Writer(base, nir, world["password"], number, stop)
        for number, nir in enumerate(world["holders"][:writers])
    ]
    for thread in threads:
        thread.start()
    # The fault, in the middle of the writes: its own thread, while they go on.
    injector = threading.Thread(target=fault, daemon=True)
    injector.start()
    time.sleep(seconds)
    injector.join(60)
    stop.set()
    for thread in threads:
        thread.join(15)
    return threads


def check(stack: Stack, writers: list[Writer], env: dict | None = None, histories=None) -> dict:
    histories = histories if histories is not None else {w.nir: w.history for w in writers}
    path = OUT / "histories.json"
    path.write_text(json.dumps(histories))
    return run_check(env or stack.env, "histories", path)


def around(writers: list[Writer], moments: list[float], label: str) -> tuple[str, bool, str]:
    """Writes were acknowledged before the first fault and after the last one: the drill
    hit live traffic, and the service came back (else its other verdicts prove nothing)."""
    oks = [entry[2] for w in writers for entry in w.history if entry[0] == "ok"]
    before = sum(1 for at in oks if moments and at < moments[0])
    after = sum(1 for at in oks if moments and at > moments[-1])
    return (f"{label} : des écritures acquittées avant la panne et après la reprise",
            before > 0 and after > 0, f"{before} avant, {after} après")  # fmt: skip


def tally(writers: list[Writer]) -> str:
    outcomes = [entry[0] for w in writers for entry in w.history]
    return (
        f"{outcomes.count('ok')} acquittées, {outcomes.count('fail')} refusées, "
        f"{outcomes.count('info')} sans réponse"
    )


def gunicorn_workers(stack: Stack) -> list[int]:
    """The workers: the leaves of the web server's tree (`uv run` → master → workers)."""
    return [pid for pid in process_tree(stack.processes["web"].pid)[1:] if not children(pid)]


def drill_web_kill(stack: Stack) -> list:
    killed = []

    def fault():
        for delay in (8, 8):
            time.sleep(delay)
            workers = gunicorn_workers(stack)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                killed.append(time.time())

    writers = write_while(stack, 30, fault)
    print(f"web-kill : {len(killed)} processus tués (kill -9) ; {tally(writers)}")
    result = check(stack, writers)
    return [
        around(writers, killed, "web-kill"),
        (
            "web-kill : rien de perdu, rien en double",
            result.get("ok", False),
            result.get("summary", ""),
        ),
    ]


def pg_ctl(*arguments: str) -> None:
    command = [f"{os.environ['PG_BIN']}/pg_ctl", "-D", os.environ["PG_DATA_DIR"], *arguments]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True)


def drill_pg_stop(stack: Stack) -> list:
    statuses: list[int] = []
    moments: list[float] = []

    def fault():
        time.sleep(8)
        moments.append(time.time())
        pg_ctl("stop", "-m", "immediate")
        for _ in range(5):
            try:
                statuses.append(
                    requests.get(
                        f"https://localhost:{stack.tls_port}/healthz",
                        verify=False,  # noqa: S501 - our own proxy's self-signed certificate
                        timeout=5,
                    ).status_code
                )
            except requests.RequestException:
                statuses.append(0)
            time.sleep(1)
        pg_ctl(
            "start",
            "-w",
            "-l",
            f"{os.environ['PG_SOCKET_DIR']}/server.log",
            "-o",
            f"-h 127.0.0.1 -p {os.environ['PG_PORT']} -k {os.environ['PG_SOCKET_DIR']} "
            "-c fsync=on -c max_connections=200",
        )

    writers = write_while(stack, 35, fault)
    print(f"pg-stop : sonde pendant l'arrêt {statuses} ; {tally(writers)}")
    result = check(stack, writers)
    return [
        (
            "pg-stop : la sonde dit 503 pendant l'arrêt",
            bool(statuses) and set(statuses) == {503},
            str(statuses),
        ),
        around(writers, moments, "pg-stop"),
        (
            "pg-stop : rien de perdu, rien en double",
            result.get("ok", False),
            result.get("summary", ""),
        ),
    ]


def drill_backup(stack: Stack) -> list:
    dump = OUT / "sauvegarde.dump"
    url = os.environ["DATABASE_URL"]
    restored_url = url.rsplit("/", 1)[0] + "/restauration"
    bin_dir = os.environ["PG_BIN"]
    window: list[float] = []  # when pg_dump started and ended

    def fault():
        time.sleep(5)
        started = time.monotonic()
        window.append(time.time())
        subprocess.run([f"{bin_dir}/pg_dump", "--format=custom", f"--file={dump}", url], check=True)
        window.append(time.time())
        print(
            f"backup : pg_dump pendant les écritures en {time.monotonic() - started:.1f} s, "
            f"{dump.stat().st_size / 1e6:.1f} Mo"
        )

    writers = write_while(stack, 20, fault)
    print(f"backup : pendant la sauvegarde, {tally(writers)}")
    started = time.monotonic()
    subprocess.run(
        [
            f"{bin_dir}/psql",
            url,
            "-q",
            "-c",
            "DROP DATABASE IF EXISTS restauration",
            "-c",
            "CREATE DATABASE restauration",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [f"{bin_dir}/pg_restore", "--no-owner", f"--dbname={restored_url}", str(dump)], check=True
    )
    print(f"backup : restauration en {time.monotonic() - started:.1f} s")
    # The copy is the database as it was when pg_dump began (one snapshot). A value
    # acknowledged before that moment must be in it (its last one, or a later one sent before
    # the dump ended: uncertain, « info »); what was sent after the dump is not.
    start, end = window
    histories = {
        w.nir: [
            (outcome if sent < start - 1 else "info", hours, sent)
            for outcome, hours, sent in w.history
            if sent <= end
        ]
        for w in writers
    }
    result = check(stack, [], env=dict(stack.env, DATABASE_URL=restored_url), histories=histories)
    during = sum(1 for w in writers for o, _, at in w.history if o == "ok" and start <= at <= end)
    before = sum(1 for w in writers for o, _, at in w.history if o == "ok" and at < start - 1)
    return [
        (
            "backup : des écritures acquittées avant et pendant la sauvegarde",
            before > 0 and bool(window),
            f"{before} avant, {during} pendant",
        ),
        (
            "backup : la copie restaurée respecte les invariants du registre",
            result.get("ok", False),
            result.get("summary", ""),
        ),
    ]


DURABILITY_PROBE = (
    "from django.db import connection as c; k = c.cursor(); k.execute('SHOW fsync'); "
    "a = k.fetchone()[0]; k.execute('SHOW synchronous_commit'); print(a, k.fetchone()[0])"
)
DRILLS = {"web-kill": drill_web_kill, "pg-stop": drill_pg_stop, "backup": drill_backup}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drill", choices=sorted(DRILLS), action="append")
    args = parser.parse_args()
    if not os.environ.get("PG_DATA_DIR"):
        raise SystemExit("à lancer sous scripts/with-postgres (make bench-faults)")
    settings = SimpleNamespace(
        offers=2000, dossiers=400, financeurs=5, workers=2, threads=8, serving="gthread"
    )
    import shutil

    shutil.rmtree(OUT, ignore_errors=True)
    stack = Stack(settings)
    verdicts = []
    try:
        stack.up()
        durable = shell(stack, DURABILITY_PROBE)
        verdicts.append(("REL-01 : fsync et synchronous_commit à on", durable == "on on", durable))
        for name in args.drill or list(DRILLS):
            verdicts += DRILLS[name](stack)
    finally:
        stack.down()
    return report(verdicts)


if __name__ == "__main__":
    sys.exit(main())

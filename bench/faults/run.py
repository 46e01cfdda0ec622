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
from pages import forms_of, totp
from run import (
    OUT,
    Stack,
    children,
    report,
    run_check,
    shell,
    sign_in_holder,
)

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
DOSSIER = re.compile(r"/professionnel/dossiers/([0-9a-f-]{36})/")


class FromAddress(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def outcome_of(status: int) -> str:
    """A write's answer as in Jepsen's histories: « ok » (acknowledged: a redirect), « info »
    (a 502 from the proxy: the web worker died mid-request, written or not), « fail »."""
    if status == 302:
        return "ok"
    return "info" if status >= 500 and status != 503 else "fail"


class SignedOut(Exception):
    """The page sent back to the sign-in: the session is gone."""


class Actor(threading.Thread):
    """A person writing through the site until told to stop, from a loopback address of his
    own; ``history`` holds (ok|fail|info, what was written, time sent) of each write."""

    address_block = 9  # 127.<block>.x.y
    sign_in_pause = 0.5

    def __init__(self, base: str, password: str, number: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.password, self.stop = base, password, stop
        self.history: list[tuple[str, object, float]] = []
        self.session = requests.Session()
        self.session.verify = False  # our own proxy's self-signed certificate
        self.session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify=False
        address = f"127.{self.address_block}.{number // 250}.{number % 250 + 1}"
        self.session.mount("https://", FromAddress(address))

    def get(self, path: str):
        return self.session.get(self.base + path, timeout=10, allow_redirects=False)

    def post_form(self, page_path: str, action: str, fields: dict):
        """GET the page, send its form ``action`` ("": the page's own address) with
        ``fields`` changed; None if the page has no such form."""
        page = self.get(page_path)
        if page.status_code == 302 and "connexion" in page.headers.get("Location", ""):
            raise SignedOut
        form = forms_of(page.text).get(action) if page.status_code == 200 else None
        if form is None:
            return None
        return self.session.post(self.base + (action or page_path), data=form | fields,
                                 timeout=10, headers={"Referer": page.url},
                                 allow_redirects=False)  # fmt: skip

    def write(self, page_path: str, action: str, fields: dict, value) -> None:
        """One write, recorded whatever its answer (none: the fault hit it)."""
        sent = time.time()
        try:
            reply = self.post_form(page_path, action, fields)
        except requests.RequestException:
            self.history.append(("info", value, sent))
            return
        if reply is not None:  # no form: nothing to write there (any more)
            self.history.append((outcome_of(reply.status_code), value, sent))

    def sign_in(self) -> bool:
        raise NotImplementedError

    def act(self) -> None:
        """One round of writes (SignedOut when the session is gone)."""
        raise NotImplementedError

    def run(self):
        signed_in = False
        while not self.stop.is_set():
            if not signed_in:
                try:
                    signed_in = self.sign_in()
                except (requests.RequestException, AttributeError):
                    signed_in = False
                if not signed_in:
                    time.sleep(self.sign_in_pause)
                    continue
            try:
                self.act()
            except SignedOut:  # a web worker's death loses nothing of the session (it is in
                signed_in = False  # the database); a sign-in page is still possible
            except (requests.RequestException, AttributeError):
                time.sleep(0.2)


class Writer(Actor):
    """One holder entering his DIF, value after value."""

    def __init__(self, base: str, nir: str, password: str, number: int, stop: threading.Event):
        super().__init__(base, password, number, stop)
        self.nir = nir

    def sign_in(self) -> bool:
        return sign_in_holder(self.session, self.base, self.nir, self.password)

    def act(self) -> None:
        hours = random.randint(0, 999)
        self.write("/titulaire/compte-d-heures/", "", {"hours": str(hours)}, hours)
        time.sleep(random.uniform(0.05, 0.2))


class Validator(Actor):
    """A gestionnaire (password + TOTP) validating the dossiers of his list one after the
    other with the proposed plan; ``history`` holds (ok|fail|info, dossier, time)."""

    address_block = 8
    sign_in_pause = 1.0  # a TOTP code is accepted once per 30-second step

    def __init__(self, base, username, key, password, number, stop: threading.Event):
        super().__init__(base, password, number, stop)
        self.username, self.key = username, key

    def sign_in(self) -> bool:
        login, code = "/professionnel/connexion/", "/professionnel/connexion/code/"
        reply = self.post_form(login, login, {"username": self.username, "password": self.password})
        if reply is None or reply.status_code != 302:
            return False
        reply = self.post_form(code, code, {"code": totp(self.key)})
        return reply is not None and reply.status_code == 302

    def act(self) -> None:
        page = self.get("/professionnel/dossiers/")
        if page.status_code == 302:
            raise SignedOut
        dossiers = list(dict.fromkeys(DOSSIER.findall(page.text)))
        random.shuffle(dossiers)
        for public_id in dossiers[:3]:
            base = f"/professionnel/dossiers/{public_id}/"
            fields = {"valider-dif_attestation_checked": "on"}
            self.write(base, f"{base}valider/", fields, public_id)
        time.sleep(random.uniform(0.1, 0.3))


def write_while(stack: Stack, seconds: float, fault, writers: int = 16) -> list:
    """DIF writers (holders) and validators (gestionnaires) while ``fault`` runs."""
    world = json.loads((OUT / "world.json").read_text())
    base = f"https://localhost:{stack.tls_port}"
    stop = threading.Event()
    threads = [
        Writer(base, nir, world["password"], number, stop)
        for number, nir in enumerate(world["holders"][:writers])
    ] + [
        Validator(base, username, key, world["password"], number, stop)
        for number, (username, key) in enumerate(sorted(world["gestionnaires"].items())[:4])
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


def check(stack: Stack, threads: list, env: dict | None = None, histories=None) -> dict:
    """bench/load/check.py on the DIF entries' and the validations' histories."""
    if histories is None:
        histories = {w.nir: w.history for w in threads if isinstance(w, Writer)}
    validations = {}
    for thread in threads:
        if isinstance(thread, Validator):
            for outcome, public_id, sent in thread.history:
                validations.setdefault(public_id, []).append((outcome, sent))
    path = OUT / "histories.json"
    path.write_text(json.dumps({"dif": histories, "validations": validations}))
    return run_check(env or stack.env, "histories", path)


def around(writers: list[Writer], moments: list[float], label: str) -> tuple[str, bool, str]:
    """Writes were acknowledged before the first fault and after the last one: the drill
    hit live traffic, and the service came back (else its other verdicts prove nothing)."""
    oks = [entry[2] for w in writers for entry in w.history if entry[0] == "ok"]
    before = sum(1 for at in oks if moments and at < moments[0])
    after = sum(1 for at in oks if moments and at > moments[-1])
    return (f"{label} : des écritures acquittées avant la panne et après la reprise",
            before > 0 and after > 0, f"{before} avant, {after} après")  # fmt: skip


def tally(threads: list) -> str:
    parts = []
    for kind, label in ((Writer, "saisies DIF"), (Validator, "validations")):
        outcomes = [entry[0] for t in threads if isinstance(t, kind) for entry in t.history]
        parts.append(
            f"{label} : {outcomes.count('ok')} acquittées, {outcomes.count('fail')} refusées, "
            f"{outcomes.count('info')} sans réponse"
        )
    return " ; ".join(parts)


def gunicorn_workers(stack: Stack) -> list[int]:
    """The workers: the leaves of the web servers' trees (`uv run` → master → workers)."""
    return [pid for pid in stack.web_pids() if not children(pid)]


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
    for thread in writers:  # the copy's view of each history: the same for both kinds
        thread.history = [
            (outcome if sent < start - 1 else "info", value, sent)
            for outcome, value, sent in thread.history
            if sent <= end
        ]
    result = check(stack, writers, env=dict(stack.env, DATABASE_URL=restored_url))
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

"""Fault drills on the task worker and the mail server (issue 15 §2, REL-05 / REL-06).

    make bench-faults-worker                                  # both drills
    make bench-faults-worker ARGS="--drill worker-kill"
    make bench-faults-worker ARGS="--drill smtp-down --outage-minutes 60"

Production settings (``DEBUG=0``, mcf.settings) on a throwaway PostgreSQL cluster with fsync
on; the task worker is ``manage.py db_worker`` under a supervisor that starts it again two
seconds after it dies (as systemd's ``Restart=always``, README); the mail server is an
aiosmtpd sink of this script that writes down every message it accepts, in order, and
refuses for good (550) one address.

While the drill runs, a producer commits, in their own transactions as the site does:
numbered mails to 20 addresses (« n° k » per address: the order check), registrations (each
a confirmation mail), and, in the worker drill, a back-office upload of a 300 000-line
declarations file (a task of several seconds).

- **worker-kill**: ``kill -9`` of the worker three times while it delivers (the sink takes
  30 ms a mail), the third in the middle of the feed upload's import.
- **smtp-down**: the sink stopped for ``--outage-minutes`` (60: a real hour) while mails keep
  coming (1 every 20 s), then started again.

Checks, after the queue has drained (``--drain-minutes``, 15: a mail leased by a killed
worker waits for the end of its 10-minute lease): every committed mail reached the server
(by Message-ID) except the refused address's, which is a dead letter after one try, with
its error, as the back office lists it; a mail twice only with the same Message-ID (a kill
between the server's « 250 » and our commit: the receiver de-duplicates), at most one per
kill; per address, the numbered mails arrived in order; every registration is there with
its mail; the upload is loaded (« terminé ») with the ledger's invariants; no task left
RUNNING. Prints figures and a verdict per check.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "var" / "faults-worker"
OUT = BASE  # the running drill's folder, BASE / its name: two drills can run at once
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "load"))

RECIPIENTS = [f"usager{i:02d}@exemple.fr" for i in range(20)]
REFUSED = "inconnu@exemple.fr"
UV = os.environ.get("UV", "uv")


# --- The mail server ------------------------------------------------------------------------


def run_sink(port: int, log_path: str, delay: float) -> None:
    """aiosmtpd on 127.0.0.1:port: 550 for REFUSED, else accept after ``delay`` and append
    {message_id, to, subject, at} to the log (flushed: a killed sink loses nothing)."""
    from aiosmtpd.controller import Controller

    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - open for the process's life

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.lower() == REFUSED:
                return "550 5.1.1 Destinataire inconnu"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(delay)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            record = {
                "message_id": message["Message-ID"],
                "to": envelope.rcpt_tos[0],
                "subject": str(message["Subject"]),
                "at": time.time(),
            }
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
            return "250 Message accepted"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


# --- The stack ------------------------------------------------------------------------------


class Stack:
    def __init__(self, env: dict[str, str], smtp_port: int, sink_delay: float):
        self.env, self.smtp_port, self.sink_delay = env, smtp_port, sink_delay
        self.sink: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.supervising = threading.Event()
        self.restarts = 0

    def start_sink(self) -> None:
        self.sink = subprocess.Popen(
            [sys.executable, __file__, "--sink", str(self.smtp_port), str(OUT / "received.jsonl"),
             str(self.sink_delay)],
            cwd=ROOT, start_new_session=True,
        )  # fmt: skip
        time.sleep(1.0)

    def stop_sink(self) -> None:
        if self.sink and self.sink.poll() is None:
            os.killpg(self.sink.pid, signal.SIGTERM)
            self.sink.wait(10)

    def start_worker(self) -> None:
        log = open(OUT / "worker.log", "a")  # noqa: SIM115 - the worker writes to it
        self.worker = subprocess.Popen(
            [UV, "run", "--frozen", "python", "manage.py", "db_worker", "--no-reload",
             "--interval", "1"],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def supervise(self) -> None:
        """Restart=always: a dead worker is started again after 2 s."""
        self.supervising.set()

        def loop():
            while self.supervising.is_set():
                if self.worker is not None and self.worker.poll() is not None:
                    time.sleep(2)
                    self.start_worker()
                    self.restarts += 1
                time.sleep(0.2)

        threading.Thread(target=loop, daemon=True).start()

    def kill_worker(self) -> None:
        """kill -9 of the worker's whole process group (`uv run` and Python)."""
        os.killpg(self.worker.pid, signal.SIGKILL)

    def down(self) -> None:
        self.supervising.clear()
        time.sleep(0.5)
        if self.worker and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            self.worker.wait(30)
        self.stop_sink()


# --- The producer (Django in this process, the server's settings) ---------------------------


class Producer(threading.Thread):
    """Commits mails and registrations until stopped; remembers what was acknowledged."""

    def __init__(self, pace: float, registration_every: int = 10):
        super().__init__(daemon=True)
        self.pace, self.registration_every = pace, registration_every
        self.stop = threading.Event()
        self.mails: list[str] = []  # ids of the committed mails
        self.registrations: list[str] = []  # e-mail addresses of committed registrations
        self.sequence = defaultdict(int)

    def one_mail(self, to: str, number: int) -> str:
        from django.db import transaction

        from mcf.domain.contact.models import ContactMessage
        from mcf.domain.mailing.actions import queue_email
        from mcf.domain.mailing.models import OutboxEmail

        contact = ContactMessage(
            full_name="Exercice", email=to, topic=ContactMessage.Topic.HOURS, message="…"
        )
        with transaction.atomic():
            mail = queue_email(
                to=to,
                template="mailing/contact_acknowledgement.txt",
                context={"contact": contact},
                kind="exercice",
            )
            OutboxEmail.objects.filter(pk=mail.pk).update(subject=f"Exercice {to} n° {number}")
        return str(mail.pk)

    def one_registration(self, index: int) -> str:
        from django.utils import timezone

        from mcf.domain.accounts.registration import RegistrationData, register_holder
        from mcf.domain.identity.nir import Nir, with_key

        nir = with_key(f"1850578006{index:03d}")
        address = f"inscrit{index:03d}@exemple.fr"
        register_holder(
            RegistrationData(
                nir=Nir.parse(nir), civility="madame", first_name="Inès", birth_name="Exercice",
                landline="", mobile="+33612345678", email=address, apprenticeship_declared=False,
                password_hash=PASSWORD_HASH, cgu_version="2026-11",
                cgu_accepted_at=timezone.now(),
            )
        )  # fmt: skip
        return address

    def run(self):
        from django.db import connection

        self.mails.append(self.one_mail(REFUSED, 1))
        turn = 0
        while not self.stop.is_set():
            to = RECIPIENTS[turn % len(RECIPIENTS)]
            self.sequence[to] += 1
            self.mails.append(self.one_mail(to, self.sequence[to]))
            if turn % self.registration_every == 0 and len(self.registrations) < 999:
                self.registrations.append(self.one_registration(len(self.registrations)))
            turn += 1
            self.stop.wait(self.pace)
        connection.close()


PASSWORD_HASH = ""


def upload_declarations(lines: int) -> int:
    """The back office's upload of a generated file: stored, recorded, queued (the request's
    part). Returns the FeedImport's id."""
    from django.core.files import File
    from feed import generate  # bench/feed.py

    from mcf.domain.accounts.models import User
    from mcf.domain.hours.feed.uploads import submit_upload

    path = OUT / "declarations.csv"
    generate(path, lines)
    operator, _ = User.objects.get_or_create(
        username="exercice-operatrice", defaults={"is_staff": True}
    )
    with path.open("rb") as handle:
        return submit_upload(File(handle, name="declarations.csv"), operator).pk


# --- Waiting and checking -------------------------------------------------------------------


def pending_mails() -> int:
    from mcf.domain.mailing.models import OutboxEmail

    return OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).count()


def wait_for_drain(minutes: float, upload_id: int | None = None) -> float | None:
    """Seconds until no mail is pending (and the upload is finished), or None."""
    from mcf.domain.hours.models import FeedImport

    started = time.monotonic()
    while time.monotonic() - started < minutes * 60:
        upload_open = (
            upload_id is not None
            and FeedImport.objects.filter(
                pk=upload_id, status__in=[FeedImport.Status.QUEUED, FeedImport.Status.RUNNING]
            ).exists()
        )
        if not pending_mails() and not upload_open:
            return time.monotonic() - started
        time.sleep(2)
    return None


def received() -> list[dict]:
    path = OUT / "received.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def check(producer: Producer, kills: int, upload_id: int | None) -> list[tuple[str, bool, str]]:
    from django_tasks_db.models import DBTaskResult

    from mcf.domain.accounts.models import PendingRegistration
    from mcf.domain.mailing.models import OutboxEmail

    verdicts = []
    rows = {str(row.pk): row for row in OutboxEmail.objects.all()}
    acknowledged = [rows.get(pk) for pk in producer.mails]
    lost_rows = acknowledged.count(None)
    mails = received()
    times = defaultdict(int)
    for mail in mails:
        times[mail["message_id"]] += 1
    should_arrive = [row for row in rows.values() if row.to != REFUSED]
    missing = [row for row in should_arrive if times[row.message_id] == 0]
    twice = sum(1 for count in times.values() if count > 1)
    verdicts.append((
        "chaque courriel acquitté est parti",
        lost_rows == 0 and not missing,
        f"{len(producer.mails)} courriels et {len(producer.registrations)} inscriptions "
        f"acquittés, {len(rows)} courriels en base, {len(set(times))} reçus, "
        f"{len(missing)} manquants, {lost_rows} perdus",
    ))  # fmt: skip
    verdicts.append((
        "aucun en double, sauf même Message-ID après un arrêt brutal (≤ 1 par arrêt)",
        twice <= kills and all(m["message_id"] in {r.message_id for r in rows.values()}
                               for m in mails),
        f"{twice} reçus deux fois pour {kills} arrêts",
    ))  # fmt: skip
    disorder = []
    seen: dict[str, int] = {}
    first = set()
    for mail in mails:
        if mail["message_id"] in first or not mail["subject"].startswith("Exercice "):
            continue
        first.add(mail["message_id"])
        number = int(mail["subject"].rsplit("n° ", 1)[1])
        if number < seen.get(mail["to"], 0):
            disorder.append(f"{mail['to']} : n° {number} après n° {seen[mail['to']]}")
        seen[mail["to"]] = max(number, seen.get(mail["to"], 0))
    verdicts.append((
        "l'ordre est gardé pour chaque destinataire",
        not disorder,
        f"{len(seen)} destinataires, {len(first)} courriels numérotés ; "
        + ("; ".join(disorder[:3]) or "aucun désordre"),
    ))  # fmt: skip
    dead = OutboxEmail.objects.filter(status=OutboxEmail.Status.DEAD)
    refused = [row for row in dead if row.to == REFUSED]
    verdicts.append((
        "l'adresse refusée est une lettre morte visible, après un seul essai",
        len(refused) == 1 and refused[0].attempts == 1 and dead.count() == 1
        and refused[0].last_error.startswith("SMTPRecipientsRefused"),
        f"{dead.count()} lettre(s) morte(s) ; "
        + (f"{refused[0].attempts} essai, « {refused[0].last_error[:60]} »" if refused else ""),
    ))  # fmt: skip
    registered = set(
        PendingRegistration.objects.filter(email__in=producer.registrations).values_list(
            "email", flat=True
        )
    )
    confirmations = {m["to"] for m in mails if m["to"].startswith("inscrit")}
    verdicts.append((
        "chaque inscription acquittée est là, avec son courriel",
        registered == set(producer.registrations) == confirmations,
        f"{len(registered)} en base, {len(confirmations)} courriels reçus",
    ))  # fmt: skip
    if upload_id is not None:
        verdicts.append(upload_verdict(upload_id))
    running = DBTaskResult.objects.filter(status="RUNNING").count()
    verdicts.append(("aucune tâche restée « en cours »", running == 0, f"{running}"))
    return verdicts


def upload_verdict(upload_id: int) -> tuple[str, bool, str]:
    from django.db import connection

    from mcf.domain.hours.models import FeedImport

    run = FeedImport.objects.get(pk=upload_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM hours_counter c LEFT JOIN (SELECT counter_id, "
            "sum(hours) FILTER (WHERE account = 'cpf' AND kind NOT IN "
            "('reservation', 'liberation')) AS cpf FROM hours_entry GROUP BY counter_id) e "
            "ON e.counter_id = c.id WHERE c.cpf_balance <> coalesce(e.cpf, 0)"
        )
        breaks = cursor.fetchone()[0]
    # The kill hit the import (else this proves nothing): its task was taken over.
    taken_over = "taken over after its importer died" in (OUT / "worker.log").read_text()
    return (
        "le fichier déposé, son chargement tué, est repris et chargé ; registre cohérent",
        taken_over and run.status == FeedImport.Status.DONE and breaks == 0,
        f"repris : {'oui' if taken_over else 'non'} ; état « {run.get_status_display()} », "
        f"{run.lines_read} lignes lues, {run.persons_credited} personnes créditées ; "
        f"{breaks} compteur(s) ≠ Σ écritures",
    )


# --- The drills -----------------------------------------------------------------------------


def drill_worker_kill(stack: Stack, args) -> list:
    from mcf.domain.hours.models import FeedImport

    stack.supervise()
    producer = Producer(pace=0.1)
    producer.start()
    kills = 0
    for _ in range(2):
        time.sleep(12)
        stack.kill_worker()
        kills += 1
    upload_id = upload_declarations(args.lines)
    for _ in range(600):  # the third kill: in the middle of the import
        if FeedImport.objects.filter(pk=upload_id, status=FeedImport.Status.RUNNING).exists():
            break
        time.sleep(0.1)
    time.sleep(2.0)
    stack.kill_worker()
    kills += 1
    time.sleep(10)
    producer.stop.set()
    producer.join(30)
    print(f"worker-kill : {kills} arrêts brutaux, {stack.restarts} redémarrages ; "
          f"{len(producer.mails)} courriels acquittés ; attente de la file…")  # fmt: skip
    drained = wait_for_drain(args.drain_minutes, upload_id)
    print(f"file vidée en {drained:.0f} s" if drained is not None else "file NON vidée")
    verdicts = [("worker-kill : la file se vide", drained is not None, f"{drained or 0:.0f} s")]
    return verdicts + [(f"worker-kill : {v[0]}", *v[1:]) for v in check(producer, kills, upload_id)]


def drill_smtp_down(stack: Stack, args) -> list:
    producer = Producer(pace=0.5)
    producer.start()
    time.sleep(30)
    stack.stop_sink()
    down_at = time.time()
    print(f"smtp-down : serveur de courriel arrêté à {time.strftime('%H:%M:%S')} pour "
          f"{args.outage_minutes} min")  # fmt: skip
    time.sleep(30)
    producer.pace = 20.0  # the trickle of an hour: one mail every 20 s
    time.sleep(max(0.0, args.outage_minutes * 60 - 30))
    held = pending_mails()
    stack.start_sink()
    back_at = time.time()
    print(f"serveur de retour après {(back_at - down_at) / 60:.1f} min ; {held} courriels en "
          f"attente")  # fmt: skip
    drained = wait_for_drain(args.drain_minutes)
    producer.stop.set()
    producer.join(30)
    print(f"file vidée {drained:.0f} s après le retour" if drained is not None
          else "file NON vidée")  # fmt: skip
    verdicts = [(
        "smtp-down : la file se vide dès le retour du serveur",
        drained is not None and drained < 120,
        f"{held} en attente, vidée en {drained or 0:.0f} s (cible < 120 s)",
    )]  # fmt: skip
    return verdicts + [(f"smtp-down : {v[0]}", *v[1:]) for v in check(producer, 0, None)]


DRILLS = {"worker-kill": drill_worker_kill, "smtp-down": drill_smtp_down}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--sink":
        run_sink(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drill", choices=sorted(DRILLS), action="append")
    parser.add_argument("--outage-minutes", type=float, default=60)
    parser.add_argument("--drain-minutes", type=float, default=15)
    parser.add_argument("--lines", type=int, default=300_000)
    args = parser.parse_args()
    if not os.environ.get("PG_DATA_DIR"):
        raise SystemExit("à lancer sous scripts/with-postgres (make bench-faults-worker)")
    from run import free_port, production_env, report  # bench/load/run.py

    # One set of settings and keys for this process (the producer) and the worker.
    smtp_port = free_port()
    uploads = BASE / f"alimentation-{os.getpid()}"  # this process's and its worker's
    env = production_env(free_port(), smtp_port) | {"FEED_UPLOAD_DIR": str(uploads)}
    os.environ.update(env)
    import django

    django.setup()
    verdicts = []
    for name in args.drill or list(DRILLS):
        verdicts += run_drill(name, Stack(env, smtp_port, sink_delay=0.03), args)
    return report(verdicts)


def run_drill(name: str, stack: Stack, args) -> list:
    """One drill on an empty database and a fresh worker and mail server."""
    import shutil

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    global PASSWORD_HASH
    PASSWORD_HASH = make_password("Exercice-2026-mot-de-passe")
    global OUT
    OUT = BASE / name
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    Path(stack.env["FEED_UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    try:
        stack.start_sink()
        stack.start_worker()
        return DRILLS[name](stack, args)
    finally:
        stack.down()
        connection.close()


if __name__ == "__main__":
    sys.exit(main())

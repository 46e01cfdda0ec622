"""The task worker (`manage.py db_worker`) that outlives a database restart (REL-06).

django-tasks-db's worker (0.13) re-raises any ``OperationalError`` but « database is
locked »: a PostgreSQL restart (or a dropped connection while the server is away) ended the
process, and no mail left until someone restarted it. ``ResilientWorker`` catches the
connection errors, closes the broken connections, waits (1 s, doubling, at most
``MAX_BACKOFF_SECONDS``) and goes on.

A task row stays RUNNING when its worker dies (killed, machine lost) or loses the database
mid-task: django-tasks-db never looks at it again. Each worker proves it is alive by a
heartbeat in the shared cache (``HEARTBEAT_SECONDS``, from a thread, so a long task — a
national feed file — keeps its heartbeat); ``recover_orphaned_tasks`` puts back to READY
the RUNNING rows whose worker has no heartbeat any more (and, after a database error, the
worker's own row: it runs one task at a time). It runs at the start of every worker and
then every ``SWEEP_SECONDS``. Our tasks are written to be run twice safely: the outbox
claims a mail under a lease (mailing/delivery.py) and the feed upload takes only a queued
import (hours/feed/uploads.py).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("mcf.worker")

CONNECTION_ERRORS = (OperationalError, InterfaceError)
MAX_BACKOFF_SECONDS = 30
HEARTBEAT_SECONDS = 10
# A worker silent for this long is dead: its RUNNING tasks are run again.
HEARTBEAT_LIFETIME = 60
SWEEP_SECONDS = 60


def _heartbeat_key(worker_id: str) -> str:
    return f"mcf:tasks-worker:{worker_id}"


def beat(worker_id: str) -> None:
    cache.set(_heartbeat_key(worker_id), timezone.now().isoformat(), HEARTBEAT_LIFETIME)


def is_alive(worker_id: str) -> bool:
    return cache.get(_heartbeat_key(worker_id)) is not None


def recover_orphaned_tasks(own_worker_id: str | None = None) -> int:
    """Put back to READY the RUNNING task rows whose worker is dead (no heartbeat for
    ``HEARTBEAT_LIFETIME``), or is ``own_worker_id`` (a worker that lost its task to a
    database error). Returns how many."""
    started_before = timezone.now() - timedelta(seconds=HEARTBEAT_LIFETIME)
    orphans = []
    for task_id, worker_ids, started_at in DBTaskResult.objects.running().values_list(
        "id", "worker_ids", "started_at"
    ):
        worker_id = worker_ids[-1] if worker_ids else None
        if worker_id == own_worker_id or (
            (started_at is None or started_at < started_before)
            and not (worker_id and is_alive(worker_id))
        ):
            orphans.append(task_id)
    if not orphans:
        return 0
    count = DBTaskResult.objects.filter(id__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY
    )
    if count:
        logger.warning("worker: %s tâche(s) d'un travailleur arrêté relancée(s)", count)
    return count


def close_connections() -> None:
    """Close every connection of this thread; a broken one may fail to close."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:
            logger.debug("worker: connection already unusable", exc_info=True)


class _Heartbeat(threading.Thread):
    """Beats every ``HEARTBEAT_SECONDS`` and sweeps orphans every ``SWEEP_SECONDS``, on its
    own connection, whatever the main thread runs; a database error is logged and retried
    at the next beat."""

    def __init__(self, worker_id: str):
        super().__init__(name="mcf-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        last_sweep = time.monotonic()
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                beat(self.worker_id)
                if time.monotonic() - last_sweep >= SWEEP_SECONDS:
                    last_sweep = time.monotonic()
                    recover_orphaned_tasks()
            except CONNECTION_ERRORS as error:
                logger.warning("worker: heartbeat impossible (%s)", type(error).__name__)
                close_connections()
        close_connections()


class ResilientWorker(Worker):
    """django-tasks-db's worker, with a heartbeat, orphan recovery, and reconnection."""

    def run(self) -> None:
        heartbeat = _Heartbeat(self.worker_id)
        failures = 0
        try:
            while self.running:
                try:
                    beat(self.worker_id)
                    if not heartbeat.is_alive():
                        heartbeat.start()
                    recover_orphaned_tasks(own_worker_id=self.worker_id)
                    failures = 0
                    super().run()
                    return
                except CONNECTION_ERRORS as error:
                    failures += 1
                    delay = min(2 ** (failures - 1), MAX_BACKOFF_SECONDS)
                    logger.warning(
                        "worker: base de données injoignable (%s : %s), nouvel essai dans %s s",
                        type(error).__name__,
                        str(error).strip().splitlines()[0][:200] if str(error).strip() else "",
                        delay,
                        exc_info=logger.isEnabledFor(logging.DEBUG),
                    )
                    close_connections()
                    self.running_task = False
                    self.startup_delay = False
                    time.sleep(delay)
        finally:
            heartbeat.stopped.set()

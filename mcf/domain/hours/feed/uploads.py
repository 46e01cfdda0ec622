"""Declarations files uploaded in the back office, imported by a background task.

``submit_upload(file, operator)`` checks the file (size, CSV sanity, header), stores it in
``FEED_UPLOAD_DIR`` under a random name, records a ``FeedImport`` and enqueues the task in
one transaction. ``run_upload(import_id)`` (the task) loads it with the very function of
``manage.py import_declarations``, writes the outcome on the record in the import's own
transaction, and deletes the uploaded file (it holds NIRs in clear: PRIV-01); the rejection
report (line numbers and French reasons, no NIR) stays for download.

The web server and the worker (``manage.py db_worker``) must share ``FEED_UPLOAD_DIR``
(default ``var/alimentation``). Progress is a small JSON file next to the upload, rewritten
at most once a second: the import's transaction is not visible to the page until it ends.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import json
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from mcf.core.logging import neutralise, security_event
from mcf.domain.hours.feed.importer import import_declarations
from mcf.domain.hours.feed.parsing import FeedFormatError, check_header
from mcf.domain.hours.feed.report import ImportReport
from mcf.domain.hours.models import FeedImport

logger = logging.getLogger(__name__)

SNIFF_BYTES = 64 * 1024
EXTENSIONS = (".csv", ".txt")
PROGRESS_EVERY_SECONDS = 1.0
# No progress for this long: say the worker may have stopped (a national file's grouping
# sort writes no progress for a few minutes; a killed worker writes none ever again).
STALL_MINUTES = 15


class UploadRefused(ValueError):
    """The uploaded file cannot be imported (French message for the operator)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def upload_dir() -> Path:
    return Path(settings.FEED_UPLOAD_DIR)


def max_upload_bytes() -> int:
    return settings.FEED_UPLOAD_MAX_BYTES


def upload_path(run: FeedImport) -> Path:
    return upload_dir() / f"{run.key}.csv"


def report_path(run: FeedImport) -> Path:
    return upload_dir() / f"{run.key}.rapport.csv"


def progress_path(run: FeedImport) -> Path:
    return upload_dir() / f"{run.key}.progression.json"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} Mo"


def check_upload(uploaded) -> None:
    """Refuse, with a French message, what is surely not a declarations file."""
    name = Path(str(getattr(uploaded, "name", "") or "")).name
    size = uploaded.size or 0
    limit = max_upload_bytes()
    if not name.lower().endswith(EXTENSIONS):
        raise UploadRefused("Le fichier doit être un fichier CSV (extension .csv).")
    if size == 0:
        raise UploadRefused("Le fichier est vide.")
    if size > limit:
        raise UploadRefused(
            f"Le fichier pèse {_megabytes(size)} : la taille maximale d'un dépôt est de "
            f"{_megabytes(limit)}. Découpez-le par année, ou chargez-le avec la commande "
            "« manage.py import_declarations »."
        )
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    if b"\0" in head:
        raise UploadRefused(
            "Ce fichier n'est pas un fichier texte CSV (il contient des octets nuls : un "
            "classeur Excel ou un fichier compressé ?). Enregistrez-le au format « CSV UTF-8 »."
        )
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as error:
        raise UploadRefused(
            "Le fichier n'est pas encodé en UTF-8. Enregistrez-le au format « CSV UTF-8 » "
            "(séparateur point-virgule)."
        ) from error
    first_line = text.split("\n", 1)[0]
    try:
        check_header(first_line)
    except FeedFormatError as error:
        raise UploadRefused(error.message) from error


def submit_upload(uploaded, operator) -> FeedImport:
    """Check and store an uploaded declarations file; queue its import. ``UploadRefused``
    (nothing stored) when the file is refused or cannot be stored."""
    from mcf.domain.hours.tasks import import_uploaded_declarations

    check_upload(uploaded)
    folder = upload_dir()
    run = FeedImport(
        file_name=Path(uploaded.name).name[:255], size=uploaded.size, uploaded_by=operator
    )
    target = upload_path(run)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
    except OSError as error:
        with contextlib.suppress(OSError):
            target.unlink(missing_ok=True)
        logger.error("feed upload: cannot store the file: %s", neutralise(error))
        raise UploadRefused(
            "Le fichier n'a pas pu être enregistré sur le serveur (espace disque ?). "
            "Rien n'a été chargé ; réessayez plus tard."
        ) from error
    try:
        with transaction.atomic():
            run.save()
            import_uploaded_declarations.enqueue(run.pk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    security_event(
        "feed.upload",
        outcome="queued",
        operator=operator.public_id,
        run=run.pk,
        file=run.file_name,
        size=run.size,
    )
    return run


def stalled_minutes(run: FeedImport, *, now=None) -> int | None:
    """Minutes without a sign of life (progress written) of a running import, when more
    than ``STALL_MINUTES``: its worker was probably stopped (the import's transaction is
    then rolled back, nothing was written). None otherwise."""
    if run.status != FeedImport.Status.RUNNING or run.started_at is None:
        return None
    last = run.started_at.timestamp()
    with contextlib.suppress(OSError):
        last = max(last, progress_path(run).stat().st_mtime)
    now = (now or timezone.now()).timestamp()
    minutes = int((now - last) // 60)
    return minutes if minutes >= STALL_MINUTES else None


def read_progress(run: FeedImport) -> dict | None:
    """{"phase", "done", "total", "percent"} of a running import, or None."""
    if run.status != FeedImport.Status.RUNNING:
        return None
    try:
        return json.loads(progress_path(run).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class _ProgressFile:
    """The ``progress`` callback of ``import_declarations``, written to a file (throttled)."""

    def __init__(self, path: Path):
        self.path = path
        self.written_at = 0.0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY_SECONDS:
            return
        self.written_at = now
        percent = min(100, done * 100 // total) if total else None
        temporary = self.path.with_suffix(".tmp")
        try:
            temporary.write_text(
                json.dumps({"phase": phase, "done": done, "total": total, "percent": percent}),
                encoding="utf-8",
            )
            temporary.replace(self.path)
        except OSError:
            pass  # progress is a courtesy: never fail an import for it


TECHNICAL_FAILURE = (
    "Erreur technique pendant le chargement : aucune donnée n'a été chargée. "
    "Déposez le fichier à nouveau ou prévenez l'équipe technique (chargement n° {pk})."
)


def run_upload(import_id: int) -> str:
    """Import the uploaded file of ``FeedImport`` ``import_id`` (the background task).

    Runs once: only a QUEUED record is taken (a duplicate task does nothing). The record
    becomes DONE in the import's own transaction, so DONE means « loaded »; a failure
    leaves the ledger as it was and the record FAILED with a French message.
    """
    with _importer_lock(import_id) as mine:
        if not mine:
            return "ignoré"  # a live process is importing it
        return _run_upload(import_id)


# Namespace of the advisory locks of feed uploads (any constant unique to this use).
_LOCK_NAMESPACE = 0x4D4346  # « MCF »


@contextlib.contextmanager
def _importer_lock(import_id: int):
    """Held by the process that imports ``import_id``, for the whole import. On PostgreSQL a
    session advisory lock: the server releases it when that process's connection ends,
    however the process died (kill -9, machine lost). Yields whether this process got it.
    On SQLite (make run: one worker) there is nobody else to ask."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, import_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, import_id])


def _run_upload(import_id: int) -> str:
    # Queued: ours. Running, while we hold its lock: the process that started it died (its
    # transaction was rolled back with its connection, nothing of it was written), and its
    # task was given back by the worker's recovery (core/tasks_worker.py): take it over
    # rather than leave an acknowledged upload « en cours » for ever (REL-06).
    now = timezone.now()
    runs = FeedImport.objects.filter(pk=import_id)
    if not runs.filter(status=FeedImport.Status.QUEUED).update(
        status=FeedImport.Status.RUNNING, started_at=now
    ):
        if not runs.filter(status=FeedImport.Status.RUNNING).update(started_at=now):
            return "ignoré"
        logger.warning("feed upload %s: taken over after its importer died", import_id)
    run = runs.get()
    source = upload_path(run)
    logger.info("feed upload %s: import started (%s)", run.pk, neutralise(run.file_name))

    def mark_done(report: ImportReport) -> None:
        """In the import's transaction: DONE means « loaded »."""
        report.file_name = run.file_name
        shown = dataclasses.replace(report, report_path=None)
        FeedImport.objects.filter(pk=run.pk).update(
            status=FeedImport.Status.DONE,
            finished_at=timezone.now(),
            lines_read=report.lines_read,
            lines_rejected=report.lines_rejected,
            persons_credited=report.persons_credited,
            hours_credited=report.hours_credited,
            already_loaded=report.already_loaded,
            corrections=report.corrections,
            counters_created=report.counters_created,
            summary="\n".join(shown.summary_lines()),
        )

    try:
        report = import_declarations(
            source,
            report_path=report_path(run),
            progress=_ProgressFile(progress_path(run)),
            before_commit=mark_done,
        )
    except FeedFormatError as error:
        _failed(run, error.message)
        return "échoué"
    except Exception:
        logger.exception("feed upload %s: import failed", run.pk)
        _failed(run, TECHNICAL_FAILURE.format(pk=run.pk))
        return "échoué"
    finally:
        source.unlink(missing_ok=True)
        progress_path(run).unlink(missing_ok=True)
    security_event(
        "feed.import",
        outcome="success",
        operator=run.uploaded_by.public_id,
        run=run.pk,
        lines=report.lines_read,
        rejected=report.lines_rejected,
    )
    return "terminé"


def _failed(run: FeedImport, message: str) -> None:
    FeedImport.objects.filter(pk=run.pk).update(
        status=FeedImport.Status.FAILED, finished_at=timezone.now(), error=message
    )
    security_event(
        "feed.import",
        outcome="failure",
        level=logging.WARNING,
        operator=run.uploaded_by.public_id,
        run=run.pk,
    )

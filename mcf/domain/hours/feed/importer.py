"""``import_declarations``: load a yearly declarations file (domain.md §3.1).

Used by ``manage.py import_declarations FILE`` and by the back-office upload page.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from mcf.domain.hours.feed.computing import Planner
from mcf.domain.hours.feed.parallel import TwoProcessReading, halves
from mcf.domain.hours.feed.parsing import DeclarationReader, FeedFormatError, check_header
from mcf.domain.hours.feed.portable import PortableEngine
from mcf.domain.hours.feed.postgres import PostgresEngine
from mcf.domain.hours.feed.report import ImportReport, RejectionWriter

logger = logging.getLogger(__name__)

REPORT_SUFFIX = ".rapport.csv"

# progress(phase, done, total): phase « lecture » counts bytes of the file (total: its size,
# or None when unknown), phase « application » counts persons (total: persons in the file).
Progress = Callable[[str, int, int | None], None]


def import_declarations(
    path_or_file: str | os.PathLike | IO[Any],
    *,
    progress: Progress | None = None,
    report_path: str | os.PathLike | None = None,
    today: date | None = None,
    now: datetime | None = None,
    engine: str | None = None,
    before_commit: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Load a declarations file; return its ``ImportReport``.

    ``path_or_file``: a path, or an open file (binary, e.g. a Django ``UploadedFile``, or
    text). The rejected lines go to ``report_path``, by default ``<file>.rapport.csv`` next
    to a path, or a new temporary file for a file object (``ImportReport.report_path``).

    Raises ``FeedFormatError`` (French ``message``) when the file is not a declarations file
    (empty, wrong header): then nothing is written, not even the report. Everything else is
    one transaction: a database error leaves the counters as they were.

    ``before_commit(report)``, if given, runs inside the import's transaction once the
    ledger is written (the back office marks its upload done there): what it writes is
    committed with the import, or not at all. The caller should not open a transaction
    around the import itself: on PostgreSQL the groups are then read on a second
    connection, which only sees committed rows (otherwise one connection does it all).

    ``today`` decides which years are over (default: today); ``now`` dates the entries;
    ``engine`` forces ``"postgresql"`` or ``"portable"`` (default: by database vendor).
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    now = now or timezone.now()
    text, binary, size, name, path = _open(path_or_file)
    try:
        check_header(text.readline())
        report_file = _report_path(path, report_path)
        report = ImportReport(file_name=name, report_path=report_file)
        try:
            rejections = RejectionWriter(report_file, report)
        except OSError as error:
            raise FeedFormatError(
                f"Impossible d'écrire le rapport {report_file} : {error.strerror or error}. "
                "Aucune donnée n'a été chargée."
            ) from error
        try:
            finish = _finisher(started, before_commit)
            _load(
                text, binary, size, path, report, rejections, progress, today, now, engine, finish
            )
        except BaseException:
            rejections.close()
            report_file.unlink(missing_ok=True)
            raise
        rejections.close()
    finally:
        if path is not None:
            text.close()
        elif text is not path_or_file:
            text.detach()  # leave the caller's file open
    report.duration = time.perf_counter() - started
    logger.info(
        "feed %s: %d lines, %d rejected, %d credited, %d h, %d already loaded, %d corrections",
        name,
        report.lines_read,
        report.lines_rejected,
        report.persons_credited,
        report.hours_credited,
        report.already_loaded,
        report.corrections,
    )
    return report


def _finisher(started: float, before_commit) -> Callable[[ImportReport], None] | None:
    if before_commit is None:
        return None

    def finish(report: ImportReport) -> None:
        report.duration = time.perf_counter() - started  # so far: the commit comes after
        before_commit(report)

    return finish


def _load(
    text, binary, size, path, report, rejections, progress, today, now, engine_name, finish
) -> None:
    def reading_progress(lines: int) -> None:
        if progress is None:
            return
        try:
            done = binary.tell() if binary is not None else lines
        except (OSError, ValueError):
            done = lines
        progress("lecture", done, size if binary is not None else None)

    planner = Planner(report.file_name)
    engine_name = engine_name or (
        PostgresEngine.name if connection.vendor == "postgresql" else PortableEngine.name
    )
    engine_class = PostgresEngine if engine_name == PostgresEngine.name else PortableEngine
    engine = engine_class(connection, planner, now=now, progress=progress)
    report.engine = engine.name
    cut = _halves_for_two_processes(engine, path, size)
    reader = None
    try:
        if cut is not None:
            reader = TwoProcessReading(
                path,
                *cut,
                size,
                today=today,
                on_reject=rejections,
                progress=(
                    (lambda lines, done: progress("lecture", done, size)) if progress else None
                ),
                hash_key=settings.NIR_HASH_KEY,
            )
        else:
            reader = DeclarationReader(
                text, today=today, on_reject=rejections, progress=reading_progress
            )
        with transaction.atomic():
            if cut is not None:
                engine.stage((), text=reader.copy_text())
            else:
                engine.stage(reader)
            engine.apply()
            engine.cleanup()
            _fill(report, reader, planner, engine)
            if finish is not None:
                finish(report)
    finally:
        engine.close()
        if isinstance(reader, TwoProcessReading):
            reader.close()


def _fill(report: ImportReport, reader, planner: Planner, engine) -> None:
    report.lines_read = reader.lines_read
    report.lines_rejected = reader.lines_rejected
    tally = planner.tally
    report.persons = tally.persons
    report.persons_credited = tally.persons_credited
    report.hours_credited = tally.hours_credited
    report.years_loaded = tally.feeds
    report.already_loaded = tally.already_loaded
    report.corrections = tally.corrections
    report.correction_hours = tally.correction_hours
    report.corrections_capped = tally.corrections_capped
    report.counters_created = tally.counters_created
    report.timings = dict(getattr(engine, "timings", {}))


def _halves_for_two_processes(engine, path: Path | None, size: int | None):
    """Where to cut the file for two readers, or None: only the PostgreSQL engine's staging
    takes a ready-made second half, and a small file is read faster by one process."""
    if (
        engine.name != PostgresEngine.name
        or path is None
        or size is None
        or size < settings.FEED_TWO_PROCESSES_MIN_BYTES
        or (os.cpu_count() or 1) < 2
    ):
        return None
    return halves(path, size)


def _open(path_or_file) -> tuple[IO[str], IO[bytes] | None, int | None, str, Path | None]:
    """(text stream, underlying binary stream or None, size or None, display name, path)."""
    if isinstance(path_or_file, str | os.PathLike):
        path = Path(path_or_file)
        try:
            binary = path.open("rb")
        except OSError as error:
            raise FeedFormatError(f"Impossible d'ouvrir le fichier {path} : {error}.") from error
        size = path.stat().st_size
        return _text(binary), binary, size, path.name, path
    name = Path(str(getattr(path_or_file, "name", "") or "declarations.csv")).name
    if isinstance(path_or_file, io.TextIOBase):
        return path_or_file, None, None, name, None
    binary = getattr(path_or_file, "file", path_or_file)  # a Django File wraps the stream
    if hasattr(binary, "seek"):
        binary.seek(0)
    size = getattr(path_or_file, "size", None)
    return _text(binary), binary, size, name, None


def _text(binary: IO[bytes]) -> IO[str]:
    # A BOM is accepted (spreadsheet exports); undecodable bytes become U+FFFD, so such a
    # line is rejected by its NIR/SIRET/hours checks instead of stopping the file.
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")


def _report_path(path: Path | None, report_path) -> Path:
    if report_path is not None:
        return Path(report_path)
    if path is not None:
        return path.with_name(path.name + REPORT_SUFFIX)
    handle, name = tempfile.mkstemp(prefix="declarations-", suffix=REPORT_SUFFIX)
    os.close(handle)
    return Path(name)

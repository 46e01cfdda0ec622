"""A large file read by two processes (feed/parallel.py), and the groups read on a second
connection (postgres._ReadBeside), give what one reader and one connection give."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from mcf.domain.hours.feed import HEADER_LINE, import_declarations
from mcf.domain.hours.feed import parallel as parallel_reading
from mcf.domain.hours.feed import postgres as postgres_engine
from mcf.domain.hours.feed.parallel import FIRST_SHARE, halves
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.identity.nir import with_key
from tests.domain.hours.test_feed import NOW, TODAY, line, write_file
from tests.domain.hours.test_feed_postgres import HOLDER_NIR, random_file, report_figures, snapshot
from tests.factories import registered_holder

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two readers feed the PostgreSQL engine only"
)


def _import(path, **options):
    progress = []
    with transaction.atomic():
        report = import_declarations(
            path,
            today=TODAY,
            now=NOW,
            progress=lambda phase, done, total: progress.append((phase, done, total)),
            **options,
        )
        result = (
            snapshot(),
            report.lines_read,
            report.lines_rejected,
            report.rejections,
            report.report_path.read_text(encoding="utf-8"),
            report.years_loaded,
            report.hours_credited,
        )
        transaction.set_rollback(True)
    return result, progress


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("seed", [3, 4])
def test_two_readers_give_the_ledger_and_the_report_of_one(tmp_path, settings, seed):
    path = random_file(tmp_path, seed)
    # Bad lines in both halves, and CRLF endings: line numbers must match the whole file's.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n", "\r\n"), encoding="utf-8", newline="")
    settings.FEED_TWO_PROCESSES_MIN_BYTES = 10**9
    one, _ = _import(path)
    settings.FEED_TWO_PROCESSES_MIN_BYTES = 0
    two, progress = _import(path)
    assert two == one
    assert one[2] > 1  # rejected lines
    reading = [done for phase, done, _ in progress if phase == "lecture"]
    assert reading[-1] == path.stat().st_size


@postgresql_only
@pytest.mark.django_db
def test_a_failing_helper_fails_the_import_and_writes_nothing(tmp_path, settings, monkeypatch):
    path = random_file(tmp_path, 5)
    settings.FEED_TWO_PROCESSES_MIN_BYTES = 0
    monkeypatch.setattr(parallel_reading, "HELPER_MODULE", "mcf.no_such_module")
    with pytest.raises(RuntimeError, match="reading helper failed"):
        import_declarations(path, today=TODAY, now=NOW)
    assert not Counter.objects.exists() and not Entry.objects.exists()
    assert not path.with_name(path.name + ".rapport.csv").exists()


def test_the_file_is_cut_after_a_line(tmp_path):
    path = tmp_path / "d.csv"
    header = HEADER_LINE
    body = "".join(line(2016, "1" * 15, str(hours)) + "\n" for hours in range(100))
    path.write_text(header + "\r\n" + body, encoding="utf-8", newline="")
    size = path.stat().st_size
    header_end, split = halves(path, size)
    data = path.read_bytes()
    assert data[header_end - 1 : header_end] == b"\n" and data[split - 1 : split] == b"\n"
    assert abs(split - header_end - (size - header_end) * FIRST_SHARE) < 100
    path.write_text(header + "\r" + body.replace("\n", "\r"), encoding="utf-8", newline="")
    assert halves(path, path.stat().st_size) is None  # lines ended by \r alone: one reader


def _feed_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname ~ '^feed_(staging|person)' ORDER BY 1"
        )
        return [name for (name,) in cursor.fetchall()]


def _imports(paths):
    return [report_figures(import_declarations(path, today=TODAY, now=NOW)) for path in paths]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_reading_on_a_second_connection_gives_the_ledger_of_one(tmp_path, settings, monkeypatch):
    """Outside a transaction the groups are read on a second connection (engine
    ``_ReadBeside``); inside one, on the writing connection: same ledger, same reports."""
    registered_holder(HOLDER_NIR, email="h@example.org")
    first, second = random_file(tmp_path, 6), random_file(tmp_path, 106)
    readers, read_beside = [], postgres_engine._ReadBeside
    monkeypatch.setattr(
        postgres_engine, "_ReadBeside", lambda *args: readers.append(args) or read_beside(*args)
    )
    settings.FEED_TWO_PROCESSES_MIN_BYTES = 0  # and the file read by two processes
    with connection.cursor() as cursor:
        # Left by a killed import (no such backend), and one of an import still running
        # (this test's own backend stands for it): only the first may be dropped.
        cursor.execute("CREATE UNLOGGED TABLE feed_staging_999999 (x int)")
        cursor.execute("SELECT pg_backend_pid()")
        running = f"feed_staging_{cursor.fetchone()[0]}"
        cursor.execute(f"CREATE UNLOGGED TABLE {running} (x int)")
    with transaction.atomic():
        one_connection = (_imports([first, second, first]), snapshot())
        transaction.set_rollback(True)
    assert readers == []
    two_connections = (_imports([first, second, first]), snapshot())
    assert len(readers) == 3
    assert two_connections == one_connection
    figures = two_connections[0]
    assert figures[0][1] > 100 and figures[1][4] > 0 and figures[2][3] > 0
    assert _feed_tables() == [running]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {running}")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_wrong_first_load_guess_is_made_again_the_general_way(tmp_path, monkeypatch):
    """The first thousand persons of the file have no counter, a later one has: the guess
    « first load » is wrong, found out once the counters are locked, and the import is made
    again the general way — same ledger as one connection gives."""
    newcomers = [line(2016, with_key(f"1900175{i:06d}"), "1607") for i in range(1200)]
    path = write_file(tmp_path, [*newcomers, line(2016, HOLDER_NIR, "803,5")], "d.csv")
    earlier = write_file(tmp_path, [line(2015, HOLDER_NIR, "1607")], "earlier.csv")
    registered_holder(HOLDER_NIR, email="h@example.org")
    import_declarations(earlier, today=TODAY, now=NOW)
    readers, read_beside = [], postgres_engine._ReadBeside
    monkeypatch.setattr(
        postgres_engine, "_ReadBeside", lambda *args: readers.append(args) or read_beside(*args)
    )
    with transaction.atomic():
        one_connection = (_imports([path]), snapshot())
        transaction.set_rollback(True)
    two_connections = (_imports([path]), snapshot())
    assert two_connections == one_connection
    assert len(readers) == 2  # the guess, then the general way
    assert one_connection[0][0][1] == 1201  # years loaded
    readers.clear()
    later = write_file(tmp_path, [line(2017, with_key("2910175000001"), "1607")], "l.csv")
    assert _imports([later])[0][1] == 1 and len(readers) == 1  # a right guess: one reader


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_before_commit_runs_in_the_imports_transaction(tmp_path):
    """The back office marks its upload done in ``before_commit``: it sees the import's
    ledger, and if it fails, nothing of the import is kept."""
    path = random_file(tmp_path, 7)
    seen = []

    def fail_after_looking(report):
        counts = (Entry.objects.count(), report.counters_created, Counter.objects.count())
        seen.append((report.years_loaded, *counts))
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError, match="refused"):
        import_declarations(path, today=TODAY, now=NOW, before_commit=fail_after_looking)
    [(years_loaded, entries, created, counters)] = seen
    assert years_loaded == entries > 100 and created == counters > 200
    assert not Counter.objects.exists() and not Entry.objects.exists()
    assert _feed_tables() == []

"""The set-based feed on PostgreSQL (docs/decisions/0002 and 0008).

1. *Staging* — the parsed lines (NIR already replaced by its keyed hash: neither the NIR nor
   the hash key ever reaches the database) are streamed by ``COPY`` into a staging table.
2. *Persons and locks* — a table of the file's persons and their counters (which persons are
   new is decided there, once); their existing counters are locked (``FOR UPDATE``, in id
   order, so two imports cannot deadlock); new persons get ids from the counters' sequence.
3. *One pass* — server-side cursors stream one row per (person, year), grouped by SQL
   (``string_agg`` of the declarations): new persons by NIR hash, existing counters by id,
   joined with the counter's balance and what the ledger already holds for that year.
   Python computes each credit exactly (``computing.Planner`` → ``accrual``) and writes the
   results back by ``COPY``, in batches: new counters (with their final balance), entries,
   history lines, and the balance changes of existing counters, applied at the end by one
   ``UPDATE … FROM``.

Two connections (outside a transaction): the groups are read on a second connection by a
thread (``_ReadBeside``) while this one writes, so that two server processes work at once;
the staging and persons tables are then UNLOGGED tables of their own, committed so that
both connections see them, dropped at the end (or by a later import if this process died).
Inside a transaction everything runs on this connection (``_ReadHere``), same results.

Concurrency (REL-03): every existing counter is locked before its balance is read, so a
concurrent writer (``ledger.enter_dif``, a reservation, another import) waits or has
finished. A counter created by someone else after the persons table makes our insert of
that person's new counter fail on the unique NIR hash: the whole pass is retried inside a
savepoint (the staging is kept). The database's own CHECK constraints (0–150 h, reserved ≤
balance), the unique ALIMENTATION per counter and year and the check of every entry's
counter (migration hours 0004) remain the last line of defence.

Memory: Python holds a few batches of rows at a time; the remaining foreign keys written by
the pass are checked at the end of each ``COPY`` (``SET CONSTRAINTS … IMMEDIATE``) rather
than at commit, so the server does not queue one check per row of a whole file either.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

import psycopg
from django.db import IntegrityError, OperationalError, transaction
from psycopg.copy import QueuedLibpqWriter

from mcf.domain.hours.feed.computing import (
    ALREADY,
    CORRECTION,
    FEED,
    SOURCE_PREFIX,
    Engine,
    Existing,
    Person,
    correction_details,
    correction_label,
    feed_details,
    feed_label,
)
from mcf.domain.hours.feed.parallel import NULL, staging_text
from mcf.domain.hours.feed.parsing import Accepted
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action, JournalEntry

logger = logging.getLogger(__name__)

STAGING = "feed_staging"
PERSONS = "feed_person"
DELTAS = "feed_delta"
BATCH = 20_000  # (person, year) rows fetched, computed and written per round
ID_BLOCK = 50_000
ATTEMPTS = 5
WORK_MEM = "256MB"  # the grouping sort of a million lines fits in memory
RETRYABLE = {"23505", "40P01", "40001"}  # unique violation, deadlock, serialization
ENTRY_AUTHOR = "Caisse des Dépôts"
NEW_ONLY, NEW_BY_PERSONS = "all", "persons"  # see _new_query


def _columns(model, provided: list[str]) -> tuple[str, tuple]:
    """Column list for a COPY into ``model``: ``provided`` fields first (in that order),
    then every other concrete field but the primary key, filled with its default."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    others = [f for f in fields.values() if f.name not in provided and not f.primary_key]
    names = [fields[name].column for name in provided] + [f.column for f in others]
    return ", ".join(f'"{name}"' for name in names), tuple(f.get_default() for f in others)


class PostgresEngine(Engine):
    name = "postgresql"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.persons_total = 0
        self.timings: dict[str, float] = {}
        # A second connection reads the groups while this one writes (two server processes,
        # two cores): only outside a transaction, as it sees committed rows only (an import
        # inside a test's or a caller's transaction reads and writes on one connection).
        self.reader = None
        self._first_load_possible = True
        self.staging, self.persons = STAGING, PERSONS
        if not self.connection.in_atomic_block:
            self.connection.ensure_connection()
            self.reader = self.connection.get_new_connection(
                self.connection.get_connection_params()
            )
            self.reader.autocommit = True
            pid = self.reader.info.backend_pid
            self.staging, self.persons = f"{STAGING}_{pid}", f"{PERSONS}_{pid}"

    def _timed(self, step: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[step] = self.timings.get(step, 0.0) + now - started
        return now

    # --- 1. Staging ------------------------------------------------------------------------

    def stage(self, rows: Iterable[Accepted], *, text: Iterable[str | bytes] = ()) -> None:
        """COPY ``rows`` into the staging table, or ``text``: the same COPY text, ready-made
        (a file read by two processes, feed/parallel.py).

        With a reading connection the staging is an UNLOGGED table of its own, committed at
        once (the writing transaction and the reading one both see it; dropped at the end,
        or by the next import if this process died); otherwise a temporary table."""
        started = time.perf_counter()
        columns = (
            "nir_hash text NOT NULL, year smallint NOT NULL, w numeric NOT NULL, r numeric, "
            "a numeric NOT NULL"
        )
        if self.reader is not None:
            cursor = self.reader.cursor()
            self._drop_abandoned_tables(cursor)
            cursor.execute(f"CREATE UNLOGGED TABLE {self.staging} ({columns})")
        else:
            cursor = self.connection.cursor().cursor
            cursor.execute(f"DROP TABLE IF EXISTS {self.staging}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.staging} ({columns}) ON COMMIT DROP")
        with cursor:
            with cursor.copy(f"COPY {self.staging} (nir_hash, year, w, r, a) FROM STDIN") as cp:
                for chunk in staging_text(rows):
                    cp.write(chunk)
                for chunk in text:
                    cp.write(chunk)
            # A sample of 3 000 rows, not 30 000: the plans only need rough counts, and the
            # default sample took 0.14 s for a million lines.
            cursor.execute("SET default_statistics_target = 10")
            cursor.execute(f"ANALYZE {self.staging}")
            cursor.execute("RESET default_statistics_target")
        self._timed("lecture et staging", started)

    @staticmethod
    def _drop_abandoned_tables(cursor) -> None:
        """The staging and persons tables of imports whose connection is gone (a killed
        process): their names end with the backend pid of their reading connection."""
        cursor.execute(
            "SELECT c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "WHERE c.relkind = 'r' AND c.relname ~ %s "
            "AND substring(c.relname from '[0-9]+$')::int NOT IN "
            "(SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)",
            [f"^({STAGING}|{PERSONS})_[0-9]+$"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TABLE IF EXISTS "{name}"')

    # --- 2–3. Lock and one pass, retried on a concurrent counter creation --------------------

    def apply(self) -> None:
        attempt = 0
        while attempt < ATTEMPTS:
            attempt += 1
            self.planner.tally = type(self.planner.tally)()
            try:
                with transaction.atomic():
                    self._apply_once()
                return
            except _NotAFirstLoad:
                self._first_load_possible = False
                attempt -= 1  # not a concurrent change: the general way, at once
            except (IntegrityError, OperationalError, psycopg.Error) as error:
                # COPY runs on psycopg's own cursor: its errors are not wrapped by Django.
                sqlstate = getattr(error, "sqlstate", None) or getattr(
                    error.__cause__, "sqlstate", None
                )
                if sqlstate not in RETRYABLE or attempt == ATTEMPTS:
                    raise
                logger.warning("feed: concurrent change (%s), attempt %d again", sqlstate, attempt)

    def _looks_like_a_first_load(self) -> bool:
        """True when none of the first thousand persons of the staging has a counter (the
        first load of a population, or of newcomers): a guess, checked once the counters
        are locked."""
        if not self._first_load_possible:
            return False
        with self.reader.cursor() as reading:
            reading.execute(
                f"SELECT NOT EXISTS (SELECT 1 FROM (SELECT nir_hash FROM {self.staging} "  # noqa: S608 - our constants  # nosec B608
                f"LIMIT 1000) s JOIN {Counter._meta.db_table} c ON c.nir_hash = s.nir_hash)"
            )
            return reading.fetchone()[0]

    def cleanup(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {DELTAS}")
            if self.reader is None:
                cursor.execute(f"DROP TABLE IF EXISTS {self.staging}, {self.persons}")

    def close(self) -> None:
        """Whatever happened: the reading connection's tables dropped, the connection closed."""
        if self.reader is None:
            return
        try:
            if not self.reader.closed:
                self.reader.rollback()
                self.reader.autocommit = True
                self.reader.execute(f"DROP TABLE IF EXISTS {self.staging}, {self.persons}")
        finally:
            self.reader.close()

    def _apply_once(self) -> None:
        started = time.perf_counter()
        with self.connection.cursor() as cursor, contextlib.ExitStack() as stack:
            # The persons of the file and their counters, as they are now: which persons
            # are new is decided here once (if someone creates one of their counters
            # meanwhile, its insert fails on the unique NIR hash and the attempt is made
            # again). With a reading connection, the table is its own (committed, so that
            # this connection sees it too) and the new persons' groups are sorted there
            # while this connection locks the counters.
            persons = (
                f"SELECT d.nir_hash, c.id AS counter_id "  # noqa: S608 - our constants  # nosec B608
                f"FROM (SELECT DISTINCT nir_hash FROM {self.staging}) d "
                f"LEFT JOIN {Counter._meta.db_table} c ON c.nir_hash = d.nir_hash"
            )
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            first_load = self.reader is not None and self._looks_like_a_first_load()
            if first_load:
                # None of a sample of the file's persons has a counter: the new persons'
                # groups are sorted on the reading connection while the persons table is
                # built here (a temporary one). If some persons do have a counter after all,
                # the attempt is made again the general way (_NotAFirstLoad).
                batches = stack.enter_context(_ReadBeside(self.reader, [self._new_query(NEW_ONLY)]))
            if self.reader is not None and not first_load:
                with self.reader.cursor() as reading:
                    reading.execute(f"SET work_mem = '{WORK_MEM}'")
                    self._build_persons(reading, persons, shared=True)
                    reading.execute("RESET work_mem")
                    reading.execute(
                        f"SELECT EXISTS (SELECT 1 FROM {self.persons} "  # noqa: S608 - our constants  # nosec B608
                        "WHERE counter_id IS NOT NULL)"
                    )
                    some_exist = reading.fetchone()[0]
                new = self._new_query(NEW_BY_PERSONS if some_exist else NEW_ONLY)
                batches = stack.enter_context(_ReadBeside(self.reader, [new]))
            else:
                self._build_persons(cursor, persons, shared=False)
            cursor.execute(f"DROP TABLE IF EXISTS {DELTAS}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {DELTAS} (counter_id bigint PRIMARY KEY, "
                "delta integer NOT NULL, last_year smallint) ON COMMIT DROP"
            )
            # Lock every existing counter of the file, in id order (no deadlock between
            # imports); count(*) so that the ids do not travel to Python.
            counters = Counter._meta.db_table
            cursor.execute(
                f"WITH locked AS (SELECT c.id FROM {counters} c "  # noqa: S608 - our constants  # nosec B608
                f"JOIN {self.persons} p ON p.counter_id = c.id ORDER BY c.id FOR UPDATE OF c) "
                "SELECT count(*) FROM locked"
            )
            existing = cursor.fetchone()[0]
            if first_load and existing:
                raise _NotAFirstLoad
            self._new_remaining = self.persons_total - existing
            self._new_ids: list[int] = []
            self._sequence: str | None = None
            cursor.execute(f"SELECT DISTINCT year FROM {self.staging}")  # noqa: S608 - our constants  # nosec B608
            years = [row[0] for row in cursor.fetchall()]
            # The existing counters' balances and entries are read once they are locked.
            later = [self._existing_query(years)] if existing else []
            if self.reader is not None:
                batches.then(later)
            else:
                if self._new_remaining:
                    later.append(self._new_query(NEW_ONLY if not existing else NEW_BY_PERSONS))
                batches = stack.enter_context(_ReadHere(self.connection.connection, later))
            constraints = self._deferrable_foreign_keys(cursor)
            if constraints:
                cursor.execute(f"SET CONSTRAINTS {constraints} IMMEDIATE")
            started = self._timed("personnes et verrous", started)
            self._pass(cursor, batches)
            started = self._timed("calcul et écriture", started)
            cursor.execute(
                f"UPDATE {Counter._meta.db_table} c "  # noqa: S608 - our constants  # nosec B608
                "SET cpf_balance = c.cpf_balance + d.delta, "
                "last_fed_year = CASE WHEN d.last_year IS NULL THEN c.last_fed_year "
                "ELSE greatest(coalesce(c.last_fed_year, 0), d.last_year) END "
                f"FROM {DELTAS} d WHERE c.id = d.counter_id"
            )
            if constraints:
                # Back to their declared mode (a failed attempt's savepoint rollback
                # restores it by itself).
                cursor.execute(f"SET CONSTRAINTS {constraints} DEFERRED")
            cursor.execute(f"DROP TABLE IF EXISTS {DELTAS}")
            if self.reader is None:
                cursor.execute(f"DROP TABLE IF EXISTS {self.persons}")
            cursor.execute("SET LOCAL work_mem TO DEFAULT")
        self._timed("soldes des compteurs existants", started)

    def _build_persons(self, cursor, query: str, *, shared: bool) -> None:
        """The persons table from ``query``: UNLOGGED and committed when ``shared`` with the
        reading connection, else temporary to this transaction."""
        kind, on_commit = ("UNLOGGED", "") if shared else ("TEMPORARY", " ON COMMIT DROP")
        cursor.execute(f"DROP TABLE IF EXISTS {self.persons}")
        cursor.execute(f"CREATE {kind} TABLE {self.persons}{on_commit} AS {query}")
        self.persons_total = cursor.rowcount
        cursor.execute(f"ANALYZE {self.persons}")

    @staticmethod
    def _deferrable_foreign_keys(cursor) -> str:
        tables = [Counter._meta.db_table, Entry._meta.db_table, JournalEntry._meta.db_table]
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable "
            "AND conrelid::regclass::text = ANY(%s) ORDER BY conname",
            [tables],
        )
        return ", ".join(f'"{name}"' for (name,) in cursor.fetchall())

    def _reserve_ids(self, cursor, batch: list[tuple]) -> None:
        """Make sure there are new counter ids at hand for every new person of ``batch``
        (taken from the sequence, by blocks; a few may be left unused at the end)."""
        needed = sum(1 for row in batch if row[1] is None)  # rows of persons without counter
        missing = needed - len(self._new_ids)
        if missing <= 0:
            return
        block = max(missing, min(ID_BLOCK, self._new_remaining - len(self._new_ids)))
        if self._sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Counter._meta.db_table])
            self._sequence = cursor.fetchone()[0]
        # The sequence as a constant: nextval() alone, not a lookup per row.
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [self._sequence, block]
        )
        fresh = [row[0] for row in cursor.fetchall()]
        fresh.reverse()
        self._new_ids = fresh + self._new_ids

    # The year's declarations of one person, as ``w:r:a;w:r:a…`` (computing.fraction_of).
    DECLARATIONS = (
        "string_agg(s.w::text || ':' || coalesce(s.r::text, '') || ':' || s.a::text, ';')"
    )

    def _existing_query(self, years: list[int]) -> str:
        """One row per (existing counter, year of the file), in counter id order (the
        locks' order, and sorted inserts into the entries' per-counter index), with the
        counter's balances and what the ledger already holds for that year. Read after
        the counters are locked."""
        feed, correction = FEED, CORRECTION
        counters = Counter._meta.db_table
        # Only the file's years of the ledger are read (integers, inlined).
        year_list = ", ".join(str(int(year)) for year in years) or "NULL"
        feed_rows = (
            f"e.year IN ({year_list}) AND e.account = '{Entry.Account.CPF.value}' "
            f"AND (e.kind = '{feed}' OR (e.kind = '{correction}' "
            f"AND left(e.source, {len(SOURCE_PREFIX)}) = '{SOURCE_PREFIX}'))"
        )
        # One ALIMENTATION per counter and year (unique constraint): its source is max();
        # the latest source is looked up only for the rare years with corrections.
        return f"""
            SELECT c.nir_hash, c.id, c.cpf_balance, c.cpf_reserved, c.holder_id,
                   c.last_fed_year, g.year, g.declarations,
                   x.fed, x.credited, x.first_source,
                   CASE WHEN x.entries = 1 THEN x.first_source ELSE (
                       SELECT e.source FROM {Entry._meta.db_table} e
                       WHERE e.counter_id = c.id AND e.year = g.year AND {feed_rows}
                       ORDER BY e.id DESC LIMIT 1) END AS last_source
            FROM (SELECT p.counter_id, s.year, {self.DECLARATIONS} AS declarations
                  FROM {self.staging} s JOIN {self.persons} p ON p.nir_hash = s.nir_hash
                  WHERE p.counter_id IS NOT NULL GROUP BY 1, 2) g
            JOIN {counters} c ON c.id = g.counter_id
            LEFT JOIN (
                SELECT e.counter_id, e.year, count(*) AS entries,
                       bool_or(e.kind = '{feed}') AS fed,
                       sum(e.hours) AS credited,
                       max(e.source) FILTER (WHERE e.kind = '{feed}') AS first_source
                FROM {Entry._meta.db_table} e
                JOIN {self.persons} pe ON pe.counter_id = e.counter_id
                WHERE {feed_rows}
                GROUP BY e.counter_id, e.year
            ) x ON x.counter_id = g.counter_id AND x.year = g.year
            ORDER BY g.counter_id, g.year
        """  # noqa: S608 - our constants  # nosec B608

    def _new_query(self, persons: str) -> str:
        """One row per (person without a counter, year), in NIR-hash order: the grouping's
        own sort order (no second sort), and the order the new counters' ids are given in,
        so that both of their unique indexes are filled in order. ``persons``: all of the
        file's are new (``NEW_ONLY``), or those without a counter in the persons table
        (``NEW_BY_PERSONS``)."""
        which = (
            f"JOIN {self.persons} p ON p.nir_hash = s.nir_hash AND p.counter_id IS NULL"
            if persons == NEW_BY_PERSONS
            else ""
        )
        return f"""
            SELECT s.nir_hash COLLATE "C", NULL::bigint, NULL::int, NULL::int, NULL::bigint,
                   NULL::int, s.year, {self.DECLARATIONS}, NULL::bool, NULL::int, NULL::text,
                   NULL::text
            FROM {self.staging} s {which}
            GROUP BY s.nir_hash COLLATE "C", s.year
            ORDER BY s.nir_hash COLLATE "C", s.year
        """  # noqa: S608 - our constants  # nosec B608

    def _pass(self, cursor, batches) -> None:
        """Stream the groups, compute, write; batch k+1 is computed while the server
        ingests batch k (the connection is busy with that COPY, Python is not), and with a
        reading connection, batch k+2 is read meanwhile."""
        self._person: Person | None = None
        self._rows: list[tuple[str, int, int, str]] = []
        self._done = 0
        writer = _BatchWriter(cursor.cursor, self.now, self.planner.file_name)
        batch = next(batches, [])
        self._reserve_ids(cursor, batch)
        self._compute(batch, writer)
        while batch:
            batch = next(batches, [])
            self._reserve_ids(cursor, batch)
            ready = writer.take()
            writer.write(ready, during=lambda batch=batch: self._compute(batch, writer))
            if self.progress is not None:
                self.progress("application", self._done, self.persons_total)
        writer.write(writer.take())

    def _compute(self, batch: list[tuple], writer: _BatchWriter) -> None:
        """Plan the rows of ``batch``; complete persons go to ``writer``. An empty batch
        means the end: the last person is complete."""
        planner = self.planner
        plan = planner.plan
        person = self._person
        rows = self._rows
        new_ids = self._new_ids
        for (
            nir_hash,
            counter_id,
            balance,
            reserved,
            holder_id,
            last_fed_year,
            year,
            declarations,
            fed,
            credited,
            first_source,
            last_source,
        ) in batch:
            if person is None or nir_hash != person.nir_hash:
                if person is not None:
                    writer.add(person, rows)
                    planner.finish(person)
                    rows = []
                    self._done += 1
                if counter_id is None:
                    self._new_remaining -= 1
                    person = Person(nir_hash, new_ids.pop(), True)
                else:
                    person = Person(
                        nir_hash,
                        counter_id,
                        False,
                        balance,
                        reserved,
                        holder_id,
                        last_fed_year,
                    )
                planner.start(person)
            existing = (
                None if fed is None else Existing(fed, credited or 0, first_source, last_source)
            )
            kind, hours, source = plan(person, year, declarations, existing)
            if kind != ALREADY:
                rows.append((kind, hours, year, source))
        if not batch and person is not None:
            writer.add(person, rows)
            planner.finish(person)
            self._done += 1
            person, rows = None, []
        self._person = person
        self._rows = rows


class _NotAFirstLoad(Exception):
    """Some of the file's persons have a counter: the first-load guess was wrong."""


def _batches(connection, queries: list[str]) -> Iterator[list[tuple]]:
    """The rows of ``queries``, one after the other, ``BATCH`` at a time (server cursors)."""
    for query in queries:
        with connection.cursor(name="feed_groups") as groups:
            groups.execute(query)
            while batch := groups.fetchmany(BATCH):
                yield batch


class _ReadHere:
    """The groups, a batch at a time, from a cursor of the writing connection itself."""

    def __init__(self, connection, queries: list[str]):
        self._batches = _batches(connection, queries)

    def __iter__(self):
        return self

    def __next__(self) -> list[tuple]:
        return next(self._batches)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._batches.close()


_END = object()


class _ReadBeside:
    """The groups, read by a thread on the reading connection, at most two batches ahead
    (memory stays flat), in a read-only transaction: ``first`` at once, then the queries
    given to ``then`` (when this connection has locked the counters they read)."""

    def __init__(self, reader, first: list[str]):
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._later_given = threading.Event()
        self._later: list[str] = []
        self._reader = reader
        self._thread = threading.Thread(
            target=self._read, args=(first,), name="mcf-feed-reader", daemon=True
        )
        self._thread.start()

    def then(self, queries: list[str]) -> None:
        self._later = queries
        self._later_given.set()

    def _read(self, first: list[str]) -> None:
        reader = self._reader
        try:
            # READ COMMITTED: each query sees what is committed when it starts (the later
            # ones, what was committed before the counters were locked).
            reader.autocommit = False
            reader.read_only = True
            with reader.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            self._run(first)
            while not self._later_given.wait(timeout=0.1):
                if self._stop.is_set():
                    return
            self._run(self._later)
            self._put(_END)
        except BaseException as error:  # handed to the writing thread, which raises it
            self._put(error)
        finally:
            try:
                reader.rollback()  # read only: nothing to keep
            finally:
                reader.autocommit = True
                reader.read_only = None

    def _run(self, queries: list[str]) -> None:
        batches = _batches(self._reader, queries)
        try:
            for batch in batches:
                if self._stop.is_set():
                    return
                self._put(batch)
        finally:
            batches.close()  # closes the server cursor at once

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self):
        return self

    def __next__(self) -> list[tuple]:
        item = self._queue.get()
        if item is _END:
            self._queue.put(_END)  # asked again: still the end
            raise StopIteration
        if isinstance(item, BaseException):
            raise item
        return item

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """One value in COPY's text format (the few per-import constants go through here)."""
    if value is None:
        return NULL
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


class _Labels(dict):
    """(kind, year) → the entry's label in COPY text, made on first use: one lookup per row."""

    def __missing__(self, key: tuple[str, int]) -> str:
        kind, year = key
        label = self[key] = copy_text(feed_label(year) if kind == FEED else correction_label(year))
        return label


class _BatchWriter:
    """Buffers the rows of complete persons and writes them by COPY (text format, built
    here: the values are integers, hex digests and a few escaped constants), counters
    first so that the entries' foreign keys are satisfied at the end of each COPY."""

    def __init__(self, cursor, now: datetime, file_name: str):
        self.cursor = cursor
        self.now = copy_text(now)
        self.counters: list[str] = []
        self.entries: list[str] = []
        self.journal: list[str] = []
        self.deltas: list[str] = []
        self.counter_columns, extra = _columns(
            Counter, ["id", "nir_hash", "created_at", "cpf_balance", "last_fed_year"]
        )
        self.counter_extra = "".join("\t" + copy_text(v) for v in extra)
        self.entry_columns, extra = _columns(
            Entry,
            [
                "counter",
                "kind",
                "account",
                "hours",
                "year",
                "label",
                "source",
                "created_at",
                "created_by",
            ],
        )
        self.entry_extra = "".join("\t" + copy_text(v) for v in extra)
        self.journal_columns, extra = _columns(
            JournalEntry, ["holder", "action", "actor", "actor_kind", "details", "occurred_at"]
        )
        self.journal_extra = "".join("\t" + copy_text(v) for v in extra)
        self.cpf = copy_text(Entry.Account.CPF.value)
        self.author = copy_text(ENTRY_AUTHOR)
        self.fed_action = copy_text(Action.HOURS_FED.value)
        service = journal.SERVICE
        self.actor = f"{copy_text(service.label(None))}\t{copy_text(service.kind.value)}"
        self.plain_sources = file_name == copy_text(file_name)
        self.labels = _Labels()
        self.entry_tail = f"\t{self.now}\t{self.author}{self.entry_extra}\n"

    def add(self, person: Person, rows: list[tuple[str, int, int, str]]) -> None:
        if not rows:
            return
        now = self.now
        counter_id = person.counter_id
        if person.is_new:
            self.counters.append(
                f"{counter_id}\t{person.nir_hash}\t{now}\t{person.balance}\t"
                f"{person.last_fed_year}{self.counter_extra}\n"
            )
        else:
            last_year = person.last_fed_year if person.feeds else NULL
            self.deltas.append(
                f"{counter_id}\t{person.balance - person.start_balance}\t{last_year}\n"
            )
        tail = self.entry_tail
        labels = self.labels
        append = self.entries.append
        plain = self.plain_sources
        for kind, hours, year, source in rows:
            append(
                f"{counter_id}\t{kind}\t{self.cpf}\t{hours}\t{year}\t{labels[kind, year]}\t"
                f"{source if plain else copy_text(source)}{tail}"
            )
            if person.holder_id is not None and (kind == FEED or hours != 0):
                details = (
                    feed_details(hours, year) if kind == FEED else correction_details(hours, year)
                )
                self.journal.append(
                    f"{person.holder_id}\t{self.fed_action}\t{self.actor}\t"
                    f"{copy_text(details)}\t{now}{self.journal_extra}\n"
                )

    def take(self) -> tuple[list[str], list[str], list[str], list[str]]:
        """The buffered lines (counters, entries, history, deltas); the buffers restart."""
        taken = (self.counters, self.entries, self.journal, self.deltas)
        self.counters, self.entries, self.journal, self.deltas = [], [], [], []
        return taken

    def write(self, taken, *, during: Callable[[], None] | None = None) -> None:
        """COPY ``taken`` (counters first); ``during`` runs while the entries are ingested."""
        counters, entries, history, deltas = taken
        tables = (
            (Counter._meta.db_table, self.counter_columns, counters),
            (Entry._meta.db_table, self.entry_columns, entries),
            (JournalEntry._meta.db_table, self.journal_columns, history),
            (DELTAS, "counter_id, delta, last_year", deltas),
        )
        for table, columns, lines in tables:
            if not lines and not (during is not None and table == Entry._meta.db_table):
                continue
            statement = f"COPY {table} ({columns}) FROM STDIN"
            if table == Entry._meta.db_table and during is not None:
                with self.cursor.copy(statement, writer=QueuedLibpqWriter(self.cursor)) as cp:
                    if lines:
                        cp.write("".join(lines))
                    during()
            else:
                with self.cursor.copy(statement) as cp:
                    cp.write("".join(lines))

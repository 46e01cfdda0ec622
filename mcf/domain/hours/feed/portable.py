"""The portable feed (SQLite, the embedded default; it also runs on PostgreSQL).

Same staging and the same ``computing.Planner`` as the PostgreSQL engine, hence the same
results, but the writes go through the ORM, person after person: each ALIMENTATION through
``ledger.credit_feed`` (entry, balance, history), each correction through
``correct_feed`` below. The staging and the per-(person, year) grouping are temporary
tables read by batches (keyset pagination), so memory stays flat here too.

Concurrency: on SQLite the import's transaction starts with ``BEGIN IMMEDIATE`` (the
project's setting), which makes it the only writer of the database until it commits; on
PostgreSQL each batch's counters are locked (``select_for_update``, in id order) before
their balances are read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q

from mcf.domain.hours import ledger
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
)
from mcf.domain.hours.feed.parsing import Accepted
from mcf.domain.hours.feed.postgres import ENTRY_AUTHOR
from mcf.domain.hours.models import CPF_CEILING, Counter, Entry
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action

STAGING = "feed_staging"
GROUPS = "feed_groups"
INSERT_BATCH = 2_000
READ_BATCH = 1_000  # persons per batch
# Built from our constants only.
INSERT_STAGING = (
    f"INSERT INTO {STAGING} (nir_hash, year, w, r, a) "  # noqa: S608 - our constants  # nosec B608
    "VALUES (%s, %s, %s, %s, %s)"
)
CREATE_GROUPS = (
    f"CREATE TEMPORARY TABLE {GROUPS} AS SELECT nir_hash, year, "  # noqa: S608 - our constants  # nosec B608
    f"{{concat}}(w || ':' || coalesce(r, '') || ':' || a, ';') AS declarations "
    f"FROM {STAGING} GROUP BY nir_hash, year"
)
COUNT_PERSONS = f"SELECT count(DISTINCT nir_hash) FROM {GROUPS}"  # noqa: S608 - our constants  # nosec B608
NEXT_BATCH_END = (
    f"SELECT max(nir_hash) FROM (SELECT DISTINCT nir_hash FROM {GROUPS} "  # noqa: S608 - our constants  # nosec B608
    "WHERE nir_hash > %s ORDER BY nir_hash LIMIT %s) batch"
)
BATCH_ROWS = (
    f"SELECT nir_hash, year, declarations FROM {GROUPS} "  # noqa: S608 - our constants  # nosec B608
    "WHERE nir_hash > %s AND nir_hash <= %s ORDER BY nir_hash, year"
)


def correct_feed(counter: Counter, *, year: int, hours: int, source: str, now: datetime) -> Entry:
    """A CORRECTION of a year's feed on a counter the caller has locked (never an edit)."""
    if not counter.cpf_reserved <= counter.cpf_balance + hours <= CPF_CEILING:
        raise ledger.HoursError("La correction sortirait des limites du compteur.", "range")
    entry = Entry.objects.create(
        counter=counter,
        kind=Entry.Kind.CORRECTION,
        hours=hours,
        year=year,
        label=correction_label(year),
        source=source[:255],
        created_at=now,
        created_by=ENTRY_AUTHOR,
    )
    counter.cpf_balance += hours
    counter.save(update_fields=["cpf_balance"])
    if counter.holder_id and hours:
        journal.record(
            counter.holder,
            Action.HOURS_FED,
            by=journal.SERVICE,
            details=correction_details(hours, year),
            at=now,
        )
    return entry


class PortableEngine(Engine):
    name = "portable"

    def stage(self, rows: Iterable[Accepted]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            # Hours stay text: exact decimals, never floats.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING} (nir_hash TEXT NOT NULL, year INTEGER NOT "
                "NULL, w TEXT NOT NULL, r TEXT, a TEXT NOT NULL)"
            )
            insert = INSERT_STAGING
            batch: list[Accepted] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= INSERT_BATCH:
                    cursor.executemany(insert, batch)
                    batch.clear()
            if batch:
                cursor.executemany(insert, batch)

    def cleanup(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(f"DROP TABLE IF EXISTS {GROUPS}")

    def apply(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {GROUPS}")
            concat = "string_agg" if self.connection.vendor == "postgresql" else "group_concat"
            cursor.execute(CREATE_GROUPS.format(concat=concat))
            cursor.execute(f"CREATE INDEX {GROUPS}_key ON {GROUPS} (nir_hash, year)")
            cursor.execute(COUNT_PERSONS)
            total = cursor.fetchone()[0]
            done = 0
            after = ""
            while True:
                cursor.execute(NEXT_BATCH_END, [after, READ_BATCH])
                upto = cursor.fetchone()[0]
                if upto is None:
                    break
                cursor.execute(BATCH_ROWS, [after, upto])
                done += self._apply_batch(cursor.fetchall())
                after = upto
                if self.progress is not None:
                    self.progress("application", done, total)

    def _apply_batch(self, rows: list[tuple[str, int, str]]) -> int:
        groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for nir_hash, year, declarations in rows:
            groups[nir_hash].append((year, declarations))
        counters = {
            counter.nir_hash: counter
            for counter in Counter.objects.select_for_update(of=("self",))
            .select_related("holder")
            .filter(nir_hash__in=list(groups))
            .order_by("id")
        }
        existing: dict[tuple[int, int], Existing] = {}
        years = {year for year, _ in (item for items in groups.values() for item in items)}
        for counter_id, year, kind, hours, source in (
            Entry.objects.filter(
                counter__in=[c.pk for c in counters.values()],
                year__in=years,
                account=Entry.Account.CPF,
            )
            .filter(Q(kind=FEED) | Q(kind=CORRECTION, source__startswith=SOURCE_PREFIX))
            .order_by("id")
            .values_list("counter_id", "year", "kind", "hours", "source")
        ):
            state = existing.setdefault((counter_id, year), Existing(fed=False))
            if kind == FEED and not state.fed:
                state.fed = True
                state.first_source = source
            state.credited += hours
            state.last_source = source
        planner = self.planner
        for nir_hash, items in groups.items():
            counter = counters.get(nir_hash)
            if counter is None:
                person = Person(nir_hash, None, True)
            else:
                person = Person(
                    nir_hash,
                    counter.pk,
                    False,
                    counter.cpf_balance,
                    counter.cpf_reserved,
                    counter.holder_id,
                    counter.last_fed_year,
                )
            planner.start(person)
            for year, declarations in sorted(items):
                kind, hours, source = planner.plan(
                    person, year, declarations, existing.get((person.counter_id, year))
                )
                if kind == ALREADY:
                    continue
                if counter is None:
                    counter = Counter.objects.create(nir_hash=nir_hash, created_at=self.now)
                if kind == FEED:
                    ledger.credit_feed(counter, year=year, hours=hours, source=source, now=self.now)
                else:
                    correct_feed(counter, year=year, hours=hours, source=source, now=self.now)
            planner.finish(person)
        return len(groups)

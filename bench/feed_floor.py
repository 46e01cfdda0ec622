"""The floor the yearly feed cannot beat, measured in the same run (issue 15 §4).

    DATABASE_URL= scripts/with-postgres uv run python bench/feed_floor.py --n 1000000
    DATABASE_URL=postgres://… uv run python bench/feed_floor.py --n 10000000 --onto-previous-years

In its own database (``mcf_bench_feed``, as bench/feed.py): generates N declarations
(bench/feed.py's file: years 2015–2017), imports them once with ``import_declarations`` in a
fresh process (time, peak RSS), then writes **the same ledger rows** the import wrote — the
counters, the ledger entries, the history lines, read back from the database — by a bare
``COPY`` into copies of the same tables with the same indexes, unique constraints, checks
and the entries' foreign key (``LIKE … INCLUDING ALL``), in one transaction. The ratio
import rate / floor rate is the figure (target ≥ 60 %).

``--onto-previous-years``: the ledger first receives the file as it is (2015–2017, not
timed); the measured import is the same people's next three years (2018–2020), into a
ledger that holds their previous years — the yearly run of a live service. Its floor then
starts from the same previous state (copied, not timed) and, timed, COPYs the new entries
and history lines and applies the counters' new figures the only bare way a row that exists
can change: COPY into a staging table and one ``UPDATE … FROM`` (plus a COPY of the counters
that are new).

The rows are streamed through a temporary file (10 M declarations write ~20 M rows, more
than is wise in memory). Prints figures and a verdict; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import feed  # bench/feed.py: the file, the database, the import's child

COUNTERS, ENTRIES, HISTORY = "hours_counter", "hours_entry", "journal_journalentry"
TARGET = 0.60
SHIFT = 3  # the next years: 2015–2017 → 2018–2020


def shift_years(source: Path, target: Path) -> None:
    """The same declarations, SHIFT years later (the year is each line's first field)."""
    years = {str(year): str(year + SHIFT) for year in feed.YEARS}
    with source.open() as lines, target.open("w") as out:
        out.write(next(lines))  # header
        for line in lines:
            year, rest = line.split(";", 1)
            out.write(f"{years.get(year, year)};{rest}")


def dump(cursor, query: str, path: Path) -> int:
    """COPY (query) TO a file; returns its number of rows."""
    rows = 0
    with path.open("wb") as out, cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
        for chunk in copy:
            out.write(chunk)
            rows += bytes(chunk).count(b"\n")
    return rows


def rows_above(table: str, largest_id: int) -> str:
    return f"SELECT * FROM {table} WHERE id > {int(largest_id)}"  # noqa: S608 - constants  # nosec B608


def load(cursor, table: str, path: Path) -> None:
    with path.open("rb") as source, cursor.copy(f"COPY {table} FROM STDIN") as copy:
        while chunk := source.read(1 << 20):
            copy.write(chunk)


def max_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - constants  # nosec B608
    return cursor.fetchone()[0]


def floor(url: str, folder: Path, before: dict[str, int] | None) -> tuple[float, dict[str, int]]:
    """Seconds of the bare COPY of the rows the import wrote, and their counts.

    ``before``: the largest ids before the import and the saved counters (previous-years
    mode), or None (an empty ledger: every row is the import's)."""
    import psycopg

    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        since = before or {COUNTERS: 0, ENTRIES: 0, HISTORY: 0}
        rows = {
            ENTRIES: dump(cursor, rows_above(ENTRIES, since[ENTRIES]), folder / "e"),
            HISTORY: dump(cursor, rows_above(HISTORY, since[HISTORY]), folder / "h"),
            # Every counter the import created or changed (all of them in previous-years
            # mode: the same people; new ones are the rows above the old largest id).
            COUNTERS: dump(cursor, rows_above(COUNTERS, 0), folder / "c"),
        }
        for table in (COUNTERS, ENTRIES, HISTORY):
            cursor.execute(f"DROP TABLE IF EXISTS floor_{table} CASCADE")
            cursor.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        cursor.execute(
            f"ALTER TABLE floor_{ENTRIES} ADD FOREIGN KEY (counter_id) "
            f"REFERENCES floor_{COUNTERS} (id)"
        )
        if before:  # the previous state, not timed
            copy_before = f"INSERT INTO floor_{COUNTERS} SELECT * FROM bench_counters_before"  # noqa: S608  # nosec B608
            cursor.execute(copy_before)
            for table in (ENTRIES, HISTORY):
                cursor.execute(
                    f"INSERT INTO floor_{table} SELECT * FROM {table} WHERE id <= {before[table]}"  # noqa: S608  # nosec B608
                )
            cursor.execute(f"CREATE TEMP TABLE staging (LIKE {COUNTERS})")
            cursor.execute(f"ANALYZE floor_{COUNTERS}")
        connection.commit()
        cursor.execute("CHECKPOINT")

        started = time.perf_counter()
        if before:
            load(cursor, "staging", folder / "c")
            columns = [
                name
                for (name,) in cursor.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = %s AND column_name <> 'id'",
                    [COUNTERS],
                ).fetchall()
            ]
            assignments = ", ".join(f"{name} = s.{name}" for name in columns)
            cursor.execute(
                f"UPDATE floor_{COUNTERS} c SET {assignments} FROM staging s "  # noqa: S608  # nosec B608
                f"WHERE c.id = s.id AND s.id <= {before[COUNTERS]}"
            )
            cursor.execute(
                f"INSERT INTO floor_{COUNTERS} SELECT * FROM staging WHERE id > {before[COUNTERS]}"  # noqa: S608  # nosec B608
            )
        else:
            load(cursor, f"floor_{COUNTERS}", folder / "c")
        load(cursor, f"floor_{ENTRIES}", folder / "e")
        load(cursor, f"floor_{HISTORY}", folder / "h")
        connection.commit()
        elapsed = time.perf_counter() - started
        for table in (COUNTERS, ENTRIES, HISTORY):
            cursor.execute(f"DROP TABLE floor_{table} CASCADE")
        connection.commit()
    return elapsed, rows


def main() -> None:
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="declarations (1 000 000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--onto-previous-years", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(feed.REFUSAL.replace("bench/feed.py", "bench/feed_floor.py"))
    bench_url = feed._bench_url(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {feed.BENCH_DB}")
        admin.execute(f"CREATE DATABASE {feed.BENCH_DB}")
        settings = admin.execute(
            "SELECT string_agg(name || '=' || setting, ', ') FROM pg_settings "
            "WHERE name IN ('shared_buffers', 'max_wal_size', 'fsync', 'server_version')"
        ).fetchone()[0]
    folder = Path(tempfile.mkdtemp(prefix="mcf-bench-floor-"))
    try:
        feed._child(["--migrate"], bench_url)
        print(f"PostgreSQL ({settings}), charge {os.getloadavg()[0]:.1f} au départ")
        path = folder / "declarations.csv"
        counts = feed._child(["--generate", str(path), str(args.n), str(args.seed)], bench_url)
        print(f"fichier : {feed._n(args.n)} déclarations, {feed._n(counts['people'])} personnes")
        before = None
        if args.onto_previous_years:
            previous = feed._child(["--child", str(path)], bench_url)
            print(
                f"années précédentes ({'–'.join(map(str, (feed.YEARS[0], feed.YEARS[-1])))}) "
                f"chargées d'abord : {previous['seconds']:.1f} s (non mesuré)"
            )
            shifted = folder / "suivantes.csv"
            shift_years(path, shifted)
            path.unlink()
            path = shifted
            with psycopg.connect(bench_url, autocommit=True) as connection:
                cursor = connection.cursor()
                before = {table: max_id(cursor, table) for table in (COUNTERS, ENTRIES, HISTORY)}
                cursor.execute(f"CREATE TABLE bench_counters_before AS TABLE {COUNTERS}")
                cursor.execute(f"VACUUM ANALYZE {COUNTERS}, {ENTRIES}, {HISTORY}")
                cursor.execute("CHECKPOINT")
        result = feed._child(["--child", str(path)], bench_url)
        rate = args.n / result["seconds"]
        print(
            f"import : {result['seconds']:.1f} s = {feed._n(rate)} décl./s ; "
            f"{feed._n(result['years_loaded'])} années-personnes ; RSS max "
            f"{result['rss_peak_kib'] / 1024:.0f} Mio (lecture auxiliaire "
            f"{result['rss_helper_kib'] / 1024:.0f} Mio) ; phases : "
            + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in result["timings"].items())
        )
        elapsed, rows = floor(bench_url, folder, before)
        share = elapsed / result["seconds"]
        print(
            "lignes écrites par l'import : "
            + ", ".join(f"{table} {feed._n(count)}" for table, count in rows.items())
        )
        verdict = "ATTEINT" if share >= TARGET else "NON ATTEINT"
        print(
            f"plancher, COPY nu des mêmes lignes dans les mêmes tables avec leurs clés : "
            f"{elapsed:.1f} s ({feed._n(sum(rows.values()) / elapsed)} lignes/s) → l'import va à "
            f"{share:.0%} du plancher ({verdict}, cible ≥ {TARGET:.0%})"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {feed.BENCH_DB}")


if __name__ == "__main__":
    main()

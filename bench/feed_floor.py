"""The floor the yearly feed cannot beat: the same ledger rows written by a bare COPY into
the same keyed tables (issue 15 §4).

    DATABASE_URL=postgres://… uv run python bench/feed.py --n N --keep
    DATABASE_URL=postgres://… uv run python bench/feed_floor.py --import-seconds S

Reads the rows the last import left in the kept bench database (``mcf_bench_feed``: after
bench/feed.py, the N/10 file uploaded through the back office into an empty ledger) —
counters, ledger entries, history lines — and COPYs them, in one transaction, into copies
of their tables with the same indexes, unique constraints and checks (``LIKE … INCLUDING
ALL``) and the entries' foreign key to the counters. Prints the time, the rows/s, and the
import's time given (``--import-seconds``: the same file's import from bench/feed.py's
output) as a ratio: import rate / floor rate. Asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from urllib.parse import urlparse, urlunparse

TABLES = ("hours_counter", "hours_entry", "journal_journalentry")


def main() -> None:
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--import-seconds", type=float, required=True)
    args = parser.parse_args()
    url = urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path="/mcf_bench_feed"))
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        dumps, rows = {}, {}
        for table in TABLES:
            buffer = io.BytesIO()
            with cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            dumps[table] = buffer.getvalue()
            rows[table] = dumps[table].count(b"\n")
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS floor_{table}")
            cursor.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE floor_hours_entry ADD FOREIGN KEY (counter_id) "
            "REFERENCES floor_hours_counter (id)"
        )
        connection.commit()
        started = time.perf_counter()
        for table in TABLES:
            with cursor.copy(f"COPY floor_{table} FROM STDIN") as copy:
                copy.write(dumps[table])
        connection.commit()
        elapsed = time.perf_counter() - started
        for table in TABLES:
            cursor.execute(f"DROP TABLE floor_{table} CASCADE")
        connection.commit()
    total = sum(rows.values())
    print(
        "lignes du grand livre : "
        + ", ".join(f"{table} {count:,}".replace(",", "\u202f") for table, count in rows.items())
    )
    share = elapsed / args.import_seconds
    verdict = "ATTEINT" if share >= 0.60 else "NON ATTEINT"
    print(
        f"COPY nu dans les mêmes tables avec leurs clés : {elapsed:.2f} s "
        f"({total / elapsed:.0f} lignes/s) ; import du même fichier : "
        f"{args.import_seconds:.2f} s → l'import va à {share:.0%} du plancher "
        f"({verdict}, cible ≥ 60 %)"
    )


if __name__ == "__main__":
    main()

"""What every benchmark measures the same way: percentiles, and one timed call."""

from __future__ import annotations

import re
import statistics
import time

# Transaction control, logged as statements by Django with psycopg 3: not queries.
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b")


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 (nearest rank) and the worst of ``samples``."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def timed(fn):
    """(result, wall ms, queries, CPU ms of the Python process). The machine is shared:
    wall time carries the neighbours' load, CPU time much less. Queries: the statements
    sent, transaction control (BEGIN, COMMIT, savepoints) not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu) * 1000
    queries = [q for q in captured.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    return result, elapsed, len(queries), cpu


def round_trip_ms(repeat: int = 200) -> float:
    """The median of a ``SELECT 1``: the floor of any query on this machine."""
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)

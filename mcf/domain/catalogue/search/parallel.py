"""Two statements of one search at the same time, on two PostgreSQL connections.

A search with keywords reads its matches twice, once to count the facets and once to rank
the page; each statement is CPU-bound on the server and neither needs the other. On
PostgreSQL the facets therefore run on the connection of a helper thread while the request's
own connection ranks the page: two server processes, two cores. For « caces » at 300 000
offers (21 800 matches), 15 ms instead of 29 ms one after the other (docs/performance.md);
the server does the same work either way.

Not done (the statements run one after the other, same results):
- on SQLite (one file, one writer, nothing to gain);
- when the request's connection is inside a transaction: a second connection would not see
  its uncommitted rows (tests in a transaction, an import that searches before commit).

The two statements may see two snapshots: a change of the catalogue committed between them
can make the counts and the page differ by that change, for that one answer.

One helper thread per process, created on first use (after gunicorn's fork), with its own
Django connection: reused like the request's (``CONN_MAX_AGE``, health checks), closed by
``close_helper_connection`` (tests, before the test database is dropped).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection

_helper: ThreadPoolExecutor | None = None
_helper_lock = threading.Lock()


def _forget_helper() -> None:
    """In a forked child: the parent's thread does not exist here."""
    global _helper
    _helper = None


os.register_at_fork(after_in_child=_forget_helper)


def _pool() -> ThreadPoolExecutor:
    global _helper
    with _helper_lock:
        if _helper is None:
            _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mcf-search")
        return _helper


def _fetch(sql: str, params: list) -> list[tuple]:
    """In the helper thread, on its own connection."""
    close_old_connections()  # an expired or broken connection is replaced, as in a request
    return _fetch_here(sql, params)


def fetch_beside[T](sql: str, params: list, main: Callable[[], T]) -> tuple[list[tuple], T]:
    """The rows of ``sql``, and the result of ``main()``: both at once when possible."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return _fetch_here(sql, params), main()
    future = _pool().submit(_fetch, sql, params)
    try:
        result = main()
    finally:
        rows = future.result()  # also when main() failed: never leave a statement running
    return rows, result


def _fetch_here(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def close_helper_connection() -> None:
    """Close the helper thread's connection, if the helper was ever used."""
    with _helper_lock:
        helper = _helper
    if helper is not None:
        helper.submit(_close_here).result()


def _close_here() -> None:
    connection.close()  # ``connection`` read in the helper thread: its own

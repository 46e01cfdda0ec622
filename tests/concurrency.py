"""Run jobs at the same moment, each on its own database connection (PostgreSQL tests of
row locks and unique constraints: REL-03, REL-04)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Start every job behind one barrier, wait for all; their results in order. Fails
    with the errors of the jobs that raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []
    results: list[object] = [None] * len(jobs)

    def run(index: int, job) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results

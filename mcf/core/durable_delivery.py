"""Durable delivery: the shape shared by everything the task worker sends out and must not
lose — the outbox's mails (mailing/delivery.py) and the webhooks (integrations/webhooks.py).

A row to deliver has ``status`` (its model's ``Status`` with PENDING, SENT, DEAD),
``attempts`` and ``next_attempt_at``, and a task that delivers it by id. One try is three
short steps, so that no database lock is held while talking to the other server:

1. **claim**, under the row's lock: it must be PENDING and due; ``lease`` counts the try,
   pushes ``next_attempt_at`` to the end of a lease (a duplicate task meanwhile finds it
   not due and does nothing) and enqueues a watchdog task for that moment — if the worker
   dies mid-send, the watchdog tries again;
2. send (the caller's own code);
3. **record**: sent, or ``retry_or_abandon``: the next try after an exponential backoff,
   or dead after ``OUTBOX_MAX_ATTEMPTS`` tries (listed in the back office / the delivery
   log for a person to act on).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

# While one try is in flight the row is leased for this long.
DELIVERY_LEASE = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: first delay, doubling, capped at 6 hours.

    With the defaults (60 s, 10 tries) a row is dead-lettered after about 8.5 hours of
    failures, then an operator sees it.
    """
    seconds = settings.OUTBOX_FIRST_RETRY_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, 6 * 3600))


def is_due(row) -> bool:
    return row.status == row.Status.PENDING and row.next_attempt_at <= timezone.now()


def lease(row, task) -> None:
    """Step 1, under the row's lock: count the try, lease the row, enqueue the watchdog.
    The caller saves ``attempts`` and ``next_attempt_at``."""
    row.attempts += 1
    row.next_attempt_at = timezone.now() + DELIVERY_LEASE
    task.using(run_after=row.next_attempt_at).enqueue(str(row.pk))


def retry_or_abandon(row, task, *, for_good: bool = False) -> bool:
    """Step 3 after a failure: the next try is scheduled (its task enqueued), or the row is
    DEAD (after ``OUTBOX_MAX_ATTEMPTS`` tries, or at once when ``for_good``). Returns
    whether it is dead. The caller saves ``status`` and ``next_attempt_at``."""
    if for_good or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        row.status = row.Status.DEAD
        return True
    row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
    task.using(run_after=row.next_attempt_at).enqueue(str(row.pk))
    return False

"""PRIV-04: the security events of the history are kept 12 months; the rest is the legal
« historique des opérations » of the account (R.6323-15) and is never purged here.

The PostgreSQL trigger of the history (migration 0008) refuses any DELETE except of these
actions once they are older than 12 months: a purge with a bug, or a hand on the database,
cannot remove an operation of the account.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from mcf.core.dates import TWELVE_MONTHS
from mcf.domain.journal.models import Action, JournalEntry

# Sign-ins and their failures, sign-outs, sessions ended, password checks: events that
# protect the account, not operations on it (CNIL: access logs 6 to 12 months).
SECURITY_EVENTS = frozenset(
    {
        Action.LOGIN_SUCCEEDED,
        Action.LOGIN_FAILED,
        Action.LOGIN_SUSPENDED,
        Action.LOGOUT,
        Action.SESSION_ENDED,
        Action.PASSWORD_CONFIRMED,
        Action.PASSWORD_CONFIRMATION_FAILED,
        Action.PASSWORD_RESET_REQUESTED,
    }
)
# Never less than the trigger's floor (interval '12 months'): TWELVE_MONTHS is 366 days.
SECURITY_EVENTS_KEPT = TWELVE_MONTHS


def purge_security_events(*, now: datetime | None = None) -> int:
    """Delete the security events older than 12 months; returns how many."""
    now = now or timezone.now()
    deleted, _ = JournalEntry.objects.filter(
        action__in=SECURITY_EVENTS, occurred_at__lt=now - SECURITY_EVENTS_KEPT
    ).delete()
    return deleted

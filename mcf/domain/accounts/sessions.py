"""Open sessions of an account: recorded at login, listed to the holder, ended on request.

SESS-03: 30 minutes idle (Django's cookie age, renewed at each request) and 12 hours at most
since login (checked by session_lifetime.SessionLifetimeMiddleware).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from mcf.domain.accounts.models import User, UserSession
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action

ABSOLUTE_LIFETIME = timedelta(hours=12)
# last_seen_at is refreshed at most this often (not a write per request).
TOUCH_EVERY = timedelta(minutes=1)


def record_session(user: User, session_key: str, *, ip: str, user_agent: str) -> UserSession:
    return UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "ip": ip or None, "user_agent": user_agent[:255]},
    )[0]


def forget_session(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def touch_session(session_key: str) -> None:
    now = timezone.now()
    UserSession.objects.filter(session_key=session_key, last_seen_at__lt=now - TOUCH_EVERY).update(
        last_seen_at=now
    )


def end_sessions(user: User, *, keep: str | None = None, only: int | None = None) -> int:
    """End the user's sessions but ``keep`` (a session key), or only the record ``only``.

    Writes: deletes the Session rows (logged out at their next request) and their records;
    one history entry per session ended. Returns how many were ended.
    """
    with transaction.atomic():
        sessions = UserSession.objects.select_for_update().filter(user=user)
        if keep:
            sessions = sessions.exclude(session_key=keep)
        if only is not None:
            sessions = sessions.filter(pk=only)
        ended = drop_sessions(sessions)
        for session in ended:
            opened = timezone.localtime(session.created_at)
            journal.record(
                user, Action.SESSION_ENDED, details=f"Session ouverte le {opened:%d/%m/%Y à %H:%M}."
            )
    return len(ended)


def drop_sessions(sessions) -> list[UserSession]:
    """Delete the Session rows of these records (logged out at their next request) and the
    records themselves; no history entry (the caller journals). Returns the records."""
    ended = list(sessions)
    keys = [s.session_key for s in ended]
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return ended


def purge_ended_sessions(*, now: datetime | None = None) -> int:
    """PRIV-04: delete the expired sessions (what `clearsessions` does, with the same clock as
    the other purges) and the records of sessions that are gone; returns how many sessions."""
    now = now or timezone.now()
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    UserSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
    return deleted

"""Login by identifier (username) + password, under the holders' per-account throttle.

Professionals (and back-office operators) log in with a username, never with a NIR. The
rules are exactly those of ``mcf.domain.accounts.authentication`` (AUTH-04/05/07): the same
``LoginThrottle`` table, the same delay schedule (``delay_after``: free failures, then 60 s
doubling), the same 24 h reset, one password hash computed in every case, the throttle row
locked from before the password check until the outcome is recorded. Only the lookup of
the account differs.

One normalisation of a typed identifier (``normalise_username``: NFKC, as Django's own
login form does, surrounding spaces removed, lower case) serves both the lookup of the
account and the throttle's key, so that no spelling reaching an account (full-width
letters, capitals, a non-breaking space around it) gets a fresh counter (AUTH-05).

Identifiers live in their own namespace of the throttle table: the key is
``login_throttle_key("identifiant:" + identifier)``. A holder's key is computed from a
normalised NIR, which is upper-case, so a username can never share (or exhaust) a holder's
counter.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from mcf.core.logging import security_event
from mcf.domain.accounts.authentication import LoginOutcome, authenticate_with_throttle
from mcf.domain.accounts.models import LoginThrottle, User
from mcf.domain.identity.protection import login_throttle_key

USERNAME_NAMESPACE = "identifiant:"
MAX_IDENTIFIER_LENGTH = 150


def _typed(identifier: str) -> str:
    """What was typed, NFKC-normalised (full-width letters, ligatures…) and stripped."""
    return unicodedata.normalize("NFKC", identifier).strip()[:MAX_IDENTIFIER_LENGTH]


def normalise_username(identifier: str) -> str:
    """Identifiers are created lower-case; typing them with capitals still works."""
    return _typed(identifier).lower()


def username_throttle_key(identifier: str) -> str:
    """The throttle's key of every spelling that ``_find_user`` reads as one identifier."""
    return login_throttle_key(USERNAME_NAMESPACE + normalise_username(identifier))


def _find_user(identifier: str, kinds: Iterable[str], *, lock: bool = False) -> User | None:
    typed = _typed(identifier)
    if not typed:
        return None
    # Exact first (operators made by createsuperuser may have capitals), then the lower-case
    # form our actions create. Both lookups use the username's unique index.
    users = User.objects.filter(
        username__in={typed, typed.lower()}, kind__in=list(kinds), is_active=True
    ).order_by("pk")
    found = {user.username: user for user in (users.select_for_update() if lock else users)}
    return found.get(typed) or found.get(typed.lower())


def authenticate_username(
    identifier: str,
    password: str,
    *,
    kinds: Iterable[str],
    ip: str = "",
    now: datetime | None = None,
) -> LoginOutcome:
    """Check an identifier + password under the throttle, for accounts of ``kinds`` only.

    The throttled check itself is the holders' (accounts.authentication): same delays,
    same padding, same race safety; professionals have no history of their own.
    """
    return authenticate_with_throttle(
        lambda: _find_user(identifier, kinds, lock=True),
        password,
        key=username_throttle_key(identifier),
        ip=ip,
        now=now,
        event="login.username",
        success_outcome="password_ok",
        journal_failures=False,
    )


def authenticate_professional(
    identifier: str, password: str, *, ip: str = "", now: datetime | None = None
) -> LoginOutcome:
    """First factor of the Espace professionnel: a PROFESSIONNEL account with a profile.

    An account of another kind, or a professional without an organisation, fails exactly
    like a wrong password.
    """
    outcome = authenticate_username(
        identifier, password, kinds=[User.Kind.PROFESSIONNEL], ip=ip, now=now
    )
    if outcome.user is not None and not hasattr(outcome.user, "professional_profile"):
        security_event(
            "login.username",
            outcome="no_organisation",
            level=logging.WARNING,
            user=outcome.user.public_id,
            ip=ip,
        )
        return LoginOutcome(None, "invalid")
    return outcome


def clear_username_throttle(identifier: str) -> None:
    """After a password change chosen by the account's owner."""
    LoginThrottle.objects.filter(key=username_throttle_key(identifier)).delete()

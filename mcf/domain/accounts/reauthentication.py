"""Re-authentication before sensitive actions (SESS-05).

Changing the e-mail address, exporting the personal data, closing the online space — and
later granting or revoking a délégation — need a password typed in this session less than
``REAUTHENTICATION_VALIDITY`` ago (the login counts). A stolen session cookie alone is then
not enough to take the account over (new address), to read everything at once (export) or
to lock the holder out (closing).

The check goes through the login throttle of the holder's NIR (AUTH-05): a stolen session
gets no more password guesses than the login page gives, and a holder throttled at the
login page is throttled here too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from mcf.domain.accounts.authentication import LoginOutcome, authenticate_with_throttle
from mcf.domain.accounts.models import User
from mcf.domain.identity.protection import nir_throttle_key
from mcf.domain.journal.models import Action

# Long enough to fill in the form that follows (a new address, a confirmation checkbox),
# short enough that a session left open on a shared computer does not allow a sensitive
# action a quarter of an hour later. allauth uses 5 minutes, for a form-less action.
REAUTHENTICATION_VALIDITY = timedelta(minutes=10)


def confirm_password(
    user: User, password: str, *, ip: str = "", now: datetime | None = None
) -> LoginOutcome:
    """Check the password of the logged-in holder under his login throttle.

    Writes: the throttle row (as a login does), a history entry (« Mot de passe confirmé »
    or « Échec de la confirmation du mot de passe »). The caller records the time in the
    session when ``outcome.user`` is set.
    """
    return authenticate_with_throttle(
        lambda: User.objects.select_for_update().filter(pk=user.pk, is_active=True).first(),
        password,
        key=nir_throttle_key(user.nir),
        ip=ip,
        now=now,
        event="reauthentication",
        success_outcome="success",
        journal_failures=True,
        success_action=Action.PASSWORD_CONFIRMED,
        failure_action=Action.PASSWORD_CONFIRMATION_FAILED,
    )


def is_recent(confirmed_at: datetime | None, *, now: datetime | None = None) -> bool:
    """Whether a password typed at ``confirmed_at`` still allows a sensitive action."""
    if confirmed_at is None:
        return False
    now = now or timezone.now()
    return timedelta(0) <= now - confirmed_at < REAUTHENTICATION_VALIDITY

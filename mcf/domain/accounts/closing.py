"""Closing the online space (« Fermer mon espace personnel »), docs/decisions/0006.

The CPF counter is a right attached to the person, not to the online space: it survives
the closing. The yearly feed keeps crediting it by NIR, its ledger and the history are
kept (R.6323-15), and a new registration with the same NIR reopens the space on the same
counter (``registration.confirm_registration``).

Closing therefore deactivates the account (no login, no reset link: both look for active
accounts), ends every session at once, cancels a pending e-mail change, journals it and
tells the holder by mail.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mcf.core.logging import security_event
from mcf.domain.accounts.models import EmailChangeRequest, User, UserSession
from mcf.domain.accounts.sessions import drop_sessions
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.domain.mailing.actions import queue_email


def close_account(user: User, *, now: datetime | None = None) -> None:
    """Close the holder's online space (the caller had him confirm, after a recent
    password). Writes: is_active False and closed_at, sessions and their records deleted,
    pending e-mail changes deleted, a history entry. Sends: a confirmation to the address
    on file. A second call changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return
        user.is_active = False
        user.closed_at = now
        user.save(update_fields=["is_active", "closed_at"])
        ended = drop_sessions(UserSession.objects.select_for_update().filter(user=user))
        EmailChangeRequest.objects.filter(user=user, used_at__isnull=True).delete()
        journal.record(
            user,
            Action.ACCOUNT_CLOSED,
            details=f"Sessions fermées : {len(ended)}.",
            at=now,
        )
        queue_email(
            to=user.email,
            template="accounts/mails/account_closed.txt",
            context={
                "user": user,
                "registration_url": settings.SITE_URL + reverse("titulaire:registration_cgu"),
            },
            kind="espace_ferme",
        )
    security_event("account_close", outcome="success", user=user.public_id)

"""Writing the history. Called by the action functions, inside their transaction."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from mcf.domain.journal.models import Action, JournalEntry

BY_HOLDER = "Vous"
BY_SERVICE = "Le service"


def record(
    holder,
    action: Action,
    *,
    actor: str = BY_HOLDER,
    details: str = "",
    at: datetime | None = None,
) -> JournalEntry:
    """Append one entry to the holder's history. Never put a NIR, a password or a token in
    ``details``: the holder reads it, and so may someone looking over his shoulder."""
    return JournalEntry.objects.create(
        holder=holder,
        action=action,
        actor=actor,
        details=details[:255],
        occurred_at=at or timezone.now(),
    )

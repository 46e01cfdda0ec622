"""Writing the history. Called by the action functions, inside their transaction.

Every entry names its actor (AC-04): the holder himself, a professional of an organisation,
an operator of the Caisse des Dépôts, or the service (the yearly feed, a scheduled task).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from mcf.domain.accounts.names import short_name
from mcf.domain.journal.models import Action, ActorKind, JournalEntry

if TYPE_CHECKING:
    from mcf.domain.accounts.models import User
    from mcf.domain.delegations.models import Delegation
    from mcf.domain.organisations.models import Organisation

BY_HOLDER = "Vous"
BY_OPERATOR = "La Caisse des Dépôts"
BY_SERVICE = "Le service"
BY_INFORMATION_SYSTEM = "par son système d'information"


@dataclass(frozen=True)
class Actor:
    """Who acts on a holder's account: written on the entry, and as the label he reads."""

    kind: ActorKind
    user: User | None = None
    organisation: Organisation | None = None
    # Set when the actor uses a délégation of the holder (a person or a company's staff).
    delegation: Delegation | None = None

    @classmethod
    def holder(cls, user) -> Actor:
        return cls(ActorKind.TITULAIRE, user=user)

    @classmethod
    def professional(cls, user) -> Actor:
        return cls(
            ActorKind.PROFESSIONNEL,
            user=user,
            organisation=user.professional_profile.organisation,
        )

    @classmethod
    def delegate(cls, user, delegation) -> Actor:
        """Someone acting in the holder's account under ``delegation``."""
        base = cls.professional(user) if delegation.organisation_id else cls.holder(user)
        return cls(base.kind, user=user, organisation=base.organisation, delegation=delegation)

    @classmethod
    def information_system(cls, organisation) -> Actor:
        """An organisation acting through its API client (no person named)."""
        return cls(ActorKind.PROFESSIONNEL, organisation=organisation)

    @classmethod
    def operator(cls, user) -> Actor:
        """An operator of the Caisse des Dépôts (the back office)."""
        return cls(ActorKind.OPERATEUR, user=user)

    @classmethod
    def service(cls) -> Actor:
        """The service itself: the yearly feed, a scheduled task, a suspension."""
        return cls(ActorKind.SERVICE)

    def label(self, holder) -> str:
        """What the holder reads in « Par »: « Vous », « OPCA Démo (Amandine D.) »,
        « La Caisse des Dépôts » (never the operator's name), « Le service »,
        « Jean D., par délégation »."""
        if self.delegation is not None:
            return f"{self._label(holder)}, par délégation"
        return self._label(holder)

    def _label(self, holder) -> str:
        if self.kind == ActorKind.TITULAIRE:
            if self.user is None or holder is None or self.user.pk == holder.pk:
                return BY_HOLDER
            return short_name(self.user) or "Un autre titulaire"
        if self.kind == ActorKind.PROFESSIONNEL:
            name = " ".join(self.organisation.name.split())
            if self.user is None:
                return f"{name} ({BY_INFORMATION_SYSTEM})"
            person = short_name(self.user)
            return f"{name} ({person})" if person else name
        if self.kind == ActorKind.OPERATEUR:
            return BY_OPERATOR
        return BY_SERVICE


SERVICE = Actor.service()


def _json(changes: dict | None) -> dict:
    """``changes`` as JSON (dates, decimals and UUIDs as text), or a clear error for the
    developer who passes something else: a mistake here must not wait for the database."""
    if not changes:
        return {}
    if not isinstance(changes, dict):
        raise TypeError("changes: un dict {champ: [ancienne, nouvelle]}")
    return json.loads(json.dumps(changes, cls=DjangoJSONEncoder))


def record(
    holder,
    action: Action,
    *,
    by: Actor | None = None,
    subject=None,
    details: str = "",
    changes: dict | None = None,
    at: datetime | None = None,
) -> JournalEntry:
    """Append one entry to the holder's history.

    ``by``: who acted (None: the holder himself). ``subject``: what the act was about, an
    object with a ``public_id`` and a ``JOURNAL_SUBJECT`` class attribute (« dossier »).
    ``changes``: ``{"field": [old, new]}``. Never put a NIR, a password or a token in
    ``details`` or ``changes``: the holder reads them, and so may someone looking over his
    shoulder.
    """
    by = by or Actor.holder(holder)
    return JournalEntry.objects.create(
        holder=holder,
        action=action,
        actor=by.label(holder)[:150],
        actor_kind=by.kind,
        actor_user=by.user,
        actor_organisation=by.organisation,
        delegation=by.delegation,
        subject_type=subject.JOURNAL_SUBJECT if subject is not None else "",
        subject_id=subject.public_id if subject is not None else None,
        details=details[:255],
        changes=_json(changes),
        occurred_at=at or timezone.now(),
    )

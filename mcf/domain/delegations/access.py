"""What a delegate may do in a holder's account (AC-04), decided in one query.

``live_delegation(user, public_id)`` is the only door: every request of a delegate goes
through it, so a revoked or lapsed délégation gives nothing on the very next request.
``OnBehalf`` is what the action functions receive as ``by`` when a delegate acts: they
journal the act with him and his délégation, and refuse what stays the holder's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from mcf.domain.accounts.models import User
from mcf.domain.delegations.models import Delegation, live


def _usable_by(user) -> QuerySet[Delegation] | None:
    """The délégations ``user`` holds: his own (a person), his organisation's (an
    employer's administrateur principal or gestionnaire)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.kind == User.Kind.TITULAIRE:
        return Delegation.objects.filter(delegate=user)
    if user.kind == User.Kind.PROFESSIONNEL:
        # A join, not a read of his profile first: the check stays one query. A provisional
        # password still to change opens nothing (as in the professional space).
        return Delegation.objects.filter(
            organisation__members__user=user,
            organisation__members__must_change_password=False,
        )
    return None


def live_delegation(user, public_id) -> Delegation | None:
    """The délégation ``public_id`` if ``user`` holds it and it gives something today."""
    delegations = _usable_by(user)
    if delegations is None or public_id is None:
        return None
    return (
        delegations.filter(live(timezone.localdate()), public_id=public_id)
        .select_related("holder", "organisation")
        .first()
    )


def received_by(user) -> QuerySet[Delegation]:
    """« Comptes qui me sont délégués »: the live délégations a person holds."""
    delegations = _usable_by(user)
    if delegations is None:
        return Delegation.objects.none()
    return delegations.filter(live(timezone.localdate())).select_related("holder")


@dataclass(frozen=True)
class OnBehalf:
    """A delegate acting in ``delegation.holder``'s account (the ``by`` of an action)."""

    user: User
    delegation: Delegation

    @property
    def may_modify(self) -> bool:
        return self.delegation.can_modify

    def still_live(self) -> bool:
        """Checked again inside an action's transaction: a revocation committed since the
        request began wins."""
        return Delegation.objects.filter(live(timezone.localdate()), pk=self.delegation.pk).exists()

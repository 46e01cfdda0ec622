"""Reading délégations for the employer's space."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from mcf.domain.delegations.models import Delegation, live


def employees_of(organisation_id: int) -> QuerySet[Delegation]:
    """The live délégations of a company's employees, soonest end first (index
    delegation_company). The holder's name only: his NIR is never loaded."""
    return (
        Delegation.objects.filter(live(timezone.localdate()), organisation_id=organisation_id)
        .select_related("holder")
        .only(
            "public_id",
            "can_consult",
            "can_modify",
            "ends_on",
            "created_at",
            "status",
            "organisation_id",
            "holder__first_name",
            "holder__last_name",
            "holder__birth_name",
        )
        .order_by("ends_on", "id")
    )

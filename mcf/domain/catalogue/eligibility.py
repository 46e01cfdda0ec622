"""Which eligibility lists a person may use (domain.md §4).

- salarié: the LNI + the list of his branche + the list of the région of his workplace;
- demandeur d'emploi: the LNI + the list of the région of his home.

A holder whose situation is incomplete gets the lists that are known (at least the LNI):
he is never shown a training he cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.catalogue.models import EligibilityList


@dataclass(frozen=True)
class Situation:
    status: str  # an EmploymentStatus value
    region_code: str | None = None  # workplace (salarié) or home (demandeur d'emploi)
    branch_id: int | None = None  # salarié only

    @classmethod
    def of_holder(cls, user) -> Situation:
        if user.employment_status == EmploymentStatus.DEMANDEUR_EMPLOI:
            return cls(EmploymentStatus.DEMANDEUR_EMPLOI, region_code=user.home_region_id)
        return cls(
            EmploymentStatus.SALARIE, region_code=user.work_region_id, branch_id=user.branch_id
        )


def allowed_lists_filter(situation: Situation) -> Q:
    """A filter on ``EligibilityList`` selecting the lists this situation may use."""
    allowed = Q(kind=EligibilityList.Kind.LNI)
    if situation.region_code:
        allowed |= Q(kind=EligibilityList.Kind.COPAREF, region_id=situation.region_code)
    if situation.status == EmploymentStatus.SALARIE and situation.branch_id:
        allowed |= Q(kind=EligibilityList.Kind.CPNE, branch_id=situation.branch_id)
    return allowed

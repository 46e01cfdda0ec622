"""Which eligibility lists a person may use (domain.md §4).

- salarié: the LNI + the list of his branche + the list of the région of his workplace;
- demandeur d'emploi: the LNI + the list of the région of his home.

A holder whose situation is incomplete gets the lists that are known (at least the LNI):
he is never shown a training he cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.catalogue.models import EligibilityList, ListedCertification


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


def valid_listings(situation: Situation | None, today: date) -> QuerySet[ListedCertification]:
    """The listings valid on ``today``, on the lists ``situation`` may use (every list when
    None: the public search without a situation). The one owner of « eligible today »."""
    listings = ListedCertification.objects.filter(valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if situation is not None:
        listings = listings.filter(
            eligibility_list__in=EligibilityList.objects.filter(allowed_lists_filter(situation))
        )
    return listings


def open_lists(situation: Situation) -> list[str]:
    """The names of the lists a situation may use, national first (for a refusal message)."""
    order = {EligibilityList.Kind.LNI: 0, EligibilityList.Kind.COPAREF: 1}
    lists = EligibilityList.objects.filter(allowed_lists_filter(situation)).select_related(
        "region", "branch"
    )
    return [
        str(item) for item in sorted(lists, key=lambda item: (order.get(item.kind, 2), str(item)))
    ]

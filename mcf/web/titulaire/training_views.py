"""« Rechercher une formation » in the holder's space: only the trainings his own situation
(« Mes informations personnelles ») lets him use, with a notice while it is incomplete."""

from __future__ import annotations

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.catalogue.eligibility import Situation
from mcf.web.catalogue.views import HOLDER, offer_page, search_page
from mcf.web.titulaire.decorators import CONSULT, holder_required


def situation_summary(user) -> dict:
    """What the page says of the holder's situation, and what is missing from it."""
    status = user.employment_status
    if status == EmploymentStatus.DEMANDEUR_EMPLOI:
        gaps = [] if user.home_region_id else ["la région de votre domicile"]
        parts = ["demandeur(se) d'emploi"]
        if user.home_region_id:
            parts.append(f"domicile en région {user.home_region.name}")
    elif status == EmploymentStatus.SALARIE:
        gaps = [
            text
            for present, text in (
                (user.branch_id, "la branche professionnelle de votre employeur"),
                (user.work_region_id, "la région de votre lieu de travail"),
            )
            if not present
        ]
        parts = ["salarié(e)"]
        if user.branch_id:
            parts.append(f"branche {user.branch.name}")
        if user.work_region_id:
            parts.append(f"lieu de travail en région {user.work_region.name}")
    else:
        gaps = ["votre situation professionnelle (salarié(e) ou demandeur(se) d'emploi)"]
        parts = []
    # The lists the search uses meanwhile: what the domain rule makes of what is known.
    situation = Situation.of_holder(user)
    lists = ["liste nationale (LNI)"]
    if situation.region_code:
        lists.append("liste de votre région")
    if situation.status == EmploymentStatus.SALARIE and situation.branch_id:
        lists.append("liste de votre branche")
    return {"gaps": gaps, "description": ", ".join(parts), "lists": ", ".join(lists)}


@never_cache
@holder_required(delegates=CONSULT)
@require_GET
def training_search(request):
    return search_page(
        request,
        HOLDER,
        situation=Situation.of_holder(request.holder),
        extra={"holder_situation": situation_summary(request.holder)},
    )


@never_cache
@holder_required(delegates=CONSULT)
@require_GET
def training_offer(request, pk: int):
    return offer_page(request, HOLDER, pk, situation=Situation.of_holder(request.holder))

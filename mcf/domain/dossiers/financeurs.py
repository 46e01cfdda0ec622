"""Which organisations may finance a holder's dossier (domain.md §1, §5) **(choice)**:

- a salarié: the OPCA of his employer's branch, or his employer itself when it manages its
  0,2 % under an accord in force (an organisation « Employeur » whose SIRET is the
  employer's SIRET typed in the dossier, with its accord's dates: docs/decisions/0016);
- a demandeur d'emploi: Pôle emploi, or the Région of his home.

An OPCA or a Région says what it covers in the back office (branches, région).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.organisations.models import Organisation

Kind = Organisation.Kind


def financeurs_for(holder, *, employer_siret: str = "") -> QuerySet[Organisation]:
    if holder.employment_status == EmploymentStatus.DEMANDEUR_EMPLOI:
        allowed = Q(kind=Kind.POLE_EMPLOI)
        if holder.home_region_id:
            allowed |= Q(kind=Kind.REGION, region_id=holder.home_region_id)
    else:
        allowed = Q(kind=Kind.OPCA, branches=holder.branch_id) if holder.branch_id else Q(pk=None)
        if employer_siret:
            allowed |= Organisation.with_accord_in_force() & Q(siret=employer_siret)
    return Organisation.objects.filter(allowed).distinct().order_by("name")


def may_finance(organisation: Organisation, holder, *, employer_siret: str = "") -> bool:
    return financeurs_for(holder, employer_siret=employer_siret).filter(pk=organisation.pk).exists()

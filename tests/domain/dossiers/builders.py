"""Dossier test data, built through the product's action functions (decisions/0011).

world = dossier_world()                      # holder 120 DIF + 48 CPF, OPCA, catalogue
dossier = ready_dossier(world)               # complete, consent given, hors temps
dossier = sent_dossier(world)                # … transmitted
dossier = validated_dossier(world)           # … validated by the OPCA's admin
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mcf.domain.accounts.models import EmploymentStatus, User
from mcf.domain.accounts.personal_information import update_situation
from mcf.domain.catalogue.models import Branch, Region
from mcf.domain.dossiers import actions
from mcf.domain.dossiers.models import Dossier, WorkingTime
from mcf.domain.hours.ledger import credit_feed, enter_dif
from mcf.domain.hours.models import Counter
from mcf.domain.organisations.models import Organisation
from tests.domain.organisations.builders import SIRET_A, SIRET_B, active_principal_admin
from tests.factories import NIR_A, registered_holder
from tests.web.catalogue.conftest import Catalogue, build_catalogue

ORGANISME_SIRET = "73282932000074"
ANGLAIS_CODE = 236593  # LNI: open to everybody


@dataclass
class World:
    holder: User
    catalogue: Catalogue
    opca: Organisation
    financeur: User  # the OPCA's administrateur principal (TOTP enrolled)
    other_financeur: User  # another OPCA's


def give_hours(holder: User, *, cpf: int, dif: int | None, year: int = 2024) -> None:
    """CPF hours through the yearly feed's credit, DIF through the holder's own entry."""
    if cpf:
        with transaction.atomic():
            counter = Counter.objects.select_for_update().get(holder=holder)
            credit_feed(counter, year=year, hours=cpf, source="test")
    if dif is not None:
        enter_dif(holder, dif)


def salarie_of(holder: User, branch: Branch) -> None:
    update_situation(
        holder,
        employment_status=EmploymentStatus.SALARIE,
        branch=branch,
        work_region=Region.objects.get(pk="53"),
        home_region=None,
    )


def opca_for(branch: Branch, **kwargs) -> tuple[Organisation, User]:
    admin, _ = active_principal_admin(**kwargs)
    organisation = admin.professional_profile.organisation
    organisation.branches.add(branch)
    return organisation, admin


def dossier_world(*, nir: str = NIR_A, dif: int | None = 120, cpf: int = 48) -> World:
    catalogue = build_catalogue()
    branch = Branch.objects.get(pk=catalogue.branch_id)
    holder = registered_holder(nir)
    salarie_of(holder, branch)
    give_hours(holder, cpf=cpf, dif=dif)
    opca, admin = opca_for(branch, name="OPCA Démo")
    _, other = opca_for(
        branch,
        name="OPCA Autre",
        siret=SIRET_B,
        first_name="Bruno",
        last_name="Autre",
        email="bruno@autre.example",
    )
    assert opca.siret == SIRET_A
    return World(holder, catalogue, opca, admin, other)


def ready_dossier(
    world: World,
    *,
    holder: User | None = None,
    duration: int = 200,
    start_in_days: int = 90,
    working_time: str = WorkingTime.HORS,
    consent: bool = True,
) -> Dossier:
    holder = holder or world.holder
    dossier = actions.create_dossier_for_code(holder, ANGLAIS_CODE)
    start = timezone.localdate() + datetime.timedelta(days=start_in_days)
    return actions.update_dossier(
        dossier.pk,
        by=holder,
        version=dossier.version,
        values={
            "organisme_siret": ORGANISME_SIRET,
            "organisme_name": "Organisme Démo",
            "start_date": start,
            "end_date": start + datetime.timedelta(days=60),
            "duration_hours": duration,
            "cost": Decimal("2400.00"),
            "working_time": working_time,
            "financeur": world.opca,
        },
        consent=consent,
    )


def sent_dossier(world: World, **kwargs) -> Dossier:
    dossier = ready_dossier(world, **kwargs)
    return actions.send_dossier(dossier.pk, by=dossier.holder, version=dossier.version)


def validated_dossier(world: World, **kwargs) -> Dossier:
    dossier = sent_dossier(world, **kwargs)
    return actions.validate_dossier(
        dossier.pk,
        by=world.financeur,
        version=dossier.version,
        dif=dossier.plan_dif,
        cpf=dossier.plan_cpf,
        dif_attestation_checked=True,
    )

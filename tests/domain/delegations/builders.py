"""Délégations test data, through the product's action functions."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from mcf.domain.accounts.models import User
from mcf.domain.delegations import actions
from mcf.domain.delegations.models import Delegation
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.organisations.models import Organisation
from tests.domain.organisations.builders import active_principal_admin

# Valid SIRETs (Luhn) of two employers.
EMPLOYER_SIRET = "44306184100047"
OTHER_EMPLOYER_SIRET = "55208131766522"


def employer(
    name: str = "Garage Martin", *, siret: str = EMPLOYER_SIRET, email: str = "rh@garage.example"
) -> tuple[Organisation, User]:
    """An organisation « Employeur » and its administrateur principal (TOTP enrolled)."""
    admin, _ = active_principal_admin(
        name=name,
        siret=siret,
        kind=Organisation.Kind.EMPLOYEUR,
        email=email,
        first_name="Paul",
        last_name="Morel",
    )
    return admin.professional_profile.organisation, admin


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def to_company(holder: User, organisation: Organisation, *, modify=False, days=365) -> Delegation:
    return actions.grant_to_company(
        holder, siret=organisation.siret, consult=True, modify=modify, ends_on=in_days(days)
    )


def to_person(holder: User, person: User, *, modify=False, days=365) -> Delegation:
    """Invited and accepted."""
    _, token = actions.invite_person(
        holder, email=person.email, consult=True, modify=modify, ends_on=in_days(days)
    )
    return actions.accept_invitation(token, person)


def last_invitation_token(to: str) -> str:
    body = OutboxEmail.objects.filter(to=to, kind="delegation_invitation").latest("created_at").body
    return re.search(r"/delegations/invitation/([^/\s]+)/", body).group(1)


def second_holder() -> User:
    """Jean Dupont, another holder (the person a délégation is given to)."""
    from tests.factories import NIR_B, registered_holder

    return registered_holder(
        NIR_B, email="jean.dupont@example.org", first_name="Jean", birth_name="Dupont"
    )


def delegation_world():
    """Touria's délégations: to Garage Martin (consultation), to Jean (modification, read
    three times), a revoked invitation, an invitation waiting; her dossier sur temps de
    travail naming Garage Martin, the request made today. Returns (world, the company's
    administrateur principal, Jean, the délégation to Jean, the dossier)."""
    from mcf.domain.dossiers import actions as dossier_actions
    from mcf.domain.dossiers.models import WorkingTime
    from tests.domain.dossiers.builders import dossier_world, ready_dossier

    world = dossier_world()
    company, admin = employer()
    jean = second_holder()
    to_jean = to_person(world.holder, jean, modify=True)
    for _ in range(3):
        actions.record_read(to_jean, jean)
    to_company(world.holder, company)
    revoked, _ = actions.invite_person(
        world.holder, email="ancien@example.org", consult=True, modify=False, ends_on=in_days(9)
    )
    actions.revoke(revoked.pk, holder=world.holder)
    actions.invite_person(
        world.holder, email="invitee@example.org", consult=True, modify=True, ends_on=in_days(90)
    )
    dossier = ready_dossier(world, working_time=WorkingTime.SUR)
    dossier = dossier_actions.update_dossier(
        dossier.pk, by=world.holder, version=dossier.version,
        values={"employer_siret": company.siret},
    )  # fmt: skip
    dossier = dossier_actions.record_employer_request(
        dossier.pk, by=world.holder, version=dossier.version, requested_on=timezone.localdate()
    )
    return world, admin, jean, to_jean, dossier

"""Délégations (issue 14, domain.md §6, AC-04): grant, invite, accept, revoke, lapse, reads."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from mcf.core.dates import add_years
from mcf.domain.delegations import actions
from mcf.domain.delegations.access import OnBehalf, live_delegation, received_by
from mcf.domain.delegations.models import Delegation, DelegationVisit, Status
from mcf.domain.dossiers import actions as dossier_actions
from mcf.domain.dossiers.workflow import NotAllowed
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from tests.domain.delegations.builders import (
    OTHER_EMPLOYER_SIRET,
    employer,
    in_days,
    last_invitation_token,
    second_holder,
    to_company,
    to_person,
)
from tests.domain.dossiers.builders import ANGLAIS_CODE, dossier_world
from tests.factories import registered_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    return registered_holder()


@pytest.fixture
def friend():
    return second_holder()


def _nothing_written(holder):
    return (
        not Delegation.objects.filter(holder=holder).exists()
        and not OutboxEmail.objects.filter(kind__startswith="delegation").exists()
    )


def test_a_company_délégation_is_active_at_once_journaled_and_told_to_both(holder):
    company, admin = employer()
    delegation = to_company(holder, company, modify=True)
    assert delegation.status == Status.ACTIVE and delegation.can_consult and delegation.can_modify
    assert live_delegation(admin, delegation.public_id) == delegation
    entry = JournalEntry.objects.get(holder=holder, action=Action.DELEGATION_GRANTED)
    assert entry.subject_id == delegation.public_id and "Garage Martin" in entry.details
    mails = OutboxEmail.objects.filter(kind="delegation")
    assert set(mails.values_list("to", flat=True)) == {holder.email, admin.email}
    company_mail = mails.get(to=admin.email)
    assert holder.nir not in company_mail.body and "Touria O." in company_mail.body


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("12345", "14 chiffres"),
        ("44306184100048", "n'existe pas"),
        (OTHER_EMPLOYER_SIRET, "Aucune entreprise n'a de compte"),
        ("4430618410004²", "14 chiffres"),  # a superscript
        ("٤٤٣٠٦١٨٤١٠٠٠٤٧", "14 chiffres"),  # Arabic-Indic digits
    ],
)
def test_an_unknown_or_invalid_siret_writes_and_sends_nothing(holder, siret, message):
    employer()
    with pytest.raises(actions.DelegationError) as refused:
        actions.grant_to_company(
            holder, siret=siret, consult=True, modify=False, ends_on=in_days(30)
        )
    assert message in refused.value.errors["siret"]
    assert _nothing_written(holder)


def test_a_financeur_is_not_a_company_one_can_delegate_to(holder):
    world_opca_siret = "99900010200015"
    from tests.domain.organisations.builders import new_organisation

    new_organisation(siret=world_opca_siret)
    with pytest.raises(actions.DelegationError):
        actions.grant_to_company(
            holder, siret=world_opca_siret, consult=True, modify=False, ends_on=in_days(30)
        )


@pytest.mark.parametrize(
    ("consult", "modify", "ends_on", "field"),
    [
        (False, False, 30, "rights"),
        (True, False, -1, "ends_on"),
        (True, False, None, "ends_on"),
    ],
)
def test_bad_rights_or_dates_are_refused_with_nothing_written(
    holder, consult, modify, ends_on, field
):
    company, _ = employer()
    with pytest.raises(actions.DelegationError) as refused:
        actions.grant_to_company(
            holder,
            siret=company.siret,
            consult=consult,
            modify=modify,
            ends_on=in_days(ends_on) if ends_on is not None else None,
        )
    assert field in refused.value.errors
    assert _nothing_written(holder)


def test_three_years_is_the_longest(holder):
    company, _ = employer()
    latest = add_years(timezone.localdate(), 3)
    with pytest.raises(actions.DelegationError) as refused:
        actions.grant_to_company(
            holder,
            siret=company.siret,
            consult=True,
            modify=False,
            ends_on=latest + datetime.timedelta(days=1),
        )
    assert "3 ans au plus" in refused.value.errors["ends_on"]
    assert (
        actions.grant_to_company(
            holder, siret=company.siret, consult=True, modify=False, ends_on=latest
        ).ends_on
        == latest
    )


def test_a_second_délégation_to_the_same_company_or_address_is_refused(holder, friend):
    company, _ = employer()
    to_company(holder, company)
    with pytest.raises(actions.DelegationError) as refused:
        to_company(holder, company)
    assert refused.value.code == "duplicate"
    actions.invite_person(
        holder, email=friend.email, consult=True, modify=False, ends_on=in_days(30)
    )
    with pytest.raises(actions.DelegationError):
        actions.invite_person(
            holder, email=friend.email.upper(), consult=True, modify=False, ends_on=in_days(30)
        )


def test_one_s_own_address_is_refused(holder):
    with pytest.raises(actions.DelegationError) as refused:
        actions.invite_person(
            holder, email=holder.email.upper(), consult=True, modify=False, ends_on=in_days(30)
        )
    assert "propre adresse" in refused.value.errors["email"]
    assert _nothing_written(holder)


def test_an_invitation_is_hashed_single_use_and_accepted_from_the_invited_address(holder, friend):
    delegation, token = actions.invite_person(
        holder, email=friend.email, consult=True, modify=False, ends_on=in_days(90)
    )
    assert len(token) >= 43  # 256 bits
    assert token not in delegation.invitation_token_hash
    assert last_invitation_token(friend.email) == token
    assert OutboxEmail.objects.get(kind="delegation_invitation").sensitive
    assert live_delegation(friend, delegation.public_id) is None  # not yet accepted
    with pytest.raises(actions.DelegationError) as own:
        actions.accept_invitation(token, holder)
    assert own.value.code == "own"
    accepted = actions.accept_invitation(token, friend)
    assert accepted.status == Status.ACTIVE and accepted.delegate == friend
    assert live_delegation(friend, delegation.public_id) == accepted
    assert list(received_by(friend)) == [accepted]
    with pytest.raises(actions.DelegationError) as again:
        actions.accept_invitation(token, friend)
    assert again.value.code == "unknown"  # the token is gone


def test_an_invitation_to_another_address_cannot_be_accepted(holder, friend):
    other = registered_holder("269054958815780", email="autre@example.org")
    _, token = actions.invite_person(
        holder, email=friend.email, consult=True, modify=False, ends_on=in_days(90)
    )
    with pytest.raises(actions.DelegationError) as refused:
        actions.accept_invitation(token, other)
    assert refused.value.code == "address"


def test_an_invitation_expires_after_15_days(holder, friend, time_machine):
    _, token = actions.invite_person(
        holder, email=friend.email, consult=True, modify=False, ends_on=in_days(90)
    )
    time_machine.move_to(timezone.now() + datetime.timedelta(days=15, seconds=1))
    with pytest.raises(actions.DelegationError) as refused:
        actions.accept_invitation(token, friend)
    assert refused.value.code == "expired"


def test_revocation_gives_nothing_on_the_very_next_check(holder):
    company, admin = employer()
    delegation = to_company(holder, company)
    actions.revoke(delegation.pk, holder=holder)
    assert live_delegation(admin, delegation.public_id) is None
    assert JournalEntry.objects.filter(holder=holder, action=Action.DELEGATION_REVOKED).exists()
    with pytest.raises(actions.DelegationError):
        actions.revoke(delegation.pk, holder=holder)
    # A new one can be given after the revocation.
    to_company(holder, company)


def test_another_holder_cannot_revoke(holder, friend):
    company, _ = employer()
    delegation = to_company(holder, company)
    with pytest.raises(actions.DelegationError):
        actions.revoke(delegation.pk, holder=friend)
    delegation.refresh_from_db()
    assert delegation.status == Status.ACTIVE


def test_the_end_date_ends_it_at_midnight_then_the_task_writes_it(holder, friend, time_machine):
    delegation = to_person(holder, friend, days=3)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=4))
    assert live_delegation(friend, delegation.public_id) is None  # before any task ran
    assert actions.lapse_overdue() == 1
    assert actions.lapse_overdue() == 0  # idempotent
    delegation.refresh_from_db()
    assert delegation.status == Status.EXPIREE
    assert JournalEntry.objects.filter(holder=holder, action=Action.DELEGATION_LAPSED).count() == 1


def test_both_sides_are_told_once_15_days_before_the_end(holder, friend):
    delegation = to_person(holder, friend, days=10)
    OutboxEmail.objects.all().delete()
    assert actions.remind_lapsing() == 1
    assert actions.remind_lapsing() == 0
    assert set(OutboxEmail.objects.values_list("to", flat=True)) == {holder.email, friend.email}
    delegation.refresh_from_db()
    assert delegation.lapse_reminder_sent_on == timezone.localdate()


def test_reads_are_counted_per_day_and_journaled_once_per_delegate_per_day(
    holder, friend, time_machine
):
    delegation = to_person(holder, friend)
    for _ in range(5):
        actions.record_read(delegation, friend)
    visit = DelegationVisit.objects.get(delegation=delegation)
    assert visit.reads == 5
    reads = JournalEntry.objects.filter(holder=holder, action=Action.DELEGATE_READ)
    assert reads.count() == 1
    assert reads.get().actor == "Jean D., par délégation"
    assert reads.get().delegation == delegation
    time_machine.move_to(timezone.now() + datetime.timedelta(days=1))
    actions.record_read(delegation, friend)
    assert reads.count() == 2 and DelegationVisit.objects.filter(delegation=delegation).count() == 2


def test_giving_back_ends_it(holder, friend):
    delegation = to_person(holder, friend)
    actions.give_back(delegation.pk, delegate=friend)
    assert live_delegation(friend, delegation.public_id) is None
    entry = JournalEntry.objects.get(holder=holder, action=Action.DELEGATION_RETURNED)
    assert entry.actor == "Jean D., par délégation"


def test_the_back_office_revokes_with_a_motif(holder, friend):
    from mcf.domain.accounts.models import User

    delegation = to_person(holder, friend)
    operator = User.objects.create_user(username="op", kind=User.Kind.OPERATEUR)
    with pytest.raises(actions.DelegationError):
        actions.revoke_by_operator(delegation.pk, operator=operator, motif=" \u200b ")
    actions.revoke_by_operator(delegation.pk, operator=operator, motif="Courrier du 01/12")
    entry = JournalEntry.objects.get(holder=holder, action=Action.DELEGATION_REVOKED)
    assert entry.actor == "La Caisse des Dépôts" and "Courrier du 01/12" in entry.details


# ----- a delegate acting on dossiers --------------------------------------------------------


def test_a_delegate_with_modification_prepares_a_dossier_journaled_with_him(friend):
    world = dossier_world()
    delegation = to_person(world.holder, friend, modify=True)
    by = OnBehalf(friend, delegation)
    dossier = dossier_actions.create_dossier_for_code(world.holder, ANGLAIS_CODE, by=by)
    updated = dossier_actions.update_dossier(
        dossier.pk, by=by, version=dossier.version, values={"duration_hours": 40}
    )
    assert updated.duration_hours == 40
    actors = set(
        JournalEntry.objects.filter(subject_id=dossier.public_id).values_list("actor", flat=True)
    )
    assert actors == {"Jean D., par délégation"}
    with pytest.raises(NotAllowed):  # consent stays the holder's own act
        dossier_actions.update_dossier(
            dossier.pk, by=by, version=updated.version, values={}, consent=True
        )


def test_consultation_only_or_revoked_cannot_modify(friend):
    world = dossier_world()
    consult_only = to_person(world.holder, friend)
    dossier = dossier_actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    with pytest.raises(NotAllowed):
        dossier_actions.update_dossier(
            dossier.pk,
            by=OnBehalf(friend, consult_only),
            version=dossier.version,
            values={"duration_hours": 40},
        )
    actions.revoke(consult_only.pk, holder=world.holder)
    modify = to_person(world.holder, friend, modify=True)
    stale = OnBehalf(friend, modify)
    actions.revoke(modify.pk, holder=world.holder)
    with pytest.raises(NotAllowed):  # revoked since the request began
        dossier_actions.update_dossier(
            dossier.pk, by=stale, version=dossier.version, values={"duration_hours": 40}
        )


def test_a_confidential_dossier_is_out_of_a_delegate_s_reach(friend):
    world = dossier_world()
    delegation = to_person(world.holder, friend, modify=True)
    dossier = dossier_actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    dossier = dossier_actions.update_dossier(
        dossier.pk, by=world.holder, version=dossier.version, values={"confidential": True}
    )
    with pytest.raises(NotAllowed):
        dossier_actions.update_dossier(
            dossier.pk,
            by=OnBehalf(friend, delegation),
            version=dossier.version,
            values={"duration_hours": 40},
        )

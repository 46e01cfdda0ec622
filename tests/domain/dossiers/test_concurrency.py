"""The ledger invariants of domain.md §3.4 under concurrency (REL-03, REL-04), on PostgreSQL.

Each job runs the product's action function on its own connection, all released at once
(tests/concurrency.py). What must hold whatever the interleaving:
- never more hours reserved than available, and the cached figures = Σ entries;
- every validation that went through was valid when it took the counter's lock, every
  refusal is a clean ``Refused`` / ``HoursError`` that changed nothing of its dossier;
- a dossier closed twice at once is debited once; a validation racing a cancellation, or a
  closing racing a cancellation, ends in one of the two and the ledger agrees with it.
Each scenario is repeated on fresh data (different sizes, different orders).
"""

from __future__ import annotations

import random

import pytest
from django.db import connection

from mcf.domain.dossiers import actions, plan
from mcf.domain.dossiers.models import Dossier, DossierTransition, State
from mcf.domain.dossiers.workflow import Refused
from mcf.domain.hours.ledger import HoursError
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from tests.concurrency import run_together
from tests.domain.dossiers.builders import (
    dossier_world,
    sent_dossier,
    validated_dossier,
)
from tests.domain.hours.invariants import assert_ledger_matches

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 3
THREADS = 20


def attempt(function, *args, **kwargs):
    """Run an action; a refusal is a result (its exception), anything else fails the test."""
    try:
        return function(*args, **kwargs)
    except (Refused, HoursError) as refusal:
        assert refusal.message and refusal.code, refusal
        return refusal


def ledger_of(dossier: Dossier) -> dict[tuple[str, str], int]:
    """Σ hours of the dossier's entries by (kind, account)."""
    sums: dict[tuple[str, str], int] = {}
    for kind, account, hours in Entry.objects.filter(source=dossier.ledger_source).values_list(
        "kind", "account", "hours"
    ):
        sums[kind, account] = sums.get((kind, account), 0) + hours
    return sums


def acts_on(dossier: Dossier) -> tuple[list[str], int]:
    """The transitions logged for the dossier, and its journal entries."""
    names = list(
        DossierTransition.objects.filter(dossier=dossier)
        .order_by("id")
        .values_list("name", flat=True)
    )
    return names, JournalEntry.objects.filter(subject_id=dossier.public_id).count()


def assert_changed_nothing(before: Dossier, journal_before: int) -> None:
    after = Dossier.objects.get(pk=before.pk)
    assert (after.state, after.version) == (before.state, before.version)
    assert (after.plan_dif, after.plan_cpf) == (before.plan_dif, before.plan_cpf)
    assert ledger_of(after) == ledger_of(before)
    assert acts_on(after)[1] == journal_before


# ----- 20 validators, one holder ----------------------------------------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_twenty_validations_of_one_holder_never_reserve_more_than_available(round_):
    """120 DIF + 48 CPF, 20 dossiers asking 10 to 150 h each: only some fit. The plans are
    the ones proposed when each dossier was sent (DIF first), and a few « CPF only » plans
    a financeur may type, which are valid only once the DIF is used up."""
    rnd = random.Random(round_)
    world = dossier_world()
    holder = world.holder
    dossiers, plans = [], []
    for _ in range(THREADS):
        duration = rnd.choice([10, 20, 30, 40, 40, 150])
        dossier = sent_dossier(world, holder=holder, duration=duration)
        cpf_only = rnd.random() < 0.25
        plans.append((0, min(duration, 48)) if cpf_only else (dossier.plan_dif, dossier.plan_cpf))
        dossiers.append(dossier)
    journals = {dossier.pk: acts_on(dossier)[1] for dossier in dossiers}
    counter = Counter.objects.get(holder=holder)
    start = (counter.dif_available, counter.cpf_available)
    assert start == (120, 48)

    results = run_together(
        [
            lambda dossier=dossier, dif=dif, cpf=cpf: attempt(
                actions.validate_dossier,
                dossier.pk,
                by=world.financeur,
                version=dossier.version,
                dif=dif,
                cpf=cpf,
                dif_attestation_checked=True,
            )
            for dossier, (dif, cpf) in zip(dossiers, plans, strict=True)
        ]
    )

    validated = [d for d, r in zip(dossiers, results, strict=True) if isinstance(r, Dossier)]
    refused = [
        (d, p, r)
        for d, p, r in zip(dossiers, plans, results, strict=True)
        if not isinstance(r, Dossier)
    ]
    # Hours for only some of them: both outcomes happened.
    assert validated and refused, results
    for _, _, refusal in refused:
        # Refused for the hours (the plan no longer fits), not for a race of the code.
        assert refusal.code in ("plan", "dif_insufficient", "cpf_insufficient"), refusal.message
    for dossier, _, _ in refused:
        assert_changed_nothing(dossier, journals[dossier.pk])
        assert acts_on(dossier)[0] == ["transmettre"]

    # The counter: reserved = Σ plans of the validated dossiers ≤ balances = Σ entries.
    counter.refresh_from_db()
    assert_ledger_matches([counter])
    reserved_dif = sum(Dossier.objects.get(pk=d.pk).plan_dif for d in validated)
    reserved_cpf = sum(Dossier.objects.get(pk=d.pk).plan_cpf for d in validated)
    assert (counter.dif_reserved, counter.cpf_reserved) == (reserved_dif, reserved_cpf)
    assert counter.dif_reserved <= counter.dif_balance == 120
    assert counter.cpf_reserved <= counter.cpf_balance == 48
    assert counter.dif_locked_at is not None
    for dossier in validated:
        dossier.refresh_from_db()
        assert dossier.state == State.VALIDE
        assert ledger_of(dossier) == {
            (kind, account): hours
            for kind, account, hours in (
                (Entry.Kind.RESERVATION, Entry.Account.DIF, dossier.plan_dif),
                (Entry.Kind.RESERVATION, Entry.Account.CPF, dossier.plan_cpf),
            )
            if hours
        }
        assert acts_on(dossier) == (["transmettre", "valider"], journals[dossier.pk] + 1)

    # Serialisable: replayed one by one in the order they took the counter's lock (the
    # order of their RESERVATION entries), every validation fitted what was left, and every
    # refused plan did not fit what was left at some point of that order.
    order = sorted(
        validated,
        key=lambda d: Entry.objects.filter(source=d.ledger_source).order_by("id")[0].id,
    )
    dif_left, cpf_left = start
    left_over_time = [(dif_left, cpf_left)]
    for dossier in order:
        assert not plan.plan_errors(
            dossier.duration_hours,
            dif=dossier.plan_dif,
            cpf=dossier.plan_cpf,
            dif_available=dif_left,
            cpf_available=cpf_left,
        )
        dif_left -= dossier.plan_dif
        cpf_left -= dossier.plan_cpf
        left_over_time.append((dif_left, cpf_left))
    for dossier, (dif, cpf), _ in refused:
        assert any(
            plan.plan_errors(
                dossier.duration_hours, dif=dif, cpf=cpf, dif_available=d, cpf_available=c
            )
            for d, c in left_over_time
        ), (dossier.duration_hours, dif, cpf, left_over_time)
    # One mail per validation (the holder's), none for a refusal.
    assert OutboxEmail.objects.filter(
        kind="dossier_evenement", to=holder.email, body__contains="a été validé"
    ).count() == len(validated)


# ----- one dossier closed twice --------------------------------------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
@pytest.mark.parametrize("with_version", [True, False], ids=["form-version", "no-version"])
def test_a_dossier_closed_twice_at_once_is_debited_once(round_, with_version):
    """Two gestionnaires (or one double click) close the same dossier at the same moment.
    With the form's version the second is stale; without it, the state check under the
    row lock refuses it. Either way: one closing, one debit, one release."""
    world = dossier_world()
    dossier = validated_dossier(world)  # 120 DIF + 30 CPF reserved
    hours_done = [130, 150, 0][round_]
    results = run_together(
        [
            lambda: attempt(
                actions.close_dossier,
                dossier.pk,
                by=world.financeur,
                version=dossier.version if with_version else None,
                hours_done=hours_done,
            )
        ]
        * 2
    )
    closed = [r for r in results if isinstance(r, Dossier)]
    refusals = [r for r in results if not isinstance(r, Dossier)]
    assert len(closed) == 1 and len(refusals) == 1, results
    assert refusals[0].code == ("stale" if with_version else "state")

    dossier.refresh_from_db()
    assert dossier.state == State.CLOS and dossier.hours_done == hours_done
    used_dif, used_cpf = plan.split_done(hours_done, dif=120, cpf=30)
    assert (dossier.used_dif, dossier.used_cpf) == (used_dif, used_cpf)
    debits = Entry.objects.filter(source=dossier.ledger_source, kind=Entry.Kind.DEBIT)
    assert debits.count() == (used_dif > 0) + (used_cpf > 0)
    assert ledger_of(dossier) == {
        key: hours
        for key, hours in {
            (Entry.Kind.RESERVATION, Entry.Account.DIF): 120,
            (Entry.Kind.RESERVATION, Entry.Account.CPF): 30,
            (Entry.Kind.RELEASE, Entry.Account.DIF): -120,
            (Entry.Kind.RELEASE, Entry.Account.CPF): -30,
            (Entry.Kind.DEBIT, Entry.Account.DIF): -used_dif,
            (Entry.Kind.DEBIT, Entry.Account.CPF): -used_cpf,
        }.items()
        if hours
    }
    counter = Counter.objects.get(holder=world.holder)
    assert_ledger_matches([counter])
    assert (counter.dif_balance, counter.cpf_balance) == (120 - used_dif, 48 - used_cpf)
    assert (counter.dif_reserved, counter.cpf_reserved) == (0, 0)
    assert acts_on(dossier)[0] == ["transmettre", "valider", "clore"]
    assert JournalEntry.objects.filter(action=Action.DOSSIER_CLOSED).count() == 1


# ----- a validation racing a cancellation ------------------------------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_validation_racing_the_holders_cancellation_ends_in_one_of_them(round_):
    """The financeur validates while the holder cancels (or takes back) the same sent
    dossier. One wins; the other is refused and left nothing behind: a cancelled dossier
    holds no hour, a validated one holds its plan."""
    world = dossier_world()
    dossier = sent_dossier(world)
    holders_act = [
        lambda: attempt(
            actions.cancel_by_holder,
            dossier.pk,
            by=world.holder,
            version=None,
            motif="Je change de projet",
        ),
        lambda: attempt(actions.withdraw_dossier, dossier.pk, by=world.holder, version=None),
    ][round_ % 2]
    validate = lambda: attempt(  # noqa: E731
        actions.validate_dossier,
        dossier.pk,
        by=world.financeur,
        version=None,
        dif=120,
        cpf=30,
        dif_attestation_checked=True,
    )
    jobs = [validate, holders_act] if round_ < 2 else [holders_act, validate]
    results = run_together(jobs)
    winners = [r for r in results if isinstance(r, Dossier)]
    losers = [r for r in results if not isinstance(r, Dossier)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "state", losers[0].message

    dossier.refresh_from_db()
    counter = Counter.objects.get(holder=world.holder)
    assert_ledger_matches([counter])
    names = acts_on(dossier)[0]
    assert len(names) == 2 and names[0] == "transmettre"
    if dossier.state == State.VALIDE:
        assert names[1] == "valider"
        assert (counter.dif_reserved, counter.cpf_reserved) == (120, 30)
        assert counter.dif_locked_at is not None
    else:
        assert dossier.state in (State.ANNULE, State.BROUILLON)
        assert names[1] in ("annuler_titulaire", "reprendre")
        assert ledger_of(dossier) == {}
        assert (counter.dif_reserved, counter.cpf_reserved) == (0, 0)
        assert counter.dif_locked_at is None


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_closing_racing_a_cancellation_debits_or_releases_never_both(round_):
    """Two gestionnaires of the OPCA: one closes the validated dossier, the other cancels
    it (with the version their pages were built on). One wins: either the hours done are
    debited, or every reserved hour is released."""
    world = dossier_world()
    dossier = validated_dossier(world)
    close = lambda: attempt(  # noqa: E731
        actions.close_dossier,
        dossier.pk,
        by=world.financeur,
        version=dossier.version,
        hours_done=100,
    )
    cancel = lambda: attempt(  # noqa: E731
        actions.cancel_validated,
        dossier.pk,
        by=world.financeur,
        version=dossier.version,
        motif="Formation annulée par l'organisme",
    )
    results = run_together([close, cancel] if round_ % 2 else [cancel, close])
    winners = [r for r in results if isinstance(r, Dossier)]
    assert len(winners) == 1, results
    assert [r.code for r in results if not isinstance(r, Dossier)] == ["stale"]

    dossier.refresh_from_db()
    counter = Counter.objects.get(holder=world.holder)
    assert_ledger_matches([counter])
    assert (counter.dif_reserved, counter.cpf_reserved) == (0, 0)
    if dossier.state == State.CLOS:
        assert (counter.dif_balance, counter.cpf_balance) == (20, 48)
        assert acts_on(dossier)[0][-1] == "clore"
    else:
        assert dossier.state == State.ANNULE
        assert (counter.dif_balance, counter.cpf_balance) == (120, 48)
        assert not Entry.objects.filter(source=dossier.ledger_source, kind=Entry.Kind.DEBIT)
        assert acts_on(dossier)[0][-1] == "annuler_financeur"

"""Hours of dossiers: reserve, settle (debit + release), release, lock_dif (domain.md §3.3–§3.4).

Each function is called the way the dossier's transitions call it: inside a transaction.
Every refusal leaves the counter and its ledger as they were; every success leaves the
cached figures equal to the sums of the entries (tests/domain/hours/invariants.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.db import IntegrityError, transaction

from mcf.domain.hours.ledger import HoursError, credit_feed, enter_dif
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.hours.reservations import (
    Hours,
    lock_dif,
    release,
    reserve,
    reserved_for,
    settle,
)
from mcf.domain.journal.models import JournalEntry
from tests.domain.hours.invariants import assert_ledger_matches
from tests.factories import registered_holder

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-12-07T10:00:00+01:00")
BY = "OPCA Démo (Amandine D.)"


def dossier() -> str:
    return f"dossier:{uuid.uuid4()}"


def counter_with(cpf: int | None = 48, dif: int | None = 120) -> Counter:
    """The holder of the issue's example: 48 CPF and 120 DIF hours (through the actions)."""
    holder = registered_holder()
    counter = Counter.objects.get(holder=holder)
    with transaction.atomic():
        locked = Counter.objects.select_for_update().get(pk=counter.pk)
        if cpf:
            credit_feed(locked, year=2020, hours=cpf, source="test")
    if dif is not None:
        enter_dif(holder, dif)
    counter.refresh_from_db()
    return counter


def atomic(function, *args, **kwargs) -> Counter:
    with transaction.atomic():
        return function(*args, **kwargs)


def figures(counter: Counter) -> tuple[int, int, int | None, int]:
    counter.refresh_from_db()
    return counter.cpf_balance, counter.cpf_reserved, counter.dif_balance, counter.dif_reserved


def ledger(counter: Counter, source: str) -> list[tuple[str, str, int]]:
    return list(
        Entry.objects.filter(counter=counter, source=source)
        .order_by("id")
        .values_list("kind", "account", "hours")
    )


def assert_refused(code: str, message: str, function, *args, **kwargs) -> None:
    """Refused with this code and a French message containing ``message``; nothing written."""
    counter = Counter.objects.get(pk=args[0])
    before, entries = figures(counter), Entry.objects.count()
    with pytest.raises(HoursError) as refusal:
        atomic(function, *args, **kwargs)
    assert refusal.value.code == code
    assert message in refusal.value.message, refusal.value.message
    assert (figures(counter), Entry.objects.count()) == (before, entries)


# --- reserve --------------------------------------------------------------------------------


def test_reserving_the_issue_example_keeps_the_balances_and_moves_the_reserved_hours():
    counter = counter_with(cpf=48, dif=120)
    source = dossier()
    journal = JournalEntry.objects.count()
    returned = atomic(
        reserve, counter.pk, Hours(dif=120, cpf=30), source=source, by=BY, now=NOW, number="42"
    )
    assert figures(counter) == (48, 30, 120, 120)
    assert (returned.cpf_available, returned.dif_available) == (18, 0)  # 18 CPF hours stay
    assert ledger(counter, source) == [("reservation", "dif", 120), ("reservation", "cpf", 30)]
    entry = Entry.objects.filter(source=source).first()
    assert entry.label == "Réservation pour le dossier n° 42"
    assert (entry.created_by, entry.created_at) == (BY, NOW)
    assert reserved_for(counter.pk, source) == Hours(dif=120, cpf=30)
    assert JournalEntry.objects.count() == journal  # the dossier's transition journals it
    assert_ledger_matches()


def test_an_account_without_hours_gets_no_entry_and_the_label_needs_no_number():
    counter = counter_with(cpf=48, dif=0)
    source = dossier()
    atomic(reserve, counter.pk, Hours(cpf=10), source=source, by=BY)
    assert ledger(counter, source) == [("reservation", "cpf", 10)]
    assert Entry.objects.get(source=source).label == "Réservation pour un dossier"
    assert_ledger_matches()


def test_reserving_needs_the_dif_entered_even_for_cpf_hours_only():
    counter = counter_with(cpf=48, dif=None)
    assert_refused(
        "dif_missing",
        "Heures DIF non renseignées",
        reserve,
        counter.pk,
        Hours(cpf=10),
        source=dossier(),
        by=BY,
    )


@pytest.mark.parametrize(
    ("hours", "code", "message"),
    [
        (Hours(dif=121), "dif_insufficient", "Heures DIF insuffisantes : 121 h demandées, 120 h"),
        (Hours(cpf=49), "cpf_insufficient", "Heures CPF insuffisantes : 49 h demandées, 48 h"),
        (Hours(dif=120, cpf=49), "cpf_insufficient", "Heures CPF insuffisantes"),
    ],
)
def test_reserving_more_than_available_is_refused(hours, code, message):
    counter = counter_with(cpf=48, dif=120)
    assert_refused(code, message, reserve, counter.pk, hours, source=dossier(), by=BY)


def test_available_means_balance_minus_what_other_dossiers_reserved():
    counter = counter_with(cpf=48, dif=120)
    atomic(reserve, counter.pk, Hours(dif=100, cpf=40), source=dossier(), by=BY)
    assert_refused(
        "dif_insufficient",
        "21 h demandées, 20 h disponibles",
        reserve,
        counter.pk,
        Hours(dif=21),
        source=dossier(),
        by=BY,
    )
    assert_refused(
        "cpf_insufficient",
        "9 h demandées, 8 h disponibles",
        reserve,
        counter.pk,
        Hours(cpf=9),
        source=dossier(),
        by=BY,
    )
    atomic(reserve, counter.pk, Hours(dif=20, cpf=8), source=dossier(), by=BY)
    assert figures(counter) == (48, 48, 120, 120)
    assert_ledger_matches()


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_the_functions_run_only_inside_the_callers_transaction():
    counter = counter_with()
    with pytest.raises(RuntimeError, match="transaction"):
        reserve(counter.pk, Hours(cpf=1), source=dossier(), by=BY)
    with pytest.raises(RuntimeError, match="transaction"):
        lock_dif(counter.pk)
    assert not Entry.objects.filter(kind=Entry.Kind.RESERVATION).exists()


@pytest.mark.parametrize("source", ["", "x" * 256])
def test_a_movement_names_its_dossier(source):
    counter = counter_with()
    with pytest.raises(ValueError, match="dossier"):
        atomic(reserve, counter.pk, Hours(cpf=1), source=source, by=BY)


@pytest.mark.parametrize("value", [-1, 1.5, "3", True, None])
def test_hours_are_whole_numbers_not_below_zero(value):
    with pytest.raises(ValueError, match="whole numbers"):
        Hours(dif=value)
    with pytest.raises(ValueError, match="whole numbers"):
        Hours(cpf=value)


def test_a_rolled_back_caller_leaves_nothing():
    counter = counter_with()
    with pytest.raises(RuntimeError, match="after"), transaction.atomic():
        reserve(counter.pk, Hours(dif=10, cpf=10), source=dossier(), by=BY)
        raise RuntimeError("the dossier's transition fails after the reservation")
    assert figures(counter) == (48, 0, 120, 0)
    assert not Entry.objects.filter(kind=Entry.Kind.RESERVATION).exists()


# --- release --------------------------------------------------------------------------------


def test_cancelling_releases_what_the_dossier_reserved():
    counter = counter_with()
    source = dossier()
    atomic(reserve, counter.pk, Hours(dif=120, cpf=30), source=source, by=BY, number="7")
    atomic(release, counter.pk, Hours(dif=120, cpf=30), source=source, by=BY, number="7")
    assert figures(counter) == (48, 0, 120, 0)
    assert ledger(counter, source)[2:] == [("liberation", "dif", -120), ("liberation", "cpf", -30)]
    assert Entry.objects.filter(source=source).last().label == "Heures libérées du dossier n° 7"
    assert reserved_for(counter.pk, source) == Hours()
    assert_ledger_matches()


def test_a_partial_release_then_the_rest():
    counter = counter_with()
    source = dossier()
    atomic(reserve, counter.pk, Hours(dif=20, cpf=30), source=source, by=BY)
    atomic(release, counter.pk, Hours(cpf=10), source=source, by=BY)
    assert reserved_for(counter.pk, source) == Hours(dif=20, cpf=20)
    assert_refused(
        "not_reserved",
        "Impossible de libérer 0 h DIF et 21 h CPF : le dossier n'a que "
        "20 h DIF et 20 h CPF réservées.",
        release,
        counter.pk,
        Hours(cpf=21),
        source=source,
        by=BY,
    )
    atomic(release, counter.pk, Hours(dif=20, cpf=20), source=source, by=BY)
    assert figures(counter) == (48, 0, 120, 0)
    assert_ledger_matches()


def test_a_dossier_cannot_release_hours_another_dossier_reserved():
    counter = counter_with()
    atomic(reserve, counter.pk, Hours(dif=50, cpf=30), source=dossier(), by=BY)
    assert_refused(
        "not_reserved",
        "le dossier n'a que 0 h DIF et 0 h CPF réservées",
        release,
        counter.pk,
        Hours(cpf=1),
        source=dossier(),
        by=BY,
    )


# --- settle ---------------------------------------------------------------------------------


def test_closing_debits_the_hours_done_and_releases_the_rest():
    """The example: 120 DIF + 30 CPF reserved, 100 h done → 100 DIF debited, 20 DIF and
    30 CPF released."""
    counter = counter_with(cpf=48, dif=120)
    source = dossier()
    reserved = Hours(dif=120, cpf=30)
    atomic(reserve, counter.pk, reserved, source=source, by=BY)
    atomic(
        settle,
        counter.pk,
        reserved=reserved,
        used=Hours(dif=100),
        source=source,
        by=BY,
        now=NOW,
        number="9",
    )
    assert figures(counter) == (48, 0, 20, 0)
    assert ledger(counter, source)[2:] == [
        ("liberation", "dif", -120),
        ("liberation", "cpf", -30),
        ("debit", "dif", -100),
    ]
    assert (
        Entry.objects.filter(source=source).last().label == "Heures utilisées par le dossier n° 9"
    )
    assert_ledger_matches()


def test_closing_with_every_hour_done_on_both_accounts():
    counter = counter_with(cpf=48, dif=120)
    source = dossier()
    hours = Hours(dif=120, cpf=30)
    atomic(reserve, counter.pk, hours, source=source, by=BY)
    atomic(settle, counter.pk, reserved=hours, used=hours, source=source, by=BY)
    assert figures(counter) == (18, 0, 0, 0)
    assert_ledger_matches()


@pytest.mark.parametrize("used", [Hours(dif=121), Hours(cpf=31), Hours(dif=0, cpf=150)])
def test_closing_with_more_hours_done_than_reserved_is_refused(used):
    counter = counter_with()
    source = dossier()
    reserved = Hours(dif=120, cpf=30)
    atomic(reserve, counter.pk, reserved, source=source, by=BY)
    assert_refused(
        "used_above_reserved",
        "ne peuvent pas dépasser les heures réservées (120 h DIF et 30 h CPF)",
        settle,
        counter.pk,
        reserved=reserved,
        used=used,
        source=source,
        by=BY,
    )


def test_closing_twice_debits_once():
    counter = counter_with()
    source = dossier()
    hours = Hours(dif=50, cpf=10)
    atomic(reserve, counter.pk, hours, source=source, by=BY)
    atomic(settle, counter.pk, reserved=hours, used=hours, source=source, by=BY)
    assert_refused(
        "reserved_mismatch",
        "0 h DIF et 0 h CPF réservées",
        settle,
        counter.pk,
        reserved=hours,
        used=hours,
        source=source,
        by=BY,
    )
    assert Entry.objects.filter(source=source, kind=Entry.Kind.DEBIT).count() == 2  # DIF, CPF
    assert figures(counter) == (38, 0, 70, 0)
    assert_ledger_matches()


@pytest.mark.parametrize("announced", [Hours(dif=50, cpf=9), Hours(dif=50, cpf=11)])
def test_closing_must_release_exactly_what_the_dossier_holds(announced):
    """Announcing less would leave hours reserved for ever; more, release another
    dossier's."""
    counter = counter_with()
    source = dossier()
    atomic(reserve, counter.pk, Hours(dif=50, cpf=10), source=source, by=BY)
    atomic(reserve, counter.pk, Hours(cpf=5), source=dossier(), by=BY)
    assert_refused(
        "reserved_mismatch",
        "Rien n'a été débité",
        settle,
        counter.pk,
        reserved=announced,
        used=Hours(),
        source=source,
        by=BY,
    )


def test_closing_a_dossier_without_hours_on_the_counter_writes_nothing():
    counter = counter_with()
    atomic(settle, counter.pk, reserved=Hours(), used=Hours(), source=dossier(), by=BY)
    assert Entry.objects.filter(kind__in=[Entry.Kind.RELEASE, Entry.Kind.DEBIT]).count() == 0


# --- lock_dif and the DIF entry -------------------------------------------------------------


def test_the_first_validation_locks_the_dif_and_the_date_stays():
    counter = counter_with()
    first = atomic(lock_dif, counter.pk, NOW)
    assert first.dif_locked_at == NOW
    atomic(lock_dif, counter.pk, datetime.fromisoformat("2027-01-01T10:00:00+01:00"))
    counter.refresh_from_db()
    assert counter.dif_locked_at == NOW
    with pytest.raises(HoursError, match="ne peut plus être modifié"):
        enter_dif(counter.holder, 10)


def test_locking_a_dif_never_entered_is_refused():
    counter = counter_with(dif=None)
    assert_refused("dif_missing", "Heures DIF non renseignées", lock_dif, counter.pk, NOW)


def test_the_dif_cannot_be_entered_below_the_reserved_dif():
    counter = counter_with(dif=120)
    atomic(reserve, counter.pk, Hours(dif=80), source=dossier(), by=BY)
    with pytest.raises(HoursError) as refusal:
        enter_dif(counter.holder, 79)
    assert refusal.value.code == "reserved"
    assert "réservées" in refusal.value.message
    assert enter_dif(counter.holder, 80)
    assert figures(counter) == (48, 0, 80, 80)
    assert_ledger_matches()


# --- what the database refuses whatever the code does ---------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"cpf_reserved": 49},  # above the CPF balance (48)
        {"dif_reserved": 121},  # above the DIF balance (120)
        {"dif_balance": None, "dif_reserved": 1},  # DIF hours reserved, DIF never entered
        {"dif_balance": 10, "dif_reserved": 11},
        {"cpf_balance": 151},
        {"dif_balance": 1000},
    ],
)
def test_the_database_refuses_an_over_reservation(change):
    counter = counter_with(cpf=48, dif=120)
    with pytest.raises(IntegrityError), transaction.atomic():
        Counter.objects.filter(pk=counter.pk).update(**change)
    assert figures(counter) == (48, 0, 120, 0)


@pytest.mark.parametrize("field", ["cpf_balance", "cpf_reserved", "dif_balance", "dif_reserved"])
def test_the_database_refuses_negative_figures(field):
    counter = counter_with(cpf=48, dif=120)
    with pytest.raises(IntegrityError), transaction.atomic():
        Counter.objects.filter(pk=counter.pk).update(**{field: -1})


def test_the_database_accepts_the_limits():
    counter = counter_with(cpf=48, dif=120)
    Counter.objects.filter(pk=counter.pk).update(cpf_reserved=48, dif_reserved=120)
    Counter.objects.filter(pk=counter.pk).update(dif_balance=None, dif_reserved=0)

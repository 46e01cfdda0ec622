"""Reservations under concurrency, on PostgreSQL (domain.md §3.4, REL-03).

Twenty transactions at the same moment, each on its own connection: the counter's row lock
serialises them, so the hours reserved never exceed the balance and the cached figures stay
the sums of the entries; a dossier closed twice at once is debited once. And if a bug wrote
the reserved hours without the lock and without the checks, the database's CHECK
constraints would still refuse the over-reservation.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from mcf.domain.hours.ledger import HoursError
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.hours.reservations import Hours, reserve, reserved_for, settle
from tests.concurrency import run_together
from tests.domain.hours.invariants import assert_ledger_matches
from tests.domain.hours.test_reservations import BY, counter_with, figures

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 20


def outcome(function, *args, **kwargs) -> str:
    """Run an action in its own transaction: « ok » or the refusal's code."""
    try:
        with transaction.atomic():
            function(*args, **kwargs)
    except HoursError as refusal:
        return refusal.code
    return "ok"


def test_twenty_reservations_at_once_never_over_reserve():
    """48 CPF + 120 DIF hours, 20 dossiers asking 10 DIF + 5 CPF each: the CPF hours run out
    after 9 (45 h), whatever the order; the DIF of those 9 is reserved (90 h)."""
    counter = counter_with(cpf=48, dif=120)
    sources = [f"dossier:{uuid.uuid4()}" for _ in range(THREADS)]
    results = run_together(
        [
            lambda source=source: outcome(
                reserve, counter.pk, Hours(dif=10, cpf=5), source=source, by=BY
            )
            for source in sources
        ]
    )
    assert sorted(results) == ["cpf_insufficient"] * 11 + ["ok"] * 9
    assert figures(counter) == (48, 45, 120, 90)
    held = [reserved_for(counter.pk, source) for source in sources]
    assert sorted(held, key=lambda hours: hours.total) == [Hours()] * 11 + [Hours(10, 5)] * 9
    assert_ledger_matches()


def test_a_dossier_closed_twenty_times_at_once_is_debited_once():
    counter = counter_with(cpf=48, dif=120)
    source = f"dossier:{uuid.uuid4()}"
    hours = Hours(dif=100, cpf=40)
    assert outcome(reserve, counter.pk, hours, source=source, by=BY) == "ok"
    results = run_together(
        [
            lambda: outcome(
                settle, counter.pk, reserved=hours, used=Hours(100, 30), source=source, by=BY
            )
        ]
        * THREADS
    )
    assert sorted(results) == ["ok"] + ["reserved_mismatch"] * (THREADS - 1)
    assert Entry.objects.filter(kind=Entry.Kind.DEBIT).count() == 2  # one DIF, one CPF
    assert figures(counter) == (18, 0, 20, 0)
    assert_ledger_matches()


@pytest.mark.parametrize("field", ["cpf_reserved", "dif_reserved"])
def test_without_the_lock_and_the_checks_the_database_still_refuses(field):
    """A buggy reservation: no row lock, no check, an increment. Of two at once of 30 h on a
    48 h CPF (120 h DIF: 70 h), the second one the database sees is refused."""
    counter = counter_with(cpf=48, dif=120)
    step = 30 if field == "cpf_reserved" else 70

    def buggy() -> str:
        try:
            with transaction.atomic():
                Counter.objects.filter(pk=counter.pk).update(**{field: F(field) + step})
        except IntegrityError:
            return "refused"
        return "ok"

    assert sorted(run_together([buggy, buggy])) == ["ok", "refused"]
    counter.refresh_from_db()
    assert getattr(counter, field) == step

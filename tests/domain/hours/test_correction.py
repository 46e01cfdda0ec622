"""CORRECTION entries by the back office (domain.md §3.4, issue #5 point 1; REL-03, LOG-01)."""

from __future__ import annotations

import logging
import threading

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum

from mcf.domain.accounts.models import User
from mcf.domain.hours.ledger import HoursError, correct_cpf
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.hours.summary import balance_by_year, find_counter
from mcf.domain.identity.nir import Nir
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.journal.models import Action, JournalEntry
from tests.factories import NIR_A, NIR_B, registered_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return User.objects.create_user(username="operatrice", password="x", is_staff=True)


def counter_with(balance: int, reserved: int = 0, nir: str = NIR_B) -> Counter:
    counter = Counter.objects.create(nir_hash=nir_lookup_hash(nir))
    if balance:
        Entry.objects.create(counter=counter, kind=Entry.Kind.FEED, hours=balance, year=2020)
    Counter.objects.filter(pk=counter.pk).update(cpf_balance=balance, cpf_reserved=reserved)
    return counter


def cpf_sum(counter: Counter) -> int:
    return Entry.objects.filter(counter=counter, account="cpf").aggregate(s=Sum("hours"))["s"]


def test_a_correction_is_a_new_entry_with_its_reason_in_the_holder_history(operator):
    holder = registered_holder(NIR_A)
    counter = Counter.objects.get(holder=holder)
    Counter.objects.filter(pk=counter.pk).update(cpf_balance=0)
    entry = correct_cpf(counter.pk, hours=24, reason="Alimentation 2019 omise", operator=operator)
    counter.refresh_from_db()
    assert counter.cpf_balance == 24 == cpf_sum(counter)
    assert entry.kind == Entry.Kind.CORRECTION
    assert entry.label == "Correction par la Caisse des Dépôts : Alimentation 2019 omise"
    assert entry.created_by == "operatrice"
    history = JournalEntry.objects.get(holder=holder, action=Action.HOURS_CORRECTED)
    assert history.details == "Correction de +24 h : Alimentation 2019 omise"
    assert history.actor == "La Caisse des Dépôts"


def test_a_negative_correction_of_a_counter_without_holder(operator):
    counter = counter_with(30)
    correct_cpf(counter.pk, hours=-12, reason="Double déclaration", operator=operator)
    counter.refresh_from_db()
    assert counter.cpf_balance == 18 == cpf_sum(counter)
    assert JournalEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("balance", "reserved", "hours", "code"),
    [
        (140, 0, 11, "ceiling"),  # REL-03: never above 150 h
        (10, 0, -11, "floor"),  # never negative
        (30, 20, -11, "floor"),  # never below the reserved hours
        (30, 0, 0, "hours"),
        (0, 0, 151, "hours"),
    ],
)
def test_refused_corrections_change_nothing(operator, balance, reserved, hours, code):
    counter = counter_with(balance, reserved)
    entries = Entry.objects.count()
    with pytest.raises(HoursError) as refused:
        correct_cpf(counter.pk, hours=hours, reason="Motif", operator=operator)
    assert refused.value.code == code
    counter.refresh_from_db()
    assert counter.cpf_balance == balance
    assert Entry.objects.count() == entries


@pytest.mark.parametrize(
    "reason",
    [
        "",
        "   \n ",
        "x" * 201,
        f"Erreur sur le NIR {NIR_A}",
        "NIR 1 85 05 78 006 084 91 erroné",
        # Spelled as the login reads it (issue 12): full-width, Unicode dashes, lower case.
        "NIR １８５０５７８００６０８４９１",
        "NIR 1\u201085\u201305\u221278\u2014006\u2009084 91",
        "NIR 2 90 10 2a 123 123 54",
    ],
)
def test_the_reason_is_mandatory_short_and_without_nir(operator, reason):
    """PRIV-02: the holder reads the reason; a NIR typed in it is refused."""
    counter = counter_with(30)
    with pytest.raises(HoursError) as refused:
        correct_cpf(counter.pk, hours=5, reason=reason, operator=operator)
    assert refused.value.code == "reason"


def test_the_reason_is_kept_on_one_line(operator):
    counter = counter_with(30)
    entry = correct_cpf(counter.pk, hours=1, reason="Ligne 1\nLigne\t2", operator=operator)
    assert entry.label.endswith(": Ligne 1 Ligne 2")


def test_a_correction_for_a_year_is_in_the_chart_of_the_years(operator):
    counter = counter_with(24)
    correct_cpf(counter.pk, hours=-4, year=2020, reason="Temps partiel", operator=operator)
    assert [(p.year, p.credited, p.balance) for p in balance_by_year(counter)] == [(2020, 20, 20)]


def test_log_01_the_correction_is_logged_without_nir(operator, caplog):
    counter = counter_with(30, nir=NIR_A)
    with caplog.at_level(logging.INFO, logger="mcf.security"):
        correct_cpf(counter.pk, hours=3, reason="Rattrapage", operator=operator)
    (line,) = [r.getMessage() for r in caplog.records if "hours.correction" in r.getMessage()]
    assert f"operator={operator.public_id}" in line and f"counter={counter.pk}" in line
    assert "hours=+3" in line
    assert NIR_A not in caplog.text and nir_lookup_hash(NIR_A) not in caplog.text


def test_find_counter_by_nir_through_its_keyed_hash():
    counter = counter_with(0, nir=NIR_B)
    assert find_counter(Nir.parse(NIR_B.lower())) == counter
    assert find_counter(Nir.parse(NIR_A)) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_rel_03_concurrent_corrections_keep_the_ceiling_and_the_sum(operator):
    """20 concurrent +10 h corrections on a 100 h counter: exactly 5 pass, 150 h, Σ = balance."""
    counter = counter_with(100)
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def correct():
        try:
            barrier.wait()
            correct_cpf(counter.pk, hours=10, reason="Concurrence", operator=operator)
            outcomes.append("ok")
        except HoursError as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=correct) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counter.refresh_from_db()
    assert outcomes.count("ok") == 5 and outcomes.count("ceiling") == 15
    assert counter.cpf_balance == 150 == cpf_sum(counter)

"""The set-based feed on PostgreSQL: same results as the portable engine, and the ledger
invariants (REL-03) hold with 20 concurrent writers on one counter."""

from __future__ import annotations

import random

import pytest
from django.db import connection, transaction

from mcf.domain.hours.feed import import_declarations
from mcf.domain.hours.ledger import enter_dif
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.identity.nir import with_key
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.journal.models import Action, JournalEntry
from tests.concurrency import run_together
from tests.domain.hours.test_feed import (
    NOW,
    SIRET_1,
    SIRET_2,
    TODAY,
    assert_invariants,
    line,
    write_file,
)
from tests.factories import NIR_A, NIR_B, registered_holder

HOLDER_NIR = with_key("1500175000000")  # the first person of random_file

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based engine needs PostgreSQL"
)


def random_file(folder, seed: int, people: int = 300):
    """Full, part-time, several employers, several years, a few bad lines."""
    rnd = random.Random(seed)
    lines = []
    for i in range(people):
        # The same people in every file (other years, other hours): corrections.
        nir = with_key(f"{1 + i % 2}{50 + i % 50:02d}0175{i:06d}")
        for year in rnd.sample(range(2015, 2026), rnd.randint(1, 8)):
            for _ in range(rnd.choice([1, 1, 1, 2, 3])):
                worked = rnd.choice(["1607", "803,5", "2000", "151.67", "0", str(rnd.random())])
                reference = rnd.choice(["", "", "1607", "1820", "1575,5"])
                absences = rnd.choice(["0", "0", "", "120", "35,5"])
                lines.append(line(year, nir, worked[:9], reference, absences, siret=SIRET_2))
        if rnd.random() < 0.05:
            lines.append(line(2013, nir, "1607"))
    rnd.shuffle(lines)
    return write_file(folder, lines, f"random-{seed}.csv")


def snapshot():
    counters = {
        nir_hash: (balance, last_year)
        for nir_hash, balance, last_year in Counter.objects.values_list(
            "nir_hash", "cpf_balance", "last_fed_year"
        )
    }
    entries = sorted(
        Entry.objects.values_list(
            "counter__nir_hash", "kind", "year", "hours", "label", "source", "created_by"
        )
    )
    history = sorted(
        JournalEntry.objects.values_list(
            "holder__email", "action", "details", "actor", "actor_kind", "actor_user", "changes"
        )
    )
    # Each feed journaled (for a registered holder) names the service as its actor.
    fed = [row for row in history if row[1] == Action.HOURS_FED]
    assert all(row[3:] == ("Le service", "service", None, {}) for row in fed), fed
    return counters, entries, history


def report_figures(report) -> tuple[int, ...]:
    """What an import report says of the ledger's changes."""
    return (
        report.lines_rejected,
        report.years_loaded,
        report.hours_credited,
        report.already_loaded,
        report.corrections,
        report.correction_hours,
        report.counters_created,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_both_engines_give_the_same_ledger(tmp_path, seed):
    registered_holder(HOLDER_NIR, email="h@example.org")
    first = random_file(tmp_path, seed)
    second = random_file(tmp_path, seed + 100)  # other years, other hours: corrections
    results = {}
    for engine in ("portable", "postgresql"):
        with transaction.atomic():
            reports = [
                import_declarations(path, engine=engine, today=TODAY, now=NOW)
                for path in (first, second, first)
            ]
            assert_invariants()
            results[engine] = (snapshot(), [report_figures(report) for report in reports])
            transaction.set_rollback(True)
    assert results["postgresql"] == results["portable"]
    (counters, _, history), figures = results["postgresql"]
    assert any(row[1] == Action.HOURS_FED for row in history)  # the holder's feeds journaled
    assert figures[0][1] > 100 and figures[1][4] > 0  # years loaded, corrections made
    assert len(counters) == 300


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_on_one_counter_keep_the_invariants(tmp_path):
    holder = registered_holder(NIR_A)
    newcomer = NIR_B  # no counter yet: ten imports race to create it
    files = [
        write_file(
            tmp_path,
            [line(year, NIR_A, "1607"), line(year, newcomer, "803,5", siret=SIRET_1)],
            f"{year}.csv",
        )
        for year in range(2015, 2025)
    ]
    jobs = [lambda path=path: import_declarations(path, today=TODAY, now=NOW) for path in files] + [
        lambda hours=hours: enter_dif(holder, hours) for hours in range(10, 110, 10)
    ]

    run_together(jobs)

    assert_invariants()
    counter = Counter.objects.get(holder=holder)
    # 5 × 24, then 12, 12, 6, then nothing: whatever the order, the ceiling holds.
    assert counter.cpf_balance == 150
    assert Entry.objects.filter(counter=counter, kind=Entry.Kind.FEED).count() == 10
    assert counter.dif_balance in range(10, 110, 10)
    assert Entry.objects.filter(counter=counter, kind=Entry.Kind.DIF).count() == 10
    other = Counter.objects.get(nir_hash=nir_lookup_hash(newcomer))
    assert Entry.objects.filter(counter=other, kind=Entry.Kind.FEED).count() == 10
    assert other.cpf_balance == 12 * 10  # half years: 12 h each
    assert Counter.objects.count() == 2
    assert JournalEntry.objects.filter(holder=holder, action=Action.HOURS_FED).count() == 10


@pytest.mark.django_db(transaction=True)
def test_the_same_file_loaded_twice_at_the_same_time_credits_once(tmp_path):
    path = random_file(tmp_path, 7, people=200)
    reports = []
    run_together(
        [lambda: reports.append(import_declarations(path, today=TODAY, now=NOW)) for _ in range(4)]
    )
    assert_invariants()
    loaded = sorted(r.years_loaded for r in reports)
    assert loaded[:3] == [0, 0, 0] and loaded[3] > 0
    assert all(r.already_loaded == loaded[3] for r in reports if r.years_loaded == 0)
    assert Entry.objects.filter(kind=Entry.Kind.FEED).count() == loaded[3]


@pytest.mark.django_db(transaction=True)
def test_rel_03_imports_and_back_office_corrections_at_the_same_time(tmp_path):
    """10 yearly imports and 10 corrections (−5 h, refused cleanly when the balance is too
    low) race on one counter: the invariants hold and every correction is either written
    whole or refused."""
    from mcf.domain.accounts.models import User
    from mcf.domain.hours.ledger import HoursError, correct_cpf

    holder = registered_holder(NIR_A)
    counter = Counter.objects.get(holder=holder)
    operator = User.objects.create_user(username="operatrice", password="x", is_staff=True)
    files = [
        write_file(tmp_path, [line(year, NIR_A, "1607")], f"{year}.csv")
        for year in range(2015, 2025)
    ]
    refused = []

    def correction():
        try:
            correct_cpf(counter.pk, hours=-5, reason="Concurrence", operator=operator)
        except HoursError as error:
            refused.append(error.code)

    jobs = [lambda path=path: import_declarations(path, today=TODAY, now=NOW) for path in files]
    run_together(jobs + [correction] * 10)

    assert_invariants()
    counter.refresh_from_db()
    corrections = Entry.objects.filter(counter=counter, kind=Entry.Kind.CORRECTION)
    assert corrections.count() + len(refused) == 10 and set(refused) <= {"floor"}
    assert Entry.objects.filter(counter=counter, kind=Entry.Kind.FEED).count() == 10
    assert 0 <= counter.cpf_balance <= 150

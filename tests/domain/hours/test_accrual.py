"""The yearly credit (domain.md §3.1): a table of cases, and properties over sequences of years.

The table is computed by hand from the rule (24 h/year until 120 h, then 12 h/year, rounded
up, ceiling 150 h); the properties also run the real feed (import_declarations) on
generated files and check the ledger after each year.
"""

from __future__ import annotations

import io
import math
import tempfile
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcf.domain.hours.accrual import Declaration, capped_sum, year_fraction, yearly_credit
from mcf.domain.hours.feed import HEADER_LINE, import_declarations
from mcf.domain.hours.models import CPF_CEILING, Counter, Entry
from mcf.domain.identity.protection import nir_lookup_hash
from tests.factories import NIR_A


def D(worked, reference=None, absences=0):
    return Declaration(
        Fraction(str(worked)),
        None if reference is None else Fraction(str(reference)),
        Fraction(str(absences)),
    )


@pytest.mark.parametrize(
    ("balance", "declarations", "credit"),
    [
        pytest.param(0, [D(1607)], 24, id="full year from 0"),
        pytest.param(0, [D(1607, 1607)], 24, id="reference given = 1607"),
        pytest.param(0, [D("803.5")], 12, id="part time: half of 1607 h"),
        pytest.param(0, [D(910, 1820)], 12, id="part time, conventional reference 1820 h"),
        pytest.param(0, [D(1000), D(1000, 1607)], 24, id="two employers summing over 1"),
        pytest.param(0, [D(400), D("401.75")], 12, id="two employers: 801.75/1607 → 11.97 → 12"),
        pytest.param(110, [D(1607)], 17, id="crossing 120 h inside a year (10 + 7)"),
        pytest.param(118, [D("803.5")], 7, id="crossing 120 h in a half year (2 + 5)"),
        pytest.param(120, [D(1607)], 12, id="from 120 h: 12 h a year"),
        pytest.param(145, [D(1607)], 5, id="at 145 h: capped at 150"),
        pytest.param(150, [D(1607)], 0, id="at 150 h: not fed"),
        pytest.param(149, [D(1)], 1, id="at 149 h: a tiny fraction still rounds up to 1"),
        pytest.param(0, [D("803.5", absences="803.5")], 24, id="absences assimilées add up"),
        pytest.param(0, [D(0, absences=1607)], 24, id="a whole year of maternity leave"),
        pytest.param(0, [D(2500)], 24, id="overtime beyond the reference is excluded"),
        pytest.param(0, [D(2500), D(800)], 24, id="overtime, then a second employer: still 1"),
        pytest.param(0, [D(100)], 2, id="rounding up: 24 × 100/1607 = 1.49"),
        pytest.param(0, [D(67)], 2, id="rounding up: 24 × 67/1607 = 1.0006"),
        pytest.param(0, [D("66.9583")], 1, id="just under one hour: 1"),
        pytest.param(100, [D("1205.25")], 18, id="3/4 year from 100 h: all below 120 h: 18"),
        pytest.param(108, [D("1205.25")], 15, id="3/4 year from 108 h: 12 h + 1/4 × 12"),
        pytest.param(0, [D(0)], 0, id="no activity"),
        pytest.param(0, [], 0, id="no declaration"),
    ],
)
def test_yearly_credit_table(balance, declarations, credit):
    assert yearly_credit(balance, year_fraction(declarations)) == credit


def test_empty_reference_means_1607_hours():
    assert D(803.5).year_fraction() == D(803.5, 1607).year_fraction() == Fraction(1, 2)
    assert Fraction(str(803.5)) / 1607 == Fraction(1, 2)


def test_fractions_per_employer_and_in_total_are_capped_at_one():
    assert D(3214).year_fraction() == 1
    assert year_fraction([D(3214), D(3214)]) == 1
    assert year_fraction([D("401.75"), D("401.75")]) == Fraction(1, 2)


def test_the_three_quarter_cases_by_hand():
    # From 108 h, 12 h reach 120 h and use 12/24 of the year; the remaining 1/4 of the year
    # gives 3 h at 12 h/year: 15 h. From 100 h the whole 3/4 stays below 120 h: 18 h.
    fraction = Fraction(3, 4)
    assert year_fraction([D("1205.25")]) == fraction
    for balance in (100, 108):
        room = Fraction(120 - balance, 24)
        fast = min(fraction, room)
        assert yearly_credit(balance, fraction) == math.ceil(fast * 24 + (fraction - fast) * 12)


# --- Properties -----------------------------------------------------------------------------

HYPOTHESIS = settings(database=None, max_examples=300, deadline=None)

hours = st.decimals(min_value=0, max_value=3000, places=2, allow_nan=False)
references = st.one_of(st.none(), st.decimals(min_value=1, max_value=2000, places=1))
declarations = st.builds(
    lambda w, r, a: Declaration(Fraction(w), None if r is None else Fraction(r), Fraction(a)),
    hours,
    references,
    st.decimals(min_value=0, max_value=500, places=1),
)
years = st.lists(st.lists(declarations, min_size=0, max_size=3), min_size=1, max_size=15)


@HYPOTHESIS
@given(years=years, start=st.integers(min_value=0, max_value=CPF_CEILING))
def test_any_sequence_of_years_stays_within_the_ceiling(years, start):
    ledger = [start]
    for declarations_of_year in years:
        fraction = year_fraction(declarations_of_year)
        assert 0 <= fraction <= 1
        credit = yearly_credit(sum(ledger), fraction)
        assert 0 <= credit <= 24
        if sum(ledger) >= CPF_CEILING:
            assert credit == 0
        ledger.append(credit)
        assert sum(ledger) <= CPF_CEILING


def _credit_by_the_rule(balance: int, fraction: Fraction) -> int:
    """domain.md §3.1 written with Fractions, as read: the oracle of the integer version."""
    if balance >= CPF_CEILING or fraction <= 0:
        return 0
    fast = min(fraction, Fraction(max(0, 120 - balance), 24))
    return min(math.ceil(fast * 24 + (fraction - fast) * 12), CPF_CEILING - balance)


@HYPOTHESIS
@given(balance=st.integers(min_value=0, max_value=CPF_CEILING + 5), fraction=st.fractions(0, 1))
def test_the_integer_computation_is_the_rule(balance, fraction):
    assert yearly_credit(balance, fraction) == _credit_by_the_rule(balance, fraction)


@HYPOTHESIS
@given(
    ratios=st.lists(st.tuples(st.integers(0, 10**8), st.integers(1, 10**8)), min_size=0, max_size=4)
)
def test_capped_sum_is_the_sum_of_capped_fractions_capped(ratios):
    expected = min(
        Fraction(1), sum((min(Fraction(1), Fraction(p, q)) for p, q in ratios), Fraction(0))
    )
    assert Fraction(*capped_sum(ratios)) == expected
    assert capped_sum(ratios) == expected.as_integer_ratio()  # reduced


@HYPOTHESIS
@given(balance=st.integers(min_value=0, max_value=CPF_CEILING), fraction=st.fractions(0, 1))
def test_more_activity_never_credits_less(balance, fraction):
    assert yearly_credit(balance, fraction) <= yearly_credit(balance, Fraction(1))
    assert yearly_credit(balance, fraction) >= min(math.ceil(fraction * 12), CPF_CEILING - balance)


def _file_of(years_of_declarations, first_year=2015):
    lines = [HEADER_LINE]
    for offset, declarations_of_year in enumerate(years_of_declarations):
        for d in declarations_of_year:
            reference = "" if d.reference_hours is None else _decimal(d.reference_hours)
            lines.append(
                f"{first_year + offset};73282932000074;{NIR_A};X;Y;"
                f"{_decimal(d.worked_hours).replace('.', ',')};{reference};"
                f"{_decimal(d.assimilated_absence_hours)}"
            )
    return io.StringIO("\n".join(lines) + "\n")


def _decimal(value: Fraction) -> str:
    # The strategies give at most 2 decimals: exact in base 10.
    return f"{value.numerator / value.denominator:.2f}"


FEED_HYPOTHESIS = settings(
    database=None,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@FEED_HYPOTHESIS
@given(
    years=st.lists(
        st.lists(declarations, max_size=3),
        min_size=1,
        max_size=11,
    ),
    split=st.integers(min_value=0, max_value=11),
)
def test_the_feed_applied_to_any_sequence_of_years(years, split):
    """Load the years (in one or two files): balance = Σ entries ≤ 150, and each year's
    credit is yearly_credit of the balance before it."""
    with transaction.atomic(), tempfile.TemporaryDirectory() as folder:
        first, second = years[:split], years[split:]
        for part, start in ((first, 2015), (second, 2015 + len(first))):
            if part:
                import_declarations(
                    _file_of(part, start),
                    report_path=Path(folder) / "rapport.csv",
                    today=date(2026, 6, 1),
                    now=datetime.fromisoformat("2026-06-01T12:00:00+02:00"),
                )
        declared = [y for y in years if y]
        counter = Counter.objects.filter(nir_hash=nir_lookup_hash(NIR_A)).first()
        if not declared:
            assert counter is None
        else:
            entries = list(
                Entry.objects.filter(counter=counter).order_by("year").values_list("year", "hours")
            )
            balance = 0
            expected = []
            for offset, declarations_of_year in enumerate(years):
                if declarations_of_year:
                    credit = yearly_credit(balance, year_fraction(declarations_of_year))
                    expected.append((2015 + offset, credit))
                    balance += credit
            assert entries == expected
            assert counter.cpf_balance == balance <= CPF_CEILING
            assert (
                counter.cpf_balance
                == Entry.objects.filter(counter=counter).aggregate(total=Sum("hours"))["total"]
            )
        transaction.set_rollback(True)

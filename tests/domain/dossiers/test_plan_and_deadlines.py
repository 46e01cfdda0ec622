"""The hours plan (DIF first, 150 h) and the employer's deadlines: pure rules."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcf.domain.dossiers import deadlines, plan


def test_the_issue_example():
    proposed = plan.propose(200, dif_available=120, cpf_available=48)
    assert (proposed.dif, proposed.cpf, proposed.from_counters) == (120, 30, 150)
    assert proposed.to_finance == 50
    assert proposed.cpf_left == 18
    assert proposed.dif_left == 0


@given(
    duration=st.integers(0, 5000),
    dif=st.integers(0, 999),
    cpf=st.integers(0, 150),
)
def test_the_proposed_plan_keeps_every_rule(duration, dif, cpf):
    proposed = plan.propose(duration, dif_available=dif, cpf_available=cpf)
    assert 0 <= proposed.dif <= dif and 0 <= proposed.cpf <= cpf
    assert proposed.from_counters <= min(duration, plan.MAX_HOURS_PER_DOSSIER)
    # DIF first: CPF hours only once the DIF is used up (or the dossier is full).
    if proposed.cpf:
        assert proposed.dif == min(dif, duration, plan.MAX_HOURS_PER_DOSSIER)
    # As much as the rules allow.
    assert proposed.from_counters == min(duration, dif + cpf, plan.MAX_HOURS_PER_DOSSIER)
    assert proposed.to_finance == duration - proposed.from_counters
    assert (
        plan.plan_errors(
            duration, dif=proposed.dif, cpf=proposed.cpf, dif_available=dif, cpf_available=cpf
        )
        == {}
    )


@pytest.mark.parametrize(
    ("dif", "cpf", "field", "words"),
    [
        (121, 0, "dif", "120 h de DIF"),
        (0, 49, "cpf", "48 h de CPF"),
        (120, 48, "cpf", "au plus 150 heures"),
        (0, 30, "dif", "DIF sont mobilisées en premier"),
        (-1, 0, "dif", "négatif"),
    ],
)
def test_a_typed_plan_that_breaks_a_rule_is_refused_by_field(dif, cpf, field, words):
    errors = plan.plan_errors(200, dif=dif, cpf=cpf, dif_available=120, cpf_available=48)
    assert words in errors[field]


def test_a_plan_longer_than_the_training_is_refused():
    errors = plan.plan_errors(20, dif=20, cpf=5, dif_available=120, cpf_available=48)
    assert "ne dure que 20 h" in errors["cpf"]


def test_hours_done_are_debited_dif_first():
    assert plan.split_done(100, dif=120, cpf=30) == (100, 0)
    assert plan.split_done(130, dif=120, cpf=30) == (120, 10)
    assert plan.split_done(0, dif=120, cpf=30) == (0, 0)


@pytest.mark.parametrize(
    ("start", "end", "notice"),
    [
        (date(2027, 6, 1), date(2027, 11, 29), 60),  # a day short of six months
        (date(2027, 6, 1), date(2027, 11, 30), 120),  # six months, first and last day in
        (date(2027, 8, 31), date(2028, 2, 27), 60),  # 31 August + 6 months: 29 February
        (date(2027, 8, 31), date(2028, 2, 28), 120),
    ],
)
def test_the_notice_is_120_days_for_six_months_or_more(start, end, notice):
    assert deadlines.notice_days(start, end) == notice
    assert (start - deadlines.request_deadline(start, end)).days == notice


def test_silence_becomes_an_acceptance_the_day_after_30_days():
    assert deadlines.answer_due(date(2027, 1, 10)) == date(2027, 2, 9)
    assert deadlines.tacit_on(date(2027, 1, 10)) == date(2027, 2, 10)

"""Random sequences of feeds, DIF entries, reservations, releases and closings (Hypothesis).

A model of the counter (balances, what each dossier holds, the DIF lock) predicts every
outcome — accepted, or refused with which code — and after each step the counter must equal
the model and the sums of its entries (domain.md §3.4). Each example runs in a savepoint
rolled back at its end, on the same registered holder.
"""

from __future__ import annotations

import uuid
from collections import Counter as Tally

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mcf.domain.hours.accrual import ratio_credit
from mcf.domain.hours.ledger import HoursError, credit_feed, enter_dif
from mcf.domain.hours.models import DIF_MAXIMUM, Counter, Entry
from mcf.domain.hours.reservations import Hours, lock_dif, release, reserve, reserved_for, settle
from tests.domain.hours.invariants import assert_ledger_matches
from tests.factories import registered_holder

pytestmark = pytest.mark.django_db

BY = "OPCA Démo (Amandine D.)"


def within_or_above(available: int):
    """Mostly what is available allows, else a little more."""
    within = st.integers(0, available)
    return st.one_of(within, within, within, st.integers(available + 1, available + 3))


def build_machine(holder, outcomes: Tally):
    counter_id = Counter.objects.get(holder=holder).pk

    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()
            self.cpf = 0
            self.dif: int | None = None
            self.locked = False
            self.next_year = 2000
            self.dossiers: dict[str, Hours] = {}  # what each dossier holds now

        def teardown(self):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        @property
        def cpf_reserved(self) -> int:
            return sum(hours.cpf for hours in self.dossiers.values())

        @property
        def dif_reserved(self) -> int:
            return sum(hours.dif for hours in self.dossiers.values())

        def attempt(self, expected_refusal: str | None, function, *args, **kwargs):
            """Run one action in its own transaction (as a request would): refused with
            the code the model expects, or accepted when it expects none."""
            name = getattr(function, "__name__", "feed")
            try:
                with transaction.atomic():
                    function(*args, **kwargs)
            except HoursError as refusal:
                assert refusal.code == expected_refusal, (refusal.code, refusal.message)
                outcomes[refusal.code] += 1
                return
            assert expected_refusal is None, f"accepted, {expected_refusal} expected"
            outcomes[name] += 1

        @initialize(
            dif=st.one_of(st.none(), *[st.integers(0, 200)] * 4),
            cpf=st.integers(0, 150),
        )
        def start(self, dif, cpf):
            """Most examples start from a counter with a DIF entered and CPF hours."""
            self.credit(cpf)
            if dif is not None:
                self.enter_dif_of(dif)

        @rule(numerator=st.integers(0, 4), denominator=st.integers(1, 4))
        def feed(self, numerator, denominator):
            numerator = min(numerator, denominator)  # at most a full year
            self.credit(ratio_credit(self.cpf, numerator, denominator))

        def credit(self, hours):
            def feed():
                counter = Counter.objects.select_for_update().get(pk=counter_id)
                credit_feed(counter, year=self.next_year, hours=hours, source="h")

            self.attempt(None, feed)
            self.cpf += hours
            self.next_year += 1

        @rule(data=st.data())
        def enter_dif(self, data):
            near = st.integers(max(0, self.dif_reserved - 2), self.dif_reserved + 2)
            self.enter_dif_of(data.draw(st.one_of(st.integers(0, DIF_MAXIMUM), near, near)))

        @precondition(lambda self: self.dif_reserved and not self.locked)
        @rule(below=st.integers(1, 3))
        def lower_the_dif_below_the_reserved_dif(self, below):
            self.enter_dif_of(max(0, self.dif_reserved - below))

        def enter_dif_of(self, hours):
            if self.locked:
                refusal = "locked"
            elif self.dif is not None and hours != self.dif and hours < self.dif_reserved:
                refusal = "reserved"
            else:
                refusal = None
            self.attempt(refusal, enter_dif, holder, hours)
            if refusal is None:
                self.dif = hours

        @rule(data=st.data(), validate=st.sampled_from([True, False, False, False]))
        def reserve(self, data, validate):
            self.reserve_some(data, validate)

        @rule(data=st.data(), validate=st.sampled_from([True, False, False, False]))
        def reserve_again(self, data, validate):  # twice as likely as the other rules
            self.reserve_some(data, validate)

        def reserve_some(self, data, validate):
            dif = data.draw(within_or_above((self.dif or 0) - self.dif_reserved))
            cpf = data.draw(within_or_above(self.cpf - self.cpf_reserved))
            if self.dif is None:
                refusal = "dif_missing"
            elif dif > self.dif - self.dif_reserved:
                refusal = "dif_insufficient"
            elif cpf > self.cpf - self.cpf_reserved:
                refusal = "cpf_insufficient"
            else:
                refusal = None
            source = f"dossier:{uuid.uuid4()}"

            def validation():
                reserve(counter_id, Hours(dif, cpf), source=source, by=BY)
                if validate:
                    lock_dif(counter_id)

            self.attempt(refusal, validation)
            if refusal is None:
                self.dossiers[source] = Hours(dif, cpf)
                self.locked |= validate

        @rule(data=st.data())
        def release(self, data):
            source, held = self.pick(data)
            hours = Hours(
                data.draw(within_or_above(held.dif)), data.draw(within_or_above(held.cpf))
            )
            refusal = None if hours.dif <= held.dif and hours.cpf <= held.cpf else "not_reserved"
            self.attempt(refusal, release, counter_id, hours, source=source, by=BY)
            if refusal is None:
                self.dossiers[source] = Hours(held.dif - hours.dif, held.cpf - hours.cpf)

        @rule(data=st.data())
        def settle(self, data):
            source, held = self.pick(data)
            announced = data.draw(st.sampled_from([held, Hours(held.dif, held.cpf + 1)]))
            used = Hours(
                data.draw(st.one_of(st.just(announced.dif), within_or_above(announced.dif))),
                data.draw(st.one_of(st.just(announced.cpf), within_or_above(announced.cpf))),
            )
            if used.dif > announced.dif or used.cpf > announced.cpf:
                refusal = "used_above_reserved"
            elif announced != held:
                refusal = "reserved_mismatch"
            else:
                refusal = None
            self.attempt(
                refusal, settle, counter_id, reserved=announced, used=used, source=source, by=BY
            )
            if refusal is None:
                outcomes["DIF debited"] += used.dif > 0
                outcomes["CPF debited"] += used.cpf > 0
                self.dossiers[source] = Hours()
                self.cpf -= used.cpf
                if used.dif:
                    self.dif -= used.dif

        def pick(self, data) -> tuple[str, Hours]:
            """Mostly a dossier holding hours; else one settled or released, or one unknown."""
            others = st.sampled_from([*self.dossiers, f"dossier:{uuid.uuid4()}"])
            holding = [source for source, held in self.dossiers.items() if held.total]
            known = st.sampled_from(holding) if holding else others
            source = data.draw(st.one_of(known, known, known, others))
            return source, self.dossiers.get(source, Hours())

        @invariant()
        def counter_is_the_model_and_the_sum_of_its_entries(self):
            counter = Counter.objects.get(pk=counter_id)
            assert (
                counter.cpf_balance,
                counter.cpf_reserved,
                counter.dif_balance,
                counter.dif_reserved,
                counter.dif_locked_at is not None,
            ) == (self.cpf, self.cpf_reserved, self.dif, self.dif_reserved, self.locked)
            assert_ledger_matches([counter])
            held = Tally()
            for source, account, hours in (
                Entry.objects.filter(counter_id=counter_id, kind__in=Entry.RESERVED_KINDS)
                .values("source", "account")
                .annotate(hours=Sum("hours"))
                .values_list("source", "account", "hours")
            ):
                held[source, account] = hours
            assert {  # what each dossier holds, read as reserved_for reads it
                source: Hours(held[source, Entry.Account.DIF], held[source, Entry.Account.CPF])
                for source in self.dossiers
            } == self.dossiers
            if self.dossiers:
                source = next(iter(self.dossiers))
                assert reserved_for(counter_id, source) == self.dossiers[source]

    return LedgerMachine


def test_random_sequences_keep_the_ledger_invariants():
    outcomes = Tally()
    run_state_machine_as_test(
        build_machine(registered_holder(), outcomes),
        settings=settings(
            max_examples=60,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # The sequences did exercise the ledger: reservations went through and some were
    # settled, and refusals came from the rules themselves. Which refusal reasons a run
    # reaches depends on its draws (even derandomized, two runs of the gate reached
    # different sets: the sequences diverge as soon as one act differs); each reason has
    # its own deterministic test in test_reservations.py, so none is required here.
    assert outcomes["validation"] and outcomes["settle"] + outcomes["release"], outcomes
    assert {"dif_insufficient", "cpf_insufficient", "used_above_reserved"} & set(outcomes)

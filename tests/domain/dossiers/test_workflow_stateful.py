"""AC-03 and the ledger (domain.md §3.4, §5) against random sequences of acts (Hypothesis).

A state machine fires every transition of ``workflow.TRANSITIONS`` through its action
function, by a random actor (the holder, the dossier's financeur, another financeur,
another holder, nobody), on a random dossier, with random plans, hours done, motifs and
stale forms, between the holder's own changes (duration, consent, DIF, yearly feed).
After every step:
- an act succeeds only when the table allows it: the actor plays the transition's role,
  the form is fresh, the dossier is in one of its source states — and then the dossier is
  in its target state, with one transition row and one journal entry naming the actor;
- a refused act (``NotAllowed``, ``Refused``, ``HoursError``) changes nothing: dossiers,
  counter, ledger entries, transition log, journal, outbox;
- the ledger's invariants hold: cached figures = Σ entries, 0 ≤ reserved ≤ balance, each
  dossier holds on the ledger exactly its plan while validated, its debit once closed,
  and every dossier's transition log is a path of the table from « brouillon ».
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mcf.domain.dossiers import actions, plan
from mcf.domain.dossiers.models import Dossier, DossierTransition, State
from mcf.domain.dossiers.workflow import (
    TRANSITIONS,
    NotAllowed,
    Refused,
    Role,
    Stale,
    clean_motif,
    role_of,
)
from mcf.domain.hours.ledger import HoursError, credit_feed, enter_dif
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.journal.models import ActorKind, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from tests.domain.dossiers.builders import dossier_world, ready_dossier
from tests.domain.hours.invariants import assert_ledger_matches
from tests.factories import NIR_B, registered_holder

pytestmark = pytest.mark.django_db

ACTORS = ("holder", "financeur", "other_financeur", "other_holder", "anonymous")
MOTIFS = ("", "   ", "\u200f\u00a0", "Pièces manquantes", "Formation reportée\nà 2027")
FORWARD = ("transmettre", "valider", "clore")

# How an act is filled in: a stale form now and then, the proposed plan or any plan, any
# hours done (-1 included), a motif or blanks.
ACT = st.fixed_dictionaries(
    {
        "stale": st.sampled_from([False, False, False, True]),
        "motif": st.sampled_from(MOTIFS),
        "proposed": st.sampled_from([True, True, False]),
        "dif": st.integers(min_value=0, max_value=160),
        "cpf": st.integers(min_value=0, max_value=160),
        "attestation": st.sampled_from([True, True, False]),
        "hours_done": st.integers(min_value=-1, max_value=160),
    }
)


def _call(name: str, pk: int, by, version, motif: str, dif: int, cpf: int, att: bool, done: int):
    """Fire transition ``name`` through the action function the views call."""
    if name == "transmettre":
        return actions.send_dossier(pk, by=by, version=version)
    if name == "reprendre":
        return actions.withdraw_dossier(pk, by=by, version=version)
    if name == "annuler_titulaire":
        return actions.cancel_by_holder(pk, by=by, version=version, motif=motif)
    if name == "demander_complement":
        return actions.request_complement(pk, by=by, version=version, message=motif)
    if name == "valider":
        return actions.validate_dossier(
            pk, by=by, version=version, dif=dif, cpf=cpf, dif_attestation_checked=att
        )
    if name == "refuser":
        return actions.refuse_dossier(pk, by=by, version=version, motif=motif)
    if name == "clore":
        return actions.close_dossier(pk, by=by, version=version, hours_done=done)
    assert name == "annuler_financeur"
    return actions.cancel_validated(pk, by=by, version=version, motif=motif)


def _assert_every_transition_has_its_action():
    assert set(TRANSITIONS) == {
        "transmettre",
        "reprendre",
        "annuler_titulaire",
        "demander_complement",
        "valider",
        "refuser",
        "clore",
        "annuler_financeur",
    }


def snapshot(holder) -> tuple:
    """Everything an act may write."""
    return (
        list(Dossier.objects.order_by("pk").values()),
        Counter.objects.filter(holder=holder).values().get(),
        Entry.objects.count(),
        DossierTransition.objects.count(),
        JournalEntry.objects.count(),
        OutboxEmail.objects.count(),
    )


class DossierMachine(RuleBasedStateMachine):
    # Set by the test: built once, every example runs in a block rolled back at its end.
    world = None
    other_holder = None

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        world = self.world
        self.holder = world.holder
        self.actors = {
            "holder": world.holder,
            "financeur": world.financeur,
            "other_financeur": world.other_financeur,
            "other_holder": type(self).other_holder,
            "anonymous": AnonymousUser(),
        }
        self.dossiers: list[int] = []
        self.feed_year = 1900  # the world was fed for 2024; a year each feed here

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # ----- the holder's hours and dossiers ------------------------------------------------

    @initialize(dif=st.sampled_from([0, 10, 120, 150]), cpf=st.sampled_from([0, 30, 102]))
    def hours(self, dif, cpf):
        """The world's 120 DIF + 48 CPF, changed for this example."""
        enter_dif(self.holder, dif)
        self.feed(cpf)
        self.dossiers.append(ready_dossier(self.world, duration=200).pk)

    def feed(self, hours):
        with transaction.atomic():
            counter = Counter.objects.select_for_update().get(holder=self.holder)
            self.feed_year += 1
            credit_feed(counter, year=self.feed_year, hours=hours, source="test")

    @precondition(lambda self: len(self.dossiers) < 3)
    @rule(duration=st.sampled_from([1, 20, 100, 150, 200, 5000]), consent=st.booleans())
    def new_dossier(self, duration, consent):
        dossier = ready_dossier(self.world, duration=duration, consent=consent)
        self.dossiers.append(dossier.pk)

    @precondition(lambda self: self.dossiers)
    @rule(
        data=st.data(),
        change=st.sampled_from(["duration", "consent", "dif", "feed"]),
        hours=st.integers(min_value=0, max_value=300),
    )
    def holder_changes_his_data(self, data, change, hours):
        """The holder edits a dossier (duration, consent) or his hours change (his DIF
        typed again, a yearly feed): acts that may be refused, and change what fits."""
        if change == "dif":
            self._attempt(lambda: enter_dif(self.holder, hours), allowed=None)
        elif change == "feed":
            self._attempt(lambda: self.feed(hours % 61), allowed=None)
        else:
            dossier = self._pick(data)
            self._attempt(
                lambda: actions.update_dossier(
                    dossier.pk,
                    by=self.holder,
                    version=dossier.version,
                    values={"duration_hours": hours or 1} if change == "duration" else {},
                    consent=data.draw(st.booleans()) if change == "consent" else None,
                ),
                allowed=dossier.editable,
            )

    # ----- the transitions ------------------------------------------------------------------

    @precondition(lambda self: self.dossiers)
    @rule(data=st.data(), name=st.sampled_from(sorted(TRANSITIONS)), actor=st.sampled_from(ACTORS))
    def fire_anything(self, data, name, actor):
        """Any transition, by anyone: mostly refused."""
        self.fire(self._pick(data), name, actor, data.draw(ACT))

    @precondition(lambda self: self.dossiers)
    @rule(data=st.data(), right_actor=st.sampled_from([True, True, True, False]))
    def fire_what_the_state_allows(self, data, right_actor):
        """A transition the dossier's state allows, mostly by the actor it needs: the
        dossiers move through the whole table."""
        dossier = self._pick(data, live=True)
        # The way forward (send, validate, close) three times as likely as the way back.
        names = [
            n
            for n, t in sorted(TRANSITIONS.items())
            if dossier.state in t.sources
            for _ in range(3 if n in FORWARD else 1)
        ]
        name = data.draw(st.sampled_from(names or sorted(TRANSITIONS)), label="name")
        role = TRANSITIONS[name].role
        actor = (
            ("holder" if role is Role.HOLDER else "financeur")
            if right_actor
            else data.draw(st.sampled_from(ACTORS), label="actor")
        )
        self.fire(dossier, name, actor, data.draw(ACT))

    def fire(self, dossier: Dossier, name: str, actor: str, act: dict) -> None:
        stale, motif, proposed, dif, cpf, attestation, hours_done = (
            act[key]
            for key in ("stale", "motif", "proposed", "dif", "cpf", "attestation", "hours_done")
        )
        by = self.actors[actor]
        spec = TRANSITIONS[name]
        counter = Counter.objects.get(holder=self.holder)
        if proposed:  # the plan the instruct page proposes, DIF first
            p = plan.propose(
                dossier.duration_hours,
                dif_available=counter.dif_available or 0,
                cpf_available=counter.cpf_available,
            )
            dif, cpf = p.dif, p.cpf
        version = dossier.version - 1 if stale else dossier.version
        role = role_of(by, dossier)
        before = snapshot(self.holder)
        journal_before = JournalEntry.objects.filter(subject_id=dossier.public_id).count()
        try:
            after = _call(name, dossier.pk, by, version, motif, dif, cpf, attestation, hours_done)
        except (NotAllowed, Refused, HoursError) as refusal:
            assert refusal.message, refusal
            assert snapshot(self.holder) == before, f"{name} by {actor} refused but wrote"
            event(f"{name} refusé ({type(refusal).__name__} {refusal.code})")
            # Why it was refused, in the order transition() checks.
            if role is not spec.role:
                assert isinstance(refusal, NotAllowed), (name, actor, refusal.message)
            elif stale:
                assert isinstance(refusal, Stale), (name, actor, refusal.message)
            elif dossier.state not in spec.sources:
                assert refusal.code == "state", (name, dossier.state, refusal.message)
            elif spec.motif_required and not clean_motif(motif):  # the product's own cleaning
                assert refusal.code == "motif", refusal.message
            else:
                self._assert_guard_refused(
                    name, dossier, counter, dif, cpf, attestation, hours_done
                )
            return
        # It went through: the table allowed it, and it did what the table says.
        event(f"{name} fait")
        assert actor in ("holder", "financeur"), (name, actor)
        assert role is spec.role and not stale and dossier.state in spec.sources
        assert after.state == spec.target
        assert Dossier.objects.get(pk=dossier.pk).version == dossier.version + 1
        row = DossierTransition.objects.filter(dossier=dossier).latest("id")
        assert (row.name, row.source, row.target, row.actor) == (
            name,
            dossier.state,
            spec.target,
            by,
        )
        entries = JournalEntry.objects.filter(subject_id=dossier.public_id)
        assert entries.count() == journal_before + 1
        entry = entries.latest("id")
        assert (entry.action, entry.actor_user, entry.holder) == (
            spec.journal_action,
            by,
            self.holder,
        )
        assert entry.actor_kind == (
            ActorKind.TITULAIRE if spec.role is Role.HOLDER else ActorKind.PROFESSIONNEL
        )
        self._assert_guard_passed(name, dossier, counter, dif, cpf, attestation, hours_done)

    def _assert_guard_refused(self, name, dossier, counter, dif, cpf, attestation, done):
        """Past the table's checks, only the transition's own guard may refuse."""
        if name == "transmettre":
            assert dossier.consent_at is None
        elif name == "valider":
            errors = plan.plan_errors(
                dossier.duration_hours,
                dif=dif,
                cpf=cpf,
                dif_available=counter.dif_available or 0,
                cpf_available=counter.cpf_available,
            )
            first_dif = dif > 0 and counter.dif_locked_at is None and not attestation
            assert errors or first_dif, (dif, cpf, counter.dif_available, counter.cpf_available)
        elif name == "clore":
            assert not 0 <= done <= dossier.plan_dif + dossier.plan_cpf
        else:
            pytest.fail(f"{name} refused on a guard it does not have")

    def _assert_guard_passed(self, name, dossier, counter, dif, cpf, attestation, done):
        if name == "transmettre":
            assert dossier.consent_at is not None
        elif name == "valider":
            assert not plan.plan_errors(
                dossier.duration_hours,
                dif=dif,
                cpf=cpf,
                dif_available=counter.dif_available or 0,
                cpf_available=counter.cpf_available,
            )
            assert attestation or dif == 0 or counter.dif_locked_at is not None
        elif name == "clore":
            assert 0 <= done <= dossier.plan_dif + dossier.plan_cpf

    # ----- helpers ------------------------------------------------------------------------

    def _pick(self, data, *, live: bool = False) -> Dossier:
        """One of the example's dossiers; ``live``: one not closed nor cancelled if any."""
        pks = self.dossiers
        if live:
            ended = (State.CLOS, State.ANNULE)
            pks = (
                list(
                    Dossier.objects.filter(pk__in=pks)
                    .exclude(state__in=ended)
                    .values_list("pk", flat=True)
                )
                or pks
            )
        return Dossier.objects.get(pk=data.draw(st.sampled_from(sorted(pks)), label="dossier"))

    def _attempt(self, act, *, allowed: bool | None):
        before = snapshot(self.holder)
        try:
            act()
        except (Refused, HoursError) as refusal:
            assert refusal.message
            assert allowed is not True or isinstance(refusal, HoursError) or refusal.errors
            assert snapshot(self.holder) == before
        else:
            assert allowed is not False, "an act on a dossier not editable went through"

    # ----- invariants -----------------------------------------------------------------------

    @invariant()
    def ledger_holds(self):
        counter = Counter.objects.get(holder=self.holder)
        assert_ledger_matches([counter])
        reserved = {"dif": 0, "cpf": 0}
        for dossier in Dossier.objects.filter(pk__in=self.dossiers):
            held = dict(
                Entry.objects.filter(source=dossier.ledger_source, kind__in=Entry.RESERVED_KINDS)
                .values("account")
                .annotate(total=Sum("hours"))
                .values_list("account", "total")
            )
            debited = dict(
                Entry.objects.filter(source=dossier.ledger_source, kind=Entry.Kind.DEBIT)
                .values("account")
                .annotate(total=Sum("hours"))
                .values_list("account", "total")
            )
            if dossier.state == State.VALIDE:
                assert (held.get("dif", 0), held.get("cpf", 0)) == (
                    dossier.plan_dif,
                    dossier.plan_cpf,
                )
                reserved["dif"] += dossier.plan_dif
                reserved["cpf"] += dossier.plan_cpf
            else:
                assert not any(held.values()), (dossier.state, held)
            if dossier.state == State.CLOS:
                assert (-debited.get("dif", 0), -debited.get("cpf", 0)) == (
                    dossier.used_dif,
                    dossier.used_cpf,
                )
                assert dossier.used_dif + dossier.used_cpf == dossier.hours_done
            else:
                assert not debited, (dossier.state, debited)
        assert (counter.dif_reserved, counter.cpf_reserved) == (reserved["dif"], reserved["cpf"])

    @invariant()
    def every_state_was_reached_through_the_table(self):
        for dossier in Dossier.objects.filter(pk__in=self.dossiers):
            state = State.BROUILLON
            for name, source, target, actor_id, organisation_id in (
                DossierTransition.objects.filter(dossier=dossier)
                .order_by("id")
                .values_list("name", "source", "target", "actor_id", "organisation_id")
            ):
                spec = TRANSITIONS[name]
                assert source == state and source in spec.sources and target == spec.target
                if spec.role is Role.HOLDER:
                    assert (actor_id, organisation_id) == (dossier.holder_id, None)
                else:
                    assert actor_id == self.world.financeur.pk
                    assert organisation_id == dossier.financeur_id
                state = target
            assert dossier.state == state


def test_random_acts_by_random_actors_follow_the_table_and_keep_the_ledger():
    _assert_every_transition_has_its_action()
    DossierMachine.world = dossier_world()
    DossierMachine.other_holder = registered_holder(NIR_B, email="autre@example.org")
    run_state_machine_as_test(
        DossierMachine,
        settings=settings(
            database=None,
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )

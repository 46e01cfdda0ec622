"""The dossier's life through its action functions: every rule of domain.md §3.2–§3.4, §5
seen from the data a holder, a financeur or an operator can observe."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from mcf.domain.accounts.closing import close_account
from mcf.domain.dossiers import actions, notifications
from mcf.domain.dossiers.eligibility import NotEligible
from mcf.domain.dossiers.models import (
    Dossier,
    DossierTransition,
    EmployerAnswer,
    FinanceurDigest,
    State,
    WorkingTime,
)
from mcf.domain.dossiers.workflow import NotAllowed, Refused, available
from mcf.domain.hours.ledger import HoursError, enter_dif
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.hours.summary import balance_by_year
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from tests.domain.dossiers.builders import (
    ANGLAIS_CODE,
    dossier_world,
    ready_dossier,
    sent_dossier,
    validated_dossier,
)
from tests.factories import NIR_B, registered_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return dossier_world()


def counter_of(holder) -> Counter:
    return Counter.objects.get(holder=holder)


def assert_ledger_consistent(counter: Counter) -> None:
    entries = Entry.objects.filter(counter=counter)
    moves = {Entry.Kind.RESERVATION, Entry.Kind.RELEASE}
    for account, balance, reserved in (
        ("cpf", counter.cpf_balance, counter.cpf_reserved),
        ("dif", counter.dif_balance or 0, counter.dif_reserved),
    ):
        of_account = [e for e in entries if e.account == account]
        assert sum(e.hours for e in of_account if e.kind not in moves) == balance
        assert sum(e.hours for e in of_account if e.kind in moves) == reserved


# ----- creation --------------------------------------------------------------------------


def test_no_dossier_before_the_dif_is_entered():
    world = dossier_world(dif=None)
    with pytest.raises(NotEligible) as refused:
        actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    assert "Heures DIF non renseignées" in refused.value.message
    assert not Dossier.objects.exists()


def test_no_dossier_on_a_closed_account(world):
    close_account(world.holder)
    world.holder.refresh_from_db()
    with pytest.raises(NotEligible) as refused:
        actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    assert refused.value.code == "closed"


def test_an_unknown_code_and_a_code_of_another_list_say_which(world):
    with pytest.raises(NotEligible) as unknown:
        actions.create_dossier_for_code(world.holder, 999999)
    assert unknown.value.code == "unknown"
    # 245001: the Bretagne COPAREF list; the holder works in Bretagne, but 245003 is
    # Auvergne-Rhône-Alpes's.
    code = world.catalogue.compta.certification.listings.get().code_cpf
    with pytest.raises(NotEligible) as closed:
        actions.create_dossier_for_code(world.holder, code)
    assert closed.value.code == "not_open"
    assert "LNI" in closed.value.message and "COPAREF Bretagne" in closed.value.message


def test_a_dossier_from_an_offer_starts_with_its_organisme_duration_and_cost(world):
    from mcf.domain.dossiers.eligibility import training_for_offer

    offer = world.catalogue.anglais
    dossier = actions.create_dossier(world.holder, training_for_offer(world.holder, offer))
    assert dossier.state == State.BROUILLON
    assert dossier.code_cpf == ANGLAIS_CODE and dossier.list_label == "LNI"
    assert dossier.organisme_siret == offer.organisme.siret
    assert (dossier.duration_hours, dossier.cost) == (40, offer.price)
    assert (dossier.plan_dif, dossier.plan_cpf) == (40, 0)
    entry = JournalEntry.objects.get(action=Action.DOSSIER_CREATED)
    assert entry.holder == world.holder and entry.actor == "Vous"
    assert len(dossier.number) == 12 and dossier.number.isdigit()


# ----- the holder's changes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"start_date": datetime.date(2020, 1, 1)}, "start_date"),
        (
            {
                "start_date": datetime.date.today() + datetime.timedelta(days=90),
                "end_date": datetime.date.today() + datetime.timedelta(days=80),
            },
            "end_date",
        ),
        ({"duration_hours": 0}, "duration_hours"),
        ({"duration_hours": 10_000}, "duration_hours"),
        ({"cost": -1}, "cost"),
        ({"organisme_siret": "73282932000075"}, "organisme_siret"),
        ({"employer_siret": "123"}, "employer_siret"),
    ],
)
def test_bad_input_is_refused_by_field_and_changes_nothing(world, values, field):
    dossier = ready_dossier(world)
    before = Dossier.objects.values().get(pk=dossier.pk)
    entries = JournalEntry.objects.count()
    with pytest.raises(Refused) as refused:
        actions.update_dossier(dossier.pk, by=world.holder, version=dossier.version, values=values)
    assert field in refused.value.errors
    assert Dossier.objects.values().get(pk=dossier.pk) == before
    assert JournalEntry.objects.count() == entries


def test_a_financeur_that_does_not_fund_the_situation_is_refused(world):
    from mcf.domain.organisations.models import Organisation

    dossier = ready_dossier(world)
    world.opca.branches.clear()
    with pytest.raises(Refused) as refused:
        actions.update_dossier(
            dossier.pk,
            by=world.holder,
            version=dossier.version,
            values={"financeur": Organisation.objects.get(pk=world.opca.pk)},
        )
    assert "financeur" in refused.value.errors


def test_a_stale_form_changes_nothing(world):
    dossier = ready_dossier(world)
    with pytest.raises(Refused) as refused:
        actions.update_dossier(
            dossier.pk, by=world.holder, version=dossier.version - 1, values={"comments": "x"}
        )
    assert refused.value.code == "stale"
    assert Dossier.objects.get(pk=dossier.pk).comments == ""


def test_another_holder_cannot_touch_the_dossier(world):
    dossier = ready_dossier(world)
    other = registered_holder(NIR_B, email="autre@example.org")
    with pytest.raises(NotAllowed):
        actions.update_dossier(dossier.pk, by=other, version=dossier.version, values={})
    with pytest.raises(NotAllowed):
        actions.send_dossier(dossier.pk, by=other, version=dossier.version)


def test_changes_are_journaled_with_old_and_new_values(world):
    dossier = ready_dossier(world)
    actions.update_dossier(
        dossier.pk, by=world.holder, version=dossier.version, values={"duration_hours": 100}
    )
    entry = JournalEntry.objects.filter(action=Action.DOSSIER_UPDATED).latest("id")
    assert entry.changes["duration_hours"] == [200, 100]
    dossier.refresh_from_db()
    assert (dossier.plan_dif, dossier.plan_cpf) == (100, 0)


def test_the_state_never_changes_by_a_bare_assignment(world):
    dossier = ready_dossier(world)
    dossier.state = State.VALIDE
    with pytest.raises(RuntimeError):
        dossier.save()


# ----- sending ------------------------------------------------------------------------


def test_without_consent_the_dossier_cannot_be_sent(world):
    dossier = ready_dossier(world, consent=False)
    with pytest.raises(Refused) as refused:
        actions.send_dossier(dossier.pk, by=world.holder, version=dossier.version)
    assert "J'accepte que mes heures soient mobilisées" in refused.value.errors["consent"]
    assert Dossier.objects.get(pk=dossier.pk).state == State.BROUILLON


def test_an_incomplete_dossier_says_what_is_missing(world):
    dossier = actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    with pytest.raises(Refused) as refused:
        actions.send_dossier(dossier.pk, by=world.holder, version=dossier.version)
    assert {"organisme_siret", "start_date", "financeur", "consent", "working_time"} <= set(
        refused.value.errors
    )


def test_sending_logs_journals_mails_and_tells_the_financeur_once(world):
    first = sent_dossier(world)
    second = sent_dossier(world)
    assert first.state == second.state == State.TRANSMIS and first.sent_at
    transition = DossierTransition.objects.get(dossier=first)
    assert (transition.source, transition.target, transition.actor) == (
        "brouillon",
        "transmis",
        world.holder,
    )
    assert JournalEntry.objects.filter(action=Action.DOSSIER_SENT).count() == 2
    assert OutboxEmail.objects.filter(kind="dossier_evenement", to=world.holder.email).count() == 2
    digest = FinanceurDigest.objects.get(organisation=world.opca)
    assert digest.pending
    assert notifications.send_digest(world.opca.pk) == 1  # one member: its admin
    mail = OutboxEmail.objects.get(kind="dossiers_a_instruire")
    assert "2 nouveaux dossiers" in mail.subject
    assert notifications.send_digest(world.opca.pk) == 0  # idempotent


# ----- the financeur ------------------------------------------------------------------


def test_validation_reserves_dif_first_and_locks_the_dif(world):
    dossier = validated_dossier(world)
    assert dossier.state == State.VALIDE
    assert (dossier.plan_dif, dossier.plan_cpf) == (120, 30)
    counter = counter_of(world.holder)
    assert (counter.dif_reserved, counter.cpf_reserved) == (120, 30)
    assert counter.cpf_available == 18 and counter.dif_available == 0
    assert counter.dif_locked_at is not None
    assert_ledger_consistent(counter)
    with pytest.raises(HoursError):
        enter_dif(world.holder, 50)
    entry = JournalEntry.objects.get(action=Action.DOSSIER_VALIDATED)
    assert entry.actor == "OPCA Démo (Amandine M.)"


def test_only_the_dossiers_financeur_validates(world):
    dossier = sent_dossier(world)
    for intruder in (world.other_financeur, world.holder):
        with pytest.raises(NotAllowed):
            actions.validate_dossier(
                dossier.pk,
                by=intruder,
                version=dossier.version,
                dif=120,
                cpf=30,
                dif_attestation_checked=True,
            )
    assert counter_of(world.holder).cpf_reserved == 0
    assert [t.name for t in available(dossier, world.financeur)] == [
        "demander_complement",
        "valider",
        "refuser",
    ]
    assert available(dossier, world.other_financeur) == []


def test_first_use_of_dif_needs_the_attestation(world):
    dossier = sent_dossier(world)
    with pytest.raises(Refused) as refused:
        actions.validate_dossier(
            dossier.pk, by=world.financeur, version=dossier.version, dif=120, cpf=30
        )
    assert "dif_attestation_checked" in refused.value.errors
    assert counter_of(world.holder).dif_reserved == 0


def test_a_plan_above_what_is_available_now_is_refused(world):
    dossier = sent_dossier(world)
    with pytest.raises(Refused) as refused:
        actions.validate_dossier(
            dossier.pk,
            by=world.financeur,
            version=dossier.version,
            dif=120,
            cpf=31,
            dif_attestation_checked=True,
        )
    assert "cpf" in refused.value.errors


def test_validating_twice_has_one_effect(world):
    dossier = validated_dossier(world)
    with pytest.raises(Refused) as refused:
        actions.validate_dossier(
            dossier.pk, by=world.financeur, version=dossier.version, dif=0, cpf=10
        )
    assert refused.value.code == "state"
    assert counter_of(world.holder).cpf_reserved == 30


def test_closing_debits_the_hours_done_dif_first_and_releases_the_rest(world):
    dossier = validated_dossier(world)
    closed = actions.close_dossier(
        dossier.pk, by=world.financeur, version=dossier.version, hours_done=130
    )
    assert closed.state == State.CLOS and (closed.used_dif, closed.used_cpf) == (120, 10)
    counter = counter_of(world.holder)
    assert (counter.dif_balance, counter.dif_reserved) == (0, 0)
    assert (counter.cpf_balance, counter.cpf_reserved) == (38, 0)
    assert_ledger_consistent(counter)
    with pytest.raises(Refused):
        actions.close_dossier(
            dossier.pk, by=world.financeur, version=closed.version, hours_done=130
        )
    assert Entry.objects.filter(kind=Entry.Kind.DEBIT).count() == 2  # one per account
    # The chart of the CPF counter: the 10 h used are no hours acquired.
    [*_, last] = balance_by_year(counter)
    assert (last.credited, last.used, last.balance) == (0, 10, 38)
    assert sum(point.credited for point in balance_by_year(counter)) == 48


def test_hours_done_above_the_reserved_hours_are_refused(world):
    dossier = validated_dossier(world)
    with pytest.raises(Refused) as refused:
        actions.close_dossier(
            dossier.pk, by=world.financeur, version=dossier.version, hours_done=151
        )
    assert "hours_done" in refused.value.errors
    assert Dossier.objects.get(pk=dossier.pk).state == State.VALIDE


def test_cancelling_a_validated_dossier_releases_everything(world):
    dossier = validated_dossier(world)
    with pytest.raises(Refused):
        actions.cancel_validated(
            dossier.pk, by=world.financeur, version=dossier.version, motif="  "
        )
    cancelled = actions.cancel_validated(
        dossier.pk, by=world.financeur, version=dossier.version, motif="Formation reportée"
    )
    assert cancelled.state == State.ANNULE and cancelled.cancel_reason == "Formation reportée"
    counter = counter_of(world.holder)
    assert (counter.dif_reserved, counter.cpf_reserved, counter.cpf_available) == (0, 0, 48)
    assert_ledger_consistent(counter)


def test_a_complement_goes_back_to_the_holder_who_sends_again(world):
    dossier = sent_dossier(world)
    dossier = actions.request_complement(
        dossier.pk, by=world.financeur, version=dossier.version, message="Joindre le devis"
    )
    assert dossier.state == State.COMPLEMENT and dossier.complement_message == "Joindre le devis"
    dossier = actions.update_dossier(
        dossier.pk,
        by=world.holder,
        version=dossier.version,
        values={"comments": "Devis envoyé à l'OPCA"},
    )
    dossier = actions.send_dossier(dossier.pk, by=world.holder, version=dossier.version)
    assert dossier.state == State.TRANSMIS


def test_a_refusal_is_a_cancellation_with_its_motif(world):
    dossier = sent_dossier(world)
    refused = actions.refuse_dossier(
        dossier.pk,
        by=world.financeur,
        version=dossier.version,
        motif="Formation hors priorités de la branche",
    )
    assert refused.state == State.ANNULE
    assert (
        "hors priorités"
        in OutboxEmail.objects.filter(kind="dossier_evenement").latest("created_at").body
    )


def test_an_error_after_the_reservation_leaves_nothing(world):
    """REL-02: the journal fails after the ledger moved: nothing of it stays."""
    dossier = sent_dossier(world)
    mails = OutboxEmail.objects.count()
    with (
        mock.patch("mcf.domain.journal.actions.record", side_effect=RuntimeError("panne")),
        pytest.raises(RuntimeError),
    ):
        actions.validate_dossier(
            dossier.pk,
            by=world.financeur,
            version=dossier.version,
            dif=120,
            cpf=30,
            dif_attestation_checked=True,
        )
    counter = counter_of(world.holder)
    assert (counter.dif_reserved, counter.cpf_reserved, counter.dif_locked_at) == (0, 0, None)
    assert not Entry.objects.filter(kind=Entry.Kind.RESERVATION).exists()
    assert Dossier.objects.get(pk=dossier.pk).state == State.TRANSMIS
    assert OutboxEmail.objects.count() == mails


# ----- sur temps de travail --------------------------------------------------------------


def test_sur_temps_de_travail_needs_the_employer_request_then_an_accord(world):
    dossier = ready_dossier(world, working_time=WorkingTime.SUR)
    with pytest.raises(Refused) as refused:
        actions.send_dossier(dossier.pk, by=world.holder, version=dossier.version)
    assert "employer_requested_on" in refused.value.errors
    dossier = actions.record_employer_request(
        dossier.pk, by=world.holder, version=dossier.version, requested_on=timezone.localdate()
    )
    dossier = actions.send_dossier(dossier.pk, by=world.holder, version=dossier.version)
    with pytest.raises(Refused) as refused:
        actions.validate_dossier(
            dossier.pk,
            by=world.financeur,
            version=dossier.version,
            dif=120,
            cpf=30,
            dif_attestation_checked=True,
        )
    assert refused.value.code == "employer"


def test_thirty_days_of_silence_become_an_accord_tacite_once(world, time_machine):
    dossier = ready_dossier(world, working_time=WorkingTime.SUR, start_in_days=120)
    requested = timezone.localdate()
    dossier = actions.record_employer_request(
        dossier.pk, by=world.holder, version=dossier.version, requested_on=requested
    )
    assert not actions.tacit_agreement(dossier.pk, today=requested + datetime.timedelta(days=30))
    day = requested + datetime.timedelta(days=31)
    assert list(actions.overdue_tacit_agreements(day)) == [dossier.pk]
    assert actions.tacit_agreement(dossier.pk, today=day)
    assert not actions.tacit_agreement(dossier.pk, today=day)  # idempotent
    dossier.refresh_from_db()
    assert dossier.employer_answer == EmployerAnswer.TACITE
    assert dossier.employer_answered_on == requested + datetime.timedelta(days=31)
    entry = JournalEntry.objects.get(action=Action.EMPLOYER_TACIT)
    assert entry.actor == "Le service"
    assert OutboxEmail.objects.filter(kind="dossier_evenement", body__contains="accord tacite")


def test_an_express_answer_stops_the_tacit_accord(world):
    dossier = ready_dossier(world, working_time=WorkingTime.SUR)
    today = timezone.localdate()
    dossier = actions.record_employer_request(
        dossier.pk, by=world.holder, version=dossier.version, requested_on=today
    )
    dossier = actions.record_employer_answer(
        dossier.pk, by=world.holder, version=dossier.version, answer="refus", answered_on=today
    )
    assert not actions.tacit_agreement(dossier.pk, today=today + datetime.timedelta(days=40))
    with pytest.raises(Refused) as refused:
        actions.send_dossier(dossier.pk, by=world.holder, version=dossier.version)
    assert "employer_answer" in refused.value.errors

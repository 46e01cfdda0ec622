"""The history knows who acted and on what (AC-04, issue 13): actor kind, account and
organisation, the label the holder reads, the subject, the structured changes."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from mcf.domain.hours.ledger import correct_cpf, enter_dif
from mcf.domain.hours.models import Counter
from mcf.domain.journal import actions as journal
from mcf.domain.journal.actions import SERVICE, Actor
from mcf.domain.journal.models import Action, ActorKind, JournalEntry
from mcf.domain.journal.queries import for_holder, for_subject
from tests.domain.organisations.builders import new_organisation, operator_client
from tests.factories import NIR_B, registered_holder

pytestmark = pytest.mark.django_db


@dataclass
class Subject:
    """Stands for a dossier (the lead's model): a public id and a JOURNAL_SUBJECT."""

    JOURNAL_SUBJECT = "dossier"
    public_id: uuid.UUID


def test_ac_04_an_act_of_the_holder_names_him():
    holder = registered_holder()
    entry = journal.record(holder, Action.PASSWORD_CHANGED)
    assert (entry.actor, entry.actor_kind) == ("Vous", ActorKind.TITULAIRE)
    assert entry.actor_user == holder
    assert entry.actor_organisation is None
    assert (entry.subject_type, entry.subject_id, entry.changes) == ("", None, {})


def test_ac_04_a_professional_reads_organisation_and_short_name():
    holder = registered_holder()
    account = new_organisation("OPCA  Démo", first_name="Amandine", last_name="dupont")
    entry = journal.record(holder, Action.DOSSIER_VALIDATED, by=Actor.professional(account.user))
    entry.refresh_from_db()
    assert entry.actor == "OPCA Démo (Amandine D.)"
    assert entry.actor_kind == ActorKind.PROFESSIONNEL
    assert entry.actor_user == account.user
    assert entry.actor_organisation == account.user.professional_profile.organisation


def test_ac_04_the_label_is_the_one_written_at_the_time_of_the_act():
    holder = registered_holder()
    account = new_organisation("OPCA Démo")
    entry = journal.record(holder, Action.DOSSIER_SENT, by=Actor.professional(account.user))
    account.user.first_name = "Béatrice"
    account.user.save()
    assert JournalEntry.objects.get(pk=entry.pk).actor == "OPCA Démo (Amandine M.)"


def test_ac_04_an_operator_is_the_caisse_des_depots_never_his_name():
    holder = registered_holder()
    operator, _ = operator_client("jeanne.operatrice")
    entry = journal.record(holder, Action.HOURS_CORRECTED, by=Actor.operator(operator))
    assert entry.actor == "La Caisse des Dépôts"
    assert (entry.actor_kind, entry.actor_user) == (ActorKind.OPERATEUR, operator)


def test_ac_04_the_service_has_no_account():
    entry = journal.record(registered_holder(), Action.HOURS_FED, by=SERVICE)
    assert (entry.actor, entry.actor_kind, entry.actor_user) == (
        "Le service",
        ActorKind.SERVICE,
        None,
    )


def test_ac_04_a_cpf_correction_is_journaled_with_its_operator_and_old_new_balance():
    holder = registered_holder()
    operator, _ = operator_client("jeanne.operatrice")
    counter = Counter.objects.get(holder=holder)
    correct_cpf(counter.pk, hours=12, reason="Erreur de déclaration", operator=operator)
    entry = JournalEntry.objects.get(holder=holder, action=Action.HOURS_CORRECTED)
    assert (entry.actor, entry.actor_kind, entry.actor_user) == (
        "La Caisse des Dépôts",
        ActorKind.OPERATEUR,
        operator,
    )
    assert entry.changes == {"cpf_balance": [0, 12]}


def test_ac_04_the_holder_entering_his_dif_is_the_actor():
    holder = registered_holder()
    enter_dif(holder, 40)
    entry = JournalEntry.objects.get(holder=holder, action=Action.DIF_ENTERED)
    assert (entry.actor_kind, entry.actor_user) == (ActorKind.TITULAIRE, holder)


def test_changes_are_stored_as_json_text_for_dates_and_decimals():
    from decimal import Decimal

    entry = journal.record(
        registered_holder(),
        Action.DOSSIER_UPDATED,
        changes={"start": [date(2027, 1, 4), date(2027, 2, 1)], "cost": [None, Decimal("1200.50")]},
    )
    entry.refresh_from_db()
    assert entry.changes == {"start": ["2027-01-04", "2027-02-01"], "cost": [None, "1200.50"]}


def test_changes_must_be_a_dict():
    with pytest.raises(TypeError):
        journal.record(registered_holder(), Action.DOSSIER_UPDATED, changes=[("a", 1)])


def test_for_subject_gives_the_entries_of_one_subject_oldest_first():
    holder, other = registered_holder(), registered_holder(NIR_B)
    dossier, another = Subject(uuid.uuid4()), Subject(uuid.uuid4())
    now = timezone.now()
    sent = journal.record(holder, Action.DOSSIER_SENT, subject=dossier, at=now)
    created = journal.record(
        holder, Action.DOSSIER_CREATED, subject=dossier, at=now - timedelta(days=1)
    )
    journal.record(holder, Action.DOSSIER_CREATED, subject=another, at=now)
    journal.record(other, Action.DOSSIER_CREATED, at=now)
    journal.record(holder, Action.LOGOUT, at=now)
    assert list(for_subject(dossier)) == [created, sent]
    assert (sent.subject_type, sent.subject_id) == ("dossier", dossier.public_id)
    assert len(for_holder(holder)) == 3 + 3  # registration, activation, and these three


def test_the_new_dossier_actions_exist_with_their_french_labels():
    assert Action.DOSSIER_VALIDATED.label == "Dossier validé"
    assert Action.EMPLOYER_TACIT.value == "employeur_accord_tacite"
    longest = max(len(value) for value in Action.values)
    assert longest <= JournalEntry._meta.get_field("action").max_length


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        ("Amandine", "d'Alembert", "OPCA Démo (Amandine D.)"),
        ("Jan", "’t Hooft", "OPCA Démo (Jan T.)"),
        ("Karl", "ßmith", "OPCA Démo (Karl ß.)"),
        ("  Élodie\u00a0 Anne ", "école", "OPCA Démo (Élodie Anne É.)"),
        ("", "", "OPCA Démo"),
    ],
)
def test_the_short_name_of_hostile_names(first, last, label):
    account = new_organisation("OPCA Démo")
    account.user.first_name, account.user.last_name = first, last
    assert Actor.professional(account.user).label(registered_holder()) == label

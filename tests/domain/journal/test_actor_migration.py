"""Migration journal.0006: the entries written before the actors existed get theirs, from
the label they show, through the append-only trigger (PostgreSQL) which stays on after."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mcf.domain.accounts.models import User
from mcf.domain.journal.models import ActorKind

BEFORE = [("journal", "0005_hours_corrected_action")]
AFTER = [("journal", "0006_actors_and_subjects")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest():
    """Whatever happens, the next tests find the journal's latest schema."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("journal"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_existing_entries_get_their_actor_and_stay_append_only():
    holder = User.objects.create_user(username="titulaire-ancien", kind=User.Kind.TITULAIRE)
    Old = migrate(BEFORE).get_model("journal", "JournalEntry")
    for action, actor in [
        ("connexion", "Vous"),
        ("alimentation", "Le service"),
        ("correction", "La Caisse des Dépôts"),
    ]:
        Old.objects.create(
            holder_id=holder.pk, action=action, actor=actor, occurred_at=timezone.now()
        )

    # The schema of 0006 (later migrations add columns the model of today reads).
    Migrated = migrate(AFTER).get_model("journal", "JournalEntry")

    after = {e.action: e for e in Migrated.objects.filter(holder_id=holder.pk)}
    assert (after["connexion"].actor_kind, after["connexion"].actor_user_id) == (
        ActorKind.TITULAIRE,
        holder.pk,
    )
    assert (after["alimentation"].actor_kind, after["alimentation"].actor_user_id) == (
        ActorKind.SERVICE,
        None,
    )
    assert after["correction"].actor_kind == ActorKind.OPERATEUR
    # The label the holder reads is unchanged.
    assert [after[a].actor for a in ("connexion", "alimentation", "correction")] == [
        "Vous",
        "Le service",
        "La Caisse des Dépôts",
    ]
    assert all(e.changes == {} and e.subject_id is None for e in after.values())
    if connection.vendor == "postgresql":  # the trigger is back on
        with (
            pytest.raises((InternalError, IntegrityError, ProgrammingError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE journal_journalentry SET details = 'x' WHERE id = %s",
                [after["connexion"].pk],
            )

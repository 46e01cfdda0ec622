"""The history of actions is append-only (LOG-02) and written by the action functions."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from mcf.domain.accounts.authentication import authenticate_holder
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action, AppendOnlyError, JournalEntry
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = pytest.mark.django_db


def actions_of(holder):
    return list(
        JournalEntry.objects.filter(holder=holder)
        .order_by("occurred_at", "id")
        .values_list("action", flat=True)
    )


def test_log02_registration_and_logins_are_journaled():
    holder = registered_holder()
    authenticate_holder(NIR_A, "Mauvais-mot-2026")
    authenticate_holder(NIR_A, PASSWORD)
    assert actions_of(holder) == [
        Action.REGISTERED,
        Action.ACTIVATED,
        Action.LOGIN_FAILED,
        Action.LOGIN_SUCCEEDED,
    ]


def test_log02_the_fifth_failure_journals_the_suspension():
    holder = registered_holder()
    for _ in range(5):
        authenticate_holder(NIR_A, "Mauvais-mot-2026")
    suspended = JournalEntry.objects.get(holder=holder, action=Action.LOGIN_SUSPENDED)
    assert suspended.details == "Pendant 1 minute."
    assert suspended.actor == "Le service"


def test_log02_the_model_refuses_updates_and_deletes():
    entry = journal.record(registered_holder(), Action.LOGIN_SUCCEEDED)
    entry.details = "réécrit"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's (make test-postgres)"
)
def test_log02_the_database_refuses_raw_updates_and_deletes():
    entry = journal.record(registered_holder(), Action.LOGIN_SUCCEEDED)
    for statement in [
        "UPDATE journal_journalentry SET details = 'x' WHERE id = %s",
        "DELETE FROM journal_journalentry WHERE id = %s",
    ]:
        with (
            pytest.raises((InternalError, IntegrityError, ProgrammingError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    assert JournalEntry.objects.get(pk=entry.pk).details == ""

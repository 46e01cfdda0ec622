"""PRIV-04: the daily retention job deletes exactly what has had its time, and nothing of
the account's legal history (ledger, dossiers, operations in the journal)."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mcf.domain.accounts.authentication import authenticate_holder
from mcf.domain.accounts.email_change import request_email_change
from mcf.domain.accounts.models import (
    EmailChangeRequest,
    LoginThrottle,
    PendingRegistration,
    UserSession,
)
from mcf.domain.accounts.registration import register_holder
from mcf.domain.accounts.sessions import record_session
from mcf.domain.antibot.challenges import new_challenge
from mcf.domain.antibot.models import CaptchaChallenge
from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.idempotency.actions import Result, run_once
from mcf.domain.idempotency.models import Submission
from mcf.domain.identity.nir import with_key
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.journal.retention import SECURITY_EVENTS
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.retention.schedule import SCHEDULE, apply_retention
from tests.factories import registered_holder, registration_data

pytestmark = pytest.mark.django_db

# The real time, not a date of our choosing: PostgreSQL's trigger reads its own clock.
NOW = timezone.now().replace(microsecond=0)
OLD = NOW - timedelta(days=367)  # past every period of the schedule
RECENT = NOW - timedelta(minutes=10)  # within every period


def leave_traces(time_machine, holder, at: datetime, tag: str) -> dict[str, object]:
    """One row of each kind the schedule purges, written at ``at`` through the actions."""
    time_machine.move_to(at, tick=False)
    traces = {}
    register_holder(
        registration_data(with_key(f"29010{tag}1231235"[:13]), email=f"{tag}@example.org"),
        now=at,
    )
    traces["registration"] = PendingRegistration.objects.latest("created_at").pk
    traces["captcha"] = new_challenge().pk
    authenticate_holder(with_key(f"1900{tag}13055012"[:13]), "Mauvais-2026", now=at)
    traces["throttle"] = LoginThrottle.objects.latest("last_failure_at").pk
    session = SessionStore()
    session["tag"] = tag
    session.create()
    record_session(holder, session.session_key, ip="127.0.0.1", user_agent="test")
    traces["session"] = session.session_key
    request_email_change(holder, f"nouvelle.{tag}@example.org", now=at)
    traces["email_change"] = EmailChangeRequest.objects.latest("created_at").pk
    run_once(f"cle-{tag}", action="essai", fingerprint="f", perform=lambda: Result("/"))
    traces["submission"] = Submission.objects.get(key=f"cle-{tag}").pk
    traces["login_event"] = journal.record(holder, Action.LOGIN_SUCCEEDED, at=at).pk
    traces["dif_entered"] = journal.record(holder, Action.DIF_ENTERED, at=at).pk
    message = submit_contact_message(
        full_name="Jeanne Essai", email=f"{tag}@example.org", topic="compte", message="Bonjour"
    )
    traces["contact"] = message.pk
    sent, dead = OutboxEmail.objects.filter(created_at=at).order_by("to")[:2]
    OutboxEmail.objects.filter(pk=sent.pk).update(status=OutboxEmail.Status.SENT, sent_at=at)
    OutboxEmail.objects.filter(pk=dead.pk).update(status=OutboxEmail.Status.DEAD)
    traces["sent_mail"], traces["dead_mail"] = sent.pk, dead.pk
    task = DBTaskResult.objects.filter(finished_at__isnull=True).latest("enqueued_at")
    DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL", finished_at=at)
    traces["task"] = task.pk
    return traces


def present(traces: dict[str, object]) -> set[str]:
    models = {
        "registration": PendingRegistration,
        "captcha": CaptchaChallenge,
        "throttle": LoginThrottle,
        "email_change": EmailChangeRequest,
        "submission": Submission,
        "login_event": JournalEntry,
        "dif_entered": JournalEntry,
        "contact": ContactMessage,
        "sent_mail": OutboxEmail,
        "dead_mail": OutboxEmail,
        "task": DBTaskResult,
    }
    found = {name for name, model in models.items() if model.objects.filter(pk=traces[name])}
    if Session.objects.filter(session_key=traces["session"]).exists():
        found.add("session")
    return found


def test_priv04_exactly_what_had_its_time_goes_and_the_legal_history_stays(time_machine):
    holder = registered_holder(now=OLD - timedelta(days=1))
    old = leave_traces(time_machine, holder, OLD, "01")
    recent = leave_traces(time_machine, holder, RECENT, "02")
    legal_before = set(
        JournalEntry.objects.exclude(action__in=SECURITY_EVENTS).values_list("pk", flat=True)
    )
    ledger_before = (Counter.objects.count(), Entry.objects.count())
    time_machine.move_to(NOW, tick=False)

    report = dict((rule.category, deleted) for rule, deleted in apply_retention(now=NOW))

    assert present(old) == {"dif_entered"}  # the account's operation, kept
    assert present(recent) == set(recent)
    assert not UserSession.objects.filter(session_key=old["session"]).exists()
    assert UserSession.objects.filter(session_key=recent["session"]).exists()
    assert legal_before <= set(JournalEntry.objects.values_list("pk", flat=True))
    assert (Counter.objects.count(), Entry.objects.count()) == ledger_before
    assert report["Événements de sécurité de l'historique"] == 1
    assert report["Messages « Nous contacter »"] == 1
    assert all(isinstance(count, int) for count in report.values())
    # Run again the same day: nothing more goes (the job is idempotent).
    assert sum(deleted for _, deleted in apply_retention(now=NOW)) == 0


def test_priv04_a_period_ends_on_its_day_not_before(time_machine):
    """The 12 months of the security events: one day short, the event stays."""
    holder = registered_holder(now=OLD - timedelta(days=1))
    kept = journal.record(holder, Action.LOGIN_FAILED, at=NOW - timedelta(days=365))
    gone = journal.record(holder, Action.LOGIN_FAILED, at=NOW - timedelta(days=367))
    apply_retention(now=NOW)
    assert JournalEntry.objects.filter(pk=kept.pk).exists()
    assert not JournalEntry.objects.filter(pk=gone.pk).exists()


def test_priv04_the_command_reports_each_category():
    out = StringIO()
    call_command("apply_retention", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(SCHEDULE)
    assert lines[0] == (
        "Inscriptions non confirmées (conservation : 15 jours, durée du lien) : 0 supprimé(s)."
    )


def test_the_trigger_and_the_code_list_the_same_security_events():
    from importlib import import_module

    migration = import_module("mcf.domain.journal.migrations.0008_security_events_purgeable")
    assert set(migration.SECURITY_EVENTS) == {action.value for action in SECURITY_EVENTS}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's (make test-postgres)"
)
def test_log02_the_database_keeps_the_legal_history_and_young_security_events():
    holder = registered_holder(now=OLD - timedelta(days=1))
    old_operation = journal.record(holder, Action.DIF_ENTERED, at=OLD)
    young_event = journal.record(holder, Action.LOGIN_SUCCEEDED, at=timezone.now())
    old_event = journal.record(holder, Action.LOGIN_SUCCEEDED, at=OLD)
    for entry in (old_operation, young_event):
        with (
            pytest.raises((InternalError, IntegrityError, ProgrammingError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM journal_journalentry WHERE id = %s", [entry.pk])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM journal_journalentry WHERE id = %s", [old_event.pk])
        assert cursor.rowcount == 1
    with (
        pytest.raises((InternalError, IntegrityError, ProgrammingError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE journal_journalentry SET details = 'x' WHERE id = %s", [old_operation.pk]
        )

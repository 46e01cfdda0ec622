"""REL-05: the outbox. A mail is committed with its cause, delivered once, retried, dead-lettered.

The mailer is Django's locmem backend (set for every test in tests/conftest.py), so what was
"sent" is ``django.core.mail.outbox``. Tests that run the worker use committed data
(``transaction=True``): the worker opens its own transactions, as in production.
"""

import logging
import re
import smtplib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django_tasks_db.models import DBTaskResult, get_date_max

from mcf.config import mailers_from_email_url
from mcf.core.durable_delivery import DELIVERY_LEASE, retry_delay
from mcf.domain.mailing.delivery import deliver, requeue_stalled, retry_dead_letter
from mcf.domain.mailing.models import DevMailboxMessage, OutboxEmail
from mcf.domain.mailing.tasks import deliver_email

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class DisconnectedBackend(BaseEmailBackend):
    """A mail server that always hangs up: every send fails like a dropped SMTP connection."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class DuplicateTaskDuringSendBackend(LocmemBackend):
    """While a mail is being sent, a duplicate delivery task for it runs (another worker)."""

    duplicate_results: list = []

    def send_messages(self, email_messages):
        for message in email_messages:
            email = OutboxEmail.objects.get(message_id=message.extra_headers["Message-ID"])
            self.duplicate_results.append(deliver(str(email.pk)))
        return super().send_messages(email_messages)


def use_backend(settings, backend_class):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.{backend_class.__name__}"}}


def task_rows(email):
    return DBTaskResult.objects.filter(args_kwargs__args=[str(email.pk)])


def ready_task_rows(email):
    return task_rows(email).filter(status="READY")


# --- Atomic with the caller's transaction ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rel05_rolled_back_caller_leaves_no_mail_and_no_task(queue_mail, worker):
    with pytest.raises(RuntimeError, match="the change failed"), transaction.atomic():
        queue_mail()
        assert OutboxEmail.objects.count() == 1  # written, but inside the transaction
        raise RuntimeError("the change failed")

    assert OutboxEmail.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    worker()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_rel05_committed_mail_is_delivered_once_by_the_worker(queue_mail, worker):
    email = queue_mail(to="bob@example.org", reply_to="help@example.org")

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING
    assert email.attempts == 0
    assert re.fullmatch(r"<[0-9a-f-]{36}@moncompteformation\.example>", email.message_id)
    (task,) = DBTaskResult.objects.all()
    assert task.status == "READY"
    assert task.task_path == deliver_email.module_path
    assert task.args_kwargs["args"] == [str(email.pk)]
    assert mail.outbox == []  # queueing never talks to the mail server

    worker()

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.message()["Message-ID"] == email.message_id
    assert sent.to == ["bob@example.org"]
    assert sent.reply_to == ["help@example.org"]
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL
    assert sent.subject == email.subject
    assert sent.body == email.body
    assert "(sujet : Mes heures CPF ou DIF)" in sent.body
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.sent_at is not None
    assert email.attempts == 1
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"

    worker()  # nothing left to do
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_rel05_each_mail_has_its_own_message_id(queue_mail):
    ids = {queue_mail().message_id for _ in range(3)}

    assert len(ids) == 3


# --- Idempotence ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_rel05_deliver_twice_sends_once(queue_mail, time_machine):
    time_machine.move_to(START, tick=False)
    email = queue_mail()

    assert deliver(str(email.pk)) == OutboxEmail.Status.SENT
    assert deliver(str(email.pk)) == OutboxEmail.Status.SENT
    # Also long after the delivery lease is over (e.g. a task re-queued the next day).
    time_machine.move_to(START + timedelta(days=1), tick=False)
    assert deliver(str(email.pk)) == OutboxEmail.Status.SENT

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


@pytest.mark.django_db
def test_rel05_deliver_of_a_missing_row_does_nothing():
    assert deliver(str(uuid.uuid4())) is None
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_rel05_duplicate_tasks_send_once(queue_mail, worker):
    email = queue_mail()
    deliver_email.enqueue(str(email.pk))
    deliver_email.enqueue(str(email.pk))
    assert task_rows(email).count() == 3

    worker()

    assert len(mail.outbox) == 1
    assert task_rows(email).filter(status="SUCCESSFUL").count() == 3


@pytest.mark.django_db
def test_rel05_duplicate_task_during_a_send_finds_the_lease(settings, queue_mail):
    use_backend(settings, DuplicateTaskDuringSendBackend)
    DuplicateTaskDuringSendBackend.duplicate_results = []
    email = queue_mail()

    assert deliver(str(email.pk)) == OutboxEmail.Status.SENT

    assert DuplicateTaskDuringSendBackend.duplicate_results == [OutboxEmail.Status.PENDING]
    assert len(mail.outbox) == 1


# --- Retries, backoff, dead letters -----------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 60), (2, 120), (3, 240), (4, 480), (9, 60 * 256), (10, 6 * 3600), (30, 6 * 3600)],
)
def test_rel05_retry_delay_doubles_and_is_capped_at_six_hours(settings, attempts, seconds):
    settings.OUTBOX_FIRST_RETRY_SECONDS = 60

    assert retry_delay(attempts) == timedelta(seconds=seconds)


def test_rel05_retry_delay_follows_the_first_retry_setting(settings):
    settings.OUTBOX_FIRST_RETRY_SECONDS = 5

    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]


@pytest.mark.django_db(transaction=True)
def test_rel05_failed_send_is_retried_later_with_a_new_task(
    settings, queue_mail, worker, time_machine
):
    use_backend(settings, DisconnectedBackend)
    time_machine.move_to(START, tick=False)
    email = queue_mail()

    worker()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING
    assert email.attempts == 1
    assert email.next_attempt_at == START + timedelta(seconds=settings.OUTBOX_FIRST_RETRY_SECONDS)
    assert email.last_error.startswith("SMTPServerDisconnected")
    # Two tasks wait: the retry at the backoff time, and the watchdog of the first attempt
    # at the end of its lease (a no-op unless the worker had died mid-send).
    run_afters = sorted(t.run_after for t in ready_task_rows(email))
    assert run_afters == [email.next_attempt_at, START + DELIVERY_LEASE]
    assert mail.outbox == []

    # The retry waits for its time: a worker running just before does nothing.
    time_machine.move_to(email.next_attempt_at - timedelta(seconds=1), tick=False)
    worker()
    email.refresh_from_db()
    assert email.attempts == 1

    # Once due, it is tried again; here the server is back.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    time_machine.move_to(email.next_attempt_at, tick=False)
    worker()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""
    assert [m.message()["Message-ID"] for m in mail.outbox] == [email.message_id]


@pytest.mark.django_db(transaction=True)
def test_rel05_after_max_attempts_the_mail_is_dead_lettered_and_logged(
    settings, queue_mail, worker, time_machine, caplog
):
    use_backend(settings, DisconnectedBackend)
    time_machine.move_to(START, tick=False)
    email = queue_mail()
    delays = []

    with caplog.at_level(logging.INFO, logger="mcf.outbox"):
        worker()
        for _ in range(settings.OUTBOX_MAX_ATTEMPTS - 1):
            email.refresh_from_db()
            assert email.status == OutboxEmail.Status.PENDING
            delays.append(email.next_attempt_at - datetime.now(UTC))
            time_machine.move_to(email.next_attempt_at, tick=False)
            worker()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.DEAD
    assert email.attempts == settings.OUTBOX_MAX_ATTEMPTS
    assert "SMTPServerDisconnected" in email.last_error
    assert delays == [retry_delay(n) for n in range(1, settings.OUTBOX_MAX_ATTEMPTS)]
    # No further try is scheduled: the only tasks left are watchdogs of past attempts.
    last_claim = datetime.now(UTC)
    assert [t.run_after for t in ready_task_rows(email)] == [last_claim + DELIVERY_LEASE]
    dead_logs = [r for r in caplog.records if "outbox dead letter" in r.getMessage()]
    assert len(dead_logs) == 1
    assert dead_logs[0].levelno == logging.ERROR
    assert str(email.pk) in dead_logs[0].getMessage()
    assert mail.outbox == []

    # A stray task for a dead letter sends nothing, even with the server back, later on.
    time_machine.move_to(START + timedelta(days=2), tick=False)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    deliver_email.enqueue(str(email.pk))
    worker()
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.DEAD


@pytest.mark.django_db(transaction=True)
def test_rel05_retry_dead_letter_gives_a_fresh_series_of_tries(
    settings, queue_mail, worker, time_machine
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    use_backend(settings, DisconnectedBackend)
    time_machine.move_to(START, tick=False)
    email = queue_mail()
    worker()
    email.refresh_from_db()
    time_machine.move_to(email.next_attempt_at, tick=False)
    worker()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.DEAD

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    retry_dead_letter(email)

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING
    assert email.attempts == 0
    immediate = ready_task_rows(email).filter(run_after=get_date_max())
    assert immediate.count() == 1
    worker()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 1
    assert [m.message()["Message-ID"] for m in mail.outbox] == [email.message_id]


# --- Recovering stalled deliveries ------------------------------------------------------------


@pytest.mark.django_db
def test_rel05_requeue_stalled_only_takes_pending_mails_overdue_beyond_the_grace(
    queue_mail, time_machine
):
    time_machine.move_to(START, tick=False)
    mails = {name: queue_mail() for name in ("stalled", "recent", "future", "sent", "dead")}
    long_ago = START - timedelta(minutes=16)
    updates = {
        "stalled": {"next_attempt_at": long_ago},
        "recent": {"next_attempt_at": START - timedelta(minutes=14)},
        "future": {"next_attempt_at": START + timedelta(hours=1)},
        "sent": {"next_attempt_at": long_ago, "status": OutboxEmail.Status.SENT},
        "dead": {"next_attempt_at": long_ago, "status": OutboxEmail.Status.DEAD},
    }
    for name, fields in updates.items():
        OutboxEmail.objects.filter(pk=mails[name].pk).update(**fields)
    before = {name: task_rows(email).count() for name, email in mails.items()}

    assert requeue_stalled() == 1

    after = {name: task_rows(email).count() for name, email in mails.items()}
    assert after == {**before, "stalled": before["stalled"] + 1}

    # A shorter grace period also takes the mail overdue by 14 minutes.
    assert requeue_stalled(older_than=timedelta(minutes=10)) == 2


@pytest.mark.django_db(transaction=True)
def test_rel05_requeued_stalled_mail_is_delivered(queue_mail, worker, time_machine):
    """A worker killed mid-delivery leaves the row leased and its task RUNNING forever."""
    time_machine.move_to(START, tick=False)
    email = queue_mail()
    OutboxEmail.objects.filter(pk=email.pk).update(
        attempts=1, next_attempt_at=START + timedelta(minutes=10)
    )
    DBTaskResult.objects.update(status="RUNNING")

    worker()
    assert mail.outbox == []
    assert requeue_stalled() == 0  # the lease has not expired yet

    time_machine.move_to(START + timedelta(minutes=26), tick=False)
    assert requeue_stalled() == 1
    worker()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert [m.message()["Message-ID"] for m in mail.outbox] == [email.message_id]


# --- Development mailbox -----------------------------------------------------------------


@pytest.mark.django_db
def test_rel05_dev_mailbox_stores_the_message_with_its_message_id(settings, queue_mail):
    settings.MAILERS = mailers_from_email_url("devmailbox:")
    email = queue_mail(to="carol@example.org")

    assert deliver(str(email.pk)) == OutboxEmail.Status.SENT

    (stored,) = DevMailboxMessage.objects.all()
    assert stored.message_id == email.message_id
    assert stored.to == "carol@example.org"
    assert stored.from_email == settings.DEFAULT_FROM_EMAIL
    assert stored.subject == email.subject
    assert stored.body == email.body
    assert mail.outbox == []


class WorkerKilledDuringSend(BaseEmailBackend):
    """The worker process dies in the middle of the SMTP conversation."""

    def send_messages(self, email_messages):
        raise SystemExit("worker killed")


@pytest.mark.django_db(transaction=True)
def test_rel05_watchdog_task_retries_a_mail_whose_worker_died(
    settings, queue_mail, worker, time_machine
):
    """No sweeper needed: the claim enqueued a watchdog task for the end of its lease."""
    use_backend(settings, WorkerKilledDuringSend)
    time_machine.move_to(START, tick=False)
    email = queue_mail()
    with pytest.raises(SystemExit):
        deliver(str(email.pk))
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING
    assert email.next_attempt_at == START + DELIVERY_LEASE

    # A new worker starts; the mail server works again.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    time_machine.move_to(START + DELIVERY_LEASE - timedelta(seconds=1), tick=False)
    worker()
    assert mail.outbox == []  # the lease still holds
    time_machine.move_to(START + DELIVERY_LEASE, tick=False)
    worker()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert [m.message()["Message-ID"] for m in mail.outbox] == [email.message_id]

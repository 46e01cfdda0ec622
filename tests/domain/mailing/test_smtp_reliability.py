"""REL-05 against a real SMTP server (aiosmtpd on 127.0.0.1, in a thread).

The default mailer is built from ``EMAIL_URL=smtp://127.0.0.1:<port>`` exactly as in
production; the worker is ``manage.py db_worker --batch``. Time is moved forward with
time-machine instead of waiting for the retry delays.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.mailing.delivery import requeue_stalled
from mcf.domain.mailing.models import OutboxEmail

pytestmark = pytest.mark.django_db(transaction=True)


def submit(n: int) -> None:
    for i in range(n):
        submit_contact_message(
            full_name=f"Usager {i}",
            email=f"usager{i}@example.org",
            topic=ContactMessage.Topic.HOURS,
            message=f"Question numéro {i}",
        )


def only_the_acknowledgement() -> OutboxEmail:
    """Submit one contact message and keep only the mail to the sender (and its task)."""
    submit(1)
    email = OutboxEmail.objects.get(to="usager0@example.org")
    other = OutboxEmail.objects.exclude(pk=email.pk).get()
    DBTaskResult.objects.filter(args_kwargs__args=[str(other.pk)]).delete()
    other.delete()
    return email


def run_until_settled(worker, time_machine, max_rounds: int = 10) -> int:
    """Run the worker; while mails are pending, jump to the latest retry time and run again."""
    for round_ in range(1, max_rounds + 1):
        worker()
        pending = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING)
        if not pending.exists():
            return round_
        latest = max(pending.values_list("next_attempt_at", flat=True))
        time_machine.move_to(latest + timedelta(seconds=1))
    raise AssertionError(f"mails still pending after {max_rounds} worker runs")


def statuses() -> Counter:
    return Counter(OutboxEmail.objects.values_list("status", flat=True))


def test_rel05_server_answering_421_then_ok_gets_each_mail_once(smtp_server, worker, time_machine):
    time_machine.move_to(timezone.now())
    smtp_server.handler.refuse = 3
    submit(1)
    emails = list(OutboxEmail.objects.all())
    assert len(emails) == 2

    rounds = run_until_settled(worker, time_machine)

    assert rounds > 1  # the refusals really caused retries
    assert smtp_server.handler.refused == 3
    assert statuses() == {OutboxEmail.Status.SENT: 2}
    received = smtp_server.handler.received_message_ids()
    assert sorted(received) == sorted(e.message_id for e in emails)
    attempts = sorted(OutboxEmail.objects.values_list("attempts", flat=True))
    assert sum(attempts) == 2 + 3  # one success each, plus the three refusals


def test_rel05_mail_refused_three_times_with_421_is_sent_on_the_fourth_try(
    settings, smtp_server, worker, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    smtp_server.handler.refuse = 3
    email = only_the_acknowledgement()
    first = settings.OUTBOX_FIRST_RETRY_SECONDS

    for attempt, delay in [(1, first), (2, 2 * first), (3, 4 * first)]:
        worker()
        email.refresh_from_db()
        assert email.status == OutboxEmail.Status.PENDING
        assert email.attempts == attempt
        assert "421" in email.last_error
        assert email.next_attempt_at == timezone.now() + timedelta(seconds=delay)
        assert smtp_server.handler.received_message_ids() == []
        time_machine.move_to(email.next_attempt_at, tick=False)

    worker()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 4
    assert smtp_server.handler.refused == 3
    assert smtp_server.handler.received_message_ids() == [email.message_id]


def test_rel05_server_down_then_up_delivers_every_mail_exactly_once(
    smtp_server, worker, time_machine
):
    time_machine.move_to(timezone.now())
    smtp_server.stop()
    submit(5)
    assert OutboxEmail.objects.count() == 10

    worker()

    assert statuses() == {OutboxEmail.Status.PENDING: 10}
    # Each sender's acknowledgement was tried; the five messages to the team's one address
    # wait behind the oldest of them (mails to one address keep their order).
    tried = OutboxEmail.objects.exclude(attempts=0)
    assert tried.count() == 6 and tried.values("to").distinct().count() == 6
    for email in tried:
        assert email.attempts == 1 and email.waiting_for_server
        assert "ConnectionRefusedError" in email.last_error
        assert "refused" in email.last_error.lower()

    # Still down at the first retry: a second failure, a longer delay.
    time_machine.shift(timedelta(seconds=61))
    worker()
    assert set(tried.values_list("attempts", flat=True)) == {2}

    smtp_server.start()
    run_until_settled(worker, time_machine)

    assert statuses() == {OutboxEmail.Status.SENT: 10}
    received = Counter(smtp_server.handler.received_message_ids())
    assert received == Counter(OutboxEmail.objects.values_list("message_id", flat=True))
    assert set(received.values()) == {1}

    # Later recovery passes find nothing to send again.
    time_machine.shift(timedelta(hours=2))
    assert requeue_stalled() == 0
    worker()
    assert len(smtp_server.handler.received_message_ids()) == 10


def test_rel05_rolled_back_contact_message_sends_nothing(smtp_server, worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(1)
        raise RuntimeError("a later step of the same change failed")

    assert ContactMessage.objects.count() == 0
    assert OutboxEmail.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    worker()
    assert smtp_server.handler.received_message_ids() == []


class SimulatedCrash(BaseException):
    """The worker process dies (not an exception the delivery code may catch)."""


class CrashAfterSendBackend(SMTPBackend):
    """Real SMTP, then the worker dies once: after the server said 250, before our commit."""

    crashes_left = 0

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        if CrashAfterSendBackend.crashes_left > 0:
            CrashAfterSendBackend.crashes_left -= 1
            raise SimulatedCrash
        return sent


def test_rel05_resend_after_a_crash_keeps_the_same_message_id(
    settings, smtp_server, worker, time_machine
):
    settings.MAILERS["default"]["BACKEND"] = f"{__name__}.{CrashAfterSendBackend.__name__}"
    CrashAfterSendBackend.crashes_left = 1
    time_machine.move_to(timezone.now())
    email = only_the_acknowledgement()

    worker()  # the server accepts the mail, then the worker "dies"

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING  # the crash hid the success
    assert smtp_server.handler.received_message_ids() == [email.message_id]

    # The recovery pass re-enqueues it once the lease and the grace period are over.
    assert requeue_stalled() == 0
    time_machine.shift(timedelta(minutes=11))  # lease over, still within the grace period
    assert requeue_stalled() == 0
    time_machine.shift(timedelta(minutes=15))
    assert requeue_stalled() == 1
    worker()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 2
    # Two copies, recognisable as one mail by the receiving side.
    assert smtp_server.handler.received_message_ids() == [email.message_id] * 2

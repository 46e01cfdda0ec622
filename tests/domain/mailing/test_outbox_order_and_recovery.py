"""REL-05 after an outage (issue 15 §2): mails to one address keep their order, a queue held
back by an unreachable server drains as soon as the server answers again, and an address the
server refuses for good is abandoned at once and listed.

The mailer is a scripted backend: per address, what the « server » does with the next mail.
"""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from mcf.domain.mailing.delivery import refused_for_good, server_unreachable
from mcf.domain.mailing.models import OutboxEmail
from tests.domain.mailing.conftest import queue_test_mail

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class ScriptedServer(LocmemBackend):
    """``down``: every connection refused. ``refuse``: address → the refusal's SMTP code.
    What went through is in ``delivered`` (recipient, subject), in order."""

    down = False
    refuse: dict[str, int] = {}
    delivered: list[tuple[str, str]] = []

    def send_messages(self, email_messages):
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        for message in email_messages:
            code = self.refuse.get(message.to[0].lower())
            if code:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (code, b"refused")})
            ScriptedServer.delivered.append((message.to[0], message.subject))
        return len(email_messages)


@pytest.fixture
def server(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.ScriptedServer"}}
    ScriptedServer.down, ScriptedServer.refuse, ScriptedServer.delivered = False, {}, []
    return ScriptedServer


def queue(to: str, subject: str) -> OutboxEmail:
    email = queue_test_mail(to)
    OutboxEmail.objects.filter(pk=email.pk).update(subject=subject)
    return email


def state(email: OutboxEmail) -> OutboxEmail:
    email.refresh_from_db()
    return email


def test_mails_to_one_address_go_out_in_the_order_they_were_queued(server, worker, time_machine):
    time_machine.move_to(START, tick=False)
    server.refuse = {"alice@example.org": 452}  # her mailbox is full: try again later
    first = queue("alice@example.org", "1")
    worker()
    assert state(first).attempts == 1 and state(first).status == OutboxEmail.Status.PENDING

    # Her mailbox has room again, but the first mail's retry is a minute away. The second,
    # to the same mailbox however spelt, waits for it; a mail to someone else does not.
    server.refuse = {}
    time_machine.move_to(START + timedelta(seconds=10), tick=False)
    second = queue("Alice@Example.ORG", "2")
    other = queue("bob@example.org", "autre")
    time_machine.move_to(START + timedelta(seconds=11), tick=False)
    worker()
    assert state(other).status == OutboxEmail.Status.SENT
    assert state(second).attempts == 0

    time_machine.move_to(START + timedelta(minutes=2), tick=False)
    worker()
    assert [subject for _, subject in server.delivered] == ["autre", "1", "2"]
    assert state(second).status == OutboxEmail.Status.SENT


def test_the_next_mail_to_an_address_goes_as_soon_as_the_older_one_is_sent(
    server, worker, time_machine
):
    emails = []
    for i in range(3):  # queued a millisecond apart (a frozen clock would tie them)
        time_machine.move_to(START + timedelta(milliseconds=i), tick=False)
        emails.append(queue("alice@example.org", str(i + 1)))
    first, second, third = emails
    worker()  # one run, no time moved: each wakes the next
    assert [subject for _, subject in server.delivered] == ["1", "2", "3"]
    assert {state(email).status for email in (first, second, third)} == {"sent"}


def test_a_queue_held_by_an_outage_drains_when_the_server_answers_again(
    server, worker, time_machine
):
    time_machine.move_to(START, tick=False)
    server.down = True
    held = [queue(f"usager{i}@example.org", str(i)) for i in range(3)]
    for minutes in (0, 1, 3, 7, 15):  # the backoff: 1, 2, 4, 8 minutes…
        time_machine.move_to(START + timedelta(minutes=minutes, seconds=1), tick=False)
        worker()
    assert {state(email).attempts for email in held} == {5}
    assert all(state(email).waiting_for_server for email in held)
    retry_at = state(held[0]).next_attempt_at
    assert retry_at - (START + timedelta(minutes=15)) >= timedelta(minutes=15)

    # Back: a new mail goes through, and the held ones follow at once, not in 16 minutes.
    server.down = False
    time_machine.move_to(START + timedelta(minutes=16), tick=False)
    queue("nouveau@example.org", "nouveau")
    worker()
    assert server.delivered[0][1] == "nouveau"
    assert sorted(subject for _, subject in server.delivered[1:]) == ["0", "1", "2"]
    assert {state(email).status for email in held} == {"sent"}
    assert not OutboxEmail.objects.filter(waiting_for_server=True).exists()


def test_a_mail_refused_by_its_own_recipient_is_not_woken_by_others(server, worker, time_machine):
    time_machine.move_to(START, tick=False)
    server.refuse = {"plein@example.org": 452}  # mailbox full: temporary, its own problem
    full = queue("plein@example.org", "x")
    worker()
    assert not state(full).waiting_for_server
    queue("bob@example.org", "y")
    worker()
    assert state(full).attempts == 1  # left to its backoff


def test_an_address_refused_for_good_is_abandoned_at_once_and_frees_the_next(
    server, worker, time_machine
):
    time_machine.move_to(START, tick=False)
    server.refuse = {"inconnu@example.org": 550}
    refused = queue("inconnu@example.org", "1")
    following = queue("inconnu@example.org", "2")
    worker()
    refused = state(refused)
    assert refused.status == OutboxEmail.Status.DEAD
    assert refused.attempts == 1
    assert refused.last_error.startswith("SMTPRecipientsRefused")
    assert state(following).status == OutboxEmail.Status.DEAD  # refused too, not blocked


@pytest.mark.parametrize(
    ("error", "unreachable", "for_good"),
    [
        (ConnectionRefusedError(111, "refused"), True, False),
        (TimeoutError("timed out"), True, False),
        (smtplib.SMTPServerDisconnected("closed"), True, False),
        (smtplib.SMTPConnectError(421, b"busy"), True, False),
        (smtplib.SMTPDataError(421, b"closing"), True, False),
        (smtplib.SMTPDataError(554, b"rejected"), False, False),
        (smtplib.SMTPSenderRefused(530, b"auth", "x@y"), False, False),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"no")}), False, True),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"later")}), False, False),
        (ValueError("a bug"), False, False),
    ],
)
def test_what_counts_as_the_server_down_and_as_a_refusal_for_good(error, unreachable, for_good):
    assert server_unreachable(error) is unreachable
    assert refused_for_good(error) is for_good


def test_a_waiting_mail_schedules_nothing_and_the_oldest_wakes_it(server, worker, time_machine):
    """No polling: during an hour's outage a waiting mail that re-queued itself multiplied
    the tasks (55 000 for 260 mails). The waiting mail's task ends; the oldest's end wakes it."""
    from django_tasks_db.models import DBTaskResult

    from mcf.domain.mailing.delivery import deliver

    time_machine.move_to(START, tick=False)
    server.down = True
    older = queue("alice@example.org", "1")
    worker()
    time_machine.move_to(START + timedelta(seconds=5), tick=False)
    newer = queue("alice@example.org", "2")
    tasks_before = DBTaskResult.objects.filter(status="READY").count()

    for _ in range(3):
        assert deliver(str(newer.pk)) == OutboxEmail.Status.PENDING
    assert DBTaskResult.objects.filter(status="READY").count() == tasks_before
    assert state(newer).attempts == 0

    server.down = False
    time_machine.move_to(state(older).next_attempt_at, tick=False)
    worker()
    assert [subject for _, subject in server.delivered] == ["1", "2"]


def test_the_oldest_mail_whose_task_was_lost_is_queued_again_by_outbox_requeue(
    server, worker, time_machine
):
    from django_tasks_db.models import DBTaskResult

    from mcf.domain.mailing.delivery import requeue_stalled

    time_machine.move_to(START, tick=False)
    older = queue("alice@example.org", "1")
    time_machine.move_to(START + timedelta(milliseconds=1), tick=False)
    queue("alice@example.org", "2")
    DBTaskResult.objects.all().delete()  # a restored database lost the task rows
    time_machine.move_to(START + timedelta(minutes=20), tick=False)
    assert requeue_stalled() == 2
    worker()
    assert [subject for _, subject in server.delivered] == ["1", "2"]
    assert state(older).status == OutboxEmail.Status.SENT

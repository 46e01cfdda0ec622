"""Delivering one outbox mail: send, or schedule a retry with exponential backoff.

Delivery is idempotent on our side: a mail is claimed under a row lock with a lease, and a
mail already SENT, DEAD or leased is left alone, so a duplicated task never sends twice from
a committed state. Each claim also enqueues a watchdog task for the end of its lease: if the
worker dies mid-send, the watchdog tries again. The only possible duplicate is a crash
between the SMTP server accepting the message and our commit; the re-send then carries the
same Message-ID.

Two rules keep an outage harmless (REL-05, issue 15 §2):
- **Order per recipient**: a mail waits while an older one to the same address is still
  queued; it is woken when that one is sent or abandoned (a reset link never arrives before
  the confirmation queued before it, even after an hour of retries).
- **Recovery**: a mail whose last try could not reach the SMTP server is tried again as soon
  as another mail goes through, not at the end of a backoff that may be an hour long.
A recipient the server refuses for good (5xx on every address) is abandoned at once: no
retry can change that answer, and the back office lists it.
"""

from __future__ import annotations

import logging
import smtplib
import socket
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mcf.core.durable_delivery import is_due, lease, retry_or_abandon
from mcf.core.logging import neutralise
from mcf.domain.mailing.models import OutboxEmail

logger = logging.getLogger("mcf.outbox")

# Transient failures worth retrying. Anything else is a bug and also retried (and logged),
# because losing a mail is worse than trying again.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, socket.timeout)


def server_unreachable(error: BaseException) -> bool:
    """The try failed before any mail could be handed over: the server refused or cut the
    connection, or timed out (smtplib's errors are OSErrors too: only these ones count)."""
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421  # « service not available, closing channel »
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def refused_for_good(error: BaseException) -> bool:
    """Every recipient refused with a permanent (5xx) answer: the address does not exist.
    Only a recipient's refusal: a relay refusing us (5xx on MAIL or DATA: its settings,
    or ours) is retried, then dead-lettered, never abandoned at once."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        500 <= code < 600 for code, _ in error.recipients.values()
    )


def _queued_to_same_address(email: OutboxEmail):
    """The other mails still queued to ``email``'s address (case ignored)."""
    return OutboxEmail.objects.filter(
        to__iexact=email.to, status=OutboxEmail.Status.PENDING
    ).exclude(pk=email.pk)


def _older_queued_to_same_address(email: OutboxEmail):
    return _queued_to_same_address(email).filter(
        Q(created_at__lt=email.created_at) | Q(created_at=email.created_at, pk__lt=email.pk)
    )


def build_message(email: OutboxEmail) -> EmailMessage:
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"Message-ID": email.message_id},
    )


def deliver(email_id: str) -> OutboxEmail.Status | None:
    """Try to send one mail. Returns its status afterwards (None if the row is gone).

    Claim, send, record: core/durable_delivery.py, with the order per address and the
    drain after an outage of this module's docstring.
    """
    from mcf.domain.mailing.tasks import deliver_email

    with transaction.atomic():
        email = OutboxEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            return None
        if not is_due(email):
            return email.status
        if _older_queued_to_same_address(email).exists():
            # Its turn comes after the older ones: the oldest, once sent or abandoned, wakes
            # the next in the same transaction (below). Nothing is scheduled here: a waiting
            # mail that polled would multiply tasks (an hour's outage queued 55 000 of them,
            # decision 0020); a task row lost with a restored database is what
            # `manage.py outbox_requeue` is for.
            return email.status
        lease(email, deliver_email)
        email.waiting_for_server = False  # in flight: not to be woken by another's success
        email.save(update_fields=["attempts", "next_attempt_at", "waiting_for_server"])

    try:
        mailers.default.send_messages([build_message(email)])
    except Exception as error:
        failure = error
    else:
        failure = None

    with transaction.atomic():
        if failure is None:
            email.status = OutboxEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            logger.info(
                "outbox sent id=%s kind=%s attempt=%s", email.pk, email.kind, email.attempts
            )
            wake_mails_held_by_the_outage()
        else:
            email.last_error = f"{type(failure).__name__}: {failure}"[:2000]
            email.waiting_for_server = server_unreachable(failure)
            if retry_or_abandon(email, deliver_email, for_good=refused_for_good(failure)):
                # The alert for operators: dead letters are listed in the back office.
                logger.error(
                    "outbox dead letter id=%s kind=%s attempts=%s error=%s",
                    email.pk,
                    email.kind,
                    email.attempts,
                    neutralise(email.last_error),
                )
            else:
                log = logger.warning if isinstance(failure, TRANSIENT_ERRORS) else logger.error
                log(
                    "outbox retry id=%s attempt=%s next=%s error=%s",
                    email.pk,
                    email.attempts,
                    email.next_attempt_at.isoformat(),
                    neutralise(email.last_error),
                )
        if email.status != OutboxEmail.Status.PENDING:
            # Sent or abandoned: a secret link is erased (AUTH-11); a mail still to retry
            # keeps its text for the next try (REL-05).
            email.redact()
            email.waiting_for_server = False
            wake_next_to_same_address(email)
        email.save(
            update_fields=[
                "status",
                "sent_at",
                "last_error",
                "next_attempt_at",
                "attempts",
                "subject",
                "body",
                "redacted_at",
                "waiting_for_server",
            ]
        )
    return email.status


def wake_next_to_same_address(email: OutboxEmail) -> None:
    """``email`` is sent or abandoned: the next mail queued to its address may go now."""
    from mcf.domain.mailing.tasks import deliver_email

    follower = (
        _queued_to_same_address(email)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if follower is not None:
        deliver_email.enqueue(str(follower))


def wake_mails_held_by_the_outage() -> int:
    """A mail went through: the server is back. The mails whose last try could not reach
    it are due now rather than at the end of their backoff. Returns how many."""
    from mcf.domain.mailing.tasks import deliver_email

    now = timezone.now()
    held = list(
        OutboxEmail.objects.select_for_update(skip_locked=True)
        .filter(waiting_for_server=True, status=OutboxEmail.Status.PENDING)
        .values_list("pk", flat=True)
    )
    if held:
        OutboxEmail.objects.filter(pk__in=held).update(
            waiting_for_server=False, next_attempt_at=now
        )
        for email_id in held:
            deliver_email.enqueue(str(email_id))
    return len(held)


def requeue_stalled(older_than: timedelta = timedelta(minutes=15)) -> int:
    """Enqueue again the pending mails whose delivery is overdue (`manage.py outbox_requeue`).

    Watchdog tasks already cover a worker killed mid-delivery; this is for lost task rows
    (a purged or restored task table). Safe to run at any time: delivery is idempotent.
    """
    from mcf.domain.mailing.tasks import deliver_email

    overdue = OutboxEmail.objects.filter(
        status=OutboxEmail.Status.PENDING, next_attempt_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    count = 0
    with transaction.atomic():
        for email_id in overdue:
            deliver_email.enqueue(str(email_id))
            count += 1
    return count


def retry_dead_letter(email: OutboxEmail) -> bool:
    """Back-office action: give a dead-lettered mail a fresh series of tries.

    Not for a mail whose text was erased (it held a secret link, AUTH-11): there is nothing
    left to send, and its addressee asks again (docs/decisions/0010). Returns whether the
    mail was put back in the queue.
    """
    from mcf.domain.mailing.tasks import deliver_email

    if email.redacted_at is not None:
        return False
    with transaction.atomic():
        email.status = OutboxEmail.Status.PENDING
        email.attempts = 0
        email.next_attempt_at = timezone.now()
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
        deliver_email.enqueue(str(email.pk))
    return True

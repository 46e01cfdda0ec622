"""Queueing e-mails. The only way the portal sends mail."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from mcf.core.dates import TWELVE_MONTHS
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.mailing.secret_links import secret_links


def _message_id(email_id: uuid.UUID) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">").strip() or "localhost"
    return f"<{email_id}@{domain}>"


def queue_email(
    *,
    to: str,
    template: str,
    context: dict | None = None,
    kind: str,
    reply_to: str = "",
    sensitive: bool = False,
) -> OutboxEmail:
    """Write a mail to the outbox and enqueue its delivery, atomically.

    Must be called inside the transaction of the change that causes the mail; nothing is
    sent if that transaction rolls back. ``template`` names a text template whose first line
    is the subject; ``SITE_URL`` is always in its context (links never come from the Host
    header).

    ``sensitive``: the mail holds a secret (a confirmation, reset or e-mail change link):
    its text is erased once it is sent or abandoned, and the back office masks the link
    meanwhile (AUTH-11). A mail found holding a link to a token route is treated so even
    if undeclared (a typed text may hold one: « Nous contacter »); the declaration covers a
    secret that is not a link, and tests/domain/mailing/test_secret_mails.py checks every
    sender of a token link declares it.
    """
    from mcf.domain.mailing.tasks import deliver_email

    rendered = render_to_string(template, {"SITE_URL": settings.SITE_URL, **(context or {})})
    subject, _, body = rendered.lstrip().partition("\n")
    email_id = uuid.uuid4()
    with transaction.atomic():
        email = OutboxEmail.objects.create(
            id=email_id,
            message_id=_message_id(email_id),
            to=to,
            reply_to=reply_to,
            subject=subject.strip(),
            body=body.strip() + "\n",
            kind=kind,
            sensitive=sensitive or bool(secret_links(rendered)),
        )
        deliver_email.enqueue(str(email.id))
    return email


def purge_old_mails(*, now: datetime | None = None) -> int:
    """PRIV-04: delete the mails sent, or abandoned, more than 12 months ago (who was written
    to, and when, is an access log); queued ones are never touched. A mail's secret link was
    already erased when it was sent or abandoned (OutboxEmail.redact). Returns how many."""
    cutoff = (now or timezone.now()) - TWELVE_MONTHS
    deleted, _ = OutboxEmail.objects.filter(
        Q(status=OutboxEmail.Status.SENT, sent_at__lt=cutoff)
        | Q(status=OutboxEmail.Status.DEAD, created_at__lt=cutoff)
    ).delete()
    return deleted

"""Write path of « Nous contacter »."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mcf.core.dates import TWELVE_MONTHS
from mcf.domain.contact.models import ContactMessage
from mcf.domain.mailing.actions import queue_email


def submit_contact_message(
    *, full_name: str, email: str, topic: str, message: str
) -> ContactMessage:
    """Store a contact message and queue two mails, in one transaction.

    Checks: nothing beyond the form's validation (the view throttles per IP and per address).
    Writes: one ContactMessage. Sends: the message to the service's address (reply-to the
    sender) and an acknowledgement to the sender.
    """
    with transaction.atomic():
        contact = ContactMessage.objects.create(
            full_name=full_name, email=email, topic=topic, message=message
        )
        context = {"contact": contact}
        queue_email(
            to=settings.CONTACT_EMAIL,
            reply_to=email,
            template="mailing/contact_to_service.txt",
            context=context,
            kind="contact",
        )
        queue_email(
            to=email,
            template="mailing/contact_acknowledgement.txt",
            context=context,
            kind="contact_accuse",
        )
    return contact


def purge_old_contact_messages(*, now: datetime | None = None) -> int:
    """PRIV-04: delete the messages received more than 12 months ago (answered by mail long
    before; the answer is not kept here). Returns how many."""
    cutoff = (now or timezone.now()) - TWELVE_MONTHS
    deleted, _ = ContactMessage.objects.filter(created_at__lt=cutoff).delete()
    return deleted

"""The e-mail outbox: every mail the portal sends is first a row here.

The row is written in the same transaction as the change that caused it, together with the
delivery task (django-tasks-db stores tasks in the same database). A rolled-back change
therefore leaves no mail, and a committed one always has a mail to deliver, even if SMTP is
down or the process dies right after the commit.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from mcf.domain.mailing.secret_links import mask_secret_links

# What the outbox keeps of a mail that carried a secret link once it is sent or abandoned
# (AUTH-11, docs/decisions/0010-secret-links-in-the-outbox.md).
REDACTED_BODY = (
    "Texte effacé : ce courriel contenait un lien personnel à usage unique (confirmation "
    "d'inscription, choix d'un nouveau mot de passe ou changement d'adresse électronique). "
    "Son texte est effacé dès que le courriel est envoyé ou abandonné, pour que personne "
    "d'autre que son destinataire ne puisse se servir de ce lien.\n"
)


class OutboxEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "À envoyer"
        SENT = "sent", "Envoyé"
        DEAD = "dead", "Abandonné (trop d'échecs)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Stable across retries, so a re-send after a crash is recognisable (REL-05).
    message_id = models.CharField(max_length=255, unique=True, editable=False)
    to = models.EmailField("destinataire", max_length=254)
    reply_to = models.EmailField("répondre à", max_length=254, blank=True)
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("texte")
    # A short label telling which feature sent the mail (contact, inscription…).
    kind = models.CharField("type", max_length=50)
    # The text holds a secret link: declared by the sender (queue_email(sensitive=True)),
    # or found by queue_email.
    sensitive = models.BooleanField("lien personnel", default=False, editable=False)
    redacted_at = models.DateTimeField("texte effacé le", null=True, blank=True, editable=False)

    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    last_error = models.TextField("dernière erreur", blank=True)
    # The last try could not reach the SMTP server (refused, cut, timed out): tried again
    # as soon as another mail goes through, instead of at the end of its backoff, so a
    # queue held back by an outage drains when the server is back. False while a try is
    # in flight (a leased mail is never woken: it would be sent twice).
    waiting_for_server = models.BooleanField("serveur de courriel injoignable", default=False)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "courriel (file d'envoi)"
        verbose_name_plural = "courriels (file d'envoi)"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # Mails to one address go out in the order they were queued (delivery.py).
            models.Index(
                Upper("to"),
                "created_at",
                condition=Q(status="pending"),
                name="outbox_pending_by_recipient",
            ),
            models.Index(
                fields=["waiting_for_server"],
                condition=Q(waiting_for_server=True),
                name="outbox_waiting_for_server",
            ),
        ]

    def __str__(self) -> str:
        return f"{mask_secret_links(self.subject)} → {self.to} ({self.get_status_display()})"

    def redact(self) -> None:
        """Erase the text of a mail that carried a secret link (its subject, recipient,
        Message-ID, state and attempts stay). Only once it is sent or abandoned: until then
        a re-send needs its text (REL-05). The caller saves the row."""
        if self.status == self.Status.PENDING:
            raise ValueError("a queued mail still needs its text")
        if self.sensitive and self.redacted_at is None:
            self.subject = mask_secret_links(self.subject)  # a typed name may hold one
            self.body = REDACTED_BODY
            self.redacted_at = timezone.now()


class DevMailboxMessage(models.Model):
    """A mail 'delivered' to the development mailbox (DEBUG without EMAIL_URL).

    Plays the part of Mailpit for a newcomer: the page /dev/courriels/ lists these so that a
    confirmation link can be clicked without any mail server.
    """

    message_id = models.CharField(max_length=255)
    to = models.TextField()
    from_email = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "courriel de la boîte de développement"

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

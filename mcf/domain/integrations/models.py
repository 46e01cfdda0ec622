"""API clients and webhooks of the professional space's organisations."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

# The scopes a client may be given (docs/api.md). « instruire » includes reading. Their one
# owner is the OAuth server's setting, which django-oauth-toolkit reads too.
SCOPES: dict[str, str] = settings.OAUTH2_PROVIDER["SCOPES"]


class ApiClient(models.Model):
    """One information system of an organisation, known to the OAuth server as an
    ``Application`` (confidential, client credentials). Its secret is shown once at
    creation; the toolkit keeps only its hash."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="api_clients"
    )
    name = models.CharField("nom", max_length=100)
    # Null once revoked: the toolkit's application and its tokens are deleted then.
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="api_client",
    )
    client_id = models.CharField("identifiant du client", max_length=100, unique=True)
    scopes = models.CharField("portées", max_length=200)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "client API"
        verbose_name_plural = "clients API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class WebhookEndpoint(models.Model):
    """An HTTPS address of an organisation that receives its dossiers' events, signed with
    a secret derived from the server's key (never stored: mcf/domain/integrations/
    webhooks.py)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="webhooks"
    )
    url = models.URLField("adresse", max_length=500)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("supprimé le", null=True, blank=True)

    class Meta:
        verbose_name = "webhook"
        verbose_name_plural = "webhooks"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event posted to one endpoint: its body as signed, and its delivery's fate
    (the delivery log of the professional space)."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENT = "sent", "Remis"
        DEAD = "dead", "Abandonné"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField("événement", max_length=50)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, null=True, related_name="+"
    )
    body = models.TextField("contenu")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField("remis le", null=True, blank=True)

    class Meta:
        verbose_name = "envoi de webhook"
        verbose_name_plural = "envois de webhooks"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_log")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"

"""Creating and revoking API clients (the administrateur principal's acts, professional
space). Each act is logged as a security event, never with the secret."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken

from mcf.core.logging import security_event
from mcf.domain.integrations.models import SCOPES, ApiClient

NAME_MAX = 100


class IntegrationError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


def create_api_client(
    organisation, *, name: str, scopes: list[str], by, now: datetime | None = None
) -> tuple[ApiClient, str]:
    """A new client of ``organisation``: returns it and its secret, the only time the
    secret exists in clear (the toolkit stores its hash)."""
    name = " ".join(name.split())[:NAME_MAX]
    if not name:
        raise IntegrationError("Donnez un nom au client (par exemple : « SI gestion »).", "name")
    if not scopes or not set(scopes) <= set(SCOPES):
        raise IntegrationError("Choisissez au moins une portée de la liste.", "scopes")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        application = Application.objects.create(
            name=f"{organisation.name} — {name}"[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            skip_authorization=True,
        )
        client = ApiClient.objects.create(
            organisation=organisation,
            name=name,
            application=application,
            client_id=application.client_id,
            scopes=" ".join(sorted(set(scopes))),
            created_by=by,
            created_at=now or timezone.now(),
        )
    security_event(
        "api_client", outcome="created", client=client.client_id, organisation=organisation.pk
    )
    return client, secret


def revoke_api_client(client: ApiClient, *, by, now: datetime | None = None) -> None:
    """Effective at once: its application and every token of it are deleted."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            return
        if client.application_id is not None:
            RefreshToken.objects.filter(application_id=client.application_id).delete()
            AccessToken.objects.filter(application_id=client.application_id).delete()
            Application.objects.filter(pk=client.application_id).delete()
        client.revoked_at, client.revoked_by = now or timezone.now(), by
        client.application = None
        client.save(update_fields=["revoked_at", "revoked_by", "application"])
    security_event("api_client", outcome="revoked", client=client.client_id)

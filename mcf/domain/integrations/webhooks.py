"""Webhooks: an organisation's dossiers' events posted to its HTTPS addresses, signed.

- **Signature** (docs/api.md): header ``MCF-Signature: t=<unix time>,v1=<hex>``, where
  ``v1`` is HMAC-SHA256 over ``"<t>.<body>"`` with the endpoint's secret. The receiver
  recomputes it and refuses a ``t`` more than ``REPLAY_WINDOW`` away from its clock. The
  secret is derived from the server's key and the endpoint's id, never stored: a copy of
  the database signs nothing. It is shown once, when the address is registered.
- **Delivery**: one ``WebhookDelivery`` row per event and endpoint, written in the
  transaction of the dossier's transition, then delivered by the task worker like the
  outbox's mails (core/durable_delivery.py: claim with a lease, post, record with an
  exponential backoff; dead after ``OUTBOX_MAX_ATTEMPTS``). « Renvoyer » starts a fresh
  series.
- **Addresses**: HTTPS only; a name that resolves to a private, loopback or link-local
  address is refused at registration and again at every delivery (SSRF), unless
  ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` (the demo's local receiver, DEBUG).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mcf.core.durable_delivery import is_due, lease, retry_or_abandon
from mcf.core.logging import neutralise
from mcf.domain.integrations.actions import IntegrationError
from mcf.domain.integrations.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("mcf.webhooks")

SIGNATURE_HEADER = "MCF-Signature"
REPLAY_WINDOW = timedelta(minutes=5)
ENDPOINTS_MAX = 5


# ----- Secrets and signatures -----------------------------------------------------------------


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    key = hashlib.sha256(("webhook-secret:" + settings.SECRET_KEY).encode()).digest()
    return "whsec_" + hmac.new(key, str(endpoint.public_id).encode(), hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does (the demo's receiver and the tests use it)."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > REPLAY_WINDOW.total_seconds():
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, header)


# ----- Addresses -------------------------------------------------------------------------------


def _public_address(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return False
    return bool(infos)


def check_url(url: str) -> str:
    """The address as it will be used, or IntegrationError with a French message."""
    url = url.strip()
    parts = urlsplit(url)
    private_allowed = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES
    if parts.scheme != "https" and not (private_allowed and parts.scheme == "http"):
        raise IntegrationError("L'adresse doit commencer par https://.", "url")
    if not parts.hostname or parts.username or parts.password or len(url) > 500:
        raise IntegrationError(
            "Cette adresse n'est pas valable : par exemple https://si.exemple.fr/mcf.", "url"
        )
    if not private_allowed and not _public_address(parts.hostname):
        raise IntegrationError(
            "Cette adresse ne mène pas à un serveur public joignable : vérifiez-la.", "url"
        )
    return url


def register_endpoint(organisation, url: str, *, by) -> tuple[WebhookEndpoint, str]:
    url = check_url(url)
    if organisation.webhooks.filter(revoked_at=None).count() >= ENDPOINTS_MAX:
        raise IntegrationError(f"{ENDPOINTS_MAX} adresses au plus : supprimez-en une.", "url")
    endpoint = WebhookEndpoint.objects.create(organisation=organisation, url=url, created_by=by)
    return endpoint, endpoint_secret(endpoint)


def remove_endpoint(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )


# ----- Events ------------------------------------------------------------------------------------


def event_body(event: str, dossier, *, transition: dict, at: datetime, event_id) -> str:
    """The posted JSON: what happened and to which dossier (its number, state, version);
    no identity. The receiver reads the rest through the API."""
    return json.dumps(
        {
            "id": str(event_id),
            "type": event,
            "cree_le": at.isoformat(),
            "dossier": {
                "id": str(dossier.public_id),
                "numero": dossier.number_display,
                "etat": dossier.state,
                "version": dossier.version,
            },
            "transition": transition,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def queue_dossier_event(dossier, *, name: str, source: str, motif: str, at: datetime) -> int:
    """Inside the transition's transaction: one delivery per active endpoint of the
    dossier's financeur, when the dossier is one its work list shows (a draft cancelled
    before it was ever sent concerns no financeur: ``queries.concerns_financeur``)."""
    from mcf.domain.dossiers.queries import concerns_financeur
    from mcf.domain.integrations.tasks import deliver_webhook

    if not concerns_financeur(dossier):
        return 0
    endpoints = list(
        WebhookEndpoint.objects.filter(organisation_id=dossier.financeur_id, revoked_at=None)
    )
    event = f"dossier.{name}"
    transition = {"nom": name, "de": source, "vers": dossier.state, "motif": motif}
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=event, dossier=dossier, created_at=at)
        delivery.body = event_body(
            event, dossier, transition=transition, at=at, event_id=delivery.id
        )
        delivery.save()
        deliver_webhook.enqueue(str(delivery.id))
    return len(endpoints)


# ----- Delivery ----------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer, not a hop to another (maybe private) host


_opener = urllib.request.build_opener(_NoRedirect)


def post(delivery: WebhookDelivery) -> int:
    """POST the delivery's body, signed now. Returns the HTTP status; raises on network
    failure or a refused address."""
    endpoint = delivery.endpoint
    check_url(endpoint.url)  # the name may resolve elsewhere since registration
    body = delivery.body.encode()
    # https only (http to this machine for the demo), as check_url made sure just above.
    request = urllib.request.Request(  # noqa: S310
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "MonCompteFormation-Webhooks/1",
            SIGNATURE_HEADER: signature(endpoint_secret(endpoint), int(time.time()), body),
            "MCF-Event": delivery.event,
            "MCF-Delivery": str(delivery.id),
        },
    )
    try:
        timeout = settings.WEBHOOK_TIMEOUT_SECONDS
        with _opener.open(request, timeout=timeout) as response:  # scheme: check_url  # nosec B310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def deliver(delivery_id: str) -> WebhookDelivery.Status | None:
    """Claim, post, record (core/durable_delivery.py): a duplicated task never posts twice
    from a committed state, and a worker killed mid-post is covered by the lease's
    watchdog task."""
    from mcf.domain.integrations.tasks import deliver_webhook

    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        if not is_due(delivery):
            return delivery.status
        if delivery.endpoint.revoked_at is not None:
            delivery.status, delivery.last_error = WebhookDelivery.Status.DEAD, "Adresse supprimée."
            delivery.save(update_fields=["status", "last_error"])
            return delivery.status
        lease(delivery, deliver_webhook)
        delivery.save(update_fields=["attempts", "next_attempt_at"])

    status, failure = None, ""
    try:
        status = post(delivery)
    except IntegrationError as error:
        failure = error.message
    except Exception as error:  # network, TLS, timeout: retried
        failure = f"{type(error).__name__}: {error}"
    ok = status is not None and 200 <= status < 300
    if status is not None and not ok:
        failure = f"Réponse HTTP {status}"

    with transaction.atomic():
        delivery.last_status_code, delivery.last_error = status, failure[:500]
        if ok:
            delivery.status, delivery.delivered_at = WebhookDelivery.Status.SENT, timezone.now()
        elif retry_or_abandon(delivery, deliver_webhook):
            logger.error("webhook dead id=%s error=%s", delivery.pk, neutralise(failure))
        else:
            logger.warning(
                "webhook retry id=%s attempt=%s error=%s",
                delivery.pk,
                delivery.attempts,
                neutralise(failure),
            )
        delivery.save(
            update_fields=[
                "status",
                "delivered_at",
                "last_status_code",
                "last_error",
                "next_attempt_at",
            ]
        )
    return delivery.status


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """« Renvoyer »: the same event (same id, so the receiver can de-duplicate) posted again
    from a fresh series of tries, signed with a new time."""
    from mcf.domain.integrations.tasks import deliver_webhook

    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        deliver_webhook.enqueue(str(delivery.pk))
    delivery.refresh_from_db()
    return delivery

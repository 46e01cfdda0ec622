"""Registration of a holder and activation of his account (the seed's tutorial, AUTH-10/11).

Write paths:
- ``register_holder``: step 3 of the wizard. Either a pending registration + the confirmation
  mail, or — if the NIR already has an account — a notice to the address on file. The caller
  shows the same page in both cases (no enumeration).
- ``confirm_registration``: the POST of the confirmation page. Creates the account and
  attaches it to the hours counter of the NIR.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mcf.core.logging import security_event
from mcf.domain.accounts.models import PendingRegistration, User
from mcf.domain.hours.models import Counter
from mcf.domain.identity.nir import Nir
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.domain.mailing.actions import queue_email

# The seed: « le lien restera actif durant 15 jours ».
CONFIRMATION_LINK_VALIDITY = timedelta(days=15)


@dataclass(frozen=True)
class RegistrationData:
    nir: Nir
    civility: str
    first_name: str
    birth_name: str
    landline: str
    mobile: str
    email: str
    apprenticeship_declared: bool
    password_hash: str  # already hashed: the password in clear never reaches the domain
    cgu_version: str
    cgu_accepted_at: datetime


# What a registration sets on the account (also when it reopens a closed space).
REGISTERED_FIELDS = (
    "civility",
    "first_name",
    "birth_name",
    "landline",
    "mobile",
    "email",
    "apprenticeship_declared",
    "cgu_version",
    "cgu_accepted_at",
)


def _closed_by_holder(user: User) -> bool:
    """Closed by its holder, hence reopenable by registering again (an account disabled by
    an operator has no closed_at and stays disabled)."""
    return not user.is_active and user.closed_at is not None


class RegistrationLinkError(Exception):
    """The confirmation link cannot be used. ``code``: unknown, used or expired."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_url(token: str) -> str:
    return settings.SITE_URL + reverse("titulaire:registration_confirm", args=[token])


def register_holder(data: RegistrationData, *, now: datetime | None = None) -> str | None:
    """Record a registration and queue its mail, in one transaction.

    Returns the link's token (None when the NIR already has an account); the web layer
    ignores it (the holder gets it by mail), the demo data uses it.

    Checks: nothing the form has not checked; the NIR's existing account decides the branch.
    Writes: a PendingRegistration (older pending ones for the same NIR are deleted, so their
    links stop working), or nothing if an account exists. Sends: the confirmation link to
    the typed address, or a « someone tried to register » notice to the address on file.
    """
    now = now or timezone.now()
    nir_hash = nir_lookup_hash(data.nir)
    with transaction.atomic():
        existing = (
            User.objects.filter(nir_hash=nir_hash)
            .only("email", "first_name", "public_id", "is_active", "closed_at")
            .first()
        )
        # A space its holder closed is reopened by a new registration (docs/decisions/0006).
        if existing is not None and not _closed_by_holder(existing):
            queue_email(
                to=existing.email,
                template="accounts/mails/registration_attempt_on_existing_account.txt",
                context={
                    "user": existing,
                    "login_url": settings.SITE_URL + reverse("titulaire:login"),
                },
                kind="inscription_compte_existant",
            )
            security_event("registration", outcome="existing_account", user=existing.public_id)
            return None
        PendingRegistration.objects.filter(nir_hash=nir_hash, used_at__isnull=True).delete()
        token = secrets.token_urlsafe(32)
        pending = PendingRegistration.objects.create(
            nir_hash=nir_hash,
            nir=data.nir.value,
            civility=data.civility,
            first_name=data.first_name,
            birth_name=data.birth_name,
            landline=data.landline,
            mobile=data.mobile,
            email=data.email,
            apprenticeship_declared=data.apprenticeship_declared,
            password_hash=data.password_hash,
            cgu_version=data.cgu_version,
            cgu_accepted_at=data.cgu_accepted_at,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + CONFIRMATION_LINK_VALIDITY,
        )
        queue_email(
            to=data.email,
            template="accounts/mails/registration_confirmation.txt",
            context={"pending": pending, "confirmation_url": confirmation_url(token)},
            kind="inscription_confirmation",
            sensitive=True,  # a secret link (AUTH-11)
        )
    security_event("registration", outcome="pending", registration=pending.pk)
    return token


def find_usable_registration(token: str, *, now: datetime | None = None) -> PendingRegistration:
    """The pending registration of a link, or RegistrationLinkError. Changes nothing (GET)."""
    now = now or timezone.now()
    pending = PendingRegistration.objects.filter(token_hash=_token_hash(token)).first()
    if pending is None:
        raise RegistrationLinkError("unknown")
    if pending.used_at is not None:
        raise RegistrationLinkError("used")
    if now > pending.expires_at:
        raise RegistrationLinkError("expired")
    return pending


def confirm_registration(token: str, *, now: datetime | None = None) -> User:
    """Activate the account of a confirmation link (single use).

        Checks: the link exists, is unused and younger than 15 days, and no account exists for
        the NIR (a race between two links of the same NIR) — except a space closed by its holder,
    which is reopened with the new details (the counter is already attached). Writes: the User
    (active), the
        hours counter of the NIR if the yearly feed has not created it yet, and its link to the
        user; marks the registration used; two history entries (registered, activated).
        Sends: nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        pending = (
            PendingRegistration.objects.select_for_update()
            .filter(token_hash=_token_hash(token))
            .first()
        )
        if pending is None:
            raise RegistrationLinkError("unknown")
        if pending.used_at is not None:
            raise RegistrationLinkError("used")
        if now > pending.expires_at:
            raise RegistrationLinkError("expired")
        pending.used_at = now
        pending.save(update_fields=["used_at"])
        closed = User.objects.select_for_update().filter(nir_hash=pending.nir_hash).first()
        if closed is not None and not _closed_by_holder(closed):
            raise RegistrationLinkError("used")
        user = closed or User(
            username=f"titulaire-{uuid.uuid4().hex}",
            kind=User.Kind.TITULAIRE,
            nir_hash=pending.nir_hash,
            nir=pending.nir,
        )
        for field in REGISTERED_FIELDS:
            setattr(user, field, getattr(pending, field))
        user.password = pending.password_hash
        user.activated_at, user.is_active, user.closed_at = now, True, None
        user.save()
        if closed is not None:
            journal.record(user, Action.REGISTERED, at=pending.created_at)
            journal.record(user, Action.ACCOUNT_REOPENED, at=now)
            security_event("registration.confirm", outcome="reopened", user=user.public_id)
            return user
        counter, _ = Counter.objects.select_for_update().get_or_create(nir_hash=pending.nir_hash)
        counter.holder = user
        counter.save(update_fields=["holder"])
        journal.record(user, Action.REGISTERED, at=pending.created_at)
        journal.record(user, Action.ACTIVATED, at=now)
    security_event("registration.confirm", outcome="activated", user=user.public_id)
    return user


def purge_expired_registrations(*, now: datetime | None = None) -> int:
    """Delete every registration whose 15-day link has expired, used or not."""
    now = now or timezone.now()
    deleted, _ = PendingRegistration.objects.filter(expires_at__lt=now).delete()
    return deleted

"""Change of the e-mail address (AUTH-14, domain.md §8).

- ``request_email_change`` (after a recent password, SESS-05): a single-use link valid
  ``EMAIL_CHANGE_LINK_VALIDITY`` goes to the NEW address through the outbox. The address on
  file does not change: password-reset links and notices still go to the old one.
- ``confirm_email_change`` (the POST of the link's page; its GET changes nothing, so a mail
  scanner cannot use it): the address changes, the OLD address is told, the history says so.

The token is 256 bits (``secrets``), stored as a SHA-256 hash; a newer request deletes the
older one, whose link then stops working.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mcf.core.logging import security_event
from mcf.domain.accounts.models import EmailChangeRequest, User
from mcf.domain.accounts.registration import _token_hash
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.domain.mailing.actions import queue_email

# The holder is waiting for it; a day covers a slow mailbox and the outbox's retries.
EMAIL_CHANGE_LINK_VALIDITY = timedelta(hours=24)


class EmailChangeError(Exception):
    """``code``: same (the address on file), unknown, used, expired."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def email_change_url(token: str) -> str:
    return settings.SITE_URL + reverse("titulaire:email_change_confirm", args=[token])


def pending_email_change(user: User, *, now: datetime | None = None) -> EmailChangeRequest | None:
    now = now or timezone.now()
    return (
        EmailChangeRequest.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )


def request_email_change(user: User, new_email: str, *, now: datetime | None = None) -> str:
    """Record the request and mail its link to ``new_email``; returns the token.

    Checks: the new address differs from the one on file (EmailChangeError("same")).
    Writes: an EmailChangeRequest (older pending ones of the user deleted), a history entry.
    Sends: the confirmation link, to the new address only.
    """
    now = now or timezone.now()
    if new_email.casefold() == user.email.casefold():
        raise EmailChangeError("same")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        EmailChangeRequest.objects.filter(user=user, used_at__isnull=True).delete()
        change = EmailChangeRequest.objects.create(
            user=user,
            new_email=new_email,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + EMAIL_CHANGE_LINK_VALIDITY,
        )
        queue_email(
            to=new_email,
            template="accounts/mails/email_change_confirmation.txt",
            context={"user": user, "change": change, "confirm_url": email_change_url(token)},
            kind="courriel_confirmation",
            sensitive=True,  # a secret link (AUTH-11)
        )
        journal.record(user, Action.EMAIL_CHANGE_REQUESTED, at=now)
    security_event("email_change.request", outcome="mail_queued", user=user.public_id)
    return token


def _check_usable(change: EmailChangeRequest | None, now: datetime) -> EmailChangeRequest:
    if change is None or not change.user.is_active:
        raise EmailChangeError("unknown")
    if change.used_at is not None:
        raise EmailChangeError("used")
    if now >= change.expires_at:
        raise EmailChangeError("expired")
    return change


def find_usable_email_change(token: str, *, now: datetime | None = None) -> EmailChangeRequest:
    """The request of a link, or EmailChangeError. Changes nothing (the GET of the link)."""
    change = (
        EmailChangeRequest.objects.select_related("user")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    return _check_usable(change, now or timezone.now())


def confirm_email_change(token: str, *, now: datetime | None = None) -> User:
    """Use a link: the address on file becomes the new one (single use).

    Writes: the user's e-mail (which also voids his pending password-reset links: Django's
    token covers the address), the request marked used, a history entry. Sends: a notice
    to the OLD address, so a holder whose address was changed by someone else learns it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        change = _check_usable(
            EmailChangeRequest.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=_token_hash(token))
            .first(),
            now,
        )
        user = change.user
        old_email = user.email
        change.used_at = now
        change.save(update_fields=["used_at"])
        user.email = change.new_email
        user.save(update_fields=["email"])
        journal.record(user, Action.EMAIL_CHANGED, at=now)
        queue_email(
            to=old_email,
            template="accounts/mails/email_changed_notice.txt",
            context={"user": user},
            kind="courriel_modifie",
        )
    security_event("email_change.confirm", outcome="success", user=user.public_id)
    return user


def purge_expired_email_changes(*, now: datetime | None = None) -> int:
    """PRIV-04: delete the requests whose 24-hour link has expired, used or not (the new
    address, if it was confirmed, is on the account); returns how many."""
    now = now or timezone.now()
    deleted, _ = EmailChangeRequest.objects.filter(expires_at__lt=now).delete()
    return deleted

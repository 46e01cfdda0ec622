"""« Mot de passe oublié » (AUTH-12).

- ``request_password_reset``: same outcome *and the same work* whatever the NIR. The request
  only enqueues ``send_password_reset_link`` with the keyed hash of what was typed
  (``typed_nir_lookup_hash``: never the NIR, and no branch on its validity); the worker then
  looks the account up and, if an active holder has that NIR, queues a single-use link
  valid 1 hour to the address on file through the outbox, and records it in the history.
  Before that, the known NIR's request wrote the outbox and the history itself and answered
  about 3 ms slower than an unknown one (issue 12); a malformed NIR, with no lookup at all,
  answered 9 ms faster still.
- ``reset_password``: sets the new password (the form has applied the policy), which ends
  every session of the account (Django checks the password hash stored in each session),
  clears the login delay and notifies the holder. No automatic login.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mcf.core.logging import security_event
from mcf.domain.accounts.authentication import clear_login_throttle
from mcf.domain.accounts.models import User
from mcf.domain.accounts.password_rules import refuse_unchanged_password
from mcf.domain.identity.protection import typed_nir_lookup_hash
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.actions import queue_email


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's HMAC token: bound to the password hash and the last login, so it stops
    working once used. Valid PASSWORD_RESET_TIMEOUT seconds (1 hour in our settings)."""

    key_salt = "mcf.domain.accounts.password_reset"


reset_tokens = ResetTokenGenerator()


# Two requests for one holder this close together are one request posted twice.
REPEAT_WINDOW = timedelta(seconds=60)


def reset_url(user: User) -> str:
    return settings.SITE_URL + reverse(
        "titulaire:password_reset_confirm", args=[user.public_id, reset_tokens.make_token(user)]
    )


def request_password_reset(identifier: str, *, now: datetime | None = None) -> None:
    """Have the reset link sent if the identifier is an active holder's NIR; else nothing.

    Writes: one task row, the same for every identifier (valid, unknown or malformed NIR).
    """
    from mcf.domain.accounts.tasks import send_password_reset_link

    requested_at = (now or timezone.now()).isoformat()
    send_password_reset_link.enqueue(typed_nir_lookup_hash(identifier), requested_at)


def send_reset_link(nir_hash: str, *, requested_at: datetime) -> str:
    """The worker's part of a request: the link to the holder whose NIR has ``nir_hash``.

    Writes: if an active holder has it, the reset mail (outbox) and a history entry dated
    ``requested_at``, in one transaction. Returns the outcome (logged by the task).
    """
    user = User.objects.filter(nir_hash=nir_hash, kind=User.Kind.TITULAIRE, is_active=True).first()
    if user is None:
        security_event("password_reset.request", outcome="no_account")
        return "no_account"
    with transaction.atomic():
        # A form posted twice (double click, retry, two workers) sends one link (REL-04):
        # the holder's row is locked, and a request made within REPEAT_WINDOW of one
        # already answered is the same request.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if JournalEntry.objects.filter(
            holder=user,
            action=Action.PASSWORD_RESET_REQUESTED,
            occurred_at__gt=requested_at - REPEAT_WINDOW,
            occurred_at__lt=requested_at + REPEAT_WINDOW,
        ).exists():
            security_event("password_reset.request", outcome="repeat", user=user.public_id)
            return "repeat"
        queue_email(
            to=user.email,
            template="accounts/mails/password_reset.txt",
            context={"user": user, "reset_url": reset_url(user)},
            kind="mot_de_passe_oublie",
            sensitive=True,  # a secret link (AUTH-11)
        )
        journal.record(user, Action.PASSWORD_RESET_REQUESTED, at=requested_at)
    security_event("password_reset.request", outcome="mail_queued", user=user.public_id)
    return "mail_queued"


def find_user_for_reset(public_id, token: str) -> User | None:
    user = User.objects.filter(public_id=public_id, is_active=True).first()
    if user is None or not reset_tokens.check_token(user, token):
        return None
    return user


def reset_password(user: User, new_password: str) -> None:
    """Set the new password; every session ends, the login delay is cleared, mail sent.

    Checks: the new password is not the current one (ValidationError; the form says it first).
    """
    refuse_unchanged_password(user, new_password)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        clear_login_throttle(user.nir)
        queue_email(
            to=user.email,
            template="accounts/mails/password_changed.txt",
            context={"user": user},
            kind="mot_de_passe_modifie",
        )
        journal.record(user, Action.PASSWORD_RESET)
    security_event("password_reset.done", outcome="success", user=user.public_id)

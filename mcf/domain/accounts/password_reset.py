"""« Mot de passe oublié » (AUTH-12).

- ``request_password_reset``: same outcome whatever the NIR; if an active holder has it, a
  single-use link valid 1 hour goes to the address on file through the outbox.
- ``reset_password``: sets the new password (the form has applied the policy), which ends
  every session of the account (Django checks the password hash stored in each session),
  clears the login delay and notifies the holder. No automatic login.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse

from mcf.core.logging import security_event
from mcf.domain.accounts.authentication import _find_holder, clear_login_throttle
from mcf.domain.accounts.models import User
from mcf.domain.accounts.password_rules import refuse_unchanged_password
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.domain.mailing.actions import queue_email


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's HMAC token: bound to the password hash and the last login, so it stops
    working once used. Valid PASSWORD_RESET_TIMEOUT seconds (1 hour in our settings)."""

    key_salt = "mcf.domain.accounts.password_reset"


reset_tokens = ResetTokenGenerator()


def reset_url(user: User) -> str:
    return settings.SITE_URL + reverse(
        "titulaire:password_reset_confirm", args=[user.public_id, reset_tokens.make_token(user)]
    )


def request_password_reset(identifier: str) -> None:
    """Queue the reset link if the identifier is an active holder's NIR; else nothing."""
    user = _find_holder(identifier)
    if user is None:
        security_event("password_reset.request", outcome="no_account")
        return
    with transaction.atomic():
        queue_email(
            to=user.email,
            template="accounts/mails/password_reset.txt",
            context={"user": user, "reset_url": reset_url(user)},
            kind="mot_de_passe_oublie",
            sensitive=True,  # a secret link (AUTH-11)
        )
        journal.record(user, Action.PASSWORD_RESET_REQUESTED)
    security_event("password_reset.request", outcome="mail_queued", user=user.public_id)


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

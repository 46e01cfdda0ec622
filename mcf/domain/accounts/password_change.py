"""Change of password from the holder's space (AUTH-13)."""

from __future__ import annotations

from django.db import transaction

from mcf.core.logging import security_event
from mcf.domain.accounts.models import User
from mcf.domain.accounts.password_rules import refuse_unchanged_password
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.domain.mailing.actions import queue_email


def change_password(user: User, new_password: str) -> None:
    """Set the new password (the caller checked the current one and the policy).

    Checks: the new password is not the current one (ValidationError; the form says it first).

    Writes: the password hash (which ends every other session: Django compares it with the
    hash stored in each session), a history entry. Sends: a notification to the address on
    file, so a holder whose password was changed by someone else learns it.
    """
    refuse_unchanged_password(user, new_password)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        journal.record(user, Action.PASSWORD_CHANGED)
        queue_email(
            to=user.email,
            template="accounts/mails/password_changed.txt",
            context={"user": user},
            kind="mot_de_passe_modifie",
        )
    security_event("password_change", outcome="success", user=user.public_id)

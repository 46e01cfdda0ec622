"""Builders of test data that go through the same action functions as the product."""

from __future__ import annotations

import re
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.core import mail
from django.utils import timezone

from mcf.domain.accounts.registration import RegistrationData, confirm_registration, register_holder
from mcf.domain.identity.nir import Nir
from mcf.domain.mailing.models import OutboxEmail

# Valid NIRs (their key: with_key), born in May 1985 and in 1990.
NIR_A = "185057800608491"
NIR_B = "290102A12312354"
PASSWORD = "Chocolat-2026x"


def registration_data(nir: str = NIR_A, **overrides) -> RegistrationData:
    values = {
        "nir": Nir.parse(nir),
        "civility": "madame",
        "first_name": "Touria",
        "birth_name": "Orange",
        "landline": "",
        "mobile": "+33612345678",
        "email": "touria.orange@example.org",
        "apprenticeship_declared": False,
        "password_hash": make_password(PASSWORD),
        "cgu_version": "2026-11",
        "cgu_accepted_at": timezone.now(),
    }
    values.update(overrides)
    return RegistrationData(**values)


def last_confirmation_token(to: str | None = None) -> str:
    """The token of the last confirmation mail queued (read from the outbox body)."""
    emails = OutboxEmail.objects.filter(kind="inscription_confirmation")
    if to:
        emails = emails.filter(to=to)
    body = emails.order_by("-created_at").first().body
    return re.search(r"/inscription/confirmation/([^/\s]+)/", body).group(1)


def registered_holder(nir: str = NIR_A, *, now: datetime | None = None, **overrides):
    token = register_holder(registration_data(nir, **overrides), now=now)
    return confirm_registration(token, now=now)


def clear_mailbox() -> None:
    mail.outbox.clear()


def run_password_reset_requests() -> None:
    """Do what the worker does with the pending « Mot de passe oublié » requests (AUTH-12:
    the lookup and the mail run out of the request). Delivers no mail: the outbox keeps it."""
    from django_tasks_db.models import DBTaskResult

    from mcf.domain.accounts.tasks import send_password_reset_link

    pending = DBTaskResult.objects.filter(task_path=send_password_reset_link.module_path)
    for row in pending.order_by("enqueued_at"):
        send_password_reset_link.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()

"""AUTH-11: every mail that carries a secret link is declared so by its sender.

Secret links are links to the token routes (a parameter named ``token``, read from the URL
resolver). The mails are not listed by hand: every ``queue_email`` call of mcf/ is read
from the source, and every one of them is queued for real (every_mail.py).
"""

from __future__ import annotations

import ast
import smtplib
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from mcf.domain.accounts.password_reset import request_password_reset
from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.mailing.delivery import deliver, retry_dead_letter
from mcf.domain.mailing.models import REDACTED_BODY, OutboxEmail
from mcf.domain.mailing.secret_links import MASK, mask_secret_links, secret_links
from tests.domain.mailing.every_mail import queue_every_mail
from tests.factories import NIR_B, registered_holder, run_password_reset_requests
from tests.web.routes import PARAMETER, ROUTES

SOURCE = Path(settings.BASE_DIR) / "mcf"
TOKEN_ROUTES = {"registration_confirm", "password_reset_confirm", "email_change_confirm"}


def _literal(call: ast.Call, name: str, default=None):
    value = next((k.value for k in call.keywords if k.arg == name), None)
    if value is None:
        return default
    assert isinstance(value, ast.Constant), f"queue_email({name}=…) must be written as is"
    return value.value


def mail_senders() -> dict[str, bool]:
    """{kind: declared sensitive} for every ``queue_email(...)`` call of mcf/."""
    senders: dict[str, bool] = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "queue_email":
                kind = _literal(node, "kind")
                senders[kind] = senders.get(kind, False) or _literal(node, "sensitive", False)
    return senders


def route_parameters(route) -> list[str]:
    return [m.group(2) or m.group(3) for m in map(PARAMETER.fullmatch, route.parts) if m]


def test_every_route_with_a_token_makes_a_secret_link():
    """Every route with a token-like parameter, as its link would be in a mail: found and
    masked; the others are not."""
    with_token = [r for r in ROUTES if any("token" in p for p in route_parameters(r))]
    assert {r.name for r in with_token} >= TOKEN_ROUTES
    for route in ROUTES:
        values = {
            part: str(uuid.uuid4()) if part.startswith("<uuid:") else "Secr3t-t0ken_x"
            for part in route.parts
            if PARAMETER.fullmatch(part)
        }
        link = settings.SITE_URL + route.url(values)
        text = f"Cliquez sur ce lien :\n\n{link}.\n"
        if route in with_token:
            assert secret_links(text) == [link], route.pattern
            assert "Secr3t-t0ken_x" not in mask_secret_links(text)
            assert MASK in mask_secret_links(text)
        else:
            assert secret_links(text) == [], route.pattern
            assert mask_secret_links(text) == text


@pytest.mark.django_db
def test_every_mail_holding_a_secret_link_is_declared_sensitive():
    senders = mail_senders()
    queue_every_mail()

    queued = set(OutboxEmail.objects.values_list("kind", flat=True))
    assert set(senders) <= queued, "a new mail: queue it in tests/domain/mailing/every_mail.py"
    with_links = set()
    for email in OutboxEmail.objects.all():
        if secret_links(email.subject + "\n" + email.body):
            with_links.add(email.kind)
            assert senders[email.kind], f"queue_email(kind={email.kind!r}) needs sensitive=True"
            assert email.sensitive
    assert with_links == {
        "inscription_confirmation",
        "mot_de_passe_oublie",
        "courriel_confirmation",
        "delegation_invitation",
    }


# --- Erased once sent or abandoned, kept while a re-send needs it (REL-05) ---------------


def queue_reset_mail() -> OutboxEmail:
    registered_holder(NIR_B)
    # The registration's mails go first: mails to one address keep their order.
    for earlier in OutboxEmail.objects.values_list("pk", flat=True):
        deliver(str(earlier))
    mail.outbox.clear()
    request_password_reset(NIR_B)
    run_password_reset_requests()  # the worker's part (AUTH-12)
    return OutboxEmail.objects.get(kind="mot_de_passe_oublie")


def link_of(email: OutboxEmail) -> str:
    [link] = secret_links(email.body)
    return link


@pytest.mark.django_db
def test_a_sent_secret_mail_keeps_no_text_but_its_envelope():
    email = queue_reset_mail()
    link, before = link_of(email), email.body

    assert deliver(str(email.pk)) == OutboxEmail.Status.SENT

    [sent] = mail.outbox
    assert sent.body == before  # the addressee got the link
    kept = OutboxEmail.objects.get(pk=email.pk)
    assert kept.body == REDACTED_BODY
    assert link not in kept.body and secret_links(kept.body) == []
    assert kept.redacted_at is not None
    assert (kept.subject, kept.to, kept.message_id, kept.attempts) == (
        email.subject,
        email.to,
        email.message_id,
        1,
    )


@pytest.mark.django_db
def test_a_plain_mail_keeps_its_text_once_sent():
    submit_contact_message(
        full_name="Camille Martin", email="c@example.net", topic="compte", message="Bonjour"
    )
    for email in OutboxEmail.objects.all():
        deliver(str(email.pk))
        email.refresh_from_db()
        assert email.status == OutboxEmail.Status.SENT
        assert email.body != REDACTED_BODY and email.redacted_at is None


class Disconnected(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class WorkerKilled(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SystemExit("worker killed")


@pytest.mark.django_db
def test_a_secret_mail_keeps_its_text_while_it_may_be_sent_again(settings, time_machine):
    """A failed try, or a worker that died mid-send: the next try needs the link."""
    email = queue_reset_mail()
    link = link_of(email)
    time_machine.move_to(timezone.now(), tick=False)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.WorkerKilled"}}
    with pytest.raises(SystemExit):
        deliver(str(email.pk))
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.Disconnected"}}
    email.refresh_from_db()
    time_machine.move_to(email.next_attempt_at, tick=False)
    assert deliver(str(email.pk)) == OutboxEmail.Status.PENDING
    email.refresh_from_db()
    assert link_of(email) == link and email.redacted_at is None

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    time_machine.move_to(email.next_attempt_at, tick=False)
    assert deliver(str(email.pk)) == OutboxEmail.Status.SENT
    assert link in mail.outbox[0].body


@pytest.mark.django_db
def test_an_abandoned_secret_mail_is_erased_and_cannot_be_sent_again(settings, time_machine):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.Disconnected"}}
    email = queue_reset_mail()
    link = link_of(email)

    assert deliver(str(email.pk)) == OutboxEmail.Status.DEAD
    email.refresh_from_db()
    assert email.body == REDACTED_BODY and link not in email.body

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert retry_dead_letter(email) is False
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.DEAD
    assert deliver(str(email.pk)) == OutboxEmail.Status.DEAD
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_secret_link_typed_into_contact_is_treated_as_one():
    """A holder pastes his reset link into « Nous contacter » (name and message): the mail to
    the service holds it, undeclared by its sender. It is found, and erased once sent; the
    subject, which repeats the name, keeps it masked."""
    link = link_of(queue_reset_mail())
    submit_contact_message(
        full_name=f"Voir {link}", email="c@example.net", topic="compte", message=f"{link}\n"
    )
    to_service = OutboxEmail.objects.get(kind="contact")
    assert to_service.sensitive

    deliver(str(to_service.pk))

    to_service.refresh_from_db()
    assert to_service.body == REDACTED_BODY
    assert secret_links(to_service.subject) == [] and MASK in to_service.subject
    assert link in mail.outbox[0].subject + mail.outbox[0].body  # the service got it

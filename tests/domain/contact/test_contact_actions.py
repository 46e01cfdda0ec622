"""« Nous contacter »: one stored message and two queued mails, in one transaction (REL-05)."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.mailing.models import OutboxEmail

pytestmark = pytest.mark.django_db

HOSTILE_NAME = "Seán O'Hara <script>alert('x')</script> & fils"


def submit(full_name="Alice Martin", email="alice@example.org", message="Où en est mon dossier ?"):
    return submit_contact_message(
        full_name=full_name, email=email, topic=ContactMessage.Topic.DOSSIER, message=message
    )


def test_rel05_stores_the_message_and_queues_two_pending_mails(settings):
    settings.CONTACT_EMAIL = "service@cpf.example"

    contact = submit()

    assert list(ContactMessage.objects.all()) == [contact]
    assert contact.full_name == "Alice Martin"
    emails = {email.to: email for email in OutboxEmail.objects.all()}
    assert set(emails) == {"service@cpf.example", "alice@example.org"}
    to_service, acknowledgement = emails["service@cpf.example"], emails["alice@example.org"]
    assert to_service.reply_to == "alice@example.org"
    assert to_service.kind == "contact"
    assert acknowledgement.reply_to == ""
    assert acknowledgement.kind == "contact_accuse"
    assert {e.status for e in emails.values()} == {OutboxEmail.Status.PENDING}
    # Each mail has its delivery task.
    queued = sorted(arg for task in DBTaskResult.objects.all() for arg in task.args_kwargs["args"])
    assert queued == sorted(str(e.pk) for e in emails.values())


def test_rel05_mails_name_the_sender_and_the_topic_label(settings):
    settings.CONTACT_EMAIL = "service@cpf.example"

    contact = submit()

    topic_label = "Mon dossier de formation"
    to_service = OutboxEmail.objects.get(to="service@cpf.example")
    assert to_service.subject == f"[Nous contacter] {topic_label} — Alice Martin"
    assert "Nom : Alice Martin" in to_service.body
    assert "Courriel : alice@example.org" in to_service.body
    assert f"Sujet : {topic_label}" in to_service.body
    assert str(contact.id) in to_service.body
    assert "Où en est mon dossier ?" in to_service.body

    acknowledgement = OutboxEmail.objects.get(to="alice@example.org")
    assert acknowledgement.subject == "Mon compte formation : nous avons bien reçu votre message"
    assert "Bonjour Alice Martin," in acknowledgement.body
    assert f"(sujet : {topic_label})" in acknowledgement.body
    assert str(contact.id) in acknowledgement.body
    assert settings.SITE_URL in acknowledgement.body
    # The subject line is not repeated in the body.
    assert not acknowledgement.body.startswith("Mon compte formation :")


def test_rel05_text_mails_keep_the_name_verbatim():
    """Text mails are not HTML: no escaping of ', <, > or &."""
    submit(full_name=HOSTILE_NAME, message="<b>gras</b> & 'guillemets'")

    to_service = OutboxEmail.objects.exclude(to="alice@example.org").get()
    acknowledgement = OutboxEmail.objects.get(to="alice@example.org")
    assert to_service.subject.endswith(f"— {HOSTILE_NAME}")
    assert f"Nom : {HOSTILE_NAME}" in to_service.body
    assert "<b>gras</b> & 'guillemets'" in to_service.body
    assert f"Bonjour {HOSTILE_NAME}," in acknowledgement.body
    for email in (to_service, acknowledgement):
        assert "&lt;" not in email.subject + email.body
        assert "&#x27;" not in email.subject + email.body
        assert "&amp;" not in email.subject + email.body


def test_rel05_rolled_back_submission_leaves_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        submit()
        raise RuntimeError("the caller's transaction fails after the submission")

    assert ContactMessage.objects.count() == 0
    assert OutboxEmail.objects.count() == 0
    assert DBTaskResult.objects.count() == 0

"""« Nous contacter »: one stored message and two queued mails, in one transaction (REL-05)."""

import pytest
from django.db import transaction
from django.utils import timezone
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
    assert acknowledgement.body.startswith("Bonjour,\n")
    assert f"(sujet : {topic_label})" in acknowledgement.body
    assert str(contact.id) in acknowledgement.body
    assert settings.SITE_URL in acknowledgement.body
    # The subject line is not repeated in the body.
    assert not acknowledgement.body.startswith("Mon compte formation :")


def test_rel05_text_mails_keep_the_name_verbatim():
    """Text mails are not HTML: no escaping of ', <, > or &."""
    submit(full_name=HOSTILE_NAME, message="<b>gras</b> & 'guillemets'")

    to_service = OutboxEmail.objects.exclude(to="alice@example.org").get()
    assert to_service.subject.endswith(f"— {HOSTILE_NAME}")
    assert f"Nom : {HOSTILE_NAME}" in to_service.body
    assert "<b>gras</b> & 'guillemets'" in to_service.body
    assert "&lt;" not in to_service.subject + to_service.body
    assert "&#x27;" not in to_service.subject + to_service.body
    assert "&amp;" not in to_service.subject + to_service.body


PHISHING = {
    "full_name": "Votre compte est bloqué, rendez-vous sur https://cpf-urgent.example/",
    "message": "Réglez 49 € sur https://cpf-urgent.example/ pour garder vos heures.",
}


def test_the_acknowledgement_repeats_nothing_the_sender_typed():
    """The acknowledgement goes to any address typed in the form: if it echoed a typed text,
    the form would send a phishing text from our domain to anyone. Its text depends only on
    the topic (chosen from a list), the date and the reference: two submissions whose free
    texts differ get the same acknowledgement."""
    typed = submit(full_name=PHISHING["full_name"], message=PHISHING["message"])
    plain = submit(full_name="Alice Martin", message="Bonjour")

    def neutral(contact):
        email = OutboxEmail.objects.get(to="alice@example.org", body__contains=str(contact.id))
        when = timezone.localtime(contact.created_at).strftime("%d/%m/%Y à %H:%M")
        body = email.body.replace(str(contact.id), "<référence>").replace(when, "<date>")
        return email.subject, body

    assert neutral(typed) == neutral(plain)
    subject, body = neutral(typed)
    assert "cpf-urgent" not in subject + body
    assert "bloqué" not in subject + body


def test_rel05_rolled_back_submission_leaves_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        submit()
        raise RuntimeError("the caller's transaction fails after the submission")

    assert ContactMessage.objects.count() == 0
    assert OutboxEmail.objects.count() == 0
    assert DBTaskResult.objects.count() == 0

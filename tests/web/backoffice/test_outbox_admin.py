"""AUTH-11: no page of the back office shows a secret link, whatever its mail's state.

Every mail of the portal is queued (tests/domain/mailing/every_mail.py); the tokens of
their secret links are noted (one is pasted into a « Nous contacter » message too), then
the mails are sent, abandoned or left queued, and every page of the back office is read as
an operator of the outbox and as a superuser: lists, searches (by a token too), filters,
each mail's page, history and delete pages, actions; the contact messages' pages too.
"""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks_db.models import DBTaskResult

from mcf.domain.accounts.models import User
from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.mailing.delivery import deliver
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.mailing.secret_links import MASK, secret_links, secrets_in
from tests.domain.mailing.every_mail import queue_every_mail
from tests.domain.organisations.builders import operator_client
from tests.web.routes import PARAMETER, ROUTES, body, route_values

pytestmark = pytest.mark.django_db

OUTBOX = "gestion/mailing/outboxemail/"
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class Disconnected(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def outbox(settings) -> dict[str, set[str]]:
    """Every mail, its secret links' tokens noted; of the mails holding one, a third sent,
    a third abandoned, a third still queued. Returns {state: tokens}."""
    queue_every_mail()
    tokens: dict[str, set[str]] = {}
    # A holder pastes his live link into « Nous contacter »: a mail to the service.
    pasted = OutboxEmail.objects.filter(kind="mot_de_passe_oublie").last().body
    submit_contact_message(
        full_name=f"Voir {secret_links(pasted)[0]}",
        email="colle@example.org",
        topic=ContactMessage.Topic.ACCOUNT,
        message=f"Ce lien ne marche pas :\n{secret_links(pasted)[0]}",
    )
    settings.OUTBOX_MAX_ATTEMPTS = 1
    # Mails to one address leave in the order they were queued: taken in that order (the
    # mails without a secret sent), and of one address's secret mails the ones left queued
    # come last.
    every = list(OutboxEmail.objects.order_by("created_at"))
    states: dict[str, list[str]] = {}
    for index, email in enumerate(e for e in every if e.sensitive):
        states.setdefault(email.to.lower(), []).append(("sent", "dead", "pending")[index % 3])
    for address_states in states.values():
        address_states.sort(key=lambda state: state == "pending")
    for email in every:
        state = states[email.to.lower()].pop(0) if email.sensitive else "sent"
        if email.sensitive:
            tokens.setdefault(state, set()).update(secrets_in(email.body))
        if state != "pending":
            settings.MAILERS = (
                LOCMEM if state == "sent" else {"default": {"BACKEND": f"{__name__}.Disconnected"}}
            )
            delivered = deliver(str(email.pk))
            assert delivered == state or not email.sensitive  # behind a queued secret one
    assert set(tokens) == {"sent", "dead", "pending"} and all(tokens.values())
    return tokens


def back_office_pages(client) -> list[tuple[str, str]]:
    """(what, HTML) of every page of the back office, each outbox page for every mail."""
    emails = list(OutboxEmail.objects.all())
    objects = {
        "gestion/django_tasks_database/dbtaskresult/": DBTaskResult.objects.first().pk,
        "gestion/accounts/user/": User.objects.filter(nir_hash__isnull=False).first().pk,
        "gestion/contact/contactmessage/": ContactMessage.objects.get(email="colle@example.org").pk,
    }
    urls = []
    for route in ROUTES:
        if route.namespace != "admin":
            continue
        if route.pattern.startswith(OUTBOX) and any(map(PARAMETER.fullmatch, route.parts)):
            urls += [
                route.url({p: str(e.pk) for p in route.parts if PARAMETER.fullmatch(p)})
                for e in emails
            ]
        else:
            urls.append(route.url(route_values(route, 1, objects)[0]))
    token = next(iter(secrets_in(OutboxEmail.objects.filter(sensitive=True).last().body)), "")
    for query in (
        f"q={token}",
        f"q={emails[0].to}",
        "sensitive__exact=1",
        "status__exact=pending",
        "status__exact=dead",
        "kind=mot_de_passe_oublie",
        "all=&o=2",
    ):
        urls.append(f"/{OUTBOX}?{query}")
    pages = [(url, body(client.get(url))) for url in urls]
    for action in ("retry", "delete_selected"):
        posted = {"action": action, "_selected_action": [str(e.pk) for e in emails]}
        response = client.post(f"/{OUTBOX}", posted, follow=True)
        pages.append((f"action {action}", body(response)))
    return pages


@pytest.mark.parametrize("who", ["operator", "superuser"])
def test_no_page_of_the_back_office_shows_a_secret_link(outbox, who):
    if who == "operator":
        _, client = operator_client("operatrice", "view_outboxemail", "view_contactmessage")
    else:
        _, client = operator_client("superviseuse", superuser=True)

    pages = back_office_pages(client)

    for state, tokens in outbox.items():
        leaks = [(url, state) for url, html in pages for token in tokens if token in html]
        assert leaks == [], f"a {state} mail's secret link is shown"
    # The pages were really read: each mail's page, the queued ones with their link masked.
    for email in OutboxEmail.objects.all():
        [page] = [html for url, html in pages if url == f"/{OUTBOX}{email.pk}/change/"]
        assert email.message_id in page.replace("&lt;", "<").replace("&gt;", ">")
        if email.sensitive and email.status == OutboxEmail.Status.PENDING:
            assert MASK in page


def test_relaunching_an_abandoned_secret_mail_says_the_holder_asks_again(outbox):
    _, client = operator_client("superviseuse", superuser=True)
    dead = OutboxEmail.objects.filter(status=OutboxEmail.Status.DEAD)

    response = client.post(
        f"/{OUTBOX}",
        {"action": "retry", "_selected_action": [str(e.pk) for e in dead]},
        follow=True,
    )

    page = body(response)
    assert f"{dead.count()} courriel(s) non relancé(s)" in page
    assert "Le destinataire doit refaire sa demande sur le site" in page
    assert "remis dans la file" not in page
    assert set(dead.values_list("status", flat=True)) == {OutboxEmail.Status.DEAD}

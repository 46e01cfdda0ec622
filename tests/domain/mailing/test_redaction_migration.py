"""Migration mailing.0003: the token mails already sent or abandoned lose their text."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mcf.domain.mailing.models import REDACTED_BODY

BEFORE = [("mailing", "0002_outbox_secret_links")]
AFTER = [("mailing", "0003_redact_sent_secret_links")]
RESET = f"https://portail.example/titulaire/mot-de-passe-oublie/{uuid.UUID(int=3)}/abc-123def/"
CONFIRM = "http://localhost:8000/titulaire/inscription/confirmation/Zq9_xY-1/"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_sent_and_abandoned_token_mails_lose_their_text_queued_ones_are_marked():
    Outbox = migrate(BEFORE).get_model("mailing", "OutboxEmail")
    rows = {
        "reset sent": ("mot_de_passe_oublie", "sent", f"Lien :\n{RESET}\n"),
        "confirmation dead": ("inscription_confirmation", "dead", f"{CONFIRM}\n"),
        "confirmation queued": ("inscription_confirmation", "pending", f"{CONFIRM}\n"),
        "pasted link sent": ("contact", "sent", f"Mon lien {RESET} ne marche pas\n"),
        "contact sent": ("contact", "sent", "Bonjour\n"),
    }
    for name, (kind, status, body) in rows.items():
        Outbox.objects.create(
            message_id=f"<{name}>",
            to="a@example.org",
            subject=name,
            kind=kind,
            status=status,
            body=body,
        )

    Later = migrate(AFTER).get_model("mailing", "OutboxEmail")

    after = {e.subject: e for e in Later.objects.all()}
    for name in ("reset sent", "confirmation dead", "pasted link sent"):
        assert after[name].body == REDACTED_BODY, name
        assert after[name].sensitive and after[name].redacted_at is not None
        assert (after[name].to, after[name].message_id) == ("a@example.org", f"<{name}>")
    queued = after["confirmation queued"]
    assert queued.sensitive and queued.body == rows["confirmation queued"][2]
    assert queued.redacted_at is None
    plain = after["contact sent"]
    assert not plain.sensitive and plain.body == "Bonjour\n"
    # Back to the latest schema, for the tests that come after (later migrations).
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("mailing"))

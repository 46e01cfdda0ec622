"""Webhooks: every transition of a dossier of the organisation is posted, signed, retried
with backoff until delivered or dead, and can be sent again; addresses are checked."""

import time

import pytest
from django.utils import timezone

from mcf.domain.dossiers import actions, queries
from mcf.domain.integrations import webhooks
from mcf.domain.integrations.actions import IntegrationError
from mcf.domain.integrations.models import WebhookDelivery
from tests.domain.dossiers.builders import ready_dossier, sent_dossier
from tests.web.api.receiver import Receiver
from tests.web.professionnel.dossier_helpers import financeur_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    return financeur_world()


def deliver_all() -> None:
    pending = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
    for delivery in pending.order_by("created_at"):
        webhooks.deliver(str(delivery.pk))


def test_a_sent_dossier_and_its_validation_are_posted_signed(world):
    with Receiver() as receiver:
        _, receiver.secret = webhooks.register_endpoint(
            world.opca, receiver.url, by=world.financeur
        )
        dossier = sent_dossier(world)
        actions.validate_dossier(
            dossier.pk, by=world.financeur, version=dossier.version, dif=120, cpf=30,
            dif_attestation_checked=True,
        )  # fmt: skip
        deliver_all()
    assert [r["event"] for r in receiver.received] == ["dossier.transmettre", "dossier.valider"]
    assert all(r["signed"] for r in receiver.received)
    body = receiver.received[1]["body"]
    assert body["dossier"]["etat"] == "valide" and body["transition"]["de"] == "transmis"
    assert world.holder.nir not in str(receiver.received)
    assert WebhookDelivery.objects.filter(status="sent").count() == 2


def test_a_draft_cancelled_before_sending_is_never_posted(world):
    with Receiver() as receiver:
        webhooks.register_endpoint(world.opca, receiver.url, by=world.financeur)
        dossier = ready_dossier(world)
        actions.cancel_by_holder(
            dossier.pk, by=world.holder, version=dossier.version, motif="Je change d'avis."
        )
    assert not WebhookDelivery.objects.exists()


def test_a_dossier_sent_taken_back_then_cancelled_is_posted_as_the_work_list_shows_it(world):
    with Receiver() as receiver:
        webhooks.register_endpoint(world.opca, receiver.url, by=world.financeur)
        dossier = sent_dossier(world)
        dossier = actions.withdraw_dossier(dossier.pk, by=world.holder, version=dossier.version)
        actions.cancel_by_holder(
            dossier.pk, by=world.holder, version=dossier.version, motif="Je change d'avis."
        )
    events = list(WebhookDelivery.objects.order_by("created_at").values_list("event", flat=True))
    assert events == ["dossier.transmettre", "dossier.reprendre", "dossier.annuler_titulaire"]
    assert queries.of_financeur(world.opca.pk).filter(pk=dossier.pk).exists()


def test_a_failing_receiver_is_retried_with_backoff_then_renvoyer(world, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with Receiver() as receiver:
        _, receiver.secret = webhooks.register_endpoint(
            world.opca, receiver.url, by=world.financeur
        )
        receiver.fail = 5
        sent_dossier(world)
        delivery = WebhookDelivery.objects.get()
        assert webhooks.deliver(str(delivery.pk)) == "pending"
        delivery.refresh_from_db()
        assert delivery.last_status_code == 503 and delivery.next_attempt_at > timezone.now()
        assert webhooks.deliver(str(delivery.pk)) == "pending"  # not due yet: nothing posted
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert webhooks.deliver(str(delivery.pk)) == "dead"
        receiver.fail = 0
        webhooks.redeliver(delivery)
        assert webhooks.deliver(str(delivery.pk)) == "sent"
    assert [r["body"]["id"] for r in receiver.received] == [str(delivery.pk)]


def test_signatures_refuse_a_replay_and_a_changed_body():
    secret, body = "whsec_x", b'{"a":1}'
    header = webhooks.signature(secret, int(time.time()), body)
    assert webhooks.verify_signature(secret, header, body)
    assert not webhooks.verify_signature(secret, header, b'{"a":2}')
    assert not webhooks.verify_signature(secret, header, body, now=time.time() + 600)
    assert not webhooks.verify_signature("whsec_y", header, body)


@pytest.mark.parametrize(
    "url",
    ["http://si.example.fr/mcf", "https://127.0.0.1/mcf", "https://10.0.0.8/x",
     "https://user:pw@si.example.fr/", "ftp://si.example.fr/", "https://localhost/x",
     "https://[::1]/x", "https://１２７.0.0.1/x"],
)  # fmt: skip
def test_private_or_plain_addresses_are_refused(world, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(IntegrationError):
        webhooks.register_endpoint(world.opca, url, by=world.financeur)


def test_the_secret_is_not_stored(world):
    endpoint, secret = webhooks.register_endpoint(
        world.opca, "http://127.0.0.1:9/x", by=world.financeur
    )
    assert secret.startswith("whsec_")
    assert secret not in str(WebhookDelivery.objects.all()) + str(endpoint.__dict__)

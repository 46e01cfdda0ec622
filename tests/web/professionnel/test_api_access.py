"""« Accès API » of the professional space: clients and webhooks created and revoked by the
administrateur principal, secrets shown once, the delivery log with « Renvoyer »."""

import re

import pytest

from mcf.domain.integrations.models import ApiClient, WebhookDelivery, WebhookEndpoint
from tests.domain.dossiers.builders import sent_dossier
from tests.web.api.dossier_helpers import token_for
from tests.web.professionnel.dossier_helpers import client_of

pytestmark = pytest.mark.django_db
PAGE = "/professionnel/acces-api/"


@pytest.fixture
def admin(world):
    return client_of(world.financeur)


def test_the_page_explains_and_offers_both_forms(admin):
    page = admin.get(PAGE).content.decode()
    assert "Aucun client API pour l'instant" in page
    assert "Créer le client" in page and "Ajouter l'adresse" in page


def test_a_created_client_s_secret_is_shown_once_and_works(world, admin):
    response = admin.post(f"{PAGE}clients/", {"name": "SI gestion", "scopes": ["dossiers:lire"]})
    assert response.status_code == 200
    page = response.content.decode()
    secret = re.search(r'class="fr-text--lg api-secret">([^<]+)<', page).group(1)
    client = ApiClient.objects.get()
    assert client.client_id in page
    assert token_for(client.client_id, secret)["status"] == 200
    assert secret not in admin.get(PAGE).content.decode()  # never shown again
    assert secret not in client.application.client_secret  # stored hashed


def test_a_refused_client_form_keeps_what_was_typed(admin):
    response = admin.post(f"{PAGE}clients/", {"name": "SI gestion"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choisissez au moins une portée." in page and 'value="SI gestion"' in page


def test_revoking_a_client_stops_its_tokens(world, admin):
    admin.post(f"{PAGE}clients/", {"name": "SI", "scopes": ["dossiers:lire"]})
    client = ApiClient.objects.get()
    response = admin.post(f"{PAGE}clients/{client.public_id}/revoquer/")
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None and client.application is None


def test_a_webhook_is_added_then_its_log_can_resend(world, admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    response = admin.post(f"{PAGE}webhooks/", {"url": "http://127.0.0.1:9/recevoir"})
    assert response.status_code == 200 and "whsec_" in response.content.decode()
    sent_dossier(world)
    delivery = WebhookDelivery.objects.get()
    log = admin.get(f"{PAGE}envois/").content.decode()
    assert "dossier.transmettre" in log and "Renvoyer" in log
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="dead", attempts=10)
    assert admin.post(f"{PAGE}envois/{delivery.pk}/renvoyer/").status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_a_plain_http_address_is_refused_in_production(world, admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = admin.post(f"{PAGE}webhooks/", {"url": "http://si.example.fr/x"})
    assert response.status_code == 422
    assert "L&#x27;adresse doit commencer par https://." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_gestionnaire_does_not_see_the_page(world):
    from tests.domain.organisations.builders import (
        PRO_PASSWORD,
        add_gestionnaires,
        change_provisional_password,
        enrolled,
        verified_client,
    )

    [account] = add_gestionnaires(world.financeur, 1)
    change_provisional_password(account.user, PRO_PASSWORD)
    browser = verified_client(account.user, enrolled(account.user))
    assert browser.get(PAGE).status_code == 404


def test_another_organisation_cannot_revoke_or_resend(world, admin):
    admin.post(f"{PAGE}clients/", {"name": "SI", "scopes": ["dossiers:lire"]})
    client = ApiClient.objects.get()
    other = client_of(world.other_financeur)
    assert other.post(f"{PAGE}clients/{client.public_id}/revoquer/").status_code == 404
    client.refresh_from_db()
    assert client.active

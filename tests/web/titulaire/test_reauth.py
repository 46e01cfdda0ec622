"""SESS-05: a recent password before sensitive actions (e-mail change, data export, closing
the space), under the login throttle of the NIR (AUTH-05), journaled."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mcf.domain.accounts.models import EmailChangeRequest
from mcf.domain.accounts.reauthentication import REAUTHENTICATION_VALIDITY
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = pytest.mark.django_db

SENSITIVE_PAGES = [
    "/titulaire/informations-personnelles/courriel/",
    "/titulaire/informations-personnelles/mes-donnees/",
    "/titulaire/informations-personnelles/fermeture/",
]
CONFIRM = "/titulaire/confirmer-mot-de-passe/"


@pytest.fixture
def holder():
    return registered_holder()


@pytest.fixture
def stale_client(holder, time_machine):
    """Logged in 11 minutes ago: the login no longer counts as a recent password."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client = Client()
    assert (
        client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD}).status_code
        == 302
    )
    time_machine.move_to(start + REAUTHENTICATION_VALIDITY + timedelta(minutes=1), tick=False)
    return client


def test_sess05_reauthentication_window_is_ten_minutes():
    assert timedelta(minutes=10) == REAUTHENTICATION_VALIDITY


@pytest.mark.parametrize("url", SENSITIVE_PAGES)
def test_sess05_a_stale_session_is_sent_to_confirm_its_password(stale_client, url):
    response = stale_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(CONFIRM + "?suivant=")


def test_sess05_a_stale_sensitive_post_changes_nothing(stale_client, holder):
    emails = OutboxEmail.objects.count()
    changed = stale_client.post(
        "/titulaire/informations-personnelles/courriel/",
        {"email": "pirate@example.net", "email_confirmation": "pirate@example.net"},
    )
    closed = stale_client.post("/titulaire/informations-personnelles/fermeture/", {"confirm": "on"})
    exported = stale_client.post("/titulaire/informations-personnelles/mes-donnees/")
    for response in (changed, closed, exported):
        assert response.status_code == 302
        assert response["Location"].startswith(CONFIRM)
    holder.refresh_from_db()
    assert holder.is_active and holder.email == "touria.orange@example.org"
    assert not EmailChangeRequest.objects.exists()
    assert OutboxEmail.objects.count() == emails
    assert not JournalEntry.objects.filter(
        action__in=[Action.DATA_EXPORTED, Action.ACCOUNT_CLOSED, Action.EMAIL_CHANGE_REQUESTED]
    ).exists()


def test_sess05_the_right_password_opens_the_page_for_ten_minutes(
    stale_client, holder, time_machine
):
    page = stale_client.get(CONFIRM + "?suivant=/titulaire/informations-personnelles/mes-donnees/")
    assert "Confirmez votre mot de passe" in page.content.decode()
    response = stale_client.post(
        CONFIRM + "?suivant=/titulaire/informations-personnelles/mes-donnees/",
        {"password": PASSWORD},
    )
    assert response["Location"] == "/titulaire/informations-personnelles/mes-donnees/"
    assert stale_client.get("/titulaire/informations-personnelles/mes-donnees/").status_code == 200
    assert JournalEntry.objects.filter(holder=holder, action=Action.PASSWORD_CONFIRMED).exists()
    time_machine.shift(REAUTHENTICATION_VALIDITY + timedelta(seconds=1))
    assert stale_client.get("/titulaire/informations-personnelles/mes-donnees/").status_code == 302


def test_sess05_a_wrong_password_is_refused_and_journaled(stale_client, holder):
    response = stale_client.post(CONFIRM, {"password": "pas-le-bon"})
    assert response.status_code == 200
    assert "Mot de passe incorrect." in response.content.decode()
    assert stale_client.get(SENSITIVE_PAGES[0]).status_code == 302
    assert JournalEntry.objects.filter(
        holder=holder, action=Action.PASSWORD_CONFIRMATION_FAILED
    ).exists()


def test_sess05_an_empty_password_gets_a_french_message(stale_client):
    response = stale_client.post(CONFIRM, {"password": ""})
    assert "Saisissez votre mot de passe." in response.content.decode()


def test_auth05_confirmation_shares_the_login_throttle(stale_client, holder):
    """Five wrong confirmations suspend the check, even with the right password, and the
    login page too: a stolen session gives no extra guesses."""
    for _ in range(5):
        stale_client.post(CONFIRM, {"password": "pas-le-bon"})
    refused = stale_client.post(CONFIRM, {"password": PASSWORD})
    assert refused.status_code == 200
    assert "la vérification est suspendue" in refused.content.decode()
    login = Client().post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    assert login.status_code == 200  # refused: the same delay


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/gestion/", "javascript:alert(1)"]
)
def test_sess05_the_return_address_stays_in_the_holders_space(stale_client, target):
    response = stale_client.post(CONFIRM + f"?suivant={target}", {"password": PASSWORD})
    assert response["Location"] == "/titulaire/informations-personnelles/"


def test_sess05_the_login_counts_as_a_recent_password(holder):
    client = Client()
    client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    assert client.get(SENSITIVE_PAGES[1]).status_code == 200


def test_sess05_confirmation_page_needs_a_holder(client):
    response = client.get(CONFIRM)
    assert response.status_code == 302
    assert response["Location"].startswith("/titulaire/connexion/")

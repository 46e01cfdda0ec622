"""« Nous contacter »: validation in French, nothing lost, mails queued, throttled (AUTH-06)."""

import pytest

from mcf.domain.contact.models import ContactMessage
from mcf.domain.mailing.models import OutboxEmail

pytestmark = pytest.mark.django_db

VALID = {
    "full_name": "Touria Orange",
    "email": "touria.orange@example.org",
    "topic": "heures",
    "message": "Je ne retrouve pas mes heures DIF sur mon compte.",
}


def test_valid_message_is_stored_and_two_mails_are_queued(client, settings):
    response = client.post("/nous-contacter/", VALID)
    assert response.status_code == 302
    assert response["Location"] == "/nous-contacter/merci/"
    message = ContactMessage.objects.get()
    assert message.full_name == "Touria Orange"
    recipients = sorted(OutboxEmail.objects.values_list("to", flat=True))
    assert recipients == sorted([settings.CONTACT_EMAIL, "touria.orange@example.org"])
    confirmation = client.get(response["Location"]).content.decode()
    assert "Votre message a bien été envoyé" in confirmation


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "pas-une-adresse", "Saisissez une adresse de courriel valide."),
        ("email", "a" * 250 + "@x.fr", "au plus 254 caractères"),
        ("full_name", "", "Ce champ est obligatoire."),
        ("topic", "inconnu", "Sélectionnez un choix valide."),
        ("message", "court", "10 caractères au moins"),
        ("message", "x" * 5001, "au plus 5000 caractères"),
        ("message", "Bonjour\x00 je voudrais savoir", "Le caractère nul n’est pas autorisé."),
    ],
)
def test_bad_input_gets_a_french_message_and_keeps_what_was_typed(client, field, value, error):
    data = {**VALID, field: value}
    response = client.post("/nous-contacter/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html.replace("&#x27;", "'").replace("\u202f", " ").replace("5\xa0000", "5000")
    assert "Le formulaire contient des erreurs" in html
    # What the user typed in the other fields is still there.
    for other, typed in VALID.items():
        if other != field and other != "topic":
            assert typed.split()[0] in html
    assert ContactMessage.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_hostile_input_is_escaped_and_never_a_500(client):
    data = {**VALID, "full_name": "<script>alert(1)</script> O'Hara", "message": "é" * 4000}
    response = client.post("/nous-contacter/", data)
    assert response.status_code == 302
    form = client.post("/nous-contacter/", {**data, "email": "<b>x</b>"}).content.decode()
    assert "<script>alert(1)</script>" not in form
    assert "&lt;script&gt;" in form


@pytest.mark.usefixtures("still_clock")
def test_contact_is_throttled_per_client_address(client):
    """AUTH-06: 5 messages per 10 minutes per address, then 429 in French."""
    for i in range(5):
        data = {**VALID, "email": f"personne{i}@example.org"}
        assert client.post("/nous-contacter/", data).status_code == 302
    response = client.post("/nous-contacter/", {**VALID, "email": "autre@example.org"})
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert ContactMessage.objects.count() == 5


@pytest.mark.usefixtures("still_clock")
def test_forged_forwarded_header_does_not_bypass_the_limit(client):
    """AUTH-06: X-Forwarded-For is ignored when no trusted proxy is declared."""
    for i in range(6):
        response = client.post(
            "/nous-contacter/",
            {**VALID, "email": f"p{i}@example.org"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    assert response.status_code == 429


@pytest.mark.usefixtures("still_clock")
def test_another_client_address_is_not_blocked(client):
    for i in range(6):
        client.post("/nous-contacter/", {**VALID, "email": f"p{i}@example.org"})
    other = client.post(
        "/nous-contacter/", {**VALID, "email": "q@example.org"}, REMOTE_ADDR="127.0.0.2"
    )
    assert other.status_code == 302


@pytest.mark.usefixtures("still_clock")
def test_one_sender_address_cannot_be_flooded_with_acknowledgements(client):
    for i in range(3):
        client.post("/nous-contacter/", VALID, REMOTE_ADDR=f"127.0.0.{10 + i}")
    response = client.post("/nous-contacter/", VALID, REMOTE_ADDR="127.0.0.20")
    assert response.status_code == 429
    assert OutboxEmail.objects.filter(to=VALID["email"]).count() == 3


@pytest.mark.usefixtures("still_clock")
def test_behind_a_trusted_proxy_the_client_is_the_proxy_reported_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(5):
        client.post(
            "/nous-contacter/",
            {**VALID, "email": f"p{i}@example.org"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    blocked = client.post(
        "/nous-contacter/",
        {**VALID, "email": "z@example.org"},
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",  # forged left part is ignored
    )
    assert blocked.status_code == 429
    other = client.post(
        "/nous-contacter/", {**VALID, "email": "y@example.org"}, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other.status_code == 302

"""The four registration steps through the test client (labels, guards, errors, no loss)."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcf.domain.accounts.models import PendingRegistration, User
from mcf.domain.identity.nir import with_key
from mcf.domain.mailing.models import OutboxEmail
from tests.factories import NIR_A, last_confirmation_token, registered_holder
from tests.web.keys import submit

pytestmark = pytest.mark.django_db

IDENTITY = {
    "nir": "1 85 05 78 006 084 91",
    "civility": "madame",
    "first_name": "Touria",
    "birth_name": "Orange",
    "landline": "01 45 67 89 01",
    "mobile": "06 12 34 56 78",
    "email": "touria.orange@example.org",
    "email_confirmation": "Touria.Orange@example.org",
    "captcha": "PASSED",
}
PASSWORD = "Chocolat-2026x"


@pytest.fixture(autouse=True)
def _captcha_test_mode(settings):
    settings.CAPTCHA_TEST_MODE = True


def text(response) -> str:
    """What the page says: tags removed, spaces collapsed (labels may hold <strong>…)."""
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(unescape(without_tags).split())


def html(response) -> str:
    return unescape(response.content.decode())


def accept_cgu(client):
    return client.post("/titulaire/inscription/", {"accept": "on"})


def fill_identity(client, **changes):
    client.get("/titulaire/inscription/identite/")  # issues the captcha challenge
    return client.post("/titulaire/inscription/identite/", {**IDENTITY, **changes})


def register(client, **identity_changes):
    accept_cgu(client)
    fill_identity(client, **identity_changes)
    return submit(
        client,
        "/titulaire/inscription/mot-de-passe/",
        {"password": PASSWORD, "password_confirmation": PASSWORD},
    )


def test_login_page_shows_the_seed_labels(client):
    page = text(client.get("/titulaire/connexion/"))
    for label in [
        "Espace Titulaire",
        "Entrez votre identifiant et votre mot de passe",
        "Numéro de Sécurité sociale",
        "Mot de passe",
        "Mot de passe oublié",
        "S'identifier",
        "Vous n'avez pas encore de compte ?",
        "S'inscrire",
        "Si vous êtes un opérateur de l'emploi et de la formation professionnelle, identifiez-vous",
    ]:
        assert label in page, label


def test_each_step_shows_the_stepper_and_its_tutorial(client):
    step1 = text(client.get("/titulaire/inscription/"))
    for label in [
        "Étape 1 sur 4 Valider les CGU Étape suivante : S'inscrire",
        "Tutoriel : Inscription",
        "Merci de valider les Conditions Générales d'Utilisation afin de pouvoir "
        "poursuivre votre inscription.",
        "Je déclare avoir lu, compris et accepté les Conditions Générales d'Utilisation",
        "Commencez en lisant et acceptant les conditions générales d'utilisation.",
    ]:
        assert label in step1, label
    accept_cgu(client)
    step2 = text(client.get("/titulaire/inscription/identite/"))
    for label in [
        "N° de sécurité sociale",
        "Civilité",
        "Madame",
        "Monsieur",
        "Prénom",
        "Nom de naissance",
        "Téléphone fixe",
        "Téléphone portable",
        "Courriel",
        "Confirmation courriel",
        "Contrôle de sécurité",
        "Les caractères peuvent être saisis en majuscule ou en minuscule, sans "
        "distinction de la casse.",
        "cliquez ici pour renouveler les caractères",
        "cliquez ici pour écouter la version sonore",
        "J'ai signé un contrat d'apprentissage",
    ]:
        assert label in step2, label
    fill_identity(client)
    step3 = text(client.get("/titulaire/inscription/mot-de-passe/"))
    for label in [
        "Mot de passe",
        "Confirmation Mot de passe",
        "Pour être valide, votre mot de passe doit impérativement comporter au "
        "minimum 5 lettres et 3 chiffres.",
        "Un mot de passe vous est demandé avant validation de votre inscription.",
    ]:
        assert label in step3, label


def stepper(response) -> str:
    """The text of the page's DSFR stepper, and it alone: no list of our own beside it."""
    page = response.content.decode()
    assert page.count('class="fr-stepper"') == 1
    block = page[page.index('<div class="fr-stepper">') :]
    block = block[: block.index('<div class="fr-grid-row')]
    assert "<ol" not in block and "<ul" not in block  # DSFR draws the steps itself
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", block)).split())


def test_each_step_has_the_dsfr_stepper_with_the_seeds_labels(client):
    """« 1. ① Valider les CGU2. ② S'inscrire3. … »: our list of the four steps, under the
    DSFR stepper, had numbers of its own on top of DSFR's list counters, and its labels ran
    together. Each step now shows DSFR's stepper alone: « Étape n sur 4 », the step's title
    and the next one, with the seed's four labels."""
    assert stepper(client.get("/titulaire/inscription/")) == (
        "Étape 1 sur 4 Valider les CGU Étape suivante : S'inscrire"
    )
    accept_cgu(client)
    assert stepper(client.get("/titulaire/inscription/identite/")) == (
        "Étape 2 sur 4 S'inscrire Étape suivante : Saisir son mot de passe"
    )
    fill_identity(client)
    assert stepper(client.get("/titulaire/inscription/mot-de-passe/")) == (
        "Étape 3 sur 4 Saisir son mot de passe Étape suivante : Valider son inscription"
    )
    done = submit(
        client,
        "/titulaire/inscription/mot-de-passe/",
        {"password": PASSWORD, "password_confirmation": PASSWORD},
        follow=True,
    )
    assert stepper(done) == "Étape 4 sur 4 Valider son inscription"


def test_the_whole_journey_then_activation(client):
    response = register(client)
    assert response.status_code == 302
    done = text(client.get(response["Location"]))
    for label in [
        "Votre inscription a bien été enregistrée",
        "Vous allez recevoir un courriel contenant un lien de confirmation.",
        "pour valider votre inscription et accéder à votre compte titulaire.",
        "le lien restera actif durant 15 jours. Au-delà, vous devrez recommencer votre "
        "inscription.",
        "Terminer",
    ]:
        assert label in done, label
    token = last_confirmation_token()
    link = f"/titulaire/inscription/confirmation/{token}/"
    page = client.get(link)
    assert page["Referrer-Policy"] == "strict-origin"  # never the token in a Referer
    assert User.objects.filter(kind=User.Kind.TITULAIRE).count() == 0  # GET activates nothing
    activated = client.post(link, follow=True)
    assert (
        "Votre compte a bien été activé, vous pouvez vous connecter avec votre numéro de "
        "Sécurité sociale et le mot de passe que vous avez choisi lors de votre "
        "inscription." in text(activated)
    )
    user = User.objects.get(kind=User.Kind.TITULAIRE)
    assert user.email == "touria.orange@example.org"
    assert user.landline == "+33145678901"
    assert user.mobile == "+33612345678"
    assert user.check_password(PASSWORD)
    replay = client.post(link)
    assert replay.status_code == 410
    assert "déjà été utilisé" in text(replay)


def test_steps_cannot_be_skipped(client):
    assert client.get("/titulaire/inscription/identite/")["Location"] == "/titulaire/inscription/"
    assert (
        client.get("/titulaire/inscription/mot-de-passe/")["Location"] == "/titulaire/inscription/"
    )
    accept_cgu(client)
    assert (
        client.get("/titulaire/inscription/mot-de-passe/")["Location"]
        == "/titulaire/inscription/identite/"
    )
    assert (
        client.get("/titulaire/inscription/enregistree/")["Location"] == "/titulaire/inscription/"
    )


def test_cgu_must_be_accepted_and_version_is_recorded(client):
    refused = text(client.post("/titulaire/inscription/", {}))
    assert "Merci de valider les Conditions Générales d'Utilisation" in refused
    register(client)
    assert PendingRegistration.objects.get().cgu_version == "2026-11"


def test_going_back_keeps_what_was_typed_but_never_the_password(client):
    accept_cgu(client)
    fill_identity(client)
    client.post(
        "/titulaire/inscription/mot-de-passe/",
        {"password": "Secret-mot-9x9", "password_confirmation": "autre"},
    )
    back = html(client.get("/titulaire/inscription/identite/"))
    assert 'value="1 85 05 78 006 084 91"' in back
    assert 'value="Orange"' in back
    assert 'value="touria.orange@example.org"' in back
    again = text(client.get("/titulaire/inscription/mot-de-passe/"))
    assert "Secret-mot-9x9" not in again
    step1 = html(client.get("/titulaire/inscription/"))
    assert "checked" in step1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nir": ""}, "Ce champ est obligatoire."),
        ({"nir": "1 85 05 78 006 084 92"}, "ne correspond pas au numéro"),
        ({"nir": "12345"}, "15 caractères"),
        ({"nir": with_key("7850578006084")}, "numéro provisoire"),
        ({"nir": with_key("1150178006084")}, "L'inscription est possible à partir de 16 ans."),
        (
            {"email_confirmation": "autre@example.org"},
            "La confirmation ne correspond pas au courriel saisi.",
        ),
        ({"email": "pas-un-courriel"}, "Saisissez une adresse de courriel valide."),
        ({"mobile": "01 45 67 89 01"}, "numéro de téléphone fixe"),
        ({"landline": "06 12 34 56 78"}, "numéro de portable"),
        ({"landline": "12"}, "n'est pas valide"),
        ({"captcha": "WRONG1"}, "ne correspondent pas à l'image"),
        ({"civility": ""}, "Ce champ est obligatoire."),
    ],
)
def test_bad_identity_gets_its_french_message_and_keeps_the_rest(client, changes, message):
    accept_cgu(client)
    response = fill_identity(client, **changes)
    assert response.status_code == 200
    assert message in text(response)
    assert 'value="Orange"' in html(response)
    assert PendingRegistration.objects.count() == 0


def test_renewing_the_captcha_keeps_what_was_typed(client):
    accept_cgu(client)
    first = html(client.get("/titulaire/inscription/identite/"))
    renewed = html(
        client.post(
            "/titulaire/inscription/identite/", {**IDENTITY, "captcha": "ABC", "renouveler": "1"}
        )
    )
    image = re.compile(r"/securite/captcha/([0-9a-f-]+)/image\.png")
    assert image.search(first).group(1) != image.search(renewed).group(1)
    assert 'value="Orange"' in renewed
    assert "Ce champ est obligatoire" not in renewed


def test_password_rules_are_named_and_checked_on_the_server(client):
    accept_cgu(client)
    fill_identity(client)
    page = text(
        client.post(
            "/titulaire/inscription/mot-de-passe/",
            {"password": "abc", "password_confirmation": "abc"},
        )
    )
    assert "Au moins 5 lettres" in page
    assert "Au moins 3 chiffres" in page
    common = text(
        client.post(
            "/titulaire/inscription/mot-de-passe/",
            {"password": "Azerty123", "password_confirmation": "Azerty123"},
        )
    )
    assert "trop courant" in common
    with_nir = "Xy!" + NIR_A[:13]
    context = text(
        client.post(
            "/titulaire/inscription/mot-de-passe/",
            {"password": with_nir, "password_confirmation": with_nir},
        )
    )
    assert "ne doit pas contenir votre numéro de Sécurité sociale" in context
    assert PendingRegistration.objects.count() == 0


def _without_per_response_tokens(page: str) -> str:
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'nonce="[^"]+"', "", page)


def test_same_answer_whether_the_nir_is_registered_or_not(client, django_user_model):
    """AUTH-10: no enumeration through registration."""
    from django.test import Client

    new_person = Client()
    first = new_person.get(register(new_person)["Location"])
    registered_holder(email="owner@example.org")
    OutboxEmail.objects.all().delete()
    intruder = Client()
    response = register(intruder, email="x@example.org", email_confirmation="x@example.org")
    second = intruder.get(response["Location"])
    assert first.status_code == second.status_code == 200
    assert _without_per_response_tokens(first.content.decode()) == _without_per_response_tokens(
        second.content.decode()
    )
    assert [m.to for m in OutboxEmail.objects.all()] == ["owner@example.org"]


def test_registration_steps_query_count_is_flat(client, django_assert_max_num_queries):
    for i in range(30):
        registered_holder(with_key(f"1850578006{100 + i}"), email=f"p{i}@example.org")
    accept_cgu(client)
    with CaptureQueriesContext(connection) as step2:
        client.get("/titulaire/inscription/identite/")
    with django_assert_max_num_queries(12):
        client.get("/titulaire/inscription/identite/")
    assert len(step2) <= 12


def test_no_nir_in_clear_anywhere_in_the_database(client):
    """PRIV-01: a dump of every text column of every table holds no NIR in clear."""
    register(client)
    client.post(f"/titulaire/inscription/confirmation/{last_confirmation_token()}/")
    register(client, nir=IDENTITY["nir"])  # a second attempt: notice mail, session data
    needles = [NIR_A, NIR_A[:13], "1 85 05 78 006 084 91"]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                dumped = " ".join(str(value) for value in row)
                for needle in needles:
                    assert needle not in dumped, f"NIR in clear in table {table}"
    # The session data (signed, not encrypted) is decoded too.
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        for needle in needles:
            assert needle not in decoded

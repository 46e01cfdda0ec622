"""« Synthèse de votre compte » and « Mon compte d'heures » (the seed's texts)."""

import re
from html import unescape
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from mcf.domain.hours.ledger import credit_feed, enter_dif
from mcf.domain.hours.models import Counter, Entry
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    return registered_holder()


@pytest.fixture
def client(holder):
    client = Client()
    client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    return client


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def feed(holder, year, hours):
    counter = Counter.objects.select_for_update().get(holder=holder)
    credit_feed(counter, year=year, hours=hours, source="test")


def test_summary_of_a_new_account_shows_the_seed_sentences(client, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+01:00", tick=False)
    page = text(client.get("/titulaire/"))
    for label in [
        "Synthèse de votre compte",
        "Touria ORANGE",
        "Heures du compte personnel",
        "Heures CPF disponibles",
        "Votre compte CPF ne sera alimenté qu'à partir du mois de Mars 2027 en fonction de "
        "votre activité réalisée en 2026.",
        "Heures DIF non renseignées",
        "Vous devez renseigner le solde d'heures DIF dont vous disposez en cliquant ici "
        "(même si celui-ci est à 0).",
        "Dossiers en cours",
        "Dossiers de formation en cours",
        "Dossiers clos",
        "Dossiers de formation clos",
        "Accueil",
        "Mes informations personnelles",
        "Mon compte d'heures",
        "Rechercher une formation",
        "Mes dossiers de formation",
        "Mes délégations",
        "Se déconnecter",
        "Modifier mon mot de passe",
        "Historique de vos actions",
        "Conditions Générales d'Utilisation",
        "Nous contacter",
    ]:
        assert label in page, label


def test_before_march_the_activity_year_is_still_the_previous_one(holder, time_machine):
    time_machine.move_to("2027-02-10 10:00:00+01:00", tick=False)
    client = Client()
    client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    page = text(client.get("/titulaire/"))
    assert "à partir du mois de Mars 2027 en fonction de votre activité réalisée en 2026" in page


def test_summary_shows_balances_once_fed_and_dif_entered(client, holder):
    feed(holder, 2015, 24)
    enter_dif(holder, 45)
    page = text(client.get("/titulaire/"))
    assert "24 h disponibles" in page
    assert "45 h de DIF disponibles" in page
    assert "Heures DIF non renseignées" not in page


def test_hours_page_shows_the_seed_texts_and_no_movement(client):
    page = text(client.get("/titulaire/compte-d-heures/"))
    for label in [
        "Mon compte d'heures",
        "Le solde DIF doit obligatoirement être saisi avant de créer un premier dossier de "
        "formation. Si le salarié a plusieurs employeurs, il faut saisir la somme des heures "
        "DIF acquises.",
        "Attention : lorsque le dossier de formation est validé, il n'est plus possible de "
        "saisir ou de modifier le DIF.",
        "Saisissez le solde du DIF",
        "h",
        "Enregistrer",
        "Aucun mouvement n'a été porté à la connaissance du compte d'heures CPF.",
    ]:
        assert label in page, label


def test_entering_the_dif(client, holder):
    response = client.post("/titulaire/compte-d-heures/", {"hours": "45"})
    assert response["Location"] == "/titulaire/compte-d-heures/"
    counter = Counter.objects.get(holder=holder)
    assert counter.dif_balance == 45
    client.post("/titulaire/compte-d-heures/", {"hours": "0"})
    counter.refresh_from_db()
    assert counter.dif_balance == 0
    dif_entries = Entry.objects.filter(counter=counter, account=Entry.Account.DIF)
    assert sum(dif_entries.values_list("hours", flat=True)) == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "même s'il est à 0"),
        ("-1", "ne peut pas être négatif"),
        ("1000", "ne peut pas dépasser 999 heures"),
        ("douze", "Saisissez un nombre entier"),
        ("12.5", "Saisissez un nombre entier"),
    ],
)
def test_bad_dif_values_get_a_french_message(client, holder, value, message):
    response = client.post("/titulaire/compte-d-heures/", {"hours": value})
    assert response.status_code == 200
    assert message in text(response)
    assert Counter.objects.get(holder=holder).dif_balance is None


def test_dif_is_locked_once_a_dossier_is_validated(client, holder):
    enter_dif(holder, 30)
    Counter.objects.filter(holder=holder).update(dif_locked_at="2026-01-01T00:00:00Z")
    page = text(client.get("/titulaire/compte-d-heures/"))
    assert "ne peut plus être modifié" in page
    client.post("/titulaire/compte-d-heures/", {"hours": "99"})
    assert Counter.objects.get(holder=holder).dif_balance == 30


def test_movements_chart_and_data_table(client, holder):
    for year, hours in [(2015, 24), (2016, 24), (2017, 12)]:
        feed(holder, year, hours)
    page = client.get("/titulaire/compte-d-heures/").content.decode()
    assert "Alimentation au titre de l&#x27;activité 2016" in page
    assert "<svg" in page
    assert '<title id="graphique-titre">' in page
    plain = text(client.get("/titulaire/compte-d-heures/"))
    assert "2017 12 h 60 h" in plain


@pytest.mark.parametrize("url", ["/titulaire/", "/titulaire/compte-d-heures/"])
def test_query_count_is_flat_from_1_to_500_entries(client, holder, url):
    feed(holder, 2015, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    counter = Counter.objects.get(holder=holder)
    Entry.objects.bulk_create(
        [
            Entry(counter=counter, kind=Entry.Kind.CORRECTION, hours=0, label=f"n°{i}")
            for i in range(500)
        ]
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few) <= 9


def test_attestation_pdf_holds_balances_movements_and_a_masked_nir(client, holder):
    feed(holder, 2015, 24)
    enter_dif(holder, 45)
    response = client.get("/titulaire/compte-d-heures/attestation.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    body = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Attestation de droits" in body
    assert "Heures CPF 24 h" in body
    assert "Heures DIF 45 h" in body
    assert "Alimentation au titre de l'activité 2015" in body
    assert NIR_A not in body
    assert "1 85 •• •• ••• ••• " in body  # the masked NIR: sex, year and key only
    assert "no-store" in response["Cache-Control"]

"""« Synthèse de votre compte » and « Mon compte d'heures » (the seed's texts)."""

import re
from html import unescape
from io import BytesIO

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from mcf.domain.accounts.models import User
from mcf.domain.hours.ledger import correct_cpf, credit_feed, enter_dif
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.hours.reservations import Hours, release, reserve, settle
from mcf.web.idempotency import FIELD
from tests.factories import NIR_A, PASSWORD, registered_holder
from tests.web.keys import key_for, submit
from tests.web.test_numbers_in_markup import number_errors

pytestmark = pytest.mark.django_db

HOURS = "/titulaire/compte-d-heures/"


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
    response = submit(client, HOURS, {"hours": "45"})
    assert response["Location"] == HOURS
    counter = Counter.objects.get(holder=holder)
    assert counter.dif_balance == 45
    submit(client, HOURS, {"hours": "0"})
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
    response = submit(client, HOURS, {"hours": value})
    assert response.status_code == 200
    assert message in text(response)
    assert Counter.objects.get(holder=holder).dif_balance is None


def test_dif_is_locked_once_a_dossier_is_validated(client, holder):
    enter_dif(holder, 30)
    Counter.objects.filter(holder=holder).update(dif_locked_at="2026-01-01T00:00:00Z")
    page = text(client.get("/titulaire/compte-d-heures/"))
    assert "ne peut plus être modifié" in page
    client.post(HOURS, {"hours": "99", FIELD: key_for(holder, "titulaire:hours")})
    assert Counter.objects.get(holder=holder).dif_balance == 30


def test_movements_chart_and_data_table(client, holder):
    for year, hours in [(2015, 24), (2016, 24), (2017, 12)]:
        feed(holder, year, hours)
    page = client.get("/titulaire/compte-d-heures/").content.decode()
    assert "Alimentation au titre de l&#x27;activité 2016" in page
    assert "<svg" in page
    assert '<title id="graphique-titre">' in page
    plain = text(client.get("/titulaire/compte-d-heures/"))
    assert "2017 12 h 0 h 60 h" in plain


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


@pytest.mark.parametrize("years", [1, 2, 8, 9, 30])
def test_chart_coordinates_are_plain_numbers_and_years_never_crowd(client, holder, years):
    """SVG reads « 224.0 », not the « 224,0 » a French template writes for a float; with
    many years, one label in two (or three…) so that at most eight share the axis."""
    for year in range(1990, 1990 + years):
        feed(holder, year, 5)
    page = client.get("/titulaire/compte-d-heures/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert not number_errors(svg + "</svg>")
    labels = re.findall(r'text-anchor="middle">(\d{4})</text>', svg)
    assert len(re.findall(r"<circle", svg)) == years
    assert 1 <= len(labels) <= 8
    assert labels[-1] == str(1990 + years - 1)  # the latest year is always named


def summary_figures(page: str) -> dict:
    """What the synthèse says of the balances (None: « – », not fed / not entered)."""
    cpf = re.search(r"(\d+) h disponibles", page)
    dif = re.search(r"(\d+) h de DIF disponibles", page)
    assert bool(cpf) != ("ne sera alimenté qu'à partir du mois de Mars" in page), page
    assert bool(dif) != ("Heures DIF non renseignées" in page), page
    return {
        "cpf_available": cpf and int(cpf.group(1)),
        "dif_available": dif and int(dif.group(1)),
    }


def hours_figures(page: str) -> dict:
    """What « Mon compte d'heures » says of them: its table (a column per counter, a row
    per figure), and its chart's last point."""
    table = page.partition("Heures disponibles et réservées")[2].partition("Mouvements")[0]
    assert table.startswith(" CPF (plafond 150 h) DIF Disponibles "), table
    available = table.partition("Disponibles ")[2].partition(" Réservées pour un dossier")[0]
    cpf = None if available.startswith("Pas encore alimenté") else int(available.split()[0])
    dif = None if available.endswith("Non renseigné") else int(available.split()[-2])
    if cpf is not None:
        balance = int(table.partition(" Solde ")[2].split()[0])
        chart = re.findall(
            r"\d{4} -?\d+ h \d+ h (\d+) h", page.partition("Données du graphique")[2]
        )
        assert chart and int(chart[-1]) == balance, "the chart ends elsewhere"
    return {"cpf_available": cpf, "dif_available": dif}


def test_the_synthese_and_the_hours_page_show_the_same_balances(client, holder):
    """After each kind of ledger movement, both pages read the same figures (Balances):
    a correction of a counter never fed made the synthèse say « – » and « ne sera alimenté
    qu'à partir de Mars » while « Mon compte d'heures » said 24 h."""
    operator = User.objects.create_user(username="operatrice", password="x")
    counter = Counter.objects.get(holder=holder)

    def correct(hours, reason, year=None):
        return lambda: correct_cpf(
            counter.pk, hours=hours, reason=reason, operator=operator, year=year
        )

    movements = [
        ("nothing yet", lambda: None),
        ("a correction, never fed", correct(24, "Oubli")),
        ("the correction undone", correct(-24, "Erreur")),
        ("a yearly feed", lambda: feed(holder, 2015, 24)),
        ("a correction of a year", correct(-4, "DADS rectifiée", 2015)),
        ("a correction of no year", correct(7, "Rattrapage")),
        ("a DIF entry", lambda: enter_dif(holder, 45)),
        ("a DIF entry at 0", lambda: enter_dif(holder, 0)),
        ("the DIF entered again", lambda: enter_dif(holder, 45)),
        ("a reservation", dossier(reserve, counter.pk, Hours(dif=20, cpf=10))),
        ("a partial release", dossier(release, counter.pk, Hours(cpf=4))),
        ("a closing", dossier(settle, counter.pk, reserved=Hours(20, 6), used=Hours(20, 5))),
    ]
    seen = []
    for name, move in movements:
        move()
        shown = summary_figures(text(client.get("/titulaire/")))
        assert shown == hours_figures(text(client.get("/titulaire/compte-d-heures/"))), name
        seen.append(shown)
    assert seen[0] == {"cpf_available": None, "dif_available": None}
    assert seen[1]["cpf_available"] == 24
    assert seen[2]["cpf_available"] == 0  # moved, so no longer « not fed yet »
    assert seen[7] == {"cpf_available": 27, "dif_available": 0}
    assert seen[9] == {"cpf_available": 17, "dif_available": 25}
    assert seen[10] == {"cpf_available": 21, "dif_available": 25}
    assert seen[-1] == {"cpf_available": 22, "dif_available": 25}


SOURCE = "dossier:00000000-0000-4000-8000-000000000001"


def chart_rows(page: str) -> list[tuple[str, int, int, int]]:
    """The chart's data table: (activity year, hours acquired, hours used, balance at its
    end)."""
    rows = re.findall(
        r"(\d{4}) (-?\d+) h (\d+) h (\d+) h", page.partition("Données du graphique")[2]
    )
    return [(year, int(got), int(used), int(balance)) for year, got, used, balance in rows]


def dossier(function, *args, **kwargs):
    """A movement of the dossier SOURCE, as its transition makes it (in a transaction)."""

    def move():
        with transaction.atomic():
            function(*args, source=SOURCE, by="OPCA Démo", **kwargs)

    return move


def test_reserved_hours_and_dossier_movements_read_right(holder, time_machine):
    """Reserved hours are shown apart; a reservation and a release do not move the chart's
    balance, a debit does; each movement says what it is."""
    time_machine.move_to("2026-12-07 10:00:00+01:00")  # 2025's feed is due
    client = Client()
    client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    feed(holder, 2015, 24)
    feed(holder, 2016, 24)
    enter_dif(holder, 45)
    counter = Counter.objects.get(holder=holder)
    dossier(reserve, counter.pk, Hours(dif=20, cpf=30), number="2026-0001")()
    page = text(client.get(HOURS))
    assert "Disponibles 18 h 25 h Réservées pour un dossier 30 h 20 h Solde 48 h 45 h" in page
    assert "Réservation pour le dossier n° 2026-0001 30 h réservées" in page
    assert chart_rows(page) == [("2015", 24, 0, 24), ("2016", 24, 0, 48)]  # the chart stays
    synthese = text(client.get("/titulaire/"))
    assert "18 h disponibles, en plus des 30 h réservées pour un dossier" in synthese
    assert "25 h de DIF disponibles, en plus des 20 h réservées pour un dossier" in synthese

    dossier(settle, counter.pk, reserved=Hours(20, 30), used=Hours(20, 10), number="2026-0001")()
    page = text(client.get(HOURS))
    assert "Disponibles 38 h 25 h Réservées pour un dossier 0 h 0 h Solde 38 h 25 h" in page
    assert "Heures libérées du dossier n° 2026-0001 30 h libérées" in page
    assert "Heures utilisées par le dossier n° 2026-0001 -10 h" in page
    # The debit (of no activity year) moves the chart, in the last year fed by now.
    # The 10 h used are no hours acquired (the table said « -10 h » acquired).
    assert chart_rows(page) == [("2015", 24, 0, 24), ("2016", 24, 0, 48), ("2025", 0, 10, 38)]
    assert "en plus des" not in text(client.get("/titulaire/"))


@pytest.mark.parametrize("value", [None, "1000"], ids=["empty", "error"])
def test_dif_field_is_a_dsfr_input_with_its_unit(client, value):
    """The DIF box had a class of its own, so django-dsfr gave it no `fr-input`: no border,
    no background, a floating « h ». It is a DSFR input with the unit as an addon."""
    if value is None:
        page = client.get("/titulaire/compte-d-heures/").content.decode()
    else:
        page = client.post("/titulaire/compte-d-heures/", {"hours": value}).content.decode()
    wrap = re.search(r'<div class="fr-input-wrap fr-input-wrap--addon">(.*?)</div>', page, re.S)
    assert wrap, "no DSFR input wrap"
    field = re.search(r'<input type="number" name="hours"[^>]*>', wrap.group(1)).group(0)
    assert 'class="fr-input"' in field
    assert '<span class="mcf-unit-field__unit" aria-hidden="true">h</span>' in wrap.group(1)
    assert 'aria-describedby="id_hours_helptext"' in field or value
    if value:
        assert 'aria-invalid="true"' in field
        assert "fr-input-group--error" in page

"""Back-office pages of the compte d'heures: uploads of the yearly feed and CPF corrections
(issue #5). Only operators with the dedicated permission (AC-02), through the second factor
(AUTH-15); NIR never in a URL nor on a page (PRIV-02); journaled (LOG-01); no 500 (VAL-01)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mcf.domain.hours.feed import HEADER_LINE
from mcf.domain.hours.feed.uploads import progress_path, submit_upload
from mcf.domain.hours.models import Counter, Entry, FeedImport
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.journal.models import JournalEntry
from tests.domain.organisations.builders import operator_client
from tests.factories import NIR_A, NIR_B, registered_holder

pytestmark = pytest.mark.django_db

UPLOADS = "/gestion/hours/feedimport/"
UPLOAD = UPLOADS + "add/"
COUNTERS = "/gestion/hours/counter/"
YEAR = timezone.localdate().year - 2
SIRET = "73282932000074"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.FEED_UPLOAD_DIR = tmp_path / "alimentation"


@pytest.fixture
def importer():
    return operator_client("importatrice", "import_declarations")


@pytest.fixture
def corrector():
    return operator_client("correctrice", "correct_counter")


def csv_file(*lines: str, name: str = "dads-2024.csv") -> SimpleUploadedFile:
    body = HEADER_LINE + "\n" + "\n".join(lines) + "\n"
    return SimpleUploadedFile(name, body.encode(), content_type="text/csv")


def good_lines() -> list[str]:
    return [
        f"{YEAR};{SIRET};{NIR_A};DUPONT;Jean;1607;;0",
        f"{YEAR};{SIRET};{NIR_B};MARTIN;Léa;-3;;0",
    ]


# --- Access (AC-02, AUTH-15) --------------------------------------------------------------


@pytest.mark.parametrize("url", [UPLOADS, UPLOAD, COUNTERS])
def test_ac_02_operators_without_the_permission_get_403(url):
    _, client = operator_client("autre")
    assert client.get(url).status_code == 403
    assert client.post(url, {"nir": NIR_A}).status_code == 403


def test_ac_02_each_permission_opens_only_its_pages(importer, corrector):
    assert importer[1].get(COUNTERS).status_code == 403
    assert corrector[1].get(UPLOADS).status_code == 403
    index = importer[1].get("/gestion/").content.decode()
    assert "Chargements de déclarations annuelles" in index
    assert "Compteurs d" not in index


def test_auth_15_no_second_factor_no_page(importer):
    user, _ = importer
    client = Client()
    client.force_login(user)
    for url in (UPLOADS, UPLOAD, COUNTERS):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/gestion/login/")


# --- The yearly feed's upload ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker opens its own transactions
def test_upload_page_then_run_page_then_report(importer):
    user, client = importer
    page = client.get(UPLOAD)
    assert page.status_code == 200
    assert HEADER_LINE in page.content.decode()
    response = client.post(UPLOAD, {"file": csv_file(*good_lines())})
    run = FeedImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{UPLOADS}{run.pk}/change/"
    assert run.uploaded_by == user and run.file_name == "dads-2024.csv"
    waiting = client.get(response["Location"]).content.decode()
    # Followed by feed_run.js, not by a <meta refresh> (RGAA 13.1).
    assert "En attente" in waiting and 'data-refresh-every="5"' in waiting
    assert "feed_run.js" in waiting and 'http-equiv="refresh"' not in waiting
    assert "Télécharger le rapport" not in waiting

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    done = client.get(response["Location"]).content.decode()
    assert "Terminé" in done and "data-refresh-every" not in done and "feed_run.js" not in done
    assert "Lignes lues : 2" in done and "Lignes rejetées : 1" in done
    report = client.get(f"{UPLOADS}{run.pk}/rapport/")
    assert report.status_code == 200
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="dads-2024.rapport.csv"' in report["Content-Disposition"]
    content = b"".join(report.streaming_content).decode()
    assert content == "ligne;motif\n3;heures travaillées négatives : « -3 »\n"
    listing = client.get(UPLOADS).content.decode()
    assert "dads-2024.csv" in listing and "Terminé" in listing
    for page in (waiting, done, listing, content):
        assert NIR_A not in page and NIR_B not in page  # PRIV-02


def test_a_refused_file_stays_on_the_form_with_a_french_message(importer):
    _, client = importer
    wrong = SimpleUploadedFile("dads.csv", b"annee;nir\n2024;185057800608491\n")
    response = client.post(UPLOAD, {"file": wrong})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Le fichier n'a pas été déposé" in body
    assert "En-tête inattendu" in body
    assert client.post(UPLOAD, {}).status_code == 200
    assert "Choisissez le fichier à charger." in client.post(UPLOAD, {}).content.decode()
    assert FeedImport.objects.count() == 0


def test_val_01_odd_uploads_never_give_a_500(importer):
    _, client = importer
    for upload in (
        SimpleUploadedFile("x.csv", b"\x00\xff" * 1000),
        SimpleUploadedFile("x.csv", "\u202e\n".encode() * 10),
        SimpleUploadedFile("x" * 300 + ".csv", b"a;b\n"),
        SimpleUploadedFile("rapport.exe", b"MZ"),
    ):
        assert client.post(UPLOAD, {"file": upload}).status_code == 200
    assert client.post(UPLOAD, {"file": "pas un fichier"}).status_code == 200
    assert client.get(f"{UPLOADS}999/change/").status_code in (302, 404)
    assert client.get(f"{UPLOADS}999/rapport/").status_code == 404
    assert client.get(f"{UPLOADS}abc/rapport/").status_code == 404


def test_a_running_import_shows_its_progress(importer):
    user, client = importer
    run = submit_upload(csv_file(*good_lines()), user)
    FeedImport.objects.filter(pk=run.pk).update(status=FeedImport.Status.RUNNING)
    progress_path(run).write_text('{"phase": "lecture", "done": 10, "total": 40, "percent": 25}')
    expected = "En cours : lecture du fichier, 25 %"
    assert expected in client.get(f"{UPLOADS}{run.pk}/change/").content.decode()
    assert expected in client.get(UPLOADS).content.decode()
    assert client.get(f"{UPLOADS}{run.pk}/rapport/").status_code == 404


def test_a_run_without_sign_of_life_says_the_worker_may_have_stopped(importer):
    user, client = importer
    run = submit_upload(csv_file(*good_lines()), user)
    started = timezone.now() - timedelta(minutes=20)
    FeedImport.objects.filter(pk=run.pk).update(
        status=FeedImport.Status.RUNNING, started_at=started
    )
    page = client.get(f"{UPLOADS}{run.pk}/change/").content.decode()
    assert "Aucun signe d'activité depuis 20 minutes" in page
    assert "reprend seul dès qu'un travailleur tourne à nouveau" in page  # taken over
    progress_path(run).write_text('{"phase": "application", "percent": 50}')  # alive again
    page = client.get(f"{UPLOADS}{run.pk}/change/").content.decode()
    assert "Aucun signe" not in page and "calcul et écriture des crédits, 50 %" in page


def test_query_counts_of_the_feed_pages_do_not_grow_with_the_runs(
    importer, django_assert_num_queries
):
    user, client = importer
    submit_upload(csv_file(*good_lines()), user)
    client.get(UPLOADS)  # warm the session and the content types
    with django_assert_num_queries(10) as one:
        client.get(UPLOADS)
    for index in range(10):
        submit_upload(csv_file(*good_lines(), name=f"f{index}.csv"), user)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(UPLOADS)
    run = FeedImport.objects.first()
    with django_assert_num_queries(10):
        client.get(f"{UPLOADS}{run.pk}/change/")


# --- Corrections ------------------------------------------------------------------------------


def fed_counter(nir: str = NIR_B, balance: int = 40) -> Counter:
    counter = Counter.objects.create(nir_hash=nir_lookup_hash(nir))
    Entry.objects.create(counter=counter, kind=Entry.Kind.FEED, hours=balance, year=YEAR)
    Counter.objects.filter(pk=counter.pk).update(cpf_balance=balance, last_fed_year=YEAR)
    return counter


def test_find_a_counter_by_nir_in_a_post_never_in_the_url(corrector):
    _, client = corrector
    counter = fed_counter()
    assert client.get(COUNTERS).status_code == 200
    response = client.post(COUNTERS, {"nir": "2 90 10 2A 123 123 54"})
    assert response.status_code == 302
    assert response["Location"] == f"{COUNTERS}{counter.pk}/change/"
    page = client.get(response["Location"]).content.decode()
    assert "40 h" in page and "Pas encore inscrit" in page
    assert NIR_B not in page and nir_lookup_hash(NIR_B) not in page  # PRIV-02
    unknown = client.post(COUNTERS, {"nir": NIR_A}).content.decode()
    assert "Aucun compteur d&#x27;heures pour ce NIR" in unknown
    invalid = client.post(COUNTERS, {"nir": NIR_A[:-2] + "00"}).content.decode()
    assert "la clé ne correspond pas" in invalid


def test_a_correction_with_its_reason_reaches_the_holder_pages(corrector):
    operator, client = corrector
    holder = registered_holder(NIR_A)
    counter = Counter.objects.get(holder=holder)
    url = f"{COUNTERS}{counter.pk}/change/"
    response = client.post(url, {"hours": "12", "reason": "Alimentation 2019 omise", "year": ""})
    assert response.status_code == 302 and response["Location"] == url
    assert "Correction de +12 h enregistrée" in client.get(url).content.decode()
    counter.refresh_from_db()
    assert counter.cpf_balance == 12
    entry = Entry.objects.get(counter=counter, kind=Entry.Kind.CORRECTION)
    assert entry.created_by == operator.username
    assert JournalEntry.objects.filter(holder=holder, details__contains="omise").exists()

    holder_client = Client()
    holder_client.force_login(holder)
    hours = holder_client.get("/titulaire/compte-d-heures/").content.decode()
    assert "Correction par la Caisse des Dépôts : Alimentation 2019 omise" in hours
    assert "+12 h" in hours
    history = holder_client.get("/titulaire/historique/").content.decode()
    assert "Correction de +12 h : Alimentation 2019 omise" in history


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hours": "-41", "reason": "Trop"}, "ne peut pas devenir négatif"),
        ({"hours": "111", "reason": "Trop"}, "plafond de 150 heures"),
        ({"hours": "5", "reason": ""}, "Ce champ est obligatoire"),
        ({"hours": "5", "reason": f"NIR {NIR_B}"}, "ne doit pas contenir de NIR"),
        ({"hours": "1.5", "reason": "x"}, "Saisissez un nombre entier"),
        ({"hours": "99999999999999", "reason": "x"}, "inférieure ou égale à 150"),
        ({"hours": "5", "reason": "x", "year": "2014"}, "supérieure ou égale à 2015"),
        ({"hours": "5", "reason": "x", "year": "9999"}, "pas encore terminée"),
        ({"hours": "0", "reason": "x"}, "différent de 0"),
    ],
)
def test_refused_corrections_are_french_form_errors(corrector, data, message):
    _, client = corrector
    counter = fed_counter()
    response = client.post(f"{COUNTERS}{counter.pk}/change/", data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    counter.refresh_from_db()
    assert counter.cpf_balance == 40 and Entry.objects.count() == 1


def test_ac_05_posted_server_fields_are_ignored(corrector):
    _, client = corrector
    counter = fed_counter()
    client.post(
        f"{COUNTERS}{counter.pk}/change/",
        {"hours": "1", "reason": "x", "cpf_balance": "150", "cpf_reserved": "9", "holder": "1"},
    )
    counter.refresh_from_db()
    assert (counter.cpf_balance, counter.cpf_reserved, counter.holder_id) == (41, 0, None)


def test_an_unknown_counter_is_a_404(corrector):
    _, client = corrector
    assert client.get(f"{COUNTERS}999999/change/").status_code in (302, 404)
    assert client.post(f"{COUNTERS}999999/change/", {"hours": "1", "reason": "x"}).status_code in (
        302,
        404,
    )


def test_query_count_of_the_counter_page_is_flat(corrector, django_assert_num_queries):
    _, client = corrector
    counter = fed_counter()
    url = f"{COUNTERS}{counter.pk}/change/"
    client.get(url)
    with django_assert_num_queries(10) as one:
        client.get(url)
    for year in range(2015, YEAR):
        Entry.objects.create(counter=counter, kind=Entry.Kind.FEED, hours=0, year=year)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)


@given(
    hours=st.text(max_size=30),
    year=st.text(max_size=10),
    reason=st.text(max_size=300),
    nir=st.text(max_size=60),
)
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_val_01_any_typed_text_gives_a_page_never_a_500(corrector, hours, year, reason, nir):
    _, client = corrector
    counter = Counter.objects.first() or fed_counter()
    assert client.post(COUNTERS, {"nir": nir}).status_code in (200, 302)
    response = client.post(
        f"{COUNTERS}{counter.pk}/change/", {"hours": hours, "year": year, "reason": reason}
    )
    assert response.status_code in (200, 302)
    counter.refresh_from_db()
    assert 0 <= counter.cpf_balance <= 150

"""Holder's account pages: history, password change, open sessions, session lifetime."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from mcf.domain.accounts.models import UserSession
from mcf.domain.accounts.password_rules import UNCHANGED_MESSAGE
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from mcf.web.idempotency import FIELD
from tests.factories import NIR_A, PASSWORD, registered_holder
from tests.web.keys import client_key, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    return registered_holder()


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


def logged_in(user_agent="Navigateur A") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_log02_history_lists_the_holders_actions_newest_first(holder):
    client = logged_in()
    page = client.get("/titulaire/historique/").content.decode()
    assert "Historique de vos actions" in page
    positions = [
        page.index(label) for label in ["Connexion", "Compte activé", "Inscription enregistrée"]
    ]
    assert positions == sorted(positions)


def test_log02_history_shows_only_the_holders_own_entries(holder):
    other = registered_holder("290102A12312354", email="autre@example.org")
    journal.record(other, Action.PASSWORD_CHANGED, details="secret de l'autre")
    page = logged_in().get("/titulaire/historique/").content.decode()
    assert "secret de l'autre" not in page


def test_log02_history_is_paginated_and_its_query_count_is_flat(holder, django_assert_num_queries):
    client = logged_in()
    # session, user, count, page of entries, session save (in a savepoint: 3 statements).
    with django_assert_num_queries(7) as small:
        client.get("/titulaire/historique/")
    for i in range(60):
        journal.record(holder, Action.LOGIN_SUCCEEDED, details=f"n°{i}")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/titulaire/historique/?page=2")
    assert "page 2 sur" in response.content.decode()


def test_auth13_password_change_needs_the_current_password_and_ends_other_sessions(holder):
    other = logged_in("Navigateur B")
    client = logged_in("Navigateur A")
    wrong = submit(
        client,
        "/titulaire/mot-de-passe/",
        {
            "current_password": "pas-le-bon",
            "password": "Nouveau-mot-2027x",
            "password_confirmation": "Nouveau-mot-2027x",
        },
    )
    assert "Le mot de passe actuel est incorrect." in wrong.content.decode()
    done = submit(
        client,
        "/titulaire/mot-de-passe/",
        {
            "current_password": PASSWORD,
            "password": "Nouveau-mot-2027x",
            "password_confirmation": "Nouveau-mot-2027x",
        },
    )
    assert done["Location"] == "/titulaire/"
    assert client.get("/titulaire/").status_code == 200  # this session stays
    assert other.get("/titulaire/").status_code == 302  # the other one ended
    assert OutboxEmail.objects.filter(kind="mot_de_passe_modifie", to=holder.email).count() == 1
    assert JournalEntry.objects.filter(holder=holder, action=Action.PASSWORD_CHANGED).exists()


def test_auth13_the_current_password_is_refused_as_the_new_one(holder):
    """Issue 12: « changing » the password to the same one was accepted (mail sent, other
    sessions ended, nothing changed)."""
    other = logged_in("Navigateur B")
    client = logged_in("Navigateur A")
    same = client.post(
        "/titulaire/mot-de-passe/",
        {"current_password": PASSWORD, "password": PASSWORD, "password_confirmation": PASSWORD},
    )
    assert same.status_code == 200
    assert UNCHANGED_MESSAGE in same.content.decode()
    assert other.get("/titulaire/").status_code == 200  # nothing happened
    assert not OutboxEmail.objects.filter(kind="mot_de_passe_modifie").exists()


def test_sess05_holder_sees_and_ends_another_session(holder):
    phone = logged_in(IPHONE)
    laptop = logged_in(WINDOWS_EDGE)
    page = unescape(laptop.get("/titulaire/sessions/").content.decode())
    # The browsers' names, never the raw User-Agent strings.
    assert "Safari sur iPhone" in page
    assert "Edge sur Windows" in page
    assert "Mozilla/5.0" not in page
    assert "Cette session (cet appareil)" in page
    phone_record = UserSession.objects.get(user_agent=IPHONE)
    submit(
        laptop, "/titulaire/sessions/", {"session": phone_record.pk}, "/titulaire/sessions/fermer/"
    )
    assert phone.get("/titulaire/").status_code == 302
    assert laptop.get("/titulaire/").status_code == 200
    assert JournalEntry.objects.filter(holder=holder, action=Action.SESSION_ENDED).count() == 1
    # Session keys never appear in the page (only record ids).
    assert phone_record.session_key not in page


def test_sess05_a_holder_cannot_end_someone_elses_session(holder):
    registered_holder("290102A12312354", email="autre@example.org")
    other = Client()
    other.post("/titulaire/connexion/", {"nir": "290102A12312354", "password": PASSWORD})
    other_record = UserSession.objects.get(user__email="autre@example.org")
    mine = logged_in()
    mine.post(
        "/titulaire/sessions/fermer/",
        {"session": other_record.pk, FIELD: client_key(mine, "titulaire:end_session")},
    )
    assert other.get("/titulaire/").status_code == 200


def test_sess03_session_ends_12_hours_after_login_even_when_active(holder, time_machine):
    """SESS-03: absolute lifetime."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client = logged_in()
    for minutes in range(20, 12 * 60, 20):  # active every 20 minutes (idle limit: 30)
        time_machine.move_to(start + timedelta(minutes=minutes), tick=False)
        assert client.get("/titulaire/").status_code == 200, minutes
    time_machine.move_to(start + timedelta(hours=12, seconds=1), tick=False)
    assert client.get("/titulaire/").status_code == 302


def test_sess03_idle_sessions_expire_after_30_minutes(holder, settings):
    """SESS-03: the server-side session expires 30 minutes after the last request."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client = logged_in()
    session = Session.objects.get(session_key=client.session.session_key)
    assert timedelta(minutes=29) < session.expire_date - timezone.now() <= timedelta(minutes=30)


def test_sess06_disabling_an_account_ends_its_sessions_at_once(holder):
    """SESS-06."""
    client = logged_in()
    holder.is_active = False
    holder.save(update_fields=["is_active"])
    assert client.get("/titulaire/").status_code == 302


def test_every_menu_entry_leads_to_a_built_page(holder):
    client = logged_in()
    home = client.get("/titulaire/").content.decode()
    for label in [
        "Accueil",
        "Mes informations personnelles",
        "Mon compte d'heures",
        "Rechercher une formation",
        "Mes dossiers de formation",
        "Mes délégations",
    ]:
        assert label.replace("'", "&#x27;") in home or label in home, label
    # Every entry is built: none ends on « Bientôt disponible ».
    for url in re.findall(r'sidemenu__link" href="([^"]+)"', home):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Bientôt disponible" not in page.content.decode(), url


def test_the_menu_marks_the_entry_of_the_current_page_and_of_its_sub_pages(holder):
    client = logged_in()

    def current_entries(url):
        page = client.get(url).content.decode()
        return re.findall(r'sidemenu__link" href="([^"]+)" aria-current="([a-z]+)"', page)

    assert current_entries("/titulaire/") == [("/titulaire/", "page")]
    assert current_entries("/titulaire/compte-d-heures/") == [
        ("/titulaire/compte-d-heures/", "page")
    ]
    # A sub-page keeps its entry active, without claiming to be that page.
    assert current_entries("/titulaire/informations-personnelles/courriel/") == [
        ("/titulaire/informations-personnelles/", "true")
    ]


def test_ac02_an_operator_logged_in_elsewhere_gets_no_holder_page(client, django_user_model):
    operator = django_user_model.objects.create_user(username="op", password="x")
    client.force_login(operator)
    for url in [
        "/titulaire/",
        "/titulaire/compte-d-heures/",
        "/titulaire/historique/",
        "/titulaire/delegations/",
    ]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("value", ["²", "１２", "٣", "1\u00a02", "-1", "abc", "9" * 30])
def test_val_01_a_session_value_that_is_no_id_ends_nothing(holder, value):
    """« ² » passed isdigit() and made int() raise (a 500); any other non-id ended ALL the
    other sessions, as if no value had been sent."""
    phone = logged_in("Téléphone")
    laptop = logged_in("Ordinateur")
    response = laptop.post("/titulaire/sessions/fermer/", {"session": value}, follow=True)
    assert response.status_code == 200
    assert "Cette session n&#x27;existe pas ou est déjà fermée." in response.content.decode()
    assert phone.get("/titulaire/").status_code == 200
    assert not JournalEntry.objects.filter(action=Action.SESSION_ENDED).exists()

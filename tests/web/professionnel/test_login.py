"""Espace professionnel login: identifier + password, then TOTP (AUTH-04, 05, 15)."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.domain.accounts.models import LoginThrottle
from tests.domain.organisations.builders import (
    PRO_PASSWORD,
    active_principal_admin,
    code_for,
    new_organisation,
    wrong_code_for,
)
from tests.factories import PASSWORD, registered_holder

pytestmark = pytest.mark.django_db

LOGIN = "/professionnel/connexion/"
VERIFY = "/professionnel/connexion/code/"
ENROL = "/professionnel/connexion/double-authentification/"
HOME = "/professionnel/"
CHANGE = "/professionnel/mot-de-passe-provisoire/"
GESTIONNAIRES = "/professionnel/gestionnaires/"
SPACE_URLS = [HOME, GESTIONNAIRES, CHANGE]
FAILED = "Identifiant ou mot de passe incorrect"
CODE_FAILED = "Code incorrect ou déjà utilisé"
WRONG = "Mauvais-mot-2026"


@pytest.fixture
def now(time_machine):
    start = timezone.now().replace(microsecond=0)
    time_machine.move_to(start, tick=False)
    return start


@pytest.fixture
def admin(now):
    return active_principal_admin()


def password_step(client, username="amandine.martin", password=PRO_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def normalised(response) -> str:
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'nonce="[^"]+"', "", page)
    return re.sub(r'name="username" value="[^"]*"', "", page)


def assert_not_in_the_space(client):
    for url in SPACE_URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url


def test_login_page(client):
    html = client.get(LOGIN).content.decode()
    assert "<h1>Espace professionnel</h1>" in html
    assert 'name="username"' in html
    assert 'autocomplete="current-password"' in html


def test_every_failure_gets_the_same_generic_page(admin):
    cases = {
        "unknown": ("personne.inconnue", PRO_PASSWORD),
        "wrong password": ("amandine.martin", WRONG),
        "empty password": ("amandine.martin", ""),
        "a NIR": ("185057800608491", PRO_PASSWORD),
    }
    pages = {}
    for name, (username, password) in cases.items():
        response = password_step(Client(), username, password)
        assert response.status_code == 200, name
        assert FAILED in response.content.decode(), name
        pages[name] = normalised(response)
    for _ in range(4):  # with the one above: 5 failures, the delay starts
        password_step(Client(), password=WRONG)
    throttled = password_step(Client())
    pages["throttled with the right password"] = normalised(throttled)
    assert len(set(pages.values())) == 1, pages.keys()
    assert WRONG not in throttled.content.decode()


def test_holders_do_not_log_in_here(now):
    holder = registered_holder()
    holder.username = "touria.orange"
    holder.save()
    assert FAILED in password_step(Client(), "touria.orange", PASSWORD).content.decode()


def test_throttling_follows_the_holders_rules(admin, now, time_machine):
    for _ in range(5):
        password_step(Client(), password=WRONG)
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    client = Client()
    assert FAILED in password_step(client).content.decode()
    assert_not_in_the_space(client)
    time_machine.move_to(now + timedelta(seconds=61), tick=False)
    assert password_step(client)["Location"] == VERIFY
    assert LoginThrottle.objects.count() == 0


@pytest.mark.parametrize(
    "spelling", ["ａｍａｎｄｉｎｅ．ｍａｒｔｉｎ", "\u00a0Amandine.MARTIN\u3000"]
)
def test_every_spelling_of_the_identifier_shares_the_throttle(admin, now, spelling):
    """AUTH-05: an identifier typed in full-width letters or capitals reaches the account
    (NFKC, as Django's login form) and so must count on the same delay."""
    assert password_step(Client(), spelling)["Location"] == VERIFY
    for _ in range(5):
        password_step(Client(), password=WRONG)
    client = Client()
    assert FAILED in password_step(client, spelling).content.decode()
    assert LoginThrottle.objects.get().refused == 1


def test_password_alone_opens_nothing(admin, client):
    """AUTH-15: right password, no code yet: no Django login, no professional URL."""
    response = password_step(client)
    assert response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session
    assert_not_in_the_space(client)
    # Nor any other space: the holder's space sees an anonymous visitor.
    assert client.get("/titulaire/")["Location"].startswith("/titulaire/connexion/")


def test_right_code_opens_the_space_and_rotates_the_session(admin, client, now, time_machine):
    _, device = admin
    password_step(client)
    pending_key = client.session.session_key
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response["Location"] == HOME
    assert client.session.session_key != pending_key  # SESS-01
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    home = client.get(HOME)
    assert home.status_code == 200
    assert "OPCA Test" in home.content.decode()
    assert "no-store" in home["Cache-Control"]


def test_wrong_or_replayed_code_is_refused(admin, client, now, time_machine):
    _, device = admin
    password_step(client)
    # The code used at enrolment (same time step): refused, it was already used.
    replay = client.post(VERIFY, {"code": code_for(device)})
    assert replay.status_code == 200
    assert CODE_FAILED in replay.content.decode()
    assert_not_in_the_space(client)
    password_step(client)
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    wrong = client.post(VERIFY, {"code": wrong_code_for(device)})
    assert CODE_FAILED in wrong.content.decode()
    malformed = client.post(VERIFY, {"code": "12ab"})
    assert malformed.status_code == 200
    assert_not_in_the_space(client)
    # After the failure delays, the current code is accepted once.
    time_machine.move_to(now + timedelta(seconds=40), tick=False)
    code = code_for(device)
    assert client.post(VERIFY, {"code": code})["Location"] == HOME
    other = Client()
    password_step(other)
    assert CODE_FAILED in other.post(VERIFY, {"code": code}).content.decode()


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_right_code_typed_just_after_a_wrong_one_is_explained(admin, client, now, time_machine):
    """Issue 12: django-otp refuses every code for 1, 2, 4… s after a wrong one; the page
    said « Code incorrect » for the right code. It now says to wait, and how long."""
    _, device = admin
    password_step(client)
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    wrong = page_text(client.post(VERIFY, {"code": wrong_code_for(device)}))
    assert CODE_FAILED in wrong
    assert "attendez 1 seconde avant d'en saisir un autre" in wrong
    right_too_soon = page_text(client.post(VERIFY, {"code": code_for(device)}))
    assert "Ce code n'a pas été vérifié" in right_too_soon
    assert "Attendez 1 seconde, puis" in right_too_soon
    assert CODE_FAILED not in right_too_soon
    time_machine.move_to(now + timedelta(seconds=31), tick=False)
    second_wrong = page_text(client.post(VERIFY, {"code": wrong_code_for(device)}))
    assert "attendez 2 secondes" in second_wrong
    time_machine.move_to(now + timedelta(seconds=33), tick=False)
    assert client.post(VERIFY, {"code": code_for(device)})["Location"] == HOME


def test_the_enrolment_code_explains_the_wait_too(client, now, time_machine):
    account = new_organisation()
    password_step(client, password=account.provisional_password)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=account.user)
    assert "attendez 1 seconde" in page_text(client.post(ENROL, {"code": wrong_code_for(device)}))
    assert "Ce code n'a pas été vérifié" in page_text(
        client.post(ENROL, {"code": code_for(device)})
    )


def test_code_step_expires(admin, client, now, time_machine):
    _, device = admin
    password_step(client)
    time_machine.move_to(now + timedelta(minutes=11), tick=False)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response["Location"] == LOGIN


def test_code_pages_need_the_password_first(admin, client):
    assert client.get(VERIFY)["Location"] == LOGIN
    assert client.get(ENROL)["Location"] == LOGIN
    assert client.post(VERIFY, {"code": "123456"})["Location"] == LOGIN


def test_first_login_enrols_then_forces_the_password_change(client, now, time_machine):
    account = new_organisation()
    response = password_step(client, password=account.provisional_password)
    assert response["Location"] == ENROL
    page = client.get(ENROL)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=account.user)
    assert not device.confirmed
    # The QR code is inline SVG (no request elsewhere), the secret is there to type.
    assert '<svg width="' in html and 'class="mcf-qr-code"' in html
    assert "<img" not in html.split('class="mcf-qr-code"')[0].rsplit("<h1", 1)[1]
    secret = re.search(r'<code class="fr-text--lg">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert client.get(ENROL).content.decode().count(secret) == 1  # same secret on reload
    assert_not_in_the_space(client)
    # A wrong code keeps the page; the right one confirms and logs in.
    wrong = client.post(ENROL, {"code": wrong_code_for(device)})
    assert CODE_FAILED in wrong.content.decode()
    time_machine.move_to(now + timedelta(seconds=2), tick=False)
    assert client.post(ENROL, {"code": code_for(device)})["Location"] == HOME
    device.refresh_from_db()
    assert device.confirmed
    # Provisional password: every page of the space leads to the change page.
    for url in (HOME, GESTIONNAIRES):
        assert client.get(url)["Location"] == CHANGE, url
    assert client.get(CHANGE).status_code == 200
    weak = client.post(CHANGE, {"password": "abc", "password_confirmation": "abc"})
    assert weak.status_code == 200
    assert "au moins 8 caractères" in weak.content.decode()
    same = client.post(
        CHANGE,
        {
            "password": account.provisional_password,
            "password_confirmation": account.provisional_password,
        },
    )
    assert "différent du mot de passe actuel" in same.content.decode()
    done = client.post(CHANGE, {"password": PRO_PASSWORD, "password_confirmation": PRO_PASSWORD})
    assert done["Location"] == HOME
    assert client.get(HOME).status_code == 200  # the session survived its password change
    assert client.get(CHANGE)["Location"] == HOME
    account.user.refresh_from_db()
    assert account.user.check_password(PRO_PASSWORD)


def test_a_provisional_password_is_changed_only_after_the_second_factor(client):
    account = new_organisation()
    password_step(client, password=account.provisional_password)
    response = client.post(
        CHANGE, {"password": PRO_PASSWORD, "password_confirmation": PRO_PASSWORD}
    )
    assert response["Location"].startswith(LOGIN)
    account.user.refresh_from_db()
    assert account.user.professional_profile.must_change_password


def test_an_enrolled_account_cannot_enrol_again_with_its_password(admin, client):
    password_step(client)
    assert client.get(ENROL)["Location"] == VERIFY
    assert TOTPDevice.objects.count() == 1


def test_next_page_after_login_stays_in_the_space(admin, client, now, time_machine):
    _, device = admin
    response = client.get(GESTIONNAIRES)
    assert response["Location"] == f"{LOGIN}?next=/professionnel/gestionnaires/"
    password_step(client, next=GESTIONNAIRES)
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    assert client.post(VERIFY, {"code": code_for(device)})["Location"] == GESTIONNAIRES
    evil = Client()
    password_step(evil, next="https://evil.example/")
    time_machine.move_to(now + timedelta(seconds=60), tick=False)
    assert evil.post(VERIFY, {"code": code_for(device)})["Location"] == HOME


def test_logout_is_post_only_and_ends_the_session(admin, client, now, time_machine):
    _, device = admin
    password_step(client)
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/professionnel/deconnexion/").status_code == 405
    assert client.get(HOME).status_code == 200
    assert client.post("/professionnel/deconnexion/")["Location"] == LOGIN
    assert_not_in_the_space(client)


def test_a_logged_in_holder_is_not_a_professional(client):
    client.force_login(registered_holder())
    assert_not_in_the_space(client)


def test_a_password_session_without_second_factor_is_refused(admin):
    """Even a Django login of a professional (e.g. by another code path) without a verified
    device gives no access to the space."""
    user, _ = admin
    client = Client()
    client.force_login(user)
    assert_not_in_the_space(client)

"""Back office at /gestion/: second factor required (AUTH-15), not under /admin/ (AUTH-16),
organisations created with their administrateur principal."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.demo.accounts import (
    DEMO_OPERATOR_PASSWORD,
    DEMO_OPERATOR_TOTP_SECRET,
    DEMO_OPERATOR_USERNAME,
)
from mcf.domain.accounts.models import LoginThrottle, User
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.organisations.models import Organisation, ProfessionalProfile
from mcf.domain.organisations.second_factor import key_from_base32
from tests.domain.organisations.builders import (
    PRO_PASSWORD,
    SIRET_A,
    active_principal_admin,
    code_for,
    verified_client,
    wrong_code_for,
)

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/gestion/login/"
OPERATOR_PASSWORD = "Operatrice-gestion-2026"


@pytest.fixture
def now(time_machine):
    start = timezone.now().replace(microsecond=0)
    time_machine.move_to(start, tick=False)
    return start


@pytest.fixture
def operator():
    user = User.objects.create_superuser(
        username="operatrice", email="operatrice@cdc.example", password=OPERATOR_PASSWORD
    )
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return user, device


def admin_login(client, username="operatrice", password=OPERATOR_PASSWORD, code=""):
    return client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password, "otp_token": code, "next": "/gestion/"},
    )


def test_admin_is_not_under_admin(client):
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_a_staff_session_without_second_factor_does_not_see_the_admin(operator):
    user, _ = operator
    client = Client()
    client.force_login(user)
    response = client.get("/gestion/")
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)
    assert client.get("/gestion/organisations/organisation/").status_code == 302


def test_password_and_code_open_the_admin(operator, now, client):
    _, device = operator
    response = admin_login(client, code=code_for(device))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/gestion/"
    index = client.get("/gestion/")
    assert index.status_code == 200
    assert "Back office" in index.content.decode()


def test_password_without_code_or_with_a_wrong_one_opens_nothing(operator, now, client):
    _, device = operator
    assert admin_login(client).status_code == 200
    assert client.get("/gestion/").status_code == 302
    assert admin_login(client, code=wrong_code_for(device)).status_code == 200
    assert client.get("/gestion/").status_code == 302


def test_an_admin_code_is_accepted_once(operator, now, time_machine):
    _, device = operator
    code = code_for(device)
    assert admin_login(Client(), code=code).status_code == 302
    time_machine.move_to(now + timedelta(seconds=5), tick=False)
    replay = Client()
    assert admin_login(replay, code=code).status_code == 200
    assert replay.get("/gestion/").status_code == 302


def test_the_admin_login_is_throttled_per_account(operator, now, time_machine):
    _, device = operator
    for _ in range(5):
        admin_login(Client(), password="Mauvais-mot-2026")
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    client = Client()
    assert admin_login(client, code=code_for(device)).status_code == 200
    assert client.get("/gestion/").status_code == 302
    time_machine.move_to(now + timedelta(seconds=61), tick=False)
    assert admin_login(Client(), code=code_for(device)).status_code == 302
    assert LoginThrottle.objects.count() == 0


def test_a_professional_never_enters_the_admin(now):
    user, device = active_principal_admin()
    client = verified_client(user, device)
    assert client.get("/gestion/").status_code == 302
    next_code = code_for(device, drift=1)
    assert admin_login(client, "amandine.martin", PRO_PASSWORD, next_code).status_code == 200
    assert client.get("/gestion/").status_code == 302


@pytest.fixture
def operator_client(operator):
    return verified_client(*operator)


def test_creating_an_organisation_shows_the_provisional_password_once(operator, operator_client):
    form = operator_client.get("/gestion/organisations/organisation/add/")
    assert form.status_code == 200
    assert 'name="admin_email"' in form.content.decode()
    response = operator_client.post(
        "/gestion/organisations/organisation/add/",
        {
            "name": "OPCA Nouveau",
            "kind": Organisation.Kind.OPCA,
            "siret": "999 000 102 00015",
            "admin_first_name": "Denis",
            "admin_last_name": "Moreau",
            "admin_email": "denis.moreau@opca.example",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    organisation = Organisation.objects.get()
    assert organisation.siret == SIRET_A
    profile = ProfessionalProfile.objects.get()
    assert profile.user.username == "denis.moreau"
    assert profile.created_by == operator[0]
    assert profile.must_change_password
    password = re.search(r"Mot de passe provisoire</th><td><code>([^<]+)</code>", html).group(1)
    assert profile.user.check_password(password)
    assert "no-store" in response["Cache-Control"]
    mail = OutboxEmail.objects.get(kind="pro_administrateur_cree")
    assert mail.to == "denis.moreau@opca.example"
    assert password not in mail.body
    # The organisation's page lists its members; the password is nowhere any more.
    change = operator_client.get(f"/gestion/organisations/organisation/{organisation.pk}/change/")
    assert change.status_code == 200
    assert "denis.moreau" in change.content.decode()
    assert password not in change.content.decode()
    listing = operator_client.get("/gestion/organisations/professionalprofile/")
    assert listing.status_code == 200
    # The organisation's details can be corrected, the SIRET typed with spaces.
    corrected = operator_client.post(
        f"/gestion/organisations/organisation/{organisation.pk}/change/",
        {
            "name": "OPCA Renommé",
            "kind": Organisation.Kind.OPCA,
            "siret": "999 000 110 00018",
            # The read-only list of members is an inline formset: its management form.
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "1",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
            "members-0-id": str(profile.pk),
            "members-0-organisation": str(organisation.pk),
        },
    )
    assert corrected.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.siret) == ("OPCA Renommé", "99900011000018")


def test_an_invalid_siret_is_refused_in_the_back_office(operator_client):
    response = operator_client.post(
        "/gestion/organisations/organisation/add/",
        {
            "name": "OPCA Nouveau",
            "kind": Organisation.Kind.OPCA,
            "siret": "99900010200016",
            "admin_first_name": "Denis",
            "admin_last_name": "Moreau",
            "admin_email": "denis.moreau@opca.example",
        },
    )
    assert response.status_code == 200
    assert "Ce numéro SIRET n&#x27;existe pas" in response.content.decode()
    assert not Organisation.objects.exists()
    assert not User.objects.filter(kind=User.Kind.PROFESSIONNEL).exists()


def test_totp_devices_are_in_the_back_office_keys_for_superusers_only(operator, operator_client):
    _, device = operator
    listing = operator_client.get("/gestion/otp_totp/totpdevice/")
    assert listing.status_code == 200
    assert (
        operator_client.get(f"/gestion/otp_totp/totpdevice/{device.pk}/config/").status_code == 200
    )
    staff = User.objects.create_user(username="agent", password=OPERATOR_PASSWORD, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="otp_totp"))
    staff_device = TOTPDevice.objects.create(user=staff, name="Téléphone", confirmed=True)
    client = verified_client(staff, staff_device)
    page = client.get(f"/gestion/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(f"/gestion/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get(f"/gestion/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403


def test_the_demo_operator_has_a_published_second_factor(settings, now, time_machine):
    settings.DEBUG = True
    call_command("load_demo_data")
    operator = User.objects.get(username=DEMO_OPERATOR_USERNAME)
    device = TOTPDevice.objects.get(user=operator)
    assert device.confirmed
    assert device.key == key_from_base32(DEMO_OPERATOR_TOTP_SECRET)
    call_command("load_demo_data")
    assert TOTPDevice.objects.filter(user=operator).count() == 1
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    client = Client()
    response = admin_login(client, DEMO_OPERATOR_USERNAME, DEMO_OPERATOR_PASSWORD, code_for(device))
    assert response.status_code == 302
    assert client.get("/gestion/").status_code == 200

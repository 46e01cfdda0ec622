"""The demo's administrateur principal logs in with the published password and TOTP secret."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.demo.accounts import (
    DEMO_ORGANISATION_NAME,
    DEMO_PRO_ADMIN_PASSWORD,
    DEMO_PRO_ADMIN_TOTP_SECRET,
    DEMO_PRO_ADMIN_USERNAME,
)
from mcf.domain.organisations.models import Organisation, ProfessionalProfile
from mcf.domain.organisations.second_factor import key_from_base32
from tests.domain.organisations.builders import code_for

pytestmark = pytest.mark.django_db


def test_demo_principal_admin_logs_in_with_the_published_secrets(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    settings.DEBUG = True
    call_command("load_demo_data")
    call_command("load_demo_data")  # idempotent
    assert Organisation.objects.get(kind=Organisation.Kind.OPCA).name == DEMO_ORGANISATION_NAME
    profile = ProfessionalProfile.objects.get(user__username=DEMO_PRO_ADMIN_USERNAME)
    assert profile.user.username == DEMO_PRO_ADMIN_USERNAME
    assert profile.is_principal_admin
    assert not profile.must_change_password
    device = TOTPDevice.objects.get(user=profile.user)
    assert device.key == key_from_base32(DEMO_PRO_ADMIN_TOTP_SECRET)
    response = client.post(
        "/professionnel/connexion/",
        {"username": DEMO_PRO_ADMIN_USERNAME, "password": DEMO_PRO_ADMIN_PASSWORD},
    )
    assert response["Location"] == "/professionnel/connexion/code/"
    response = client.post("/professionnel/connexion/code/", {"code": code_for(device)})
    assert response["Location"] == "/professionnel/"
    assert DEMO_ORGANISATION_NAME in client.get("/professionnel/").content.decode()


def test_demo_printout_lists_the_totp_secrets(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo_data")
    out = capsys.readouterr().out
    assert DEMO_PRO_ADMIN_TOTP_SECRET in out
    assert f"otpauth://totp/Mon%20compte%20formation%3A{DEMO_PRO_ADMIN_USERNAME}?secret=" in out

"""TOTP enrolment and verification (AUTH-15): a code is accepted once, throttled failures."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.domain.organisations.second_factor import (
    confirm_totp_enrolment,
    key_from_base32,
    provisioning_uri,
    secret_base32,
    secret_for_display,
    start_totp_enrolment,
    verify_totp,
)
from tests.domain.organisations.builders import code_for, new_organisation, wrong_code_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return new_organisation().user


@pytest.fixture
def now(time_machine):
    start = timezone.now().replace(microsecond=0)
    time_machine.move_to(start, tick=False)
    return start


def test_enrolment_keeps_one_pending_device_until_confirmed(user, now):
    device = start_totp_enrolment(user)
    assert start_totp_enrolment(user) == device
    assert not device.confirmed
    assert verify_totp(user, code_for(device)) is None  # not confirmed: no login with it
    confirmed = confirm_totp_enrolment(user, code_for(device))
    assert confirmed == device
    assert TOTPDevice.objects.get().confirmed
    with pytest.raises(PermissionDenied):
        start_totp_enrolment(user)  # a password alone never replaces the second factor


def test_enrolment_with_a_wrong_code_is_refused(user, now):
    device = start_totp_enrolment(user)
    assert confirm_totp_enrolment(user, wrong_code_for(device)) is None
    assert confirm_totp_enrolment(user, "abcdef") is None
    assert not TOTPDevice.objects.get().confirmed


def test_a_code_is_accepted_only_once(user, now, time_machine):
    """django-otp keeps the time step of the last accepted code (last_t) and accepts only
    later steps: the enrolment code cannot be replayed, even within its 30 s window."""
    device = start_totp_enrolment(user)
    code = code_for(device)
    assert confirm_totp_enrolment(user, code)
    assert verify_totp(user, code) is None
    time_machine.move_to(now + timedelta(seconds=5), tick=False)
    assert verify_totp(user, code) is None  # same window, still refused
    # The next time step gives a new code, accepted once (after the 1 s failure delay).
    time_machine.move_to(now + timedelta(seconds=35), tick=False)
    fresh = code_for(device)
    assert verify_totp(user, fresh) == device
    assert verify_totp(user, fresh) is None


def test_an_older_code_is_refused_after_a_newer_one(user, now, time_machine):
    device = start_totp_enrolment(user)
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    newer = code_for(device)
    older = code_for(device, drift=-1)  # within the tolerance of one step
    assert confirm_totp_enrolment(user, newer)
    assert verify_totp(user, older) is None


def test_failures_are_throttled_even_for_the_right_code(user, now, time_machine):
    """django-otp's back-off: after the n-th counted failure, 2^(n-1) s during which every
    code, the right one included, is refused without being checked."""
    device = start_totp_enrolment(user)
    assert confirm_totp_enrolment(user, code_for(device))
    later = now + timedelta(seconds=60)
    time_machine.move_to(later, tick=False)
    assert verify_totp(user, wrong_code_for(device)) is None  # 1st failure: 1 s
    assert verify_totp(user, code_for(device)) is None
    time_machine.move_to(later + timedelta(seconds=1), tick=False)
    assert verify_totp(user, wrong_code_for(device)) is None  # 2nd failure: 2 s
    time_machine.move_to(later + timedelta(seconds=2), tick=False)
    assert verify_totp(user, code_for(device)) is None
    time_machine.move_to(later + timedelta(seconds=3), tick=False)
    assert verify_totp(user, code_for(device)) == device
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_qr_code_carries_our_issuer_and_the_secret(user):
    device = start_totp_enrolment(user)
    uri = provisioning_uri(device)
    assert uri.startswith("otpauth://totp/Mon%20compte%20formation%3Aamandine.martin?")
    assert f"secret={secret_base32(device)}" in uri
    assert "issuer=Mon%20compte%20formation" in uri
    assert key_from_base32(secret_for_display(device)) == device.key
    assert len(secret_base32(device)) == 32  # 160-bit key

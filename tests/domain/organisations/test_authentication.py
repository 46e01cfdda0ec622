"""Login by identifier + password: the holders' throttle rules, for usernames."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mcf.domain.accounts.models import LoginThrottle, User
from mcf.domain.identity.protection import nir_throttle_key
from mcf.domain.organisations.authentication import (
    authenticate_professional,
    authenticate_username,
    username_throttle_key,
)
from tests.domain.organisations.builders import PRO_PASSWORD, active_principal_admin
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = pytest.mark.django_db

WRONG = "Mauvais-mot-2026"


@pytest.fixture
def admin():
    return active_principal_admin()[0]


def test_right_password_with_any_case_of_the_identifier(admin):
    assert authenticate_professional("amandine.martin", PRO_PASSWORD).user == admin
    assert authenticate_professional(" Amandine.Martin ", PRO_PASSWORD).user == admin


@pytest.mark.parametrize("identifier", ["amandine.martin", "inconnu", "", NIR_A])
def test_failures_look_the_same_whatever_the_cause(admin, identifier):
    outcome = authenticate_professional(identifier, WRONG)
    assert (outcome.user, outcome.reason) == (None, "invalid")


def test_a_holder_or_an_operator_is_not_a_professional(admin):
    holder = registered_holder()
    holder.username = "touria"
    holder.save()
    User.objects.create_user(username="operatrice", password=PASSWORD, is_staff=True)
    assert authenticate_professional("touria", PASSWORD).reason == "invalid"
    assert authenticate_professional("operatrice", PASSWORD).reason == "invalid"
    assert authenticate_username("operatrice", PASSWORD, kinds=[User.Kind.OPERATEUR]).user


def test_a_professional_without_organisation_cannot_log_in():
    User.objects.create_user(username="orphelin", password=PASSWORD, kind=User.Kind.PROFESSIONNEL)
    assert authenticate_professional("orphelin", PASSWORD).reason == "invalid"


def test_five_failures_then_even_the_right_password_waits(admin, time_machine):
    """The holders' AUTH-05 schedule: 5 wrong, refused at +30 s, accepted at +61 s."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    for _ in range(5):
        assert authenticate_professional("amandine.martin", WRONG).reason == "invalid"
    assert LoginThrottle.objects.get().failures == 5
    time_machine.move_to(start + timedelta(seconds=30), tick=False)
    assert authenticate_professional("amandine.martin", PRO_PASSWORD).reason == "throttled"
    time_machine.move_to(start + timedelta(seconds=61), tick=False)
    assert authenticate_professional("amandine.martin", PRO_PASSWORD).user == admin
    assert LoginThrottle.objects.count() == 0  # success resets


def test_unknown_identifiers_are_throttled_too(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(5):
        authenticate_professional("personne", WRONG)
    assert authenticate_professional("personne", WRONG).reason == "throttled"


def test_counters_reset_24_hours_after_the_last_failure(admin, time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    for _ in range(4):
        authenticate_professional("amandine.martin", WRONG)
    time_machine.move_to(start + timedelta(hours=24), tick=False)
    authenticate_professional("amandine.martin", WRONG)
    assert LoginThrottle.objects.get().failures == 1  # not 5: no delay


def test_usernames_and_nirs_never_share_a_counter():
    assert username_throttle_key(NIR_A) != nir_throttle_key(NIR_A)
    assert username_throttle_key("Jean.Dupont") == username_throttle_key("jean.dupont")

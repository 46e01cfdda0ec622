"""Login by NIR + password under the per-account throttle (AUTH-03, AUTH-04, AUTH-05)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mcf.domain.accounts import authentication
from mcf.domain.accounts.authentication import authenticate_holder, delay_after, duration_fr
from mcf.domain.accounts.models import LoginThrottle
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = pytest.mark.django_db

SPACED = "1 85 05 78 006 084 91"


@pytest.fixture
def holder():
    return registered_holder()


def test_auth09_right_password_logs_in_with_any_spelling_of_the_nir(holder):
    assert authenticate_holder(NIR_A, PASSWORD).user == holder
    assert authenticate_holder(SPACED, PASSWORD).user == holder
    assert authenticate_holder("1.85.05.78.006.084.91", PASSWORD).user == holder


@pytest.mark.parametrize("identifier", [NIR_A, "000000000000000", "pas un nir", ""])
def test_auth04_failures_look_the_same_whatever_the_cause(holder, identifier):
    outcome = authenticate_holder(identifier, "Mauvais-mot-2026")
    assert outcome.user is None
    assert outcome.reason == "invalid"


class ScriptedClock:
    """Stands for the ``time`` module of the authentication: perf_counter reads the given
    instants in turn, sleep is recorded."""

    def __init__(self, *instants: float) -> None:
        self.instants = list(instants)
        self.slept: list[float] = []

    def perf_counter(self) -> float:
        return self.instants.pop(0)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.mark.parametrize("identifier", [NIR_A, "000000000000000", "pas un nir"])
def test_auth04_a_failure_lasts_1_3_times_its_own_password_check(holder, identifier, monkeypatch):
    # Start at 0, the check from 0.002 to 0.102 (100 ms), done at 0.110: padded to 130 ms.
    clock = ScriptedClock(0.0, 0.002, 0.102, 0.110)
    monkeypatch.setattr(authentication, "time", clock)
    assert authenticate_holder(identifier, "Mauvais-mot-2026").user is None
    assert clock.slept == [pytest.approx(0.020)]
    assert clock.instants == []


def test_auth04_a_success_is_not_padded(holder, monkeypatch):
    clock = ScriptedClock(0.0, 0.002, 0.102)
    monkeypatch.setattr(authentication, "time", clock)
    assert authenticate_holder(NIR_A, PASSWORD).user == holder
    assert clock.slept == []


def test_auth05_delay_schedule():
    assert [delay_after(n).total_seconds() for n in range(1, 9)] == [0, 0, 0, 0, 60, 120, 240, 480]


def test_auth05_five_failures_then_even_the_right_password_waits(holder, time_machine):
    """AUTH-05: 5 wrong, then the right password at +30 s is refused; at +61 s accepted."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    for _ in range(5):
        assert authenticate_holder(NIR_A, "Mauvais-mot-2026").reason == "invalid"
    time_machine.move_to(start + timedelta(seconds=30), tick=False)
    assert authenticate_holder(NIR_A, PASSWORD).reason == "throttled"
    time_machine.move_to(start + timedelta(seconds=61), tick=False)
    assert authenticate_holder(NIR_A, PASSWORD).user == holder
    assert LoginThrottle.objects.count() == 0  # success resets


def test_auth05_spelling_variants_share_one_counter(holder, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for identifier in [NIR_A, SPACED, NIR_A.lower(), "1.85.05.78.006.084.91", SPACED]:
        authenticate_holder(identifier, "Mauvais-mot-2026")
    assert authenticate_holder(NIR_A, PASSWORD).reason == "throttled"


def test_auth05_corsican_lower_case_shares_the_counter(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for identifier in ["290102a12312354"] * 3 + ["2 90 10 2A 123 123 54"] * 2:
        authenticate_holder(identifier, "x")
    assert LoginThrottle.objects.get().failures == 5


def test_auth05_unknown_nir_is_throttled_the_same_way(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(5):
        authenticate_holder("999999999999999", "x")
    assert authenticate_holder("999999999999999", "x").reason == "throttled"


def test_auth05_at_most_25_failures_are_evaluated_in_24_hours(holder, time_machine):
    """CNIL 2022-100 case 2: an attacker trying as fast as allowed for a day."""
    now = timezone.now()
    evaluated = 0
    end = now + timedelta(hours=24)
    while now < end:
        time_machine.move_to(now, tick=False)
        if authenticate_holder(NIR_A, "Mauvais-mot-2026").reason == "invalid":
            evaluated += 1
        throttle = LoginThrottle.objects.get()
        now = max(throttle.blocked_until or now, now) + timedelta(seconds=1)
    assert evaluated <= 25


def test_auth05_counter_resets_24_hours_after_the_last_failure(holder, time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    for _ in range(4):
        authenticate_holder(NIR_A, "Mauvais-mot-2026")
    time_machine.move_to(start + timedelta(hours=24), tick=False)
    authenticate_holder(NIR_A, "Mauvais-mot-2026")
    assert LoginThrottle.objects.get().failures == 1


def test_auth03_hash_is_upgraded_at_login_when_parameters_change(holder, settings):
    """AUTH-03: a stronger hasher first in the list rehashes at the next login."""
    settings.PASSWORD_HASHERS = [
        "mcf.domain.accounts.hashers.TunedArgon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert holder.password.startswith("md5$")
    authenticate_holder(NIR_A, PASSWORD)
    holder.refresh_from_db()
    assert holder.password.startswith("argon2$argon2id$")
    assert "m=65536,t=2,p=1" in holder.password


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.2, "1 seconde"),
        (1, "1 seconde"),
        (2, "2 secondes"),
        (59, "59 secondes"),
        (60, "1 minute"),
        (64, "2 minutes"),  # never shorter than the real wait
        (240, "4 minutes"),
        (3600, "1 heure"),
        (3840, "2 heures"),
    ],
)
def test_waits_are_written_in_french_rounded_up(seconds, text):
    assert duration_fr(timedelta(seconds=seconds)) == text

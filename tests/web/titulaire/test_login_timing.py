"""AUTH-04: failed logins cannot be told apart by their response time.

Slow (about a minute: 100 rounds of one request per class with the real Argon2 hasher), run
once by `make test` (target test-slow), not by the SQLite/PostgreSQL suite runs. 100 rounds,
not 200 requests per class as before: the paired test of tests/timing.py keeps the power
(docs/decisions/0014-gate-time.md).
"""

import random
import statistics

import pytest
from django.test import Client

from mcf.domain.accounts.models import LoginThrottle
from tests.factories import NIR_A, registered_holder
from tests.timing import (
    assert_indistinguishable,
    interleaved_timings,
    mann_whitney_p,
    signed_rank_p,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ROUNDS = 100


def test_mann_whitney_detects_a_real_difference():
    rng = random.Random(1)
    same = [rng.gauss(100, 5) for _ in range(200)]
    other = [rng.gauss(100, 5) for _ in range(200)]
    shifted = [v + 5 for v in other]
    assert mann_whitney_p(same, other) > 0.01
    assert mann_whitney_p(same, shifted) < 0.001


def test_the_paired_test_sees_a_leak_that_the_load_hides():
    # Each round's two requests share the machine's load of the moment (0 to 50 ms more);
    # the leak is 2 ms. Mann–Whitney, blind to the rounds, misses it; the paired test sees it.
    rng = random.Random(1)
    load = [rng.uniform(0, 50) for _ in range(100)]
    first = [110 + extra + rng.gauss(0, 2) for extra in load]
    second = [110 + extra + rng.gauss(0, 2) for extra in load]
    leaky = [value + 2 for value in second]
    assert signed_rank_p(first, second) > 0.01
    assert signed_rank_p(first, leaky) < 0.001
    assert mann_whitney_p(first, leaky) > 0.01


def test_auth04_failure_classes_have_the_same_response_time(settings):
    settings.PASSWORD_HASHERS = ["mcf.domain.accounts.hashers.TunedArgon2PasswordHasher"]
    settings.RATELIMIT_ENABLE = False
    registered_holder()  # its password is hashed with the real hasher set above
    classes = {
        "unknown NIR": ("299999999999999", "Mauvais-mot-2026"),
        "malformed NIR": ("12 34 5", "Mauvais-mot-2026"),
        "wrong password": (NIR_A, "Mauvais-mot-2026"),
        "empty password": (NIR_A, ""),
        "throttled": ("199999999999999", "Mauvais-mot-2026"),
    }
    # The "throttled" identifier is put under a delay first.
    for _ in range(5):
        Client().post("/titulaire/connexion/", {"nir": "199999999999999", "password": "x"})
    client = Client()

    def keep_under_the_free_failures(name: str) -> None:
        # Keep every class under the free failures (the test measures, not throttles).
        if name != "throttled":
            LoginThrottle.objects.exclude(failures__gte=5).delete()

    def attempt(nir: str, password: str):
        return lambda: client.post("/titulaire/connexion/", {"nir": nir, "password": password})

    timings = interleaved_timings(
        {name: attempt(*values) for name, values in classes.items()},
        ROUNDS,
        before_each=keep_under_the_free_failures,
    )
    hash_time = statistics.median(timings["unknown NIR"])
    # AUTH-04: medians within 10 % of one hash time, Mann–Whitney and paired signed-rank
    # p > 0.01 (Bonferroni).
    assert_indistinguishable(timings, max_gap=0.10 * hash_time)

"""AUTH-04: failed logins cannot be told apart by their response time.

Slow (about 2 minutes: 200 interleaved requests per class with the real Argon2 hasher), run
once by `make test` (target test-slow), not by the SQLite/PostgreSQL suite runs.
"""

import math
import random
import statistics
import time

import pytest
from django.test import Client

from mcf.domain.accounts.models import LoginThrottle
from tests.factories import NIR_A, registered_holder

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

REQUESTS_PER_CLASS = 200


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided p-value of the Mann–Whitney U test (normal approximation, n ≥ 20)."""
    ranked = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks: list[float] = [0.0] * len(ranked)
    i = 0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    rank_sum_a = sum(r for r, (_, group) in zip(ranks, ranked, strict=True) if group == 0)
    n1, n2 = len(a), len(b)
    u = rank_sum_a - n1 * (n1 + 1) / 2
    mean, sd = n1 * n2 / 2, math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    z = (u - mean) / sd
    return math.erfc(abs(z) / math.sqrt(2))


def test_mann_whitney_detects_a_real_difference():
    rng = random.Random(1)
    same = [rng.gauss(100, 5) for _ in range(200)]
    other = [rng.gauss(100, 5) for _ in range(200)]
    shifted = [v + 5 for v in other]
    assert mann_whitney_p(same, other) > 0.01
    assert mann_whitney_p(same, shifted) < 0.001


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
    timings: dict[str, list[float]] = {name: [] for name in classes}
    order = list(classes) * REQUESTS_PER_CLASS
    random.Random(42).shuffle(order)
    client = Client()
    for name in order:
        nir, password = classes[name]
        if name != "throttled":
            # Keep every class under the free failures (the test measures, not throttles).
            LoginThrottle.objects.exclude(failures__gte=5).delete()
        start = time.perf_counter()
        client.post("/titulaire/connexion/", {"nir": nir, "password": password})
        timings[name].append(time.perf_counter() - start)
    hash_time = statistics.median(timings["unknown NIR"])
    medians = {name: statistics.median(values) for name, values in timings.items()}
    names = list(classes)
    pairs = len(names) * (len(names) - 1) // 2
    # 10 pairwise tests: Bonferroni keeps the chance of a false alarm over the whole test at
    # 1 % (each pair at 0.1 %); without it, identical distributions would fail one run in 10.
    threshold = 0.01 / pairs
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            gap = abs(medians[first] - medians[second])
            assert gap < 0.10 * hash_time, (first, second, medians)
            p = mann_whitney_p(timings[first], timings[second])
            assert p > threshold, (first, second, p, medians)

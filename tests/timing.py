"""Statistical timing comparisons (AUTH-04, AUTH-12): do answers of different classes of
request take the same time?

Slow tests only (marker ``slow``, run by ``make test-slow``): requests are sent in rounds,
each round one request of every class in a shuffled order, so that a change of the machine's
load hits every class alike; classes are compared with each other in the same run, never
with absolute numbers (security.md, « Stable timing tests »).

Two tests per pair of classes (docs/decisions/0014-gate-time.md): the Mann–Whitney test of
the spec (AUTH-04), and the Wilcoxon signed-rank test of the differences within a round.
Two requests of one round are measured a few hundred milliseconds apart: the load of the
machine moves them together (correlation 0.9 measured on a loaded machine), so their
difference keeps the leak and loses most of the noise. With n rounds the paired test is as
powerful as Mann–Whitney with n / (1 − ρ) requests per class (ρ the correlation of the
requests of a round): never less than Mann–Whitney over the same requests.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable, Mapping


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


def signed_rank_p(a: list[float], b: list[float]) -> float:
    """Two-sided p-value of the Wilcoxon signed-rank test of the differences ``a[i] - b[i]``
    (normal approximation, n ≥ 20; zero differences dropped, tied ranks averaged)."""
    differences = [x - y for x, y in zip(a, b, strict=True) if x != y]
    n = len(differences)
    order = sorted(range(n), key=lambda i: abs(differences[i]))
    ranks = [0.0] * n
    tie_correction = 0.0
    i = 0
    while i < n:
        j = i
        while j + 1 < n and abs(differences[order[j + 1]]) == abs(differences[order[i]]):
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        tie_correction += ((j - i + 1) ** 3 - (j - i + 1)) / 48
        i = j + 1
    positive = sum(rank for rank, d in zip(ranks, differences, strict=True) if d > 0)
    mean = n * (n + 1) / 4
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - tie_correction)
    z = (positive - mean) / sd
    return math.erfc(abs(z) / math.sqrt(2))


def interleaved_timings(
    classes: Mapping[str, Callable[[], object]],
    rounds: int,
    *,
    before_each: Callable[[str], object] | None = None,
    seed: int = 42,
) -> dict[str, list[float]]:
    """Seconds taken by each class's request in ``rounds`` rounds: one call of every class
    per round, in a shuffled order. The i-th values of all classes come from round i.

    ``before_each(name)`` runs before each timed call, outside the measure (resetting a
    throttle, for instance).
    """
    timings: dict[str, list[float]] = {name: [] for name in classes}
    rng = random.Random(seed)
    for _ in range(rounds):
        order = list(classes)
        rng.shuffle(order)
        for name in order:
            if before_each is not None:
                before_each(name)
            start = time.perf_counter()
            classes[name]()
            timings[name].append(time.perf_counter() - start)
    return timings


def assert_indistinguishable(
    timings: Mapping[str, list[float]], *, max_gap: float, alpha: float = 0.01
) -> dict[str, float]:
    """Every pair of classes (timings of ``interleaved_timings``): medians closer than
    ``max_gap`` seconds, and the p-values of Mann–Whitney and of the paired signed-rank test
    above ``alpha`` split between the tests (Bonferroni: without it, identical distributions
    would fail one run in ten with 10 pairs). Returns the medians."""
    medians = {name: statistics.median(values) for name, values in timings.items()}
    print("medians (ms):", {name: round(m * 1000, 2) for name, m in medians.items()})
    names = list(timings)
    pairs = len(names) * (len(names) - 1) // 2
    threshold = alpha / (2 * pairs)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            gap = abs(medians[first] - medians[second])
            p = mann_whitney_p(timings[first], timings[second])
            paired = signed_rank_p(timings[first], timings[second])
            print(
                f"{first} / {second}: gap {gap * 1000:.2f} ms, Mann–Whitney p = {p:.3g}, "
                f"signed-rank p = {paired:.3g}"
            )
            assert gap < max_gap, (first, second, gap, medians)
            assert p > threshold, (first, second, p, medians)
            assert paired > threshold, (first, second, paired, medians)
    return medians

"""The yearly credit of a CPF counter (domain.md §3.1, exact computation).

Pure integer arithmetic over exact ratios ``numerator / denominator``: no float ever decides
an hour. The yearly feed calls ``ratio_credit`` millions of times, so the rule is written
once over integers (no ``Fraction`` object per call); ``year_fraction`` and
``yearly_credit`` give the same rule over ``Fraction`` for the rest of the code and the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from math import gcd

from mcf.domain.hours.models import CPF_CEILING

REFERENCE_HOURS = 1607  # legal full-time year when no conventional duration is given
FAST_RATE = 24  # hours per full year until the counter reaches 120 h
SLOW_RATE = 12  # then, up to the ceiling
FAST_UNTIL = 120
FULL_YEAR = (1, 1)


@dataclass(frozen=True)
class Declaration:
    """One employer's declaration for one person and one year (hours may be Fractions)."""

    worked_hours: Fraction
    reference_hours: Fraction | None = None  # None: 1 607 h
    assimilated_absence_hours: Fraction = Fraction(0)

    def year_fraction(self) -> Fraction:
        """Worked + assimilated absences over the reference, at most 1 (overtime excluded)."""
        reference = self.reference_hours or Fraction(REFERENCE_HOURS)
        return min(Fraction(1), (self.worked_hours + self.assimilated_absence_hours) / reference)


def capped_sum(ratios: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """Σ min(1, p/q) over ``(p, q)`` pairs (q > 0), capped at 1, as a reduced ``(p, q)``:
    several employers in the same year add up to at most one full year."""
    numerator, denominator = 0, 1
    for p, q in ratios:
        if p >= q:
            return FULL_YEAR
        numerator, denominator = numerator * q + p * denominator, denominator * q
        if numerator >= denominator:
            return FULL_YEAR
    divisor = gcd(numerator, denominator)
    return numerator // divisor, denominator // divisor


def year_fraction(declarations: Iterable[Declaration]) -> Fraction:
    """Several employers in the same year: fractions add up, capped at one full year."""
    return Fraction(*capped_sum(d.year_fraction().as_integer_ratio() for d in declarations))


def ratio_credit(balance_before: int, numerator: int, denominator: int) -> int:
    """Hours credited for a year's activity ``numerator / denominator`` (at most 1) to a
    counter at ``balance_before``.

    24 h/year until the counter reaches 120 h, the rest of the year at 12 h/year, total
    rounded up to the next whole hour (R.6323-1), capped so the counter never exceeds 150 h.
    Example: 110 h and a full year → 10 h use 10/24 of it, 14/24 give 7 h → 17 h.
    """
    if balance_before >= CPF_CEILING or numerator <= 0:
        return 0
    room = FAST_UNTIL - balance_before  # hours still accrued at the fast rate
    if room <= 0:
        hours = -(-SLOW_RATE * numerator // denominator)  # -(-a // b): a/b rounded up
    elif FAST_RATE * numerator <= room * denominator:
        hours = -(-FAST_RATE * numerator // denominator)  # the whole fraction below 120 h
    else:
        # room/24 of the year at 24 h, the rest at 12 h: room + 12 (f − room/24),
        # i.e. (room × 12 × q + 12 × 24 × p) / 24q.
        hours = -(
            -(room * (FAST_RATE - SLOW_RATE) * denominator + SLOW_RATE * FAST_RATE * numerator)
            // (FAST_RATE * denominator)
        )
    return min(hours, CPF_CEILING - balance_before)


def yearly_credit(balance_before: int, fraction: Fraction) -> int:
    """``ratio_credit`` of a ``Fraction`` (between 0 and 1)."""
    return ratio_credit(balance_before, fraction.numerator, fraction.denominator)

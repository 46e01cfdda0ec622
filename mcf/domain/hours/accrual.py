"""The yearly credit of a CPF counter (domain.md §3.1, exact computation).

Pure functions over exact fractions: no float ever decides an hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from mcf.domain.hours.models import CPF_CEILING

REFERENCE_HOURS = 1607  # legal full-time year when no conventional duration is given
FAST_RATE = 24  # hours per full year until the counter reaches 120 h
SLOW_RATE = 12  # then, up to the ceiling
FAST_UNTIL = 120


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


def year_fraction(declarations: Iterable[Declaration]) -> Fraction:
    """Several employers in the same year: fractions add up, capped at one full year."""
    return min(Fraction(1), sum((d.year_fraction() for d in declarations), Fraction(0)))


def yearly_credit(balance_before: int, fraction: Fraction) -> int:
    """Hours credited for a year's activity ``fraction`` to a counter at ``balance_before``.

    24 h/year until the counter reaches 120 h, the rest of the year at 12 h/year, total
    rounded up to the next whole hour (R.6323-1), capped so the counter never exceeds 150 h.
    Example: 110 h and a full year → 10 h use 10/24 of it, 14/24 give 7 h → 17 h.
    """
    if balance_before >= CPF_CEILING or fraction <= 0:
        return 0
    room_at_fast_rate = max(0, FAST_UNTIL - balance_before)
    fast_part = min(fraction, Fraction(room_at_fast_rate, FAST_RATE))
    raw = fast_part * FAST_RATE + (fraction - fast_part) * SLOW_RATE
    return min(math.ceil(raw), CPF_CEILING - balance_before)

"""What the holder's pages show of his counter (read side, no writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mcf.domain.hours.models import Counter, Entry
from mcf.domain.identity.nir import Nir
from mcf.domain.identity.protection import nir_lookup_hash


def next_feed_years(today: date) -> tuple[int, int]:
    """(activity year N, feed year N+1) of the seed's sentence for a counter never fed.

    The declarations of year N are loaded early in N+1 and credited in March: until March of
    N+1, the activity being counted is still that of N.
    """
    activity_year = today.year if today.month >= 3 else today.year - 1
    return activity_year, activity_year + 1


@dataclass(frozen=True)
class YearPoint:
    year: int
    credited: int
    balance: int


def balance_by_year(counter: Counter) -> list[YearPoint]:
    """CPF balance at the end of each fed year (feeds and corrections of that year)."""
    points: list[YearPoint] = []
    balance = 0
    per_year: dict[int, int] = {}
    for year, hours in (
        Entry.objects.filter(
            counter=counter,
            account=Entry.Account.CPF,
            kind__in=[Entry.Kind.FEED, Entry.Kind.CORRECTION],
            year__isnull=False,
        )
        .order_by("year")
        .values_list("year", "hours")
    ):
        per_year[year] = per_year.get(year, 0) + hours
    for year in sorted(per_year):
        balance += per_year[year]
        points.append(YearPoint(year, per_year[year], balance))
    return points


def find_counter(nir: Nir) -> Counter | None:
    """The counter of a NIR (through its keyed hash: the NIR itself is stored nowhere)."""
    return Counter.objects.select_related("holder").filter(nir_hash=nir_lookup_hash(nir)).first()

"""What the holder's pages show of his counter (read side, no writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from mcf.domain.hours.models import CPF_CEILING, Counter, Entry
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
class Balances:
    """The figures of a counter that the holder's pages show, read in one place: the
    synthèse, « Mon compte d'heures » and its chart all say the same thing.

    ``cpf_credited``: the CPF account has had a movement (a yearly feed, an operator's
    correction…). Until then the pages say when it will first be fed, rather than « 0 h ».
    ``dif_balance`` is None until the holder has typed it in (« Heures DIF non
    renseignées »). The hours available are the counter's own (``Counter.cpf_available``,
    ``Counter.dif_available``: balance − hours reserved for dossiers), never recomputed here.
    """

    cpf_credited: bool
    cpf_balance: int
    cpf_reserved: int
    cpf_available: int
    cpf_ceiling: int
    dif_balance: int | None
    dif_reserved: int
    dif_available: int | None
    activity_year: int  # the seed's « activité réalisée en N »…
    feed_year: int  # …« alimenté qu'à partir du mois de Mars N+1 »

    @classmethod
    def of(cls, counter: Counter, today: date) -> Balances:
        activity_year, feed_year = next_feed_years(today)
        # Any CPF movement (a feed, a correction that may have moved it and back) counts.
        # Asked every time, not only for a never-fed counter at 0 h: the page's number of
        # queries then does not depend on the data (tests/web/test_query_counts.py).
        moved = Entry.objects.filter(counter=counter, account=Entry.Account.CPF).exists()
        credited = moved or counter.last_fed_year is not None or counter.cpf_balance > 0
        return cls(
            cpf_credited=credited,
            cpf_balance=counter.cpf_balance,
            cpf_reserved=counter.cpf_reserved,
            cpf_available=counter.cpf_available,
            cpf_ceiling=CPF_CEILING,
            dif_balance=counter.dif_balance,
            dif_reserved=counter.dif_reserved,
            dif_available=counter.dif_available,
            activity_year=activity_year,
            feed_year=feed_year,
        )


@dataclass(frozen=True)
class YearPoint:
    year: int
    credited: int  # fed or corrected (a correction may be negative)
    balance: int
    used: int = 0  # debited for dossiers de formation, as a positive number


def balance_by_year(counter: Counter) -> list[YearPoint]:
    """CPF balance at the end of each activity year: its feed and every other movement of
    the balance (a debit for a dossier too), so that the last point is the balance the pages
    show (``Balances``). Reservations and releases move the reserved hours, not the balance:
    they are left out.

    A movement that names no year (a correction about no particular year) counts in the
    last activity year whose feed was due when it was written.
    """
    credited: dict[int, int] = {}
    used: dict[int, int] = {}
    for kind, year, hours, created_at in (
        Entry.objects.filter(counter=counter, account=Entry.Account.CPF)
        .exclude(kind__in=Entry.RESERVED_KINDS)
        .values_list("kind", "year", "hours", "created_at")
    ):
        if year is None:
            year = next_feed_years(timezone.localdate(created_at))[0] - 1
        credited.setdefault(year, 0)
        used.setdefault(year, 0)
        if kind == Entry.Kind.DEBIT:
            used[year] -= hours
        else:
            credited[year] += hours
    points: list[YearPoint] = []
    balance = 0
    for year in sorted(credited):
        balance += credited[year] - used[year]
        points.append(YearPoint(year, credited[year], balance, used[year]))
    return points


def find_counter(nir: Nir) -> Counter | None:
    """The counter of a NIR (through its keyed hash: the NIR itself is stored nowhere)."""
    return Counter.objects.select_related("holder").filter(nir_hash=nir_lookup_hash(nir)).first()

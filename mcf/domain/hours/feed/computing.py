"""What the feed writes for one person, year after year (shared by both engines).

Every credit is ``accrual.ratio_credit(balance before, the year's fraction)``, the fraction
summed by ``accrual.capped_sum``: this module only decides *which* balance and *which*
declarations, never how hours accrue. Hours are read as exact integers (1/10 000 h), no
``Fraction`` object per line; the fraction of each distinct declarations string is memoised
(bounded cache): full-time years and common part-time patterns repeat across millions of lines.

Rules (docs/decisions/0002-yearly-feed.md):

* the years of a person are applied in ascending order, each from the balance left by the
  previous one (the counter's balance when the year is applied);
* a year already fed with the same fraction is « déjà chargé »: nothing is written;
* a year already fed with another fraction (a corrective file: the person's declarations
  for that year, all of them, replace the previous ones) gets a CORRECTION entry of
  ``yearly_credit(balance before the year's original credit, new fraction)`` minus what
  that year has credited so far; the correction is capped so that the balance stays
  between the reserved hours (≥ 0) and 150 h. Later years are not recomputed.

The fraction and the balance before the original credit are recorded in the entry's
``source`` (``fraction=1/2;avant=110;fichier=…``), which is how a later file recognises a
year already loaded and computes its correction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from mcf.domain.hours import accrual
from mcf.domain.hours.accrual import ratio_credit
from mcf.domain.hours.models import CPF_CEILING, Entry

FEED = Entry.Kind.FEED.value
CORRECTION = Entry.Kind.CORRECTION.value
ALREADY = "deja_charge"

SOURCE_PREFIX = "fraction="
_SOURCE = re.compile(r"fraction=(?P<token>[^;]+);avant=(?P<before>[0-9]+);")
# Bounded memoisation (memory stays flat): full-time years and common part-time patterns
# repeat across millions of lines; a rare combination is simply computed again.
_CACHE = 8192


def feed_label(year: int) -> str:
    return f"Alimentation au titre de l'activité {year}"


def correction_label(year: int) -> str:
    return f"Correction de l'alimentation au titre de l'activité {year}"


def feed_details(hours: int, year: int) -> str:
    return f"{hours} h au titre de {year}."


def correction_details(hours: int, year: int) -> str:
    return f"Correction de {hours:+d} h au titre de {year}."


def make_source(token: str, before: int, file_name: str) -> str:
    head = f"{SOURCE_PREFIX}{token};avant={before};fichier="
    return head + file_name[: max(0, 255 - len(head))]


def parse_source(source: str | None) -> tuple[str, int] | None:
    """(fraction token, balance before the original credit), or None if not the feed's."""
    match = _SOURCE.match(source or "")
    return (match["token"], int(match["before"])) if match else None


HOURS_SCALE = 10_000  # the contract's hours have at most 4 decimals
FULL_TIME = accrual.REFERENCE_HOURS * HOURS_SCALE


def _scaled(text: str) -> int:
    """A plain decimal string of hours (``803.50``) as an exact integer of 1/10 000 h."""
    whole, _, decimals = text.partition(".")
    return int(whole + decimals.ljust(4, "0")) if decimals else int(whole) * HOURS_SCALE


@lru_cache(maxsize=_CACHE)
def fraction_of(declarations: str) -> tuple[int, int, str]:
    """The year's fraction of ``w:r:a;w:r:a…`` (hours as decimal strings, r empty = none)
    as an exact, reduced ``(numerator, denominator)``, and its token (the fraction written
    out like ``str(Fraction)``, or a digest of it if very long)."""
    ratios = []
    for item in declarations.split(";"):
        worked, reference, absences = item.split(":")
        ratios.append(
            (_scaled(worked) + _scaled(absences), _scaled(reference) if reference else FULL_TIME)
        )
    numerator, denominator = accrual.capped_sum(ratios)
    token = str(numerator) if denominator == 1 else f"{numerator}/{denominator}"
    if len(token) > 64:
        token = "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:40]
    return numerator, denominator, token


@dataclass(slots=True)
class Existing:
    """What the ledger already holds for one counter and one year."""

    fed: bool  # an ALIMENTATION entry exists
    credited: int = 0  # Σ hours of the year's ALIMENTATION and feed CORRECTION entries
    first_source: str | None = None  # source of the ALIMENTATION entry
    last_source: str | None = None  # source of the latest of them


@dataclass(slots=True)
class Person:
    """One counter being fed: its state as read under the lock, then as planned."""

    nir_hash: str
    counter_id: int | None
    is_new: bool
    balance: int = 0
    reserved: int = 0
    holder_id: int | None = None
    last_fed_year: int | None = None
    start_balance: int = field(init=False, default=0)
    fed_hours: int = field(init=False, default=0)
    feeds: int = field(init=False, default=0)

    def __post_init__(self):
        self.start_balance = self.balance


@dataclass(slots=True)
class Tally:
    feeds: int = 0  # ALIMENTATION entries written (person-years loaded)
    hours_credited: int = 0
    persons_credited: int = 0  # persons with at least one ALIMENTATION of more than 0 h
    already_loaded: int = 0  # person-years skipped (same fraction already loaded)
    corrections: int = 0
    correction_hours: int = 0  # net
    corrections_capped: int = 0
    counters_created: int = 0
    persons: int = 0


class Planner:
    """Decides, group after group, the entries to write for a file named ``file_name``."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.tally = Tally()
        self._sources: dict[tuple[str, int], str] = {}  # (token, balance before) → source

    def _source(self, token: str, before: int) -> str:
        source = self._sources.get((token, before))
        if source is None:
            if len(self._sources) >= _CACHE:
                self._sources.clear()  # bounded: memory stays flat
            source = self._sources[token, before] = make_source(token, before, self.file_name)
        return source

    def start(self, person: Person) -> None:
        self.tally.persons += 1
        if person.is_new:
            self.tally.counters_created += 1

    def plan(
        self, person: Person, year: int, declarations: str, existing: Existing | None
    ) -> tuple[str, int, str]:
        """(kind, hours, source) for one (person, year); kind ALREADY writes nothing."""
        tally = self.tally
        if existing is None or not existing.fed:
            before = person.balance
            numerator, denominator, token = fraction_of(declarations)
            hours = ratio_credit(before, numerator, denominator)
            person.balance = before + hours
            person.fed_hours += hours
            person.feeds += 1
            if person.last_fed_year is None or year > person.last_fed_year:
                person.last_fed_year = year
            tally.feeds += 1
            tally.hours_credited += hours
            return FEED, hours, self._source(token, before)
        original = parse_source(existing.first_source)
        latest = (
            original
            if existing.last_source == existing.first_source
            else parse_source(existing.last_source)
        )
        numerator, denominator, token = fraction_of(declarations)
        if original is None or latest is None or latest[0] == token:
            # Same declarations (or a credit made elsewhere, which the feed does not judge).
            tally.already_loaded += 1
            return ALREADY, 0, ""
        before = original[1]
        wanted = ratio_credit(before, numerator, denominator) - existing.credited
        delta = max(min(wanted, CPF_CEILING - person.balance), person.reserved - person.balance)
        if delta != wanted:
            tally.corrections_capped += 1
        person.balance += delta
        tally.corrections += 1
        tally.correction_hours += delta
        return CORRECTION, delta, self._source(token, before)

    def finish(self, person: Person) -> None:
        if person.fed_hours > 0:
            self.tally.persons_credited += 1


class Engine:
    """What both engines (PostgreSQL set-based, portable ORM) are built from."""

    name = ""

    def __init__(
        self,
        connection,
        planner: Planner,
        *,
        now: datetime,
        progress: Callable[[str, int, int | None], None] | None = None,
    ):
        self.connection = connection
        self.planner = planner
        self.now = now
        self.progress = progress

    def close(self) -> None:
        """Called once the import is over, whatever happened."""

"""Hours used by dossiers de formation: reserve, debit, release (domain.md §3.3–§3.4).

The financeur's validation *reserves* hours (RESERVATION entries, +n on the reserved hours
of their account), the closing *settles* them (RELEASE of everything reserved, DEBIT of the
hours actually done, −n on the balance), a cancellation *releases* them (RELEASE, −n on the
reserved hours). Every entry names its dossier in ``source`` (« dossier:<uuid> »), so that
what a dossier holds is read from the ledger itself (``reserved_for``): a dossier can never
release or debit hours that another dossier reserved, and a second closing finds nothing
left to settle.

Each function runs inside the caller's transaction (the dossier's transition, which also
journals the act: none of these writes the history), locks the counter's row, checks,
appends its entries and updates the cached balances. The database refuses, whatever the
code does, hours reserved above the balance of their account (CHECK constraints
``cpf_reserved_within_balance`` and ``dif_reserved_within_balance``) and negative figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from mcf.domain.hours.ledger import HoursError
from mcf.domain.hours.models import Counter, Entry


@dataclass(frozen=True)
class Hours:
    """Hours of a dossier on each account of the counter."""

    dif: int = 0
    cpf: int = 0

    def __post_init__(self):
        for value in (self.dif, self.cpf):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Hours are whole numbers ≥ 0, not {value!r}.")

    @property
    def total(self) -> int:
        return self.dif + self.cpf

    def __str__(self) -> str:
        return f"{self.dif} h DIF et {self.cpf} h CPF"


def reserved_for(counter_id: int, source: str) -> Hours:
    """What is reserved now for one dossier: the sum of its RESERVATION and RELEASE entries."""
    sums = dict(
        Entry.objects.filter(counter_id=counter_id, source=source, kind__in=Entry.RESERVED_KINDS)
        .values("account")
        .annotate(hours=Sum("hours"))
        .values_list("account", "hours")
    )
    return Hours(dif=sums.get(Entry.Account.DIF, 0), cpf=sums.get(Entry.Account.CPF, 0))


def reserve(
    counter_id: int, hours: Hours, *, source: str, by: str, now=None, number: str = ""
) -> Counter:
    """Reserve a dossier's hours (its validation). Refused when the DIF was never entered,
    or when either account has fewer hours available (balance − reserved) than asked."""
    counter = _locked(counter_id, source)
    if counter.dif_balance is None:
        raise HoursError(
            "Heures DIF non renseignées : le solde DIF doit être saisi avant de mobiliser "
            "des heures.",
            "dif_missing",
        )
    if hours.dif > counter.dif_available:
        raise HoursError(
            f"Heures DIF insuffisantes : {hours.dif} h demandées, "
            f"{counter.dif_available} h disponibles.",
            "dif_insufficient",
        )
    if hours.cpf > counter.cpf_available:
        raise HoursError(
            f"Heures CPF insuffisantes : {hours.cpf} h demandées, "
            f"{counter.cpf_available} h disponibles.",
            "cpf_insufficient",
        )
    _write(counter, Entry.Kind.RESERVATION, hours, source=source, by=by, now=now, number=number)
    counter.dif_reserved += hours.dif
    counter.cpf_reserved += hours.cpf
    counter.save(update_fields=["dif_reserved", "cpf_reserved"])
    return counter


def release(
    counter_id: int, hours: Hours, *, source: str, by: str, now=None, number: str = ""
) -> Counter:
    """Give back hours a dossier reserved (its cancellation). Refused above what the
    dossier holds."""
    counter = _locked(counter_id, source)
    held = reserved_for(counter_id, source)
    if hours.dif > held.dif or hours.cpf > held.cpf:
        raise HoursError(
            f"Impossible de libérer {hours} : le dossier n'a que {held} réservées.",
            "not_reserved",
        )
    _write(counter, Entry.Kind.RELEASE, hours, source=source, by=by, now=now, number=number)
    counter.dif_reserved -= hours.dif
    counter.cpf_reserved -= hours.cpf
    counter.save(update_fields=["dif_reserved", "cpf_reserved"])
    return counter


def settle(
    counter_id: int,
    *,
    reserved: Hours,
    used: Hours,
    source: str,
    by: str,
    now=None,
    number: str = "",
) -> Counter:
    """Close a dossier: release everything it reserved (``reserved``, which must be what
    the ledger holds for it), debit the hours actually used (at most the reserved ones, on
    each account). A second closing finds nothing reserved and is refused."""
    if used.dif > reserved.dif or used.cpf > reserved.cpf:
        raise HoursError(
            f"Les heures utilisées ({used}) ne peuvent pas dépasser les heures réservées "
            f"({reserved}).",
            "used_above_reserved",
        )
    counter = _locked(counter_id, source)
    held = reserved_for(counter_id, source)
    if held != reserved:
        raise HoursError(
            f"Les heures réservées pour ce dossier ont changé : {held} réservées, "
            f"{reserved} annoncées. Rien n'a été débité.",
            "reserved_mismatch",
        )
    at = now or timezone.now()
    for kind, hours in ((Entry.Kind.RELEASE, reserved), (Entry.Kind.DEBIT, used)):
        _write(counter, kind, hours, source=source, by=by, now=at, number=number)
    counter.dif_reserved -= reserved.dif
    counter.cpf_reserved -= reserved.cpf
    if used.dif:
        counter.dif_balance -= used.dif
    counter.cpf_balance -= used.cpf
    counter.save(update_fields=["dif_reserved", "cpf_reserved", "dif_balance", "cpf_balance"])
    return counter


def lock_dif(counter_id: int, now=None) -> Counter:
    """The first validated dossier locks the DIF balance (domain.md §3.2); later ones keep
    the date of the first. Refused when the DIF was never entered."""
    counter = _locked(counter_id)
    if counter.dif_balance is None:
        raise HoursError(
            "Heures DIF non renseignées : le solde DIF ne peut pas être verrouillé.",
            "dif_missing",
        )
    if counter.dif_locked_at is None:
        counter.dif_locked_at = now or timezone.now()
        counter.save(update_fields=["dif_locked_at"])
    return counter


def _locked(counter_id: int, source: str = "lock") -> Counter:
    if not transaction.get_connection().in_atomic_block:
        # The dossier's state and its hours change together or not at all.
        raise RuntimeError("Reservations run inside the caller's transaction.atomic().")
    if not source or len(source) > 255:
        raise ValueError("A movement for a dossier names it in source (« dossier:<uuid> »).")
    return Counter.objects.select_for_update().get(pk=counter_id)


# What the holder reads in « Mon compte d'heures » and on his attestation.
_LABELS = {
    Entry.Kind.RESERVATION: ("Réservation pour le dossier n° {}", "Réservation pour un dossier"),
    Entry.Kind.RELEASE: ("Heures libérées du dossier n° {}", "Heures libérées d'un dossier"),
    Entry.Kind.DEBIT: ("Heures utilisées par le dossier n° {}", "Heures utilisées par un dossier"),
}


def label(kind: str, number: str = "") -> str:
    with_number, without = _LABELS[kind]
    return with_number.format(number) if number else without


def _write(
    counter: Counter,
    kind: str,
    hours: Hours,
    *,
    source: str,
    by: str,
    now: datetime | None,
    number: str,
) -> None:
    """One entry per account with hours: reserved hours go up (RESERVATION), reserved hours
    (RELEASE) or the balance (DEBIT) go down."""
    sign = 1 if kind == Entry.Kind.RESERVATION else -1
    at = now or timezone.now()
    Entry.objects.bulk_create(
        Entry(
            counter=counter,
            kind=kind,
            account=account,
            hours=sign * value,
            label=label(kind, number)[:255],
            source=source,
            created_at=at,
            created_by=by[:150],
        )
        for account, value in ((Entry.Account.DIF, hours.dif), (Entry.Account.CPF, hours.cpf))
        if value
    )

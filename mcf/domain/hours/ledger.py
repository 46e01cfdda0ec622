"""Write paths of the compte d'heures. Every balance change goes through here.

Each function locks the counter row (select_for_update), appends one ledger entry, updates
the cached balance in the same transaction and journals the change for the holder.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from mcf.domain.hours.models import CPF_CEILING, DIF_MAXIMUM, Counter, Entry
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action


class HoursError(Exception):
    """A refused change, with a French message for the holder or the operator."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def credit_feed(
    counter: Counter, *, year: int, hours: int, source: str, now: datetime | None = None
) -> Entry:
    """Credit one year of activity to a counter the caller has locked (the yearly feed).

    Writes: a FEED entry (unique per counter and year), the cached CPF balance, the last fed
    year, and a history entry when the counter has a holder.
    """
    now = now or timezone.now()
    if counter.cpf_balance + hours > CPF_CEILING or hours < 0:
        raise HoursError("Le plafond de 150 heures serait dépassé.", "ceiling")
    entry = Entry.objects.create(
        counter=counter,
        kind=Entry.Kind.FEED,
        hours=hours,
        year=year,
        label=f"Alimentation au titre de l'activité {year}",
        source=source[:255],
        created_at=now,
        created_by="Caisse des Dépôts",
    )
    counter.cpf_balance += hours
    counter.last_fed_year = max(counter.last_fed_year or 0, year)
    counter.save(update_fields=["cpf_balance", "last_fed_year"])
    if counter.holder_id:
        journal.record(
            counter.holder,
            Action.HOURS_FED,
            actor=journal.BY_SERVICE,
            details=f"{hours} h au titre de {year}.",
            at=now,
        )
    return entry


def enter_dif(holder, hours: int, *, now: datetime | None = None) -> Counter:
    """« Saisissez le solde du DIF »: the holder types his DIF balance (0–999 h).

    Checks: the range, and that no dossier has been validated (the DIF is then locked).
    Writes: a DIF entry of the difference with the previous balance (the sum of DIF entries
    is the DIF balance), the cached balance, a history entry.
    """
    now = now or timezone.now()
    if not 0 <= hours <= DIF_MAXIMUM:
        raise HoursError("Le solde DIF doit être compris entre 0 et 999 heures.", "range")
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(holder=holder)
        if counter.dif_locked_at is not None:
            raise HoursError(
                "Un dossier de formation a été validé : le solde DIF ne peut plus être modifié.",
                "locked",
            )
        previous = counter.dif_balance or 0
        if counter.dif_balance is not None and hours < counter.dif_reserved:
            raise HoursError("Des heures DIF sont réservées pour un dossier.", "reserved")
        Entry.objects.create(
            counter=counter,
            kind=Entry.Kind.DIF,
            account=Entry.Account.DIF,
            hours=hours - previous,
            label=f"Solde DIF saisi : {hours} h",
            created_at=now,
            created_by="Titulaire",
        )
        counter.dif_balance = hours
        counter.save(update_fields=["dif_balance"])
        journal.record(holder, Action.DIF_ENTERED, details=f"Solde DIF : {hours} h.", at=now)
    return counter

"""Write paths of the compte d'heures. Every balance change goes through here.

Each function locks the counter row (select_for_update), appends one ledger entry, updates
the cached balance in the same transaction and journals the change for the holder.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from mcf.core.logging import security_event
from mcf.domain.hours.models import CPF_CEILING, DIF_MAXIMUM, Counter, Entry
from mcf.domain.identity.nir import normalise_nir
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
            by=journal.SERVICE,
            details=f"{hours} h au titre de {year}.",
            at=now,
        )
    return entry


def enter_dif(holder, hours: int, *, now: datetime | None = None) -> bool:
    """« Saisissez le solde du DIF »: the holder types his DIF balance (0–999 h).

    Checks: the range, and that no dossier has been validated (the DIF is then locked).
    Writes, under the counter's row lock: a DIF entry of the difference with the previous
    balance (the sum of DIF entries is the DIF balance), the cached balance, a history
    entry — or nothing when the balance typed is the one already recorded (REL-04: a
    no-change submission, a second copy of the same one). Returns whether it changed.
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
        if counter.dif_balance == hours:
            return False
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
    return True


CORRECTION_AUTHOR = "Caisse des Dépôts"
CORRECTION_REASON_MAX = 200  # the label « Correction par la Caisse des Dépôts : … » fits 255
# 13 characters of a NIR in a row once the reason is read as a typed NIR is (normalise_nir:
# separators removed, full-width digits and Unicode dashes folded): a NIR, or most of one.
_NIR_LIKE = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}")


def correction_label(reason: str) -> str:
    return f"Correction par la {CORRECTION_AUTHOR} : {reason}"


def correct_cpf(
    counter_id: int,
    *,
    hours: int,
    reason: str,
    operator,
    year: int | None = None,
    now: datetime | None = None,
) -> Entry:
    """A CORRECTION of the CPF balance by a back-office operator (domain.md §3.4).

    Checks: a non-zero whole number of hours, a reason (shown to the holder, 200 characters
    at most), and that the balance stays between the reserved hours (so never below 0) and
    150 h (REL-03), read under the counter's row lock. Writes: a CORRECTION entry (the
    reason in its label, the operator's identifier in ``created_by``), the cached balance,
    the holder's history (« Historique de vos actions ») when the counter has a holder, and
    a security log line (LOG-01). ``year``: the activity year the correction is about, if
    any (the holder's chart of the years then includes it).
    """
    now = now or timezone.now()
    reason = " ".join((reason or "").split())  # no line breaks nor control spacing
    if not reason:
        raise HoursError("Le motif de la correction est obligatoire.", "reason")
    if _NIR_LIKE.search(normalise_nir(reason)):
        raise HoursError(
            "Le motif ne doit pas contenir de NIR : le titulaire le lit dans son historique.",
            "reason",
        )
    if len(reason) > CORRECTION_REASON_MAX:
        raise HoursError(
            f"Le motif ne doit pas dépasser {CORRECTION_REASON_MAX} caractères.", "reason"
        )
    if hours == 0 or not -CPF_CEILING <= hours <= CPF_CEILING:
        raise HoursError(
            "La correction doit être un nombre d'heures entre −150 et +150, différent de 0.",
            "hours",
        )
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(pk=counter_id)
        balance = counter.cpf_balance + hours
        if balance > CPF_CEILING:
            raise HoursError(
                f"Le solde CPF dépasserait le plafond de {CPF_CEILING} heures "
                f"(solde actuel : {counter.cpf_balance} h).",
                "ceiling",
            )
        if balance < counter.cpf_reserved:
            raise HoursError(
                f"Le solde CPF ne peut pas descendre sous les heures réservées pour des "
                f"dossiers ({counter.cpf_reserved} h ; solde actuel : {counter.cpf_balance} h)."
                if counter.cpf_reserved
                else f"Le solde CPF ne peut pas devenir négatif "
                f"(solde actuel : {counter.cpf_balance} h).",
                "floor",
            )
        entry = Entry.objects.create(
            counter=counter,
            kind=Entry.Kind.CORRECTION,
            account=Entry.Account.CPF,
            hours=hours,
            year=year,
            label=correction_label(reason),
            source=f"gestion;operateur={operator.pk}",
            created_at=now,
            created_by=operator.get_username()[:150],
        )
        counter.cpf_balance = balance
        counter.save(update_fields=["cpf_balance"])
        if counter.holder_id:
            journal.record(
                counter.holder,
                Action.HOURS_CORRECTED,
                by=journal.Actor.operator(operator),
                details=f"Correction de {hours:+d} h : {reason}",
                changes={"cpf_balance": [counter.cpf_balance - hours, counter.cpf_balance]},
                at=now,
            )
        security_event(
            "hours.correction",
            outcome="success",
            operator=operator.public_id,
            counter=counter.pk,
            hours=f"{hours:+d}",
            entry=entry.pk,
        )
    return entry

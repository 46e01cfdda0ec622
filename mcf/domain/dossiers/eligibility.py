"""Which training a holder may build a dossier for (domain.md §3.2, §4).

A dossier names a code CPF listed, today, on a list open to the holder's situation; the
holder must have entered his DIF balance (even 0) and his account must be open.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from mcf.domain.catalogue.eligibility import Situation, open_lists, valid_listings
from mcf.domain.catalogue.models import Offer
from mcf.domain.hours.models import Counter


class NotEligible(Exception):
    """A dossier that cannot be created, with the French reason and where to go."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


DIF_MISSING = (
    "Heures DIF non renseignées : saisissez votre solde d'heures DIF (même 0) dans "
    "« Mon compte d'heures » avant de créer votre premier dossier de formation."
)
ACCOUNT_CLOSED = "Votre compte est fermé : aucun nouveau dossier de formation ne peut être créé."


@dataclass(frozen=True)
class EligibleTraining:
    code_cpf: int
    training_title: str
    certification_title: str
    list_label: str
    offer: Offer | None = None


def check_holder_may_create(holder) -> None:
    """Refuse a holder whose account is closed or whose DIF was never entered."""
    if holder.closed_at is not None or not holder.is_active:
        raise NotEligible(ACCOUNT_CLOSED, "closed")
    # Read now, not from a counter cached on the user: the DIF may have just been entered.
    dif = Counter.objects.filter(holder=holder).values_list("dif_balance", flat=True).first()
    if dif is None:
        raise NotEligible(DIF_MISSING, "dif")


def _lists_sentence(situation: Situation) -> str:
    names = open_lists(situation)
    return "Les listes ouvertes à votre situation sont : " + ", ".join(names) + "."


def training_for_code(holder, code_cpf: int) -> EligibleTraining:
    """The certification listed under ``code_cpf`` on a list open to the holder, today."""
    situation = Situation.of_holder(holder)
    today = timezone.localdate()
    listing = (
        valid_listings(situation, today)
        .filter(code_cpf=code_cpf)
        .select_related("certification", "eligibility_list__region", "eligibility_list__branch")
        .order_by("eligibility_list__kind", "pk")
        .first()
    )
    if listing is None:
        if valid_listings(None, today).filter(code_cpf=code_cpf).exists():
            raise NotEligible(
                f"Le code CPF {code_cpf} n'est pas inscrit sur une liste ouverte à votre "
                f"situation. {_lists_sentence(situation)}",
                "not_open",
            )
        raise NotEligible(
            f"Le code CPF {code_cpf} ne correspond à aucune formation éligible : vérifiez le "
            "code indiqué par l'organisme de formation, ou recherchez la formation.",
            "unknown",
        )
    title = listing.certification.title
    return EligibleTraining(
        code_cpf=listing.code_cpf,
        training_title=title,
        certification_title=str(listing.certification),
        list_label=str(listing.eligibility_list),
    )


def training_for_offer(holder, offer: Offer) -> EligibleTraining:
    """An offer of the catalogue, if its certification is on a list open to the holder."""
    situation = Situation.of_holder(holder)
    listing = (
        valid_listings(situation, timezone.localdate())
        .filter(certification_id=offer.certification_id)
        .select_related("certification", "eligibility_list__region", "eligibility_list__branch")
        .order_by("eligibility_list__kind", "pk")
        .first()
    )
    if listing is None:
        raise NotEligible(
            "Cette formation n'est pas inscrite sur une liste ouverte à votre situation. "
            + _lists_sentence(situation),
            "not_open",
        )
    return EligibleTraining(
        code_cpf=listing.code_cpf,
        training_title=offer.title,
        certification_title=str(listing.certification),
        list_label=str(listing.eligibility_list),
        offer=offer,
    )

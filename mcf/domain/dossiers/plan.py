"""The hours plan of a dossier (domain.md §3.3): DIF first, then CPF, 150 hours at most.

One owner of the rule: the holder's live plan, the financeur's proposed plan, the check of
the plan he enters and the debit at closing all come from here.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_HOURS_PER_DOSSIER = 150


@dataclass(frozen=True)
class HoursPlan:
    """How a training of ``duration`` hours is financed from the counters."""

    duration: int
    dif: int  # DIF hours used
    cpf: int  # CPF hours used
    dif_available: int
    cpf_available: int

    @property
    def from_counters(self) -> int:
        return self.dif + self.cpf

    @property
    def to_finance(self) -> int:
        """Hours left to finance otherwise (« heures complémentaires / abondement »)."""
        return max(self.duration - self.from_counters, 0)

    @property
    def dif_left(self) -> int:
        return self.dif_available - self.dif

    @property
    def cpf_left(self) -> int:
        return self.cpf_available - self.cpf


def propose(duration: int, *, dif_available: int, cpf_available: int) -> HoursPlan:
    """The plan the rules give: DIF first, then CPF, at most 150 hours in all.

    >>> p = propose(200, dif_available=120, cpf_available=48)
    >>> (p.dif, p.cpf, p.to_finance, p.cpf_left)
    (120, 30, 50, 18)
    """
    duration = max(duration, 0)
    dif = min(duration, max(dif_available, 0), MAX_HOURS_PER_DOSSIER)
    cpf = min(duration - dif, max(cpf_available, 0), MAX_HOURS_PER_DOSSIER - dif)
    return HoursPlan(duration, dif, cpf, dif_available, cpf_available)


def plan_errors(
    duration: int, *, dif: int, cpf: int, dif_available: int, cpf_available: int
) -> dict[str, str]:
    """What is wrong with a plan a financeur typed, by field (French), or {}."""
    errors: dict[str, str] = {}
    if dif < 0:
        errors["dif"] = "Le nombre d'heures DIF ne peut pas être négatif."
    elif dif > dif_available:
        errors["dif"] = f"Le titulaire ne dispose que de {dif_available} h de DIF."
    if cpf < 0:
        errors["cpf"] = "Le nombre d'heures CPF ne peut pas être négatif."
    elif cpf > cpf_available:
        errors["cpf"] = f"Le titulaire ne dispose que de {cpf_available} h de CPF."
    if errors:
        return errors
    if dif + cpf > MAX_HOURS_PER_DOSSIER:
        errors["cpf"] = (
            f"Un dossier mobilise au plus {MAX_HOURS_PER_DOSSIER} heures DIF et CPF "
            f"(ici {dif + cpf} h)."
        )
    elif dif + cpf > duration:
        errors["cpf"] = f"La formation ne dure que {duration} h (ici {dif + cpf} h mobilisées)."
    elif cpf > 0 and dif < propose(duration, dif_available=dif_available, cpf_available=0).dif:
        errors["dif"] = "Les heures DIF sont mobilisées en premier, avant les heures CPF."
    return errors


def split_done(hours_done: int, *, dif: int, cpf: int) -> tuple[int, int]:
    """The hours done at closing, debited DIF first: (DIF used, CPF used)."""
    used_dif = min(hours_done, dif)
    return used_dif, min(hours_done - used_dif, cpf)

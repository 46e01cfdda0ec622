"""« Mes informations personnelles »: contact details and situation (domain.md §8).

Each change is one action function: it writes the user row and the history entry in one
transaction. The situation decides which eligibility lists the training search uses
(domain.md §4): a salarié searches with his employer's branch and the région of his
workplace, a demandeur d'emploi with the région where he lives.
"""

from __future__ import annotations

from django.db import transaction

from mcf.domain.accounts.models import EmploymentStatus, User
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action

SITUATION_FIELDS = ("employment_status", "branch", "work_region", "home_region")
# What each situation needs, and the message when it is missing.
REQUIRED_FOR = {
    EmploymentStatus.SALARIE: {
        "branch": "Choisissez la branche professionnelle de votre employeur.",
        "work_region": "Choisissez la région de votre lieu de travail.",
    },
    EmploymentStatus.DEMANDEUR_EMPLOI: {
        "home_region": "Choisissez la région de votre domicile.",
    },
}


def situation_errors(values: dict) -> dict[str, str]:
    """The fields missing for the chosen situation, with their French messages."""
    required = REQUIRED_FOR.get(values.get("employment_status"), {})
    return {field: message for field, message in required.items() if not values.get(field)}


def update_phones(user: User, *, landline: str, mobile: str) -> bool:
    """Store the phones (already normalised to E.164 by phones.py, or empty).

    Writes: the two fields and one history entry naming what changed; nothing if nothing
    changed. Returns whether something changed.
    """
    changed = [
        label
        for label, old, new in (
            ("téléphone fixe", user.landline, landline),
            ("téléphone portable", user.mobile, mobile),
        )
        if old != new
    ]
    if not changed:
        return False
    with transaction.atomic():
        user.landline, user.mobile = landline, mobile
        user.save(update_fields=["landline", "mobile"])
        journal.record(user, Action.PHONES_CHANGED, details=f"Modifié : {', '.join(changed)}.")
    return True


def update_situation(user: User, **values) -> bool:
    """Store the situation; the fields that do not apply to it are emptied.

    ``values``: employment_status, branch, work_region, home_region (model instances or
    None). The caller has checked ``situation_errors``. Writes: the four fields and a
    history entry; nothing if nothing changed.
    """
    status = values["employment_status"]
    kept = {"employment_status", *REQUIRED_FOR.get(status, {})}
    new = {field: values.get(field) if field in kept else None for field in SITUATION_FIELDS}
    new["employment_status"] = status or ""
    if all(getattr(user, field) == value for field, value in new.items()):
        return False
    with transaction.atomic():
        for field, value in new.items():
            setattr(user, field, value)
        user.save(update_fields=list(SITUATION_FIELDS))
        label = EmploymentStatus(status).label if status else "non renseignée"
        journal.record(user, Action.SITUATION_CHANGED, details=f"Situation : {label}.")
    return True

"""A CDC operator changes a holder's account in the back office (the user pages of the
Django admin, superusers only): the holder's history says so, with the operator as its
actor (« La Caisse des Dépôts »; his account on the entry for the audit).

The admin writes the row itself (``ModelAdmin.save_model``, in its transaction): this only
journals what it changed.
"""

from __future__ import annotations

from datetime import date

from mcf.domain.accounts.models import User
from mcf.domain.journal import actions as journal
from mcf.domain.journal.actions import Actor
from mcf.domain.journal.models import Action

# Never an old or new value in the history: only that they changed.
SECRET_FIELDS = frozenset({"password", "nir", "nir_hash", "usable_password"})
_SCALARS = (str, bool, int, date, type(None))


def journal_operator_change(
    holder: User, *, operator: User, fields: dict[str, tuple[str, object, object]]
) -> None:
    """``fields``: name → (French label, old value, new value) of what the operator changed.

    Writes one « Informations de votre compte modifiées par la Caisse des Dépôts » entry on a
    holder's history (nothing for another kind of account, or when nothing changed): the
    labels in its details, the old and new plain values in its changes (not the secrets,
    nor lists such as permissions).
    """
    if holder.kind != User.Kind.TITULAIRE or not fields:
        return
    labels = ", ".join(str(label).lower() for label, _, _ in fields.values())
    journal.record(
        holder,
        Action.ACCOUNT_UPDATED_BY_OPERATOR,
        by=Actor.operator(operator),
        details=f"Modifié : {labels}.",
        changes={
            name: [old, new]
            for name, (_, old, new) in fields.items()
            if name not in SECRET_FIELDS and isinstance(old, _SCALARS) and isinstance(new, _SCALARS)
        },
    )

"""The dossier's declared workflow (domain.md §5, AC-03, docs/decisions/0015).

``TRANSITIONS`` is the whole table: each transition's source states, target, who may fire
it and whether it needs a motif. ``transition()`` is the one way a state changes: it locks
the dossier row, checks who acts, the version the form was built on, the source state and
the transition's own guards, runs its effect (the ledger's reservation, debit or release),
writes the new state, a ``DossierTransition`` row, the holder's journal entry and his mail,
in one transaction: all of it, or nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mcf.core.text import visible_text
from mcf.domain.accounts.models import User
from mcf.domain.delegations.access import OnBehalf
from mcf.domain.dossiers.models import Dossier, DossierTransition, State
from mcf.domain.integrations.caller import ApiCaller
from mcf.domain.integrations.webhooks import queue_dossier_event
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.domain.mailing.actions import queue_email


class Role(enum.Enum):
    HOLDER = "titulaire"
    FINANCEUR = "financeur"
    # Someone with a délégation « modification » (a person, an employer's staff): prepares
    # the dossier with the holder's fields; fires no transition (sending, consent, closing
    # stay the holder's and the financeur's own acts: issue 14).
    DELEGATE = "délégataire"


class DossierError(Exception):
    """A refused act on a dossier, with its French message."""

    def __init__(self, message: str, code: str = "", errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or {}  # by form field, for a form to show next to each field


class NotAllowed(DossierError):
    """This user may not act on this dossier (the views answer 404: AC-01)."""


class Refused(DossierError):
    """Not now: the state does not allow it, a guard refuses (the views answer 409)."""


class Stale(Refused):
    """The form was built on an older version of the dossier."""


STALE = (
    "Ce dossier a changé depuis que vous avez ouvert cette page : rien n'a été modifié. "
    "Vérifiez son état ci-dessous avant de recommencer."
)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # the button's text
    sources: frozenset[State]
    target: State
    role: Role
    journal_action: Action
    motif_required: bool = False
    # The holder's mail: its subject line's end (« … a été validé »).
    mail_event: str = ""


def _t(name, label, sources, target, role, action, motif=False, mail=""):
    return Transition(name, label, frozenset(sources), target, role, action, motif, mail)


S = State
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("transmettre", "Transmettre au financeur", {S.BROUILLON, S.COMPLEMENT}, S.TRANSMIS,
           Role.HOLDER, Action.DOSSIER_SENT, mail="a été transmis au financeur"),
        _t("reprendre", "Reprendre le dossier pour le modifier", {S.TRANSMIS}, S.BROUILLON,
           Role.HOLDER, Action.DOSSIER_WITHDRAWN),
        _t("annuler_titulaire", "Annuler le dossier", {S.BROUILLON, S.TRANSMIS, S.COMPLEMENT},
           S.ANNULE, Role.HOLDER, Action.DOSSIER_CANCELLED, motif=True, mail="a été annulé"),
        _t("demander_complement", "Demander un complément", {S.TRANSMIS}, S.COMPLEMENT,
           Role.FINANCEUR, Action.DOSSIER_COMPLEMENT, motif=True,
           mail="attend un complément de votre part"),
        _t("valider", "Valider le dossier", {S.TRANSMIS}, S.VALIDE, Role.FINANCEUR,
           Action.DOSSIER_VALIDATED, mail="a été validé"),
        _t("refuser", "Refuser le dossier", {S.TRANSMIS, S.COMPLEMENT}, S.ANNULE,
           Role.FINANCEUR, Action.DOSSIER_CANCELLED, motif=True, mail="a été refusé"),
        _t("clore", "Clore le dossier", {S.VALIDE}, S.CLOS, Role.FINANCEUR,
           Action.DOSSIER_CLOSED, mail="a été clos"),
        _t("annuler_financeur", "Annuler le dossier", {S.VALIDE}, S.ANNULE, Role.FINANCEUR,
           Action.DOSSIER_CANCELLED, motif=True, mail="a été annulé"),
    )
}  # fmt: skip

# The date each target state stamps on the dossier.
_STAMPS = {
    S.TRANSMIS: "sent_at",
    S.VALIDE: "validated_at",
    S.CLOS: "closed_at",
    S.ANNULE: "cancelled_at",
}
MOTIF_MAX = 2000


def role_of(user, dossier: Dossier) -> Role | None:
    """What ``user`` is to ``dossier``: its holder, a member of its financeur, or nothing.
    Nobody is both: professionals have no NIR, holders no organisation (AC-03).
    ``user`` may be an ``OnBehalf`` (a delegate): DELEGATE on the non-confidential dossiers
    of the holder who gave him a délégation « modification ». An ``ApiCaller`` (an API
    client) is FINANCEUR on its organisation's dossiers, as its gestionnaires are."""
    if isinstance(user, ApiCaller):
        if dossier.financeur_id is not None and dossier.financeur_id == user.organisation_id:
            return Role.FINANCEUR
        return None
    if isinstance(user, OnBehalf):
        if (
            user.may_modify
            and user.delegation.holder_id == dossier.holder_id
            and not dossier.confidential
        ):
            return Role.DELEGATE
        return None
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.pk == dossier.holder_id:
        return Role.HOLDER
    profile = getattr(user, "professional_profile", None)
    if (
        profile is not None
        and dossier.financeur_id is not None
        and profile.organisation_id == dossier.financeur_id
    ):
        return Role.FINANCEUR
    return None


def available(dossier: Dossier, user) -> list[Transition]:
    """The transitions ``user`` may fire on ``dossier`` now (the buttons a page shows)."""
    role = role_of(user, dossier)
    return [t for t in TRANSITIONS.values() if t.role == role and dossier.state in t.sources]


def actor_of(by) -> journal.Actor:
    """The journal's actor for ``by``: the holder, a professional, or a delegate. By the
    account's kind: a holder's costs no query (his missing professional profile would)."""
    if isinstance(by, OnBehalf):
        return journal.Actor.delegate(by.user, by.delegation)
    if isinstance(by, ApiCaller):
        return journal.Actor.information_system(by.organisation)
    if by.kind == User.Kind.PROFESSIONNEL:
        return journal.Actor.professional(by)
    return journal.Actor.holder(by)


def clean_motif(motif: str) -> str:
    return visible_text(motif, max_length=MOTIF_MAX)


def transition(
    dossier_pk: int,
    name: str,
    *,
    by,
    version: int | None = None,
    motif: str = "",
    effect: Callable[[Dossier], str] | None = None,
    now: datetime | None = None,
) -> Dossier:
    """Fire transition ``name`` on the dossier, as ``by``.

    Checks, with the dossier row locked: that ``by`` plays the transition's role on this
    dossier (else ``NotAllowed``), that the dossier is still at ``version`` when the caller
    gives one (else ``Stale``), that its state is a source of the transition and that a
    required motif is there (else ``Refused``). Then runs ``effect(dossier)`` (its guards
    raise ``Refused``; it returns the journal's details), and writes: the state, its date,
    the version, a ``DossierTransition`` row, the holder's journal entry (with the actor)
    and the holder's mail — in one transaction (REL-02).
    """
    now = now or timezone.now()
    spec = TRANSITIONS[name]
    motif = clean_motif(motif)
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("holder", "financeur")
            .get(pk=dossier_pk)
        )
        role = role_of(by, dossier)
        if role is not spec.role:
            raise NotAllowed("Vous ne pouvez pas agir sur ce dossier.", "not_allowed")
        if version is not None and version != dossier.version:
            raise Stale(STALE, "stale")
        if dossier.state not in spec.sources:
            raise Refused(
                f"Ce dossier est « {dossier.get_state_display()} » : l'action « {spec.label} » "
                "n'est plus possible. Rien n'a été modifié.",
                "state",
            )
        if spec.motif_required and not motif:
            raise Refused("Indiquez le motif.", "motif", {"motif": "Indiquez le motif."})
        details = effect(dossier) if effect else ""
        source = dossier.state
        dossier.state = spec.target
        dossier.version += 1
        dossier.updated_at = now
        if stamp := _STAMPS.get(spec.target):
            setattr(dossier, stamp, now)
        if spec.target == S.ANNULE:
            dossier.cancel_reason = motif
        if spec.name == "demander_complement":
            dossier.complement_message = motif
        dossier.save(_transition=True)
        DossierTransition.objects.create(
            dossier=dossier,
            name=spec.name,
            source=source,
            target=spec.target,
            actor=by if isinstance(by, User) else None,
            api_client=by.client if isinstance(by, ApiCaller) else None,
            organisation=dossier.financeur if role is Role.FINANCEUR else None,
            motif=motif,
            occurred_at=now,
        )
        journal.record(
            dossier.holder,
            spec.journal_action,
            by=actor_of(by),
            subject=dossier,
            details=_journal_details(dossier, details, motif),
            changes={"état": [source, spec.target]},
            at=now,
        )
        if spec.mail_event:
            mail_holder(dossier, spec.mail_event, motif=motif)
        queue_dossier_event(dossier, name=spec.name, source=source, motif=motif, at=now)
    return dossier


def _journal_details(dossier: Dossier, details: str, motif: str) -> str:
    text = f"Dossier n° {dossier.number_display}"
    if details:
        text += f" : {details}"
    if motif:
        text += f" — motif : {motif}"
    return text


def mail_holder(dossier: Dossier, event: str, *, motif: str = "") -> None:
    """Tell the holder what happened to his dossier (inside the caller's transaction)."""
    holder = dossier.holder
    queue_email(
        to=holder.email,
        template="dossiers/mails/holder_event.txt",
        context={
            "holder": holder,
            "dossier": dossier,
            "event": event,
            "motif": motif,
            "dossiers_url": settings.SITE_URL + reverse("titulaire:dossiers"),
        },
        kind="dossier_evenement",
    )

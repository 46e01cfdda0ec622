"""What the pages read of the dossiers (no writes): the holder's list and counts, the
financeur's work list. Every query is scoped to its principal (AC-01): a holder reads his
own dossiers, a financeur those of his organisation, and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from mcf.core.digits import is_ascii_digits
from mcf.domain.delegations.models import Delegation, live
from mcf.domain.dossiers.models import IN_PREPARATION, Dossier, State, WorkingTime
from mcf.domain.identity.nir import Nir, NirError
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.organisations.models import Organisation


def _of(holder, for_delegate: bool) -> QuerySet[Dossier]:
    """The holder's dossiers; for a delegate (a person, an employer), never the
    confidential ones (domain.md §5, §6): not listed, not counted, not found by id."""
    dossiers = Dossier.objects.filter(holder=holder)
    return dossiers.filter(confidential=False) if for_delegate else dossiers


def of_holder(holder, *, for_delegate: bool = False) -> QuerySet[Dossier]:
    """The holder's dossiers, newest first."""
    return _of(holder, for_delegate).order_by("-created_at", "-id")


def holder_dossier(holder, public_id, *, for_delegate: bool = False) -> Dossier | None:
    return _of(holder, for_delegate).filter(public_id=public_id).first()


def by_ledger_source(
    holder, sources: Iterable[str], *, for_delegate: bool = False
) -> dict[str, Dossier]:
    """The holder's dossiers that ledger entries name in their ``source``
    (``Dossier.ledger_source``, « dossier:<uuid> »), by source: one query for all the
    entries of a page, none when no entry names a dossier. Another holder's dossier, or a
    source naming none, is simply not found."""
    ids = set()
    for source in sources:
        kind, _, value = (source or "").partition(":")
        if kind == Dossier.JOURNAL_SUBJECT:
            try:
                ids.add(uuid.UUID(value))
            except ValueError:
                continue
    if not ids:
        return {}
    found = _of(holder, for_delegate).filter(public_id__in=ids).only("public_id", "number")
    return {dossier.ledger_source: dossier for dossier in found}


@dataclass(frozen=True)
class HolderCounts:
    ongoing: int  # en cours d'élaboration + validé (the synthèse's « Dossiers en cours »)
    closed: int  # clos
    cancelled: int  # annulés, shown apart


def holder_counts(holder, *, for_delegate: bool = False) -> HolderCounts:
    """One query."""
    counts = _of(holder, for_delegate).aggregate(
        ongoing=Count("pk", filter=Q(state__in=[*IN_PREPARATION, State.VALIDE])),
        closed=Count("pk", filter=Q(state=State.CLOS)),
        cancelled=Count("pk", filter=Q(state=State.ANNULE)),
    )
    return HolderCounts(**counts)


# ----- the financeur's work list -----------------------------------------------------------

ORDERS = {
    "-sent_at": ("-sent_at", "-id"),
    "sent_at": ("sent_at", "id"),
    "start_date": ("start_date", "id"),
    "-start_date": ("-start_date", "-id"),
}
SEARCH_HELP = (
    "Saisissez un numéro de dossier (12 chiffres) ou le numéro de Sécurité sociale complet "
    "du titulaire (15 caractères)."
)


class SearchError(ValueError):
    pass


@dataclass(frozen=True)
class WorkListFilters:
    states: tuple[str, ...] = ()  # none = every state the financeur ever sees
    sent_from: date | None = None
    sent_to: date | None = None
    start_from: date | None = None
    start_to: date | None = None
    search: str = ""  # a dossier number or a full NIR
    order: str = "-sent_at"


def of_financeur(organisation_id: int) -> QuerySet[Dossier]:
    """The organisation's dossiers, but drafts: a dossier is the holder's alone until he
    sends it (and again when he takes it back to change it); one he cancelled before ever
    sending it was never the financeur's. An employer financing under its accord 0,2 % never
    sees a confidential dossier (domain.md §6; ``actions.update_dossier`` refuses the pair
    too: this is the second lock)."""
    return (
        Dossier.objects.filter(financeur_id=organisation_id, sent_at__isnull=False)
        .exclude(state=State.BROUILLON)
        .exclude(confidential=True, financeur__kind=Organisation.Kind.EMPLOYEUR)
    )


def concerns_financeur(dossier: Dossier) -> bool:
    """What ``of_financeur`` selects, for one dossier and whatever its state now: a dossier
    sent at least once, not hidden from an employer financeur. A transition of such a
    dossier is the financeur's news (its webhooks), taking it back to a draft included."""
    if dossier.financeur_id is None or dossier.sent_at is None:
        return False
    return not (dossier.confidential and dossier.financeur.kind == Organisation.Kind.EMPLOYEUR)


def _search(dossiers: QuerySet[Dossier], text: str) -> QuerySet[Dossier]:
    compact = "".join(text.split())
    if is_ascii_digits(compact) and len(compact) == 12:
        return dossiers.filter(number=compact)
    try:
        nir = Nir.parse(text)
    except NirError as error:
        raise SearchError(SEARCH_HELP) from error
    return dossiers.filter(holder__nir_hash=nir_lookup_hash(nir))


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def work_list(organisation_id: int, filters: WorkListFilters) -> QuerySet[Dossier]:
    """The organisation's dossiers under ``filters``, sorted; raises ``SearchError`` for a
    search that is neither a dossier number nor a NIR. The NIR typed is used through its
    keyed hash only; the list never shows it."""
    dossiers = of_financeur(organisation_id)
    if filters.states:
        dossiers = dossiers.filter(state__in=filters.states)
    # Bounds on the column itself (not on its date): the index serves them.
    if filters.sent_from:
        dossiers = dossiers.filter(sent_at__gte=_midnight(filters.sent_from))
    if filters.sent_to:
        dossiers = dossiers.filter(sent_at__lt=_midnight(filters.sent_to + timedelta(days=1)))
    if filters.start_from:
        dossiers = dossiers.filter(start_date__gte=filters.start_from)
    if filters.start_to:
        dossiers = dossiers.filter(start_date__lte=filters.start_to)
    if filters.search.strip():
        dossiers = _search(dossiers, filters.search)
    # The holder's name only: his NIR (decrypted on load) is never shown in the list.
    return (
        dossiers.select_related("holder")
        .defer("holder__nir")
        .order_by(*ORDERS.get(filters.order, ORDERS["-sent_at"]))
    )


def financeur_counts(organisation_id: int) -> dict[str, int]:
    """Dossiers per state (the Espace professionnel's home page), one query."""
    rows = of_financeur(organisation_id).values_list("state").annotate(n=Count("pk"))
    counts = {state: 0 for state in State.values if state != State.BROUILLON}
    counts.update(dict(rows))
    return counts


# ----- the employer's space ----------------------------------------------------------------


def employer_requests(organisation) -> QuerySet[Dossier]:
    """Requests for training *sur temps de travail* addressed to an employer: dossiers that
    name its SIRET, and those that name no employer of holders who delegate to it (issue
    14: « employees who delegated, or who named the company in a dossier »). Never a
    confidential dossier; waiting ones first (an empty answer sorts first), then by request
    date. The holder's name only, never his NIR. The one rule of what an employer may see
    and answer (``actions.answer_as_employer`` asks it too)."""
    delegating = Delegation.objects.filter(live(), organisation_id=organisation.pk)
    addressed = Q(employer_siret=organisation.siret) | Q(
        employer_siret="", holder_id__in=delegating.values("holder_id")
    )
    return (
        Dossier.objects.filter(
            addressed,
            working_time=WorkingTime.SUR,
            confidential=False,
            employer_requested_on__isnull=False,
        )
        .select_related("holder")
        .defer("holder__nir")
        .order_by("employer_answer", "employer_requested_on", "id")
    )


def proposed_plan(dossier: Dossier):
    """The holder's counter now and the plan the rules propose for ``dossier`` from it (DIF
    first, 150 h at most): what the instruct page and the API show the financeur."""
    from mcf.domain.dossiers import plan
    from mcf.domain.hours.models import Counter

    counter = Counter.objects.only(
        "cpf_balance", "cpf_reserved", "dif_balance", "dif_reserved", "dif_locked_at"
    ).get(holder_id=dossier.holder_id)
    proposed = plan.propose(
        dossier.duration_hours or 0,
        dif_available=counter.dif_available or 0,
        cpf_available=counter.cpf_available,
    )
    return counter, proposed

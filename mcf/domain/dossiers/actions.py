"""Write paths of the dossiers de formation. Views, tasks, the demo and the tests call these.

The holder builds his dossier (create, update, consent, employer's agreement) while it is
editable; every change of state goes through ``workflow.transition()``. Each function
checks, writes, journals and mails in one transaction and raises a ``DossierError`` (French
message, by field when it concerns one) that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.delegations.access import OnBehalf
from mcf.domain.dossiers import deadlines, plan
from mcf.domain.dossiers.eligibility import (
    EligibleTraining,
    NotEligible,
    check_holder_may_create,
    training_for_code,
)
from mcf.domain.dossiers.financeurs import may_finance
from mcf.domain.dossiers.models import (
    COST_MAX,
    DURATION_MAX,
    DURATION_MIN,
    IN_PREPARATION,
    Abondement,
    Dossier,
    EmployerAnswer,
    State,
    WorkingTime,
)
from mcf.domain.dossiers.queries import employer_requests
from mcf.domain.dossiers.workflow import (
    STALE,
    NotAllowed,
    Refused,
    Role,
    actor_of,
    clean_motif,
    mail_holder,
    role_of,
    transition,
)
from mcf.domain.hours import reservations as ledger
from mcf.domain.hours.models import Counter
from mcf.domain.identity.siret import normalise_siret, validate_siret
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action

# The training organisation, as the holder types it (and the back office shows it).
ORGANISME_FIELDS = (
    "organisme_siret",
    "organisme_name",
    "organisme_contact",
    "organisme_email",
    "organisme_phone",
    "organisme_address",
    "organisme_postal_code",
    "organisme_city",
)
# What the holder may change in his dossier, and nothing else (AC-05).
HOLDER_FIELDS = (
    *ORGANISME_FIELDS,
    "start_date",
    "end_date",
    "duration_hours",
    "cost",
    "employer_siret",
    "working_time",
    "financeur",
    "confidential",
    "comments",
)
# What must be there before the dossier goes to the financeur, with the message if not.
REQUIRED_TO_SEND = {
    "organisme_siret": "Indiquez le SIRET de l'organisme de formation.",
    "organisme_name": "Indiquez la raison sociale de l'organisme de formation.",
    "start_date": "Indiquez la date de début de la formation.",
    "end_date": "Indiquez la date de fin de la formation.",
    "duration_hours": "Indiquez la durée de la formation en heures.",
    "cost": "Indiquez le coût TTC de la formation.",
    "financeur": "Choisissez le financeur de votre dossier.",
}
CONFIDENTIAL_TO_EMPLOYER = (
    "Un dossier confidentiel est caché à votre employeur : il ne peut pas être financé par "
    "lui. Choisissez un autre financeur ou décochez « Dossier confidentiel »."
)
CONSENT_MISSING = (
    "Cochez « J'accepte que mes heures soient mobilisées pour cette formation » : sans votre "
    "accord, le dossier ne peut pas être transmis."
)


def _dossier_for_holder(dossier_pk: int, holder, *, version: int | None) -> Dossier:
    """The holder's dossier, locked, at the version his form was built on, still editable.
    ``holder`` may be a delegate (``OnBehalf``) with the right to modify, still live."""
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_pk)
    if role_of(holder, dossier) not in (Role.HOLDER, Role.DELEGATE) or (
        isinstance(holder, OnBehalf) and not holder.still_live()
    ):
        raise NotAllowed("Vous ne pouvez pas agir sur ce dossier.", "not_allowed")
    if version is not None and version != dossier.version:
        raise Refused(STALE, "stale")
    if not dossier.editable:
        raise Refused(
            f"Ce dossier est « {dossier.get_state_display()} » : il ne peut plus être modifié.",
            "state",
        )
    return dossier


def _available_hours(holder) -> tuple[int, int]:
    counter = Counter.objects.filter(holder=holder).only(
        "cpf_balance", "cpf_reserved", "dif_balance", "dif_reserved"
    )[0]
    return counter.dif_available or 0, counter.cpf_available


def _propose_plan(dossier: Dossier) -> None:
    """The plan the rules give for the hours available now (shown until the financeur sets
    his own at validation)."""
    if dossier.duration_hours:
        dif, cpf = _available_hours(dossier.holder)
        proposed = plan.propose(dossier.duration_hours, dif_available=dif, cpf_available=cpf)
        dossier.plan_dif, dossier.plan_cpf = proposed.dif, proposed.cpf
    else:
        dossier.plan_dif = dossier.plan_cpf = 0


def create_dossier(
    holder, training: EligibleTraining, *, by=None, now: datetime | None = None
) -> Dossier:
    """A new dossier *en cours d'élaboration* for an eligible training (from an offer or a
    code CPF: ``eligibility.training_for_offer / training_for_code``). ``by``: a delegate
    (``OnBehalf`` with the right to modify) creating it for the holder; None: the holder.

    Checks: the account is open and the DIF entered (``NotEligible``). Writes the dossier
    (the offer's organisme, duration and cost copied when there is one; the holder's
    situation recorded) and the journal entry.
    """
    now = now or timezone.now()
    check_holder_may_create(holder)
    _check_delegate_may_prepare(holder, by)
    values = {}
    if (offer := training.offer) is not None:
        organisme = offer.organisme
        values = {
            "organisme_siret": organisme.siret,
            "organisme_name": organisme.name[:250],
            "organisme_email": organisme.email,
            "organisme_phone": organisme.phone,
            "organisme_address": offer.address[:250],
            "organisme_postal_code": offer.postal_code,
            "organisme_city": offer.city,
            "duration_hours": offer.duration_hours
            if DURATION_MIN <= offer.duration_hours <= DURATION_MAX
            else None,
            "cost": offer.price if 0 <= offer.price <= COST_MAX else None,
        }
    status = holder.employment_status or EmploymentStatus.SALARIE
    with transaction.atomic():
        dossier = Dossier(
            holder=holder,
            offer=training.offer,
            code_cpf=training.code_cpf,
            training_title=training.training_title[:300],
            certification_title=training.certification_title[:300],
            list_label=training.list_label[:200],
            employment_status=status,
            working_time="" if status == EmploymentStatus.SALARIE else WorkingTime.HORS,
            created_at=now,
            updated_at=now,
            **values,
        )
        _propose_plan(dossier)
        dossier.save()
        journal.record(
            holder,
            Action.DOSSIER_CREATED,
            by=actor_of(by) if by is not None else None,
            subject=dossier,
            details=f"Dossier n° {dossier.number_display} : {dossier.training_title}",
            at=now,
        )
    return dossier


def create_dossier_for_code(
    holder, code_cpf: int, *, by=None, now: datetime | None = None
) -> Dossier:
    """« Créer un dossier de formation » by typing a code CPF."""
    check_holder_may_create(holder)
    return create_dossier(holder, training_for_code(holder, code_cpf), by=by, now=now)


def _check_delegate_may_prepare(holder, by) -> None:
    if by is None:
        return
    if not (
        isinstance(by, OnBehalf)
        and by.may_modify
        and by.delegation.holder_id == holder.pk
        and by.still_live()
    ):
        raise NotAllowed("Vous ne pouvez pas agir sur ce dossier.", "not_allowed")


def field_errors(values: dict, *, holder, today: date) -> dict[str, str]:
    """The domain's rules on what the holder typed (one owner: the forms call this)."""
    errors: dict[str, str] = {}
    siret = values.get("organisme_siret")
    if siret:
        try:
            validate_siret(siret)
        except Exception as error:  # ValidationError: its French message
            errors["organisme_siret"] = error.messages[0]
    employer = values.get("employer_siret")
    if employer:
        try:
            validate_siret(employer)
        except Exception as error:
            errors["employer_siret"] = error.messages[0]
    start, end = values.get("start_date"), values.get("end_date")
    if start and start < today:
        errors["start_date"] = "La date de début ne peut pas être passée."
    if start and end and end < start:
        errors["end_date"] = "La date de fin doit être postérieure ou égale à la date de début."
    duration = values.get("duration_hours")
    if duration is not None and not DURATION_MIN <= duration <= DURATION_MAX:
        errors["duration_hours"] = (
            f"La durée doit être comprise entre {DURATION_MIN} et {DURATION_MAX} heures."
        )
    cost = values.get("cost")
    if cost is not None and not Decimal(0) <= cost <= COST_MAX:
        errors["cost"] = "Le coût doit être un montant positif (999 999,99 € au plus)."
    financeur = values.get("financeur")
    if financeur is not None and not may_finance(
        financeur, holder, employer_siret=normalise_siret(employer or "")
    ):
        errors["financeur"] = "Cet organisme ne finance pas les dossiers de votre situation."
    return errors


def update_dossier(
    dossier_pk: int,
    *,
    by,
    version: int,
    values: dict,
    consent: bool | None = None,
    now: datetime | None = None,
) -> Dossier:
    """The holder changes his dossier (any of ``HOLDER_FIELDS``; ``consent`` ticks or
    unticks « J'accepte que mes heures soient mobilisées… »).

    Checks: his dossier, editable, at ``version`` (else ``Refused``: stale), the values
    (``field_errors``, else ``Refused`` with ``errors`` by field). Writes the changed fields,
    the proposed hours plan, the consent date, the version, and one journal entry listing
    what changed (old → new); nothing when nothing changed.
    """
    now = now or timezone.now()
    unknown = set(values) - set(HOLDER_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    if consent is not None and isinstance(by, OnBehalf):
        raise NotAllowed(
            "Seul le titulaire peut donner son accord pour mobiliser ses heures.", "consent"
        )
    with transaction.atomic():
        dossier = _dossier_for_holder(dossier_pk, by, version=version)
        for key in ("organisme_siret", "employer_siret"):
            if values.get(key):
                values[key] = normalise_siret(values[key])
        merged = {field: getattr(dossier, field) for field in HOLDER_FIELDS} | values
        errors = field_errors(
            values | {"employer_siret": merged["employer_siret"]},
            holder=dossier.holder,
            today=timezone.localdate(now),
        )
        if (
            "start_date" not in errors
            and "end_date" not in values
            and merged["start_date"]
            and merged["end_date"]
            and merged["end_date"] < merged["start_date"]
        ):
            errors["start_date"] = "La date de début doit précéder la date de fin du dossier."
        financeur = merged["financeur"]
        if merged["confidential"] and financeur is not None and financeur.is_employer:
            errors["confidential"] = CONFIDENTIAL_TO_EMPLOYER
        if errors:
            raise Refused(
                "Le dossier n'a pas été modifié : corrigez les erreurs.", "invalid", errors
            )
        changes = {}
        for field, new in values.items():
            old = getattr(dossier, field)
            if old != new:
                changes[field] = [_plain(old), _plain(new)]
                setattr(dossier, field, new)
        if consent is not None and consent != (dossier.consent_at is not None):
            dossier.consent_at = now if consent else None
            changes["consent"] = [not consent, consent]
        if not changes:
            return dossier
        if dossier.employment_status != EmploymentStatus.SALARIE:
            dossier.working_time = WorkingTime.HORS
        _propose_plan(dossier)
        dossier.version += 1
        dossier.updated_at = now
        dossier.save()
        details = f"Dossier n° {dossier.number_display}"
        if "consent" in changes and len(changes) == 1:
            action = Action.DOSSIER_CONSENT
            details += " : accord donné" if consent else " : accord retiré"
        else:
            action = Action.DOSSIER_UPDATED
        journal.record(
            dossier.holder,
            action,
            by=actor_of(by),
            subject=dossier,
            details=details,
            changes=changes,
            at=now,
        )
    return dossier


def _plain(value):
    """A value for the journal's JSON (dates as ISO, decimals as text, objects by name)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


def record_employer_request(
    dossier_pk: int, *, by, version: int, requested_on: date, now: datetime | None = None
) -> Dossier:
    """Sur temps de travail: the date the holder asked his employer (not in the future).
    Enqueues the task that turns 30 days of silence into an accord tacite."""
    from mcf.domain.dossiers.tasks import apply_tacit_agreement

    now = now or timezone.now()
    if requested_on > timezone.localdate(now):
        raise Refused(
            "La date de la demande ne peut pas être dans le futur.",
            "invalid",
            {"employer_requested_on": "La date de la demande ne peut pas être dans le futur."},
        )
    with transaction.atomic():
        dossier = _dossier_for_holder(dossier_pk, by, version=version)
        if dossier.working_time != WorkingTime.SUR:
            raise Refused("Ce dossier est hors temps de travail : pas d'accord à demander.")
        dossier.employer_requested_on = requested_on
        dossier.employer_answer = EmployerAnswer.NONE
        dossier.employer_answered_on = None
        dossier.version += 1
        dossier.updated_at = now
        dossier.save()
        due = deadlines.answer_due(requested_on)
        journal.record(
            dossier.holder,
            Action.EMPLOYER_REQUESTED,
            by=actor_of(by),
            subject=dossier,
            details=f"Dossier n° {dossier.number_display} : demande faite le "
            f"{requested_on:%d/%m/%Y}, réponse attendue au plus tard le {due:%d/%m/%Y}",
            at=now,
        )
        run_at = timezone.make_aware(datetime.combine(deadlines.tacit_on(requested_on), time(0, 5)))
        transaction.on_commit(
            lambda: apply_tacit_agreement.using(run_after=run_at).enqueue(dossier.pk)
        )
    return dossier


def record_employer_answer(
    dossier_pk: int,
    *,
    by,
    version: int,
    answer: str,
    answered_on: date,
    now: datetime | None = None,
) -> Dossier:
    """The employer's express answer (accord or refus) and its date."""
    now = now or timezone.now()
    if answer not in (EmployerAnswer.ACCORD, EmployerAnswer.REFUS):
        raise Refused(
            "Choisissez la réponse de l'employeur.",
            "invalid",
            {"answer": "Choisissez la réponse de l'employeur."},
        )
    with transaction.atomic():
        dossier = _dossier_for_holder(dossier_pk, by, version=version)
        requested = dossier.employer_requested_on
        if requested is None:
            raise Refused("Indiquez d'abord la date de votre demande à l'employeur.", "order")
        if not requested <= answered_on <= timezone.localdate(now):
            message = (
                "La date de la réponse doit être comprise entre la date de la demande "
                "et aujourd'hui."
            )
            raise Refused(message, "invalid", {"employer_answered_on": message})
        dossier.employer_answer = answer
        dossier.employer_answered_on = answered_on
        dossier.version += 1
        dossier.updated_at = now
        dossier.save()
        journal.record(
            dossier.holder,
            Action.EMPLOYER_ANSWERED,
            by=actor_of(by),
            subject=dossier,
            details=f"Dossier n° {dossier.number_display} : "
            f"{EmployerAnswer(answer).label.lower()} de l'employeur le {answered_on:%d/%m/%Y}",
            at=now,
        )
    return dossier


def answer_as_employer(
    dossier_pk: int,
    *,
    by,
    version: int,
    answer: str,
    motif: str = "",
    now: datetime | None = None,
) -> Dossier:
    """The employer answers in its own space (issue 14): accord, or refus with a motif,
    dated today. ``by``: a member of an organisation « Employeur » to which the request is
    addressed (``queries.employer_requests``: never a confidential dossier). Only a request
    waiting for its answer, in preparation, can be answered; the holder is told by mail."""
    now = now or timezone.now()
    motif = clean_motif(motif)
    errors = {}
    if answer not in (EmployerAnswer.ACCORD, EmployerAnswer.REFUS):
        errors["answer"] = "Choisissez votre réponse : accord ou refus."
    elif answer == EmployerAnswer.REFUS and not motif:
        errors["motif"] = "Indiquez le motif du refus : le salarié le lira."
    if errors:
        raise Refused(
            "Votre réponse n'a pas été enregistrée : corrigez les erreurs.", "invalid", errors
        )
    profile = getattr(by, "professional_profile", None)
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("holder")
            .get(pk=dossier_pk)
        )
        if (
            profile is None
            or not profile.organisation.is_employer
            or not employer_requests(profile.organisation).filter(pk=dossier.pk).exists()
        ):
            raise NotAllowed("Vous ne pouvez pas agir sur ce dossier.", "not_allowed")
        if version != dossier.version:
            raise Refused(STALE, "stale")
        if dossier.employer_answer != EmployerAnswer.NONE or dossier.state not in IN_PREPARATION:
            raise Refused("Cette demande a déjà sa réponse : rien n'a été modifié.", "answered")
        dossier.employer_answer = answer
        dossier.employer_answered_on = timezone.localdate(now)
        dossier.employer_motif = motif if answer == EmployerAnswer.REFUS else ""
        dossier.version += 1
        dossier.updated_at = now
        dossier.save()
        label = EmployerAnswer(answer).label.lower()
        journal.record(
            dossier.holder,
            Action.EMPLOYER_ANSWERED,
            by=actor_of(by),
            subject=dossier,
            details=f"Dossier n° {dossier.number_display} : {label} de l'employeur"
            + (f" — motif : {motif}" if dossier.employer_motif else ""),
            at=now,
        )
        event = (
            "a reçu l'accord de votre employeur"
            if answer == EmployerAnswer.ACCORD
            else "a reçu le refus de votre employeur"
        )
        mail_holder(dossier, event, motif=dossier.employer_motif)
    return dossier


def tacit_agreement(dossier_pk: int, *, today: date | None = None) -> bool:
    """The employer has not answered 30 days after the request: silence is an acceptance.
    Idempotent (a dossier already answered, or not yet due, is left alone). Journals it
    (by the service) and tells the holder. Returns whether it applied."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("holder")
            .filter(pk=dossier_pk)
            .first()
        )
        if (
            dossier is None
            or dossier.working_time != WorkingTime.SUR
            or dossier.employer_answer != EmployerAnswer.NONE
            or dossier.employer_requested_on is None
            or deadlines.tacit_on(dossier.employer_requested_on) > today
            or dossier.state not in (State.BROUILLON, State.TRANSMIS, State.COMPLEMENT)
        ):
            return False
        dossier.employer_answer = EmployerAnswer.TACITE
        dossier.employer_answered_on = deadlines.tacit_on(dossier.employer_requested_on)
        dossier.version += 1
        dossier.updated_at = now
        dossier.save()
        journal.record(
            dossier.holder,
            Action.EMPLOYER_TACIT,
            by=journal.SERVICE,
            subject=dossier,
            details=f"Dossier n° {dossier.number_display} : sans réponse de votre employeur "
            f"dans les 30 jours, son accord est acquis depuis le "
            f"{dossier.employer_answered_on:%d/%m/%Y}",
            at=now,
        )
        mail_holder(dossier, "bénéficie de l'accord tacite de votre employeur")
    return True


def overdue_tacit_agreements(today: date) -> Iterable[int]:
    """Dossiers whose employer's silence has become an acceptance (a sweep for lost tasks)."""
    return Dossier.objects.filter(
        working_time=WorkingTime.SUR,
        employer_answer=EmployerAnswer.NONE,
        employer_requested_on__lte=today - timedelta(days=deadlines.ANSWER_DAYS + 1),
        state__in=(State.BROUILLON, State.TRANSMIS, State.COMPLEMENT),
    ).values_list("pk", flat=True)


# ----- transitions ------------------------------------------------------------------------


def send_errors(dossier: Dossier, *, today: date) -> dict[str, str]:
    """What keeps the dossier from going to the financeur, by field ({} = it may go)."""
    errors = {
        field: message
        for field, message in REQUIRED_TO_SEND.items()
        if not getattr(dossier, field + ("_id" if field == "financeur" else ""))
    }
    if dossier.employment_status == EmploymentStatus.SALARIE and not dossier.working_time:
        errors["working_time"] = "Précisez si la formation a lieu sur ou hors temps de travail."
    if dossier.start_date and dossier.start_date < today:
        errors["start_date"] = "La date de début est passée : modifiez les dates."
    if dossier.working_time == WorkingTime.SUR and dossier.employer_requested_on is None:
        errors["employer_requested_on"] = (
            "Sur temps de travail, indiquez la date de votre demande d'accord à l'employeur."
        )
    if dossier.employer_answer == EmployerAnswer.REFUS:
        errors["employer_answer"] = (
            "Votre employeur a refusé la formation sur temps de travail : choisissez « hors "
            "temps de travail » ou annulez le dossier."
        )
    if dossier.consent_at is None:
        errors["consent"] = CONSENT_MISSING
    return errors


def send_dossier(dossier_pk: int, *, by, version: int, now: datetime | None = None) -> Dossier:
    """« Transmettre au financeur »: a complete dossier, with the holder's consent, goes to
    its financeur (whose gestionnaires are told: ``notify_financeur``)."""
    now = now or timezone.now()

    def check(dossier: Dossier) -> str:
        if errors := send_errors(dossier, today=timezone.localdate(now)):
            raise Refused(
                "Le dossier ne peut pas encore être transmis : complétez-le.", "incomplete", errors
            )
        try:
            check_holder_may_create(dossier.holder)
            training_for_code(dossier.holder, dossier.code_cpf)
        except NotEligible as error:
            raise Refused(error.message, error.code) from error
        if not may_finance(
            dossier.financeur, dossier.holder, employer_siret=dossier.employer_siret
        ):
            raise Refused(
                "Ce financeur ne finance plus les dossiers de votre situation : "
                "choisissez-en un autre.",
                "financeur",
                {"financeur": "Choisissez un autre financeur."},
            )
        _propose_plan(dossier)
        from mcf.domain.dossiers.notifications import notify_financeur

        notify_financeur(dossier, now=now)
        return f"transmis à {dossier.financeur.name}"

    return transition(dossier_pk, "transmettre", by=by, version=version, effect=check, now=now)


def withdraw_dossier(dossier_pk: int, *, by, version: int, now: datetime | None = None) -> Dossier:
    """The holder takes a sent dossier back to change it (it must be sent again)."""
    return transition(dossier_pk, "reprendre", by=by, version=version, now=now)


def cancel_by_holder(
    dossier_pk: int, *, by, version: int, motif: str, now: datetime | None = None
) -> Dossier:
    """The holder cancels his dossier while *en cours d'élaboration*, with a reason."""
    return transition(dossier_pk, "annuler_titulaire", by=by, version=version, motif=motif, now=now)


def request_complement(
    dossier_pk: int, *, by, version: int, message: str, now: datetime | None = None
) -> Dossier:
    """The financeur sends the dossier back to the holder with what he must add."""
    return transition(
        dossier_pk, "demander_complement", by=by, version=version, motif=message, now=now
    )


def refuse_dossier(
    dossier_pk: int, *, by, version: int, motif: str, now: datetime | None = None
) -> Dossier:
    """A refusal is a cancellation with a motif (domain.md §5)."""
    return transition(dossier_pk, "refuser", by=by, version=version, motif=motif, now=now)


@dataclass(frozen=True)
class AbondementLine:
    payer: str
    hours: int = 0
    amount: Decimal = Decimal(0)


def validate_dossier(
    dossier_pk: int,
    *,
    by,
    version: int,
    dif: int,
    cpf: int,
    abondements: Iterable[AbondementLine] = (),
    dif_attestation_checked: bool = False,
    now: datetime | None = None,
) -> Dossier:
    """The financeur validates the financing plan: DIF and CPF hours (DIF first, 150 h at
    most, within what is available now, read under the counter's lock), abondements.

    Guards: the employer's accord (express or tacit) for a training sur temps de travail;
    « Attestation DIF vérifiée » when DIF hours are used for the first time. Effects: the
    hours are reserved on the counter and the DIF is locked (domain.md §3.2).
    """
    now = now or timezone.now()
    lines = [line for line in abondements if line.hours or line.amount]
    for line in lines:
        if line.payer not in Abondement.Payer.values or line.hours < 0 or line.amount < 0:
            raise Refused(
                "Un abondement est mal renseigné.",
                "invalid",
                {
                    "abondements": "Vérifiez les abondements : financeur, heures et "
                    "montant positifs."
                },
            )

    def reserve(dossier: Dossier) -> str:
        if dossier.working_time == WorkingTime.SUR and dossier.employer_answer not in (
            EmployerAnswer.ACCORD,
            EmployerAnswer.TACITE,
        ):
            raise Refused(
                "La formation a lieu sur temps de travail : l'accord de l'employeur (exprès "
                "ou tacite) est nécessaire pour valider le dossier.",
                "employer",
            )
        counter = Counter.objects.select_for_update().get(holder_id=dossier.holder_id)
        errors = plan.plan_errors(
            dossier.duration_hours or 0,
            dif=dif,
            cpf=cpf,
            dif_available=counter.dif_available or 0,
            cpf_available=counter.cpf_available,
        )
        if errors:
            raise Refused("Le plan de financement n'est pas valable.", "plan", errors)
        if dif > 0 and counter.dif_locked_at is None and not dif_attestation_checked:
            message = (
                "Des heures DIF sont mobilisées pour la première fois : vérifiez "
                "l'attestation DIF de l'employeur et cochez « Attestation DIF vérifiée »."
            )
            raise Refused(message, "attestation", {"dif_attestation_checked": message})
        ledger.reserve(
            counter.pk,
            ledger.Hours(dif=dif, cpf=cpf),
            source=dossier.ledger_source,
            by=dossier.financeur.name,
            now=now,
            number=dossier.number_display,
        )
        ledger.lock_dif(counter.pk, now=now)
        dossier.plan_dif, dossier.plan_cpf = dif, cpf
        dossier.dif_attestation_checked = dossier.dif_attestation_checked or dif_attestation_checked
        dossier.abondements.all().delete()
        Abondement.objects.bulk_create(
            Abondement(dossier=dossier, payer=line.payer, hours=line.hours, amount=line.amount)
            for line in lines
        )
        return f"{dif} h DIF et {cpf} h CPF réservées"

    return transition(dossier_pk, "valider", by=by, version=version, effect=reserve, now=now)


def close_dossier(
    dossier_pk: int, *, by, version: int, hours_done: int, now: datetime | None = None
) -> Dossier:
    """The financeur closes a validated dossier with the hours actually done (≤ reserved):
    they are debited, DIF first, and the rest is released."""
    now = now or timezone.now()

    def settle(dossier: Dossier) -> str:
        reserved = dossier.plan_dif + dossier.plan_cpf
        if not 0 <= hours_done <= reserved:
            message = (
                f"Les heures réalisées doivent être comprises entre 0 et {reserved} h "
                "(heures réservées)."
            )
            raise Refused(message, "invalid", {"hours_done": message})
        used_dif, used_cpf = plan.split_done(hours_done, dif=dossier.plan_dif, cpf=dossier.plan_cpf)
        ledger.settle(
            Counter.objects.only("pk").get(holder_id=dossier.holder_id).pk,
            reserved=ledger.Hours(dif=dossier.plan_dif, cpf=dossier.plan_cpf),
            used=ledger.Hours(dif=used_dif, cpf=used_cpf),
            source=dossier.ledger_source,
            by=dossier.financeur.name,
            now=now,
            number=dossier.number_display,
        )
        dossier.hours_done, dossier.used_dif, dossier.used_cpf = hours_done, used_dif, used_cpf
        return f"{hours_done} h réalisées ({used_dif} h DIF et {used_cpf} h CPF débitées)"

    return transition(dossier_pk, "clore", by=by, version=version, effect=settle, now=now)


def cancel_validated(
    dossier_pk: int, *, by, version: int, motif: str, now: datetime | None = None
) -> Dossier:
    """The financeur cancels a validated dossier: every reserved hour is released."""
    now = now or timezone.now()

    def release(dossier: Dossier) -> str:
        ledger.release(
            Counter.objects.only("pk").get(holder_id=dossier.holder_id).pk,
            ledger.Hours(dif=dossier.plan_dif, cpf=dossier.plan_cpf),
            source=dossier.ledger_source,
            by=dossier.financeur.name,
            now=now,
            number=dossier.number_display,
        )
        return f"{dossier.plan_dif} h DIF et {dossier.plan_cpf} h CPF rendues"

    return transition(
        dossier_pk,
        "annuler_financeur",
        by=by,
        version=version,
        motif=motif,
        effect=release,
        now=now,
    )

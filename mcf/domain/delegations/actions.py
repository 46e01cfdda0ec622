"""Every write of a délégation: grant, invite, accept, revoke, give back, lapse, reads.

Each action checks, writes, journals in the holder's history (AC-04: grant, use and end) and
queues its mails in one transaction. The holder's row is locked while his délégations
change, so two grants posted at once cannot both pass the « déjà délégué » check.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from mcf.core.dates import add_years
from mcf.core.logging import security_event
from mcf.core.text import visible_text
from mcf.domain.accounts.models import User
from mcf.domain.accounts.names import short_name
from mcf.domain.accounts.registration import CONFIRMATION_LINK_VALIDITY, _token_hash
from mcf.domain.delegations.models import (
    OPEN_STATUSES,
    DelegateKind,
    Delegation,
    DelegationVisit,
    Status,
)
from mcf.domain.identity.siret import normalise_siret, validate_siret
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.domain.mailing.actions import queue_email
from mcf.domain.organisations.models import ACCORD_MAX_YEARS, Organisation

# The invitation of a person: as long as a registration link (the invitee may have to
# register first), single use.
INVITATION_VALIDITY = CONFIRMATION_LINK_VALIDITY
# Both sides are told this many days before the end date.
LAPSE_NOTICE_DAYS = 15
# As long as an accord de gestion directe du 0,2 % (domain.md §6, issue 14).
MAX_YEARS = ACCORD_MAX_YEARS


class DelegationError(Exception):
    """A refusal the holder or the delegate reads: ``message``, ``code``, ``errors`` by
    field. Nothing was written."""

    def __init__(self, message: str, code: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or {}


NO_RIGHTS = "Cochez au moins un droit : consultation ou modification."


def check_rights(
    *, consult: bool, modify: bool, ends_on: date | None, today: date
) -> dict[str, str]:
    """What is wrong with the rights and the end date asked for ({} = fine)."""
    errors = {}
    if not (consult or modify):
        errors["rights"] = NO_RIGHTS
    latest = add_years(today, MAX_YEARS)
    if ends_on is None:
        errors["ends_on"] = "Indiquez la date de fin de la délégation."
    elif ends_on < today:
        errors["ends_on"] = "La date de fin ne peut pas être dans le passé."
    elif ends_on > latest:
        errors["ends_on"] = (
            f"Une délégation dure 3 ans au plus : choisissez une date de fin au plus tard le "
            f"{latest:%d/%m/%Y}."
        )
    return errors


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("titulaire:delegation_invitation", args=[token])


def _rights_text(delegation: Delegation) -> str:
    return f"{delegation.rights_label.lower()} jusqu'au {delegation.ends_on:%d/%m/%Y}"


def _company_addresses(organisation: Organisation) -> list[str]:
    return sorted(
        {
            email
            for email in User.objects.filter(
                professional_profile__organisation=organisation, is_active=True
            ).values_list("email", flat=True)
            if email
        }
    )


def _delegate_addresses(delegation: Delegation) -> list[str]:
    if delegation.organisation_id:
        return _company_addresses(delegation.organisation)
    if delegation.delegate_id:
        return [delegation.delegate.email]
    return [delegation.invited_email]


def _mail(delegation: Delegation, *, event: str):
    """Tell both sides what happened (inside the caller's transaction)."""
    holder = delegation.holder
    context = {
        "delegation": delegation,
        "event": event,
        "holder": holder,
        "holder_name": short_name(holder),  # never his full name nor his NIR (AC-04)
    }
    if holder.email:
        queue_email(
            to=holder.email,
            template="delegations/mails/to_holder.txt",
            context=context,
            kind="delegation",
        )
    for address in _delegate_addresses(delegation):
        queue_email(
            to=address,
            template="delegations/mails/to_delegate.txt",
            context=context,
            kind="delegation",
        )


def _lock_holder(holder: User) -> User:
    return User.objects.select_for_update().get(pk=holder.pk)


def _settle_dates(holder: User, now: datetime) -> None:
    """Write the lapses that dates already decided, so that an expired délégation or
    invitation no longer blocks a new one to the same delegate."""
    today = timezone.localdate(now)
    for delegation in Delegation.objects.filter(
        holder=holder, status=Status.ACTIVE, ends_on__lt=today
    ).select_related("holder", "organisation", "delegate"):
        _lapse(delegation, now)
    _expire_invitations(Delegation.objects.filter(holder=holder), now)


def _expire_invitations(delegations, now: datetime) -> None:
    """The invitations past their 15 days: expired, their token erased."""
    delegations.filter(status=Status.INVITEE, invitation_expires_at__lte=now).update(
        status=Status.INVITATION_EXPIREE,
        invitation_token_hash="",  # empty: no token  # nosec B106
        ended_at=now,
    )


def _open_delegation(holder: User, now: datetime, *, same: dict, duplicate, **values):
    """Lock the holder, write the lapses dates decided, refuse a second open délégation to
    the same delegate (``same``; ``duplicate`` = field, message), create the new one."""
    holder = _lock_holder(holder)
    _settle_dates(holder, now)
    if Delegation.objects.filter(holder=holder, status__in=OPEN_STATUSES, **same).exists():
        field, message = duplicate
        raise DelegationError(message, "duplicate", {field: message})
    return holder, Delegation.objects.create(holder=holder, created_at=now, **values)


def _refuse_invalid(consult: bool, modify: bool, ends_on: date | None, today: date, errors):
    errors = check_rights(consult=consult, modify=modify, ends_on=ends_on, today=today) | errors
    if errors:
        raise DelegationError(
            "La délégation n'a pas été donnée : corrigez les erreurs.", "invalid", errors
        )


def _granted(holder: User, delegation: Delegation, action: Action, now: datetime, details: str):
    journal.record(holder, action, subject=delegation, details=details, at=now)
    security_event(
        "delegation.grant",
        outcome=delegation.delegate_kind,
        user=holder.public_id,
        delegation=delegation.public_id,
    )


def grant_to_company(
    holder: User,
    *,
    siret: str,
    consult: bool,
    modify: bool,
    ends_on: date | None,
    now: datetime | None = None,
) -> Delegation:
    """A délégation to a company of the professional space (kind « Employeur »), active at
    once. Refused, with nothing written and nothing sent, when the SIRET is invalid or no
    employer has an account with it (« how it gets one » is in the message)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = {}
    siret = normalise_siret(siret)
    organisation = None
    try:
        validate_siret(siret)
    except Exception as error:  # django's ValidationError: its French message
        errors["siret"] = error.messages[0]
    else:
        organisation = Organisation.objects.filter(
            siret=siret, kind=Organisation.Kind.EMPLOYEUR
        ).first()
        if organisation is None:
            errors["siret"] = (
                "Aucune entreprise n'a de compte sur l'Espace professionnel avec ce numéro "
                "SIRET. Votre employeur peut en demander un à la Caisse des Dépôts (rubrique "
                "« Employeurs » du site) ; rien ne lui a été envoyé."
            )
    _refuse_invalid(consult, modify, ends_on, today, errors)
    with transaction.atomic():
        holder, delegation = _open_delegation(
            holder,
            now,
            same={"organisation": organisation},
            duplicate=(
                "siret",
                "Cette entreprise a déjà une délégation de votre part : révoquez-la d'abord "
                "pour en donner une autre.",
            ),
            delegate_kind=DelegateKind.ENTREPRISE,
            organisation=organisation,
            can_consult=consult or modify,
            can_modify=modify,
            ends_on=ends_on,
            status=Status.ACTIVE,
            accepted_at=now,
        )
        _granted(
            holder,
            delegation,
            Action.DELEGATION_GRANTED,
            now,
            f"À {organisation.name} : {_rights_text(delegation)}",
        )
        _mail(delegation, event="granted")
    return delegation


def invite_person(
    holder: User,
    *,
    email: str,
    consult: bool,
    modify: bool,
    ends_on: date | None,
    now: datetime | None = None,
) -> tuple[Delegation, str]:
    """A délégation to a person, by e-mail: an invitation (15 days, single use) that he
    accepts from a holder account of his own. Returns the délégation and the link's token.

    Whether the address has an account changes nothing here (no enumeration): the page
    says the same, the mail tells him how to log in or register.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    email = email.strip().lower()
    errors = {}
    if not email:
        errors["email"] = "Indiquez l'adresse courriel de la personne."
    elif email == holder.email.strip().lower():
        errors["email"] = "C'est votre propre adresse : indiquez celle de la personne."
    _refuse_invalid(consult, modify, ends_on, today, errors)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        holder, delegation = _open_delegation(
            holder,
            now,
            same={"invited_email": email},
            duplicate=(
                "email",
                "Cette adresse a déjà une délégation ou une invitation de votre part.",
            ),
            delegate_kind=DelegateKind.PERSONNE,
            invited_email=email,
            invitation_token_hash=_token_hash(token),
            invitation_expires_at=now + INVITATION_VALIDITY,
            can_consult=consult or modify,
            can_modify=modify,
            ends_on=ends_on,
            status=Status.INVITEE,
        )
        _granted(
            holder,
            delegation,
            Action.DELEGATION_INVITED,
            now,
            f"À {email} : {_rights_text(delegation)}",
        )
        queue_email(
            to=email,
            template="delegations/mails/invitation.txt",
            context={
                "delegation": delegation,
                "holder": holder,
                "invitation_url": invitation_url(token),
                "expires_at": delegation.invitation_expires_at,
            },
            kind="delegation_invitation",
            sensitive=True,  # a secret link (the outbox erases it once sent)
        )
    return delegation, token


INVITATION_PROBLEMS = {
    "unknown": "Ce lien d'invitation n'est pas valide.",
    "used": "Cette invitation a déjà été utilisée ou n'est plus valable.",
    "expired": "Cette invitation a expiré : demandez à la personne de vous en envoyer une autre.",
    "own": "Vous ne pouvez pas accepter une délégation sur votre propre compte.",
    "address": (
        "Cette invitation a été envoyée à une autre adresse courriel que celle de votre "
        "compte : connectez-vous avec le compte de cette adresse."
    ),
}


def find_invitation(token: str, *, now: datetime | None = None) -> Delegation:
    """The invitation of a link, or DelegationError (unknown, used, expired). Changes
    nothing (the GET of the link's page: a mail scanner opening it accepts nothing)."""
    now = now or timezone.now()
    delegation = None
    if token:
        delegation = (
            Delegation.objects.select_related("holder")
            .filter(invitation_token_hash=_token_hash(token))
            .first()
        )
    if delegation is None:
        raise DelegationError(INVITATION_PROBLEMS["unknown"], "unknown")
    if delegation.status != Status.INVITEE:
        raise DelegationError(INVITATION_PROBLEMS["used"], "used")
    if delegation.invitation_expires_at <= now:
        raise DelegationError(INVITATION_PROBLEMS["expired"], "expired")
    return delegation


def accept_invitation(token: str, user: User, *, now: datetime | None = None) -> Delegation:
    """The invited person accepts, logged in to his own holder account whose address is
    the invited one. Single use: the token is erased."""
    now = now or timezone.now()
    with transaction.atomic():
        found = find_invitation(token, now=now)
        delegation = Delegation.objects.select_for_update().get(pk=found.pk)
        if delegation.status != Status.INVITEE:
            raise DelegationError(INVITATION_PROBLEMS["used"], "used")
        if user.pk == delegation.holder_id:
            raise DelegationError(INVITATION_PROBLEMS["own"], "own")
        if user.email.strip().lower() != delegation.invited_email:
            raise DelegationError(INVITATION_PROBLEMS["address"], "address")
        delegation.status = Status.ACTIVE
        delegation.delegate = user
        delegation.accepted_at = now
        delegation.invitation_token_hash = ""  # empty: no token  # nosec B105
        delegation.save()
        delegation.holder = found.holder
        journal.record(
            delegation.holder,
            Action.DELEGATION_ACCEPTED,
            by=journal.Actor.delegate(user, delegation),
            subject=delegation,
            details=f"Par {user.display_name} : {_rights_text(delegation)}",
            at=now,
        )
        _mail(delegation, event="accepted")
    security_event(
        "delegation.accept",
        outcome="accepted",
        user=user.public_id,
        delegation=delegation.public_id,
    )
    return delegation


def _end(delegation: Delegation, status: Status, action: Action, *, by, now, motif="", event):
    delegation.status = status
    delegation.ended_at = now
    delegation.end_motif = motif[:500]
    delegation.invitation_token_hash = ""  # empty: no token  # nosec B105
    delegation.save()
    details = delegation.delegate_label + (f" : {motif}" if motif else "")
    journal.record(delegation.holder, action, by=by, subject=delegation, details=details, at=now)
    _mail(delegation, event=event)
    security_event(
        "delegation.end",
        outcome=status,
        delegation=delegation.public_id,
        user=delegation.holder.public_id,
    )


def _locked(delegation_pk: int) -> Delegation:
    return (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("holder", "organisation", "delegate")
        .get(pk=delegation_pk)
    )


def revoke(delegation_pk: int, *, holder: User, now: datetime | None = None) -> Delegation:
    """The holder ends a délégation or withdraws an invitation; effective on the delegate's
    next request (every request checks ``models.live``)."""
    now = now or timezone.now()
    with transaction.atomic():
        delegation = _locked(delegation_pk)
        if delegation.holder_id != holder.pk:
            raise DelegationError("Cette délégation n'existe pas.", "not_found")
        if delegation.effective_status(now) not in OPEN_STATUSES:
            raise DelegationError("Cette délégation est déjà terminée.", "ended")
        _end(
            delegation,
            Status.REVOQUEE,
            Action.DELEGATION_REVOKED,
            by=None,
            now=now,
            event="revoked",
        )
    return delegation


def give_back(delegation_pk: int, *, delegate: User, now: datetime | None = None) -> Delegation:
    """The person who received a délégation gives it back."""
    now = now or timezone.now()
    with transaction.atomic():
        delegation = _locked(delegation_pk)
        if delegation.delegate_id != delegate.pk or not delegation.is_live(timezone.localdate(now)):
            raise DelegationError("Cette délégation n'est plus active.", "ended")
        _end(
            delegation,
            Status.RENDUE,
            Action.DELEGATION_RETURNED,
            by=journal.Actor.delegate(delegate, delegation),
            now=now,
            event="returned",
        )
    return delegation


def revoke_by_operator(
    delegation_pk: int, *, operator: User, motif: str, now: datetime | None = None
) -> Delegation:
    """The back office ends a délégation on the holder's written request (motif kept)."""
    now = now or timezone.now()
    motif = visible_text(motif, max_length=500)
    if not motif:
        raise DelegationError("Indiquez le motif (la demande écrite du titulaire).", "motif")
    with transaction.atomic():
        delegation = _locked(delegation_pk)
        if delegation.effective_status(now) not in OPEN_STATUSES:
            raise DelegationError("Cette délégation est déjà terminée.", "ended")
        _end(
            delegation,
            Status.REVOQUEE,
            Action.DELEGATION_REVOKED,
            by=journal.Actor.operator(operator),
            now=now,
            motif=motif,
            event="revoked",
        )
    return delegation


def _lapse(delegation: Delegation, now: datetime) -> None:
    _end(
        delegation,
        Status.EXPIREE,
        Action.DELEGATION_LAPSED,
        by=journal.SERVICE,
        now=now,
        event="lapsed",
    )


def lapse_overdue(*, now: datetime | None = None) -> int:
    """The daily task: write the end of every délégation whose end date has passed and of
    every invitation that expired. Idempotent. Returns how many délégations lapsed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    for pk in Delegation.objects.filter(status=Status.ACTIVE, ends_on__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            delegation = _locked(pk)
            if delegation.status == Status.ACTIVE and delegation.ends_on < today:
                _lapse(delegation, now)
                count += 1
    _expire_invitations(Delegation.objects.all(), now)
    return count


def remind_lapsing(*, now: datetime | None = None) -> int:
    """The daily task: tell both sides, once, 15 days before the end date."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    due = Delegation.objects.filter(
        status=Status.ACTIVE,
        ends_on__gte=today,
        ends_on__lte=today + timedelta(days=LAPSE_NOTICE_DAYS),
        lapse_reminder_sent_on__isnull=True,
    ).values_list("pk", flat=True)
    for pk in due:
        with transaction.atomic():
            delegation = _locked(pk)
            if delegation.lapse_reminder_sent_on is None and delegation.is_live(today):
                delegation.lapse_reminder_sent_on = today
                delegation.save(update_fields=["lapse_reminder_sent_on"])
                _mail(delegation, event="lapsing")
                count += 1
    return count


_VISIT_UPSERT = """
INSERT INTO delegations_delegationvisit (delegation_id, day, reads, first_at, last_at)
VALUES (%s, %s, 1, %s, %s)
ON CONFLICT (delegation_id, day)
DO UPDATE SET reads = delegations_delegationvisit.reads + 1, last_at = excluded.last_at
RETURNING reads
"""


def record_read(delegation: Delegation, user: User, *, now: datetime | None = None) -> None:
    """A delegate read a page of the holder's account: counted on the day's row (one
    query); the first read of the day writes the holder's history entry (« Qui a consulté
    mon compte »), so the history gets one line per delegate per day."""
    now = now or timezone.now()
    # No savepoint: one statement, and the journal's row with it on the day's first read.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_VISIT_UPSERT, [delegation.pk, timezone.localdate(now), now, now])
        (reads,) = cursor.fetchone()
        if reads == 1:
            journal.record(
                delegation.holder,
                Action.DELEGATE_READ,
                by=journal.Actor.delegate(user, delegation),
                subject=delegation,
                details=f"{delegation.delegate_label} a consulté votre compte",
                at=now,
            )


def visits_of(delegation: Delegation, *, days: int = 90) -> list[DelegationVisit]:
    return list(delegation.visits.order_by("-day")[:days])

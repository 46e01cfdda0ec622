"""Délégations (domain.md §6, issue 14, docs/decisions/0016).

A holder lets a company (his employer, by SIRET) or a person (by e-mail, who accepts from a
holder account of his own) see and/or prepare things in his account, until an end date (at
most 3 years), revocable at any moment. A délégation to a person starts as an invitation
(15 days, single use, the token stored hashed); one to a company is active at once.

The state stored is what happened (invited, active, revoked, given back, lapsed); a date
passing is read through ``is_live`` and ``effective_status`` until the daily task writes it
(``actions.lapse_overdue``), so an end date is effective at midnight without waiting for it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Status(models.TextChoices):
    INVITEE = "invitee", "En attente d'acceptation"
    ACTIVE = "active", "Active"
    REVOQUEE = "revoquee", "Révoquée"
    RENDUE = "rendue", "Rendue par le délégataire"
    EXPIREE = "expiree", "Arrivée à échéance"
    INVITATION_EXPIREE = "invitation_expiree", "Invitation expirée"


# A holder has at most one of these per company and per address (« déjà délégué »).
OPEN_STATUSES = (Status.INVITEE, Status.ACTIVE)


class DelegateKind(models.TextChoices):
    ENTREPRISE = "entreprise", "Une entreprise"
    PERSONNE = "personne", "Une personne"


class Delegation(models.Model):
    JOURNAL_SUBJECT = "delegation"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name="titulaire",
    )
    delegate_kind = models.CharField("délégataire", max_length=12, choices=DelegateKind.choices)
    # A company: an organisation of kind « Employeur » of the professional space.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations",
        verbose_name="entreprise",
    )
    # A person: invited by address (lower case), the account set when he accepts.
    invited_email = models.EmailField("adresse courriel invitée", max_length=254, blank=True)
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_received",
        verbose_name="personne délégataire",
    )
    invitation_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    invitation_expires_at = models.DateTimeField("invitation valable jusqu'au", null=True)

    can_consult = models.BooleanField("consultation", default=False)
    can_modify = models.BooleanField("modification", default=False)
    ends_on = models.DateField("fin de la délégation le")

    status = models.CharField("état", max_length=20, choices=Status.choices)
    created_at = models.DateTimeField("donnée le", default=timezone.now)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    ended_at = models.DateTimeField("terminée le", null=True, blank=True)
    end_motif = models.CharField("motif de la fin", max_length=500, blank=True)
    lapse_reminder_sent_on = models.DateField("rappel d'échéance envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "délégation"
        verbose_name_plural = "délégations"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The employer's list of delegating employees, by end date.
            models.Index(fields=["organisation", "status", "ends_on"], name="delegation_company"),
            models.Index(fields=["delegate", "status"], name="delegation_person"),
            models.Index(fields=["status", "ends_on"], name="delegation_lapsing"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(can_consult=True) | Q(can_modify=True), name="delegation_some_right"
            ),
            models.CheckConstraint(
                condition=(
                    Q(delegate_kind="entreprise", organisation__isnull=False, invited_email="")
                    | Q(delegate_kind="personne", organisation__isnull=True) & ~Q(invited_email="")
                ),
                name="delegation_company_or_person",
            ),
            models.UniqueConstraint(
                fields=["holder", "organisation"],
                condition=Q(status__in=OPEN_STATUSES, organisation__isnull=False),
                name="one_open_delegation_per_company",
            ),
            models.UniqueConstraint(
                fields=["holder", "invited_email"],
                condition=Q(status__in=OPEN_STATUSES, delegate_kind="personne"),
                name="one_open_delegation_per_address",
            ),
            models.UniqueConstraint(
                fields=["invitation_token_hash"],
                condition=~Q(invitation_token_hash=""),  # empty: no token  # nosec B106
                name="delegation_token_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Délégation à {self.delegate_label}"

    @property
    def delegate_label(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        if self.delegate_id:
            return self.delegate.display_name or self.invited_email
        return self.invited_email

    @property
    def rights_label(self) -> str:
        rights = [
            label
            for ok, label in ((self.can_consult, "consultation"), (self.can_modify, "modification"))
            if ok
        ]
        return " et ".join(rights).capitalize()

    def is_live(self, today: date | None = None) -> bool:
        """Whether it gives anything now: accepted, not ended, its end date not passed."""
        today = today or timezone.localdate()
        return self.status == Status.ACTIVE and self.ends_on >= today

    def effective_status(self, now: datetime | None = None) -> Status:
        now = now or timezone.now()
        if self.status == Status.ACTIVE and not self.is_live(timezone.localdate(now)):
            return Status.EXPIREE
        if self.status == Status.INVITEE and self.invitation_expires_at <= now:
            return Status.INVITATION_EXPIREE
        return Status(self.status)


def live(today: date | None = None) -> Q:
    """The délégations that give something today (one filter for every check)."""
    return Q(status=Status.ACTIVE, ends_on__gte=today or timezone.localdate())


class DelegationVisit(models.Model):
    """The reads of a holder's data under a délégation, one row per délégation and day
    (« Qui a consulté mon compte »): the holder's history gets one entry per delegate per
    day, the délégation's page the count."""

    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="visits")
    day = models.DateField("jour")
    reads = models.PositiveIntegerField("pages consultées", default=0)
    first_at = models.DateTimeField("première consultation")
    last_at = models.DateTimeField("dernière consultation")

    class Meta:
        verbose_name = "consultation par un délégataire"
        verbose_name_plural = "consultations par les délégataires"
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "day"], name="one_visit_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} : {self.reads} page(s)"

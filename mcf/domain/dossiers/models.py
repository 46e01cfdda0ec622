"""Dossiers de formation (domain.md §3.3, §5): a holder's request to use his hours for one
training, instructed by one financeur.

A dossier is built step by step by its holder while it is *en cours d'élaboration*; its
state changes only through ``mcf.domain.dossiers.workflow.transition()`` (never a bare
assignment: the model refuses a save that moved ``state``), which logs a
``DossierTransition`` row, journals the act for the holder and mails him, in one
transaction with the ledger's reservation, debit or release.

URLs name a dossier by ``public_id`` (a random UUID: AC-01); people name it by ``number``
(12 random digits, shown « 4821 0937 1150 »), which the financeur may type to find it.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# A training's duration and cost as the holder may type them (issue 13).
DURATION_MIN = 1
DURATION_MAX = 5000
COST_MAX = Decimal("999999.99")


class State(models.TextChoices):
    """The workflow's states. The holder sees four (``HolderState``): the three first ones
    are all « En cours d'élaboration »."""

    BROUILLON = "brouillon", "Brouillon"
    TRANSMIS = "transmis", "Transmis au financeur"
    COMPLEMENT = "complement", "Complément demandé"
    VALIDE = "valide", "Validé"
    CLOS = "clos", "Clos"
    ANNULE = "annule", "Annulé"


class HolderState(models.TextChoices):
    ELABORATION = "elaboration", "En cours d'élaboration"
    VALIDE = "valide", "Validé"
    CLOS = "clos", "Clos"
    ANNULE = "annule", "Annulé"


IN_PREPARATION = frozenset({State.BROUILLON, State.TRANSMIS, State.COMPLEMENT})
# The dossiers the synthèse counts as « en cours » (élaboration + validé).
ONGOING = IN_PREPARATION | {State.VALIDE}
# What the holder may still change (the financeur has it back or never had it).
EDITABLE = frozenset({State.BROUILLON, State.COMPLEMENT})
# What the financeur's work list shows by default: what waits for him.
TO_INSTRUCT = frozenset({State.TRANSMIS, State.VALIDE})


def holder_state(state: str) -> HolderState:
    if state in IN_PREPARATION:
        return HolderState.ELABORATION
    return HolderState(state)


class WorkingTime(models.TextChoices):
    SUR = "sur", "Sur temps de travail"
    HORS = "hors", "Hors temps de travail"


class EmployerAnswer(models.TextChoices):
    NONE = "", "Pas de réponse"
    ACCORD = "accord", "Accord"
    REFUS = "refus", "Refus"
    TACITE = "tacite", "Accord tacite (pas de réponse sous 30 jours)"


def new_dossier_number() -> str:
    # 12 digits, the first one never 0 (a number that reads the same everywhere). Random,
    # not sequential: it tells nobody how many dossiers exist nor whose is next.
    return str(secrets.randbelow(9 * 10**11) + 10**11)


class Dossier(models.Model):
    JOURNAL_SUBJECT = "dossier"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("numéro", max_length=12, unique=True, default=new_dossier_number)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name="titulaire",
    )
    state = models.CharField("état", max_length=12, choices=State.choices, default=State.BROUILLON)
    # Bumped by every change: a form posted on an older version is refused (stale form).
    version = models.PositiveIntegerField(default=1)

    # The training: from an offer of the catalogue, or typed by its code CPF.
    offer = models.ForeignKey(
        "catalogue.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="offre",
    )
    code_cpf = models.PositiveIntegerField("code CPF")
    training_title = models.CharField("intitulé de la formation", max_length=300)
    certification_title = models.CharField("certification", max_length=300, blank=True)
    list_label = models.CharField("liste d'origine", max_length=200)

    # The organisme de formation.
    organisme_siret = models.CharField("SIRET de l'organisme", max_length=14, blank=True)
    organisme_name = models.CharField("raison sociale", max_length=250, blank=True)
    organisme_contact = models.CharField("contact", max_length=150, blank=True)
    organisme_email = models.EmailField("courriel du contact", blank=True)
    organisme_phone = models.CharField("téléphone du contact", max_length=20, blank=True)
    organisme_address = models.CharField("adresse", max_length=250, blank=True)
    organisme_postal_code = models.CharField("code postal", max_length=5, blank=True)
    organisme_city = models.CharField("commune", max_length=100, blank=True)

    # Dates, duration, cost.
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    duration_hours = models.PositiveIntegerField(
        "durée (heures)",
        null=True,
        blank=True,
        validators=[MinValueValidator(DURATION_MIN), MaxValueValidator(DURATION_MAX)],
    )
    cost = models.DecimalField(
        "coût TTC (€)", max_digits=8, decimal_places=2, null=True, blank=True
    )

    # The holder's situation when he built the dossier (it decides lists and financeurs).
    employment_status = models.CharField("situation", max_length=20, blank=True)
    employer_siret = models.CharField("SIRET de l'employeur", max_length=14, blank=True)
    working_time = models.CharField(
        "temps de travail", max_length=4, choices=WorkingTime.choices, blank=True
    )
    financeur = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name="financeur",
    )
    confidential = models.BooleanField("dossier confidentiel", default=False)
    comments = models.TextField("commentaires", max_length=2000, blank=True)

    # « J'accepte que mes heures soient mobilisées pour cette formation ».
    consent_at = models.DateTimeField("accord du titulaire le", null=True, blank=True)

    # Sur temps de travail: the employer's agreement (silence for 30 days = accord tacite).
    employer_requested_on = models.DateField("demande à l'employeur le", null=True, blank=True)
    employer_answer = models.CharField(
        "réponse de l'employeur",
        max_length=6,
        choices=EmployerAnswer.choices,
        default=EmployerAnswer.NONE,
        blank=True,
    )
    employer_answered_on = models.DateField("réponse de l'employeur le", null=True, blank=True)
    # The motif of a refusal the employer recorded himself in the employer's space.
    employer_motif = models.CharField("motif du refus de l'employeur", max_length=2000, blank=True)

    # The financing plan: proposed when the dossier is built, set by the financeur when he
    # validates. Hours reserved on the counter = plan_dif + plan_cpf while VALIDE.
    plan_dif = models.PositiveSmallIntegerField("heures DIF mobilisées", default=0)
    plan_cpf = models.PositiveSmallIntegerField("heures CPF mobilisées", default=0)
    dif_attestation_checked = models.BooleanField("attestation DIF vérifiée", default=False)
    # At closing: the hours actually done, debited DIF first.
    hours_done = models.PositiveSmallIntegerField("heures réalisées", null=True, blank=True)
    used_dif = models.PositiveSmallIntegerField("heures DIF débitées", default=0)
    used_cpf = models.PositiveSmallIntegerField("heures CPF débitées", default=0)

    complement_message = models.TextField("complément demandé", max_length=2000, blank=True)
    cancel_reason = models.TextField("motif d'annulation", max_length=2000, blank=True)

    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", default=timezone.now)
    sent_at = models.DateTimeField("transmis le", null=True, blank=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)

    class Meta:
        verbose_name = "dossier de formation"
        verbose_name_plural = "dossiers de formation"
        indexes = [
            # The holder's list, newest first.
            models.Index(fields=["holder", "-created_at"], name="dossier_holder_recent"),
            # The financeur's work list: by state, then sent date (its default order).
            models.Index(fields=["financeur", "state", "-sent_at", "-id"], name="dossier_worklist"),
            models.Index(fields=["financeur", "-sent_at", "-id"], name="dossier_financeur_sent"),
            models.Index(fields=["financeur", "start_date", "-id"], name="dossier_financeur_start"),
            # The employer's requests (employer space): by SIRET, waiting first.
            models.Index(
                fields=["employer_siret", "employer_answer", "employer_requested_on", "id"],
                condition=Q(working_time="sur", confidential=False),
                name="dossier_employer_requests",
            ),
            # The tacit-agreement task: requests without an answer.
            models.Index(
                fields=["employer_requested_on"],
                condition=Q(working_time="sur", employer_answer=""),
                name="dossier_employer_waiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_hours__isnull=True)
                | Q(duration_hours__gte=DURATION_MIN, duration_hours__lte=DURATION_MAX),
                name="dossier_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="dossier_cost_positive"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="dossier_dates_ordered",
            ),
            # At most 150 hours of the counters per dossier (DIF + CPF), domain.md §3.3.
            models.CheckConstraint(
                condition=Q(plan_dif__lte=150 - models.F("plan_cpf")),
                name="dossier_plan_at_most_150",
            ),
            models.CheckConstraint(
                condition=Q(used_dif__lte=models.F("plan_dif"))
                & Q(used_cpf__lte=models.F("plan_cpf")),
                name="dossier_used_within_plan",
            ),
            # A dossier with the financeur has one, and the holder's consent.
            models.CheckConstraint(
                condition=~Q(state__in=["transmis", "valide", "clos"])
                | Q(financeur__isnull=False, consent_at__isnull=False),
                name="dossier_sent_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Dossier n° {self.number_display}"

    def save(self, *args, **kwargs):
        # The state moves only through workflow.transition(), which passes this flag: a
        # bare « dossier.state = … ; save() » elsewhere is a bug, refused loudly.
        loaded = getattr(self, "_loaded_state", None)
        if not kwargs.pop("_transition", False) and loaded is not None and loaded != self.state:
            raise RuntimeError("L'état d'un dossier ne change que par une transition.")
        super().save(*args, **kwargs)
        self._loaded_state = self.state

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        dossier = super().from_db(db, field_names, values, *args, **kwargs)
        dossier._loaded_state = dossier.__dict__.get("state")
        return dossier

    @property
    def number_display(self) -> str:
        return " ".join(self.number[i : i + 4] for i in range(0, len(self.number), 4))

    @property
    def holder_state(self) -> HolderState:
        return holder_state(self.state)

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE

    @property
    def reserved_hours(self) -> int:
        return self.plan_dif + self.plan_cpf if self.state == State.VALIDE else 0

    def organisme_details(self) -> dict[str, str]:
        """The training body as typed in the dossier, with the French keys of the holder's
        export and of the API (one spelling for both)."""
        return {
            "siret": self.organisme_siret,
            "raison_sociale": self.organisme_name,
            "contact": self.organisme_contact,
            "courriel": self.organisme_email,
            "telephone": self.organisme_phone,
            "adresse": self.organisme_address,
            "code_postal": self.organisme_postal_code,
            "commune": self.organisme_city,
        }

    @property
    def ledger_source(self) -> str:
        """How the ledger's entries name this dossier (``Entry.source``)."""
        return f"dossier:{self.public_id}"


class Abondement(models.Model):
    """A line of the financing plan beyond the counters' hours (domain.md §3.3): never on
    a counter, never counted toward the ceiling."""

    class Payer(models.TextChoices):
        EMPLOYEUR = "employeur", "Employeur"
        OPCA = "opca", "OPCA"
        REGION = "region", "Région"
        POLE_EMPLOI = "pole_emploi", "Pôle emploi"
        AGEFIPH = "agefiph", "Agefiph"
        TITULAIRE = "titulaire", "Titulaire"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="abondements")
    payer = models.CharField("financé par", max_length=12, choices=Payer.choices)
    hours = models.PositiveIntegerField("heures", default=0)
    amount = models.DecimalField("montant (€)", max_digits=8, decimal_places=2, default=0)

    class Meta:
        verbose_name = "abondement"
        verbose_name_plural = "abondements"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) | Q(amount__gt=0), name="abondement_not_empty"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="abondement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_payer_display()} : {self.hours} h, {self.amount} €"


class DossierTransition(models.Model):
    """One fired transition (who, when, from, to, why): the dossier's decision log.
    Append-only, like the journal."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField("transition", max_length=30)
    source = models.CharField("état de départ", max_length=12, choices=State.choices)
    target = models.CharField("état d'arrivée", max_length=12, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when the financeur acted through the API (then ``actor`` is empty).
    api_client = models.ForeignKey(
        "integrations.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="client API",
    )
    motif = models.TextField("motif", blank=True)
    occurred_at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        verbose_name = "transition d'un dossier"
        verbose_name_plural = "transitions des dossiers"
        indexes = [models.Index(fields=["dossier", "occurred_at"], name="dossier_transition_log")]

    def __str__(self) -> str:
        return f"{self.name} : {self.source} → {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Une transition ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Une transition ne se supprime pas.")


class FinanceurDigest(models.Model):
    """One pending « nouveaux dossiers » mail per financeur: the gestionnaires get one mail
    for the dossiers sent within ``notifications.DIGEST_DELAY``, not one per dossier."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    pending = models.BooleanField(default=False)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "avis de nouveaux dossiers"
        verbose_name_plural = "avis de nouveaux dossiers"

    def __str__(self) -> str:
        return f"Avis de nouveaux dossiers ({self.organisation_id})"

"""Hours counters (compte d'heures) and their append-only ledger (domain.md §2–§3).

A counter exists for every person with a NIR who worked, registered or not: the yearly feed
creates counters keyed by the NIR's lookup hash, and registration attaches the holder's
online space to the counter of the same NIR.

Balances are cached on the counter and always equal the sum of the ledger's entries; they
change only inside the action functions of ``mcf.domain.hours.ledger`` (feed, DIF,
corrections) and ``mcf.domain.hours.reservations`` (dossiers: reserve, debit, release),
under a row lock, and the database refuses a CPF balance outside 0–150 h, a DIF balance
outside 0–999 h, and hours reserved above the balance of their account (REL-03).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

CPF_CEILING = 150
DIF_MAXIMUM = 999


class Counter(models.Model):
    # Keyed hash of the NIR (mcf.domain.identity.protection.nir_lookup_hash): never the NIR.
    # Unique through Meta.constraints, not unique=True: on PostgreSQL the latter also adds a
    # varchar_pattern_ops index (for LIKE prefixes, never used on a hash) that every counter
    # created by the yearly feed would pay for.
    nir_hash = models.CharField(max_length=64)
    holder = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counter",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cpf_balance = models.PositiveSmallIntegerField("solde CPF (h)", default=0)
    cpf_reserved = models.PositiveSmallIntegerField("heures CPF réservées (h)", default=0)
    # None until the holder types it in (« Heures DIF non renseignées »).
    dif_balance = models.PositiveSmallIntegerField("solde DIF (h)", null=True, blank=True)
    dif_reserved = models.PositiveSmallIntegerField("heures DIF réservées (h)", default=0)
    # Set when a dossier is validated: the DIF can no longer be entered or changed.
    dif_locked_at = models.DateTimeField(null=True, blank=True)
    # Last year credited by the feed (for the « alimenté à partir de … » sentence).
    last_fed_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "compteur d'heures"
        verbose_name_plural = "compteurs d'heures"
        permissions = [
            ("correct_counter", "Peut corriger un compteur d'heures CPF (avec un motif)"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["nir_hash"], name="hours_counter_nir_hash_unique"),
            models.CheckConstraint(
                condition=Q(cpf_balance__lte=CPF_CEILING), name="cpf_balance_at_most_150"
            ),
            models.CheckConstraint(
                condition=Q(cpf_reserved__lte=F("cpf_balance")), name="cpf_reserved_within_balance"
            ),
            models.CheckConstraint(
                condition=Q(dif_balance__isnull=True) | Q(dif_balance__lte=DIF_MAXIMUM),
                name="dif_balance_at_most_999",
            ),
            # No DIF hours can be reserved before the DIF is entered, nor above its balance:
            # with cpf_reserved_within_balance, an over-reservation is refused by the
            # database even if a bug skipped the checks of hours.reservations (§3.4).
            models.CheckConstraint(
                # Not « dif_reserved <= dif_balance » alone: with no DIF entered (NULL)
                # it reads NULL, which a CHECK lets through.
                condition=Q(dif_reserved=0)
                | Q(dif_balance__isnull=False, dif_reserved__lte=F("dif_balance")),
                name="dif_reserved_within_balance",
            ),
        ]

    def __str__(self) -> str:
        return f"Compteur {self.pk}"

    @property
    def cpf_available(self) -> int:
        return self.cpf_balance - self.cpf_reserved

    @property
    def dif_available(self) -> int | None:
        return None if self.dif_balance is None else self.dif_balance - self.dif_reserved


class Entry(models.Model):
    """One movement of a counter. Never updated, never deleted: a correction is a new entry."""

    class Kind(models.TextChoices):
        FEED = "alimentation", "Alimentation annuelle"
        DIF = "dif", "Saisie du solde DIF"
        RESERVATION = "reservation", "Réservation pour un dossier"
        DEBIT = "debit", "Heures utilisées"
        RELEASE = "liberation", "Heures libérées"
        CORRECTION = "correction", "Correction"

    # Kinds that move the reserved hours of their account, not its balance.
    RESERVED_KINDS = (Kind.RESERVATION, Kind.RELEASE)

    class Account(models.TextChoices):
        CPF = "cpf", "CPF"
        DIF = "dif", "DIF"

    # No index of its own: the (counter, -created_at, -id) index serves every lookup by
    # counter, one index less for the feed to write.
    # No foreign-key constraint either: PostgreSQL checks one row at a time and locks the
    # counter row once per entry, which was half of the yearly feed's server time. The
    # same guarantee is given set-based by the triggers of migration 0004 (one check per
    # statement; counters never deleted, entries never changed): docs/decisions/0008.
    counter = models.ForeignKey(
        Counter,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    account = models.CharField(max_length=3, choices=Account.choices, default=Account.CPF)
    # Signed change of the balance (reservations change the reserved hours instead).
    hours = models.SmallIntegerField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # activity year of a feed
    label = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=255, blank=True)  # declaration file, dossier id…
    # Always read per counter (the composite index below): no index of its own.
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = "mouvement"
        verbose_name_plural = "mouvements"
        constraints = [
            # The yearly feed credits a counter at most once per year (idempotent loading).
            models.UniqueConstraint(
                fields=["counter", "year"],
                condition=Q(kind="alimentation"),
                name="one_feed_per_counter_and_year",
            ),
        ]
        indexes = [models.Index(fields=["counter", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.hours:+d} h"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Un mouvement du compte d'heures ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Un mouvement du compte d'heures ne se supprime pas.")

    @property
    def moves_reserved(self) -> bool:
        """A reservation or a release: ``hours`` change the reserved hours, not the balance."""
        return self.kind in self.RESERVED_KINDS

    @property
    def hours_shown(self) -> str:
        """The hours as the holder reads them (« Mon compte d'heures », the attestation):
        « +24 h », « -30 h » for the balance; « 30 h réservées », « 30 h libérées »."""
        if self.moves_reserved:
            return f"{abs(self.hours)} h {'réservées' if self.hours > 0 else 'libérées'}"
        return f"{'+' if self.hours > 0 else ''}{self.hours} h"


class FeedImport(models.Model):
    """One declarations file uploaded in the back office, and the outcome of its import.

    The file waits in ``FEED_UPLOAD_DIR`` (named by ``key``) until the background task
    (``mcf.domain.hours.tasks.import_uploaded_declarations``) has loaded it, then it is
    deleted (it holds NIRs in clear); the rejection report (no NIR) stays next to it.
    """

    class Status(models.TextChoices):
        QUEUED = "en_attente", "En attente"
        RUNNING = "en_cours", "En cours"
        DONE = "termine", "Terminé"
        FAILED = "echoue", "Échoué"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField("fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="déposé par",
    )
    created_at = models.DateTimeField("déposé le", default=timezone.now)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    status = models.CharField("état", max_length=12, choices=Status.choices, default=Status.QUEUED)
    lines_read = models.PositiveIntegerField("lignes lues", default=0)
    lines_rejected = models.PositiveIntegerField("lignes rejetées", default=0)
    persons_credited = models.PositiveIntegerField("personnes créditées", default=0)
    hours_credited = models.PositiveBigIntegerField("heures créditées", default=0)
    already_loaded = models.PositiveIntegerField("années-personnes déjà chargées", default=0)
    corrections = models.PositiveIntegerField("corrections", default=0)
    counters_created = models.PositiveIntegerField("compteurs créés", default=0)
    summary = models.TextField("résumé", blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "chargement de déclarations annuelles"
        verbose_name_plural = "chargements de déclarations annuelles"
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        permissions = [
            ("import_declarations", "Peut charger les fichiers de déclarations annuelles"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

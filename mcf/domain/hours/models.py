"""Hours counters (compte d'heures) and their append-only ledger (domain.md §2–§3).

A counter exists for every person with a NIR who worked, registered or not: the yearly feed
creates counters keyed by the NIR's lookup hash, and registration attaches the holder's
online space to the counter of the same NIR.

Balances are cached on the counter and always equal the sum of the ledger's entries; they
change only inside the action functions of ``mcf.domain.hours.ledger``, under a row lock,
and the database refuses a CPF balance outside 0–150 h, a reservation above the balance and
a DIF balance outside 0–999 h (REL-03).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

CPF_CEILING = 150
DIF_MAXIMUM = 999


class Counter(models.Model):
    # Keyed hash of the NIR (mcf.domain.identity.protection.nir_lookup_hash): never the NIR.
    nir_hash = models.CharField(max_length=64, unique=True)
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
        constraints = [
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

    class Account(models.TextChoices):
        CPF = "cpf", "CPF"
        DIF = "dif", "DIF"

    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    account = models.CharField(max_length=3, choices=Account.choices, default=Account.CPF)
    # Signed change of the balance (reservations change the reserved hours instead).
    hours = models.SmallIntegerField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # activity year of a feed
    label = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=255, blank=True)  # declaration file, dossier id…
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
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

"""Hours counters (compte d'heures). The ledger itself comes with the hours issue.

A counter exists for every person with a NIR who worked, registered or not: the yearly feed
creates counters keyed by the NIR's lookup hash, and registration attaches the holder's
online space to the counter of the same NIR (domain.md §2).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


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

    class Meta:
        verbose_name = "compteur d'heures"
        verbose_name_plural = "compteurs d'heures"

    def __str__(self) -> str:
        return f"Compteur {self.pk}"

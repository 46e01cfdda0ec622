"""One row per form submission that changed something (REL-04).

The key is the random part of the key the server wrote into the form
(mcf/web/idempotency.py); its UNIQUE constraint is what lets a second submission of the
same form — a double click, a retry, a concurrent copy — find the first one instead of
doing it again.
"""

from django.db import models
from django.utils import timezone


class Submission(models.Model):
    key = models.CharField(max_length=64)
    # The form's route (« titulaire:hours »): a key is good for one form only.
    action = models.CharField(max_length=100)
    # Keyed hash of what was submitted, secrets left out: the same key with another
    # payload is refused, not answered with the first result.
    fingerprint = models.CharField(max_length=64)
    # The first answer (Post/Redirect/Get): where it sent the browser, what it said.
    location = models.CharField(max_length=500, blank=True)
    message = models.CharField(max_length=500, blank=True)
    # The API's first answer (status and JSON body), returned as is to a retried request.
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "envoi de formulaire"
        verbose_name_plural = "envois de formulaires"
        constraints = [
            models.UniqueConstraint(fields=["key"], name="idempotency_submission_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.created_at:%d/%m/%Y %H:%M}"

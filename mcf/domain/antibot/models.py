"""Registration captcha challenges (AUTH-08): the answer stays on the server."""

import uuid

from django.db import models
from django.utils import timezone


class CaptchaChallenge(models.Model):
    """One captcha shown to one visitor: answered once, right or wrong, then dead.

    Only ``id`` leaves the server (form field, image and audio URLs); ``answer`` is read
    by :func:`mcf.domain.antibot.challenges.verify_and_consume` and by the renderers.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    answer = models.CharField("réponse attendue", max_length=16, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "défi captcha"
        verbose_name_plural = "défis captcha"
        # The purge deletes by age.
        indexes = [models.Index(fields=["created_at"], name="antibot_challenge_created")]

    def __str__(self) -> str:
        # Never the answer: this string may end up in logs or in the admin.
        return f"Défi captcha {self.id}"

"""Messages sent through « Nous contacter »."""

import uuid

from django.db import models
from django.utils import timezone

from mcf.domain.mailing.secret_links import mask_secret_links


class ContactMessage(models.Model):
    class Topic(models.TextChoices):
        ACCOUNT = "compte", "Mon compte et mon espace sécurisé"
        HOURS = "heures", "Mes heures CPF ou DIF"
        TRAINING = "formation", "Rechercher une formation"
        DOSSIER = "dossier", "Mon dossier de formation"
        EMPLOYER = "employeur", "Je suis employeur"
        PROFESSIONAL = "professionnel", "Je suis un professionnel de l'emploi ou de la formation"
        OTHER = "autre", "Autre question"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField("nom et prénom", max_length=150)
    email = models.EmailField("courriel", max_length=254)
    topic = models.CharField("sujet", max_length=20, choices=Topic.choices)
    message = models.TextField("message", max_length=5000)
    created_at = models.DateTimeField("reçu le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "message de contact"
        verbose_name_plural = "messages de contact"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Shown by the back office: a secret link pasted in the name is masked (AUTH-11).
        return f"{self.get_topic_display()} — {mask_secret_links(self.full_name)}"

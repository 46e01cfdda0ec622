"""« Historique de vos actions » (R.6323-15 « historique des opérations », LOG-02).

Append-only: the model refuses updates and deletes, and a database trigger (migration 0002)
refuses them too, so neither a bug nor a raw query can rewrite a holder's history.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    REGISTERED = "inscription", "Inscription enregistrée"
    ACTIVATED = "activation", "Compte activé"
    LOGIN_SUCCEEDED = "connexion", "Connexion"
    LOGIN_FAILED = "connexion_echec", "Échec de connexion"
    LOGIN_SUSPENDED = "connexion_suspendue", "Connexion suspendue après plusieurs échecs"
    LOGOUT = "deconnexion", "Déconnexion"
    PASSWORD_RESET_REQUESTED = "mdp_oublie", "Demande de nouveau mot de passe"
    PASSWORD_RESET = "mdp_reinitialise", "Nouveau mot de passe choisi (mot de passe oublié)"
    PASSWORD_CHANGED = "mdp_modifie", "Mot de passe modifié"
    SESSION_ENDED = "session_fermee", "Session fermée à distance"
    HOURS_FED = "alimentation", "Alimentation de votre compte CPF"
    DIF_ENTERED = "dif", "Saisie du solde d'heures DIF"
    HOURS_CORRECTED = "correction", "Correction de votre compte CPF"
    PASSWORD_CONFIRMED = "mdp_confirme", "Mot de passe confirmé avant une action sensible"
    PASSWORD_CONFIRMATION_FAILED = "mdp_confirme_echec", "Échec de la confirmation du mot de passe"
    PHONES_CHANGED = "telephones", "Téléphones modifiés"
    SITUATION_CHANGED = "situation", "Situation professionnelle modifiée"
    EMAIL_CHANGE_REQUESTED = "courriel_demande", "Demande de changement d'adresse courriel"
    EMAIL_CHANGED = "courriel_modifie", "Adresse courriel modifiée"
    DATA_EXPORTED = "export", "Téléchargement de vos données personnelles"
    ACCOUNT_CLOSED = "fermeture", "Fermeture de votre espace personnel"
    ACCOUNT_REOPENED = "reouverture", "Réouverture de votre espace personnel"


class AppendOnlyError(RuntimeError):
    pass


class JournalEntry(models.Model):
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="journal_entries"
    )
    action = models.CharField("action", max_length=30, choices=Action.choices)
    # Who did it, as the holder reads it: « Vous », « Le service », an organisation's name.
    actor = models.CharField("par", max_length=150)
    details = models.CharField("précisions", max_length=255, blank=True)
    occurred_at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        verbose_name = "entrée de l'historique"
        verbose_name_plural = "historique des actions"
        indexes = [models.Index(fields=["holder", "-occurred_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.occurred_at:%d/%m/%Y %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Une entrée de l'historique ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Une entrée de l'historique ne se supprime pas.")

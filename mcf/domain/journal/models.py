"""« Historique de vos actions » (R.6323-15 « historique des opérations », LOG-02, AC-04).

Append-only: the model refuses updates and deletes, and a database trigger (migration 0002)
refuses them too, so neither a bug nor a raw query can rewrite a holder's history.

Each entry says whose history it is (``holder``), who acted (``actor_kind``, ``actor_user``,
``actor_organisation``; ``actor`` is the label the holder reads, written at the time of the
act; ``delegation`` when a delegate acted), what it was about (``subject_type`` +
``subject_id``: a dossier, a délégation)
and what changed (``changes``: ``{"field": [old, new]}``). Written by
``mcf.domain.journal.actions.record`` only.
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

    DOSSIER_CREATED = "dossier_cree", "Dossier de formation créé"
    DOSSIER_UPDATED = "dossier_modifie", "Dossier de formation modifié"
    DOSSIER_CONSENT = "dossier_accord_heures", "Accord pour la mobilisation de vos heures"
    DOSSIER_SENT = "dossier_transmis", "Dossier transmis au financeur"
    DOSSIER_WITHDRAWN = "dossier_repris", "Dossier repris pour modification"
    DOSSIER_COMPLEMENT = "dossier_complement", "Complément demandé par le financeur"
    DOSSIER_VALIDATED = "dossier_valide", "Dossier validé"
    DOSSIER_CLOSED = "dossier_clos", "Dossier clos"
    DOSSIER_CANCELLED = "dossier_annule", "Dossier annulé"
    EMPLOYER_REQUESTED = "employeur_demande", "Demande d'accord à l'employeur enregistrée"
    EMPLOYER_ANSWERED = "employeur_reponse", "Réponse de l'employeur enregistrée"
    EMPLOYER_TACIT = "employeur_accord_tacite", "Accord tacite de l'employeur"
    DELEGATION_GRANTED = "delegation_donnee", "Délégation donnée"
    DELEGATION_INVITED = "delegation_invitation", "Invitation à une délégation envoyée"
    DELEGATION_ACCEPTED = "delegation_acceptee", "Délégation acceptée"
    DELEGATION_REVOKED = "delegation_revoquee", "Délégation révoquée"
    DELEGATION_RETURNED = "delegation_rendue", "Délégation rendue par le délégataire"
    DELEGATION_LAPSED = "delegation_echue", "Délégation arrivée à échéance"
    DELEGATE_READ = "delegation_consultation", "Consultation de votre compte par un délégataire"
    ACCOUNT_UPDATED_BY_OPERATOR = (
        "compte_modifie_cdc",
        "Informations de votre compte modifiées par la Caisse des Dépôts",
    )


class ActorKind(models.TextChoices):
    TITULAIRE = "titulaire", "Titulaire"
    PROFESSIONNEL = "professionnel", "Professionnel"
    OPERATEUR = "operateur", "Opérateur de la Caisse des Dépôts"
    SERVICE = "service", "Le service"


class AppendOnlyError(RuntimeError):
    pass


class JournalEntry(models.Model):
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="journal_entries"
    )
    action = models.CharField("action", max_length=30, choices=Action.choices)
    # Who did it, as the holder reads it, written at the time of the act (a professional who
    # later changes name or organisation does not rewrite the past): « Vous », « Le service »,
    # « La Caisse des Dépôts », « OPCA Démo (Amandine D.) ».
    actor = models.CharField("par", max_length=150)
    actor_kind = models.CharField("type d'auteur", max_length=20, choices=ActorKind.choices)
    # PROTECT, not SET_NULL: rows are never updated (append-only), so the author's account
    # and organisation stay while the history names them.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte de l'auteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name="organisation de l'auteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Under which délégation a delegate acted (AC-04: every use is recorded).
    delegation = models.ForeignKey(
        "delegations.Delegation",
        verbose_name="au titre de la délégation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the act was about: a dossier or a délégation, by its public id.
    subject_type = models.CharField("objet", max_length=30, blank=True)
    subject_id = models.UUIDField("identifiant de l'objet", null=True, blank=True)
    details = models.CharField("précisions", max_length=255, blank=True)
    # {"field": [old, new]}: what the act changed, for the record (never a NIR).
    changes = models.JSONField("modifications", default=dict, blank=True)
    occurred_at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        verbose_name = "entrée de l'historique"
        verbose_name_plural = "historique des actions"
        indexes = [
            models.Index(fields=["holder", "-occurred_at", "-id"]),
            models.Index(
                fields=["subject_type", "subject_id", "occurred_at"],
                name="journal_subject_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.occurred_at:%d/%m/%Y %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Une entrée de l'historique ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Une entrée de l'historique ne se supprime pas.")

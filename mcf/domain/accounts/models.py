"""Accounts of every person who logs in, and registrations waiting for confirmation.

Holders (titulaires) are identified by their NIR, which is never stored in clear: an
encrypted copy (to show it masked, or to export it) and a keyed hash (to find the account
at login) — PRIV-01. Professionals and back-office operators have a username instead.
"""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from mcf.domain.accounts import user_agents
from mcf.domain.identity.protection import EncryptedTextField


class Civility(models.TextChoices):
    MADAME = "madame", "Madame"
    MONSIEUR = "monsieur", "Monsieur"


class EmploymentStatus(models.TextChoices):
    """The holder's situation: it decides which eligibility lists he may use (domain.md §4)."""

    SALARIE = "salarie", "Salarié(e)"
    DEMANDEUR_EMPLOI = "demandeur_emploi", "Demandeur(se) d'emploi"


class User(AbstractUser):
    class Kind(models.TextChoices):
        TITULAIRE = "titulaire", "Titulaire"
        PROFESSIONNEL = "professionnel", "Professionnel"
        OPERATEUR = "operateur", "Opérateur (back office)"

    # Used in URLs and logs instead of the sequential pk or the NIR.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        "type de compte", max_length=20, choices=Kind.choices, default=Kind.OPERATEUR
    )

    # Holder identity (empty for professionals and operators).
    nir_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    nir = EncryptedTextField("numéro de Sécurité sociale (chiffré)", blank=True, editable=False)
    civility = models.CharField("civilité", max_length=10, choices=Civility.choices, blank=True)
    birth_name = models.CharField("nom de naissance", max_length=150, blank=True)
    landline = models.CharField("téléphone fixe", max_length=20, blank=True)
    mobile = models.CharField("téléphone portable", max_length=20, blank=True)
    apprenticeship_declared = models.BooleanField(
        "a déclaré un contrat d'apprentissage", default=False
    )
    cgu_version = models.CharField("version des CGU acceptée", max_length=20, blank=True)
    cgu_accepted_at = models.DateTimeField("CGU acceptées le", null=True, blank=True)
    activated_at = models.DateTimeField("activé le", null=True, blank=True)
    # Set when the holder closes his online space (is_active False): the counter and the
    # history stay, a new registration with the same NIR reopens it (docs/decisions/0006).
    closed_at = models.DateTimeField("espace fermé le", null=True, blank=True)

    # Holder situation (« Mes informations personnelles »): which lists he may use.
    employment_status = models.CharField(
        "situation professionnelle", max_length=20, choices=EmploymentStatus.choices, blank=True
    )
    branch = models.ForeignKey(
        "catalogue.Branch",
        verbose_name="branche professionnelle de votre employeur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    work_region = models.ForeignKey(
        "catalogue.Region",
        verbose_name="région de votre lieu de travail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    home_region = models.ForeignKey(
        "catalogue.Region",
        verbose_name="région de votre domicile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"

    @property
    def display_name(self) -> str:
        """« Prénom NOM », as the seed shows it top right (TOURIA ORANGE)."""
        last = self.birth_name or self.last_name
        return " ".join(part for part in (self.first_name, last.upper()) if part)


class PendingRegistration(models.Model):
    """A registration whose confirmation link has not been used yet (valid 15 days).

    The account itself is created only at confirmation, so a pending registration never
    blocks the real owner of a NIR (AUTH-10): a newer one for the same NIR replaces it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nir_hash = models.CharField(max_length=64, db_index=True)
    nir = EncryptedTextField()
    civility = models.CharField(max_length=10, choices=Civility.choices)
    first_name = models.CharField(max_length=150, blank=True)
    birth_name = models.CharField(max_length=150)
    landline = models.CharField(max_length=20, blank=True)
    mobile = models.CharField(max_length=20, blank=True)
    email = models.EmailField(max_length=254)
    apprenticeship_declared = models.BooleanField(default=False)
    password_hash = models.CharField(max_length=255)
    cgu_version = models.CharField(max_length=20)
    cgu_accepted_at = models.DateTimeField()
    # SHA-256 of the link's token: a database leak gives no usable link.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "inscription en attente de confirmation"
        verbose_name_plural = "inscriptions en attente de confirmation"

    def __str__(self) -> str:
        return f"Inscription {self.pk}"


class LoginThrottle(models.Model):
    """Failed logins per identifier (AUTH-05), whether an account exists or not.

    ``key`` is a keyed hash of the normalised identifier (the NIR): the table holds no NIR.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    # Attempts refused during a delay (not counted as failures: they would extend the delay
    # and let anyone lock an account out). Recorded for the audit, AUTH-07.
    refused = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "limitation de connexion"
        verbose_name_plural = "limitations de connexion"

    def __str__(self) -> str:
        return f"{self.failures} échec(s)"


class UserSession(models.Model):
    """An open session of an account, so that its holder can see and end it (SESS-05).

    The session itself is Django's (database backend); this row adds what the holder needs to
    recognise it. Deleting the Session row ends it at once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="open_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "session ouverte"
        verbose_name_plural = "sessions ouvertes"
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"Session du {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def browser(self) -> str:
        """« Chrome sur Windows », as the holder recognises it (user_agents.describe)."""
        return user_agents.describe(self.user_agent)


class EmailChangeRequest(models.Model):
    """A new address typed by the holder, waiting for the click on the link sent to it.

    The address on file changes only when the link is used (AUTH-14): until then every mail
    (password reset, notices) still goes to the old one. One pending request per holder: a
    newer one deletes the older.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField(max_length=254)
    # SHA-256 of the link's token, as for registrations.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "changement d'adresse courriel en attente"
        verbose_name_plural = "changements d'adresse courriel en attente"

    def __str__(self) -> str:
        return f"Changement de courriel {self.pk}"

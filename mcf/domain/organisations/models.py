"""Professional organisations and the accounts of their staff (domain.md §1).

An organisation (a financeur, a CEP, the CDC) has exactly one *administrateur principal*,
created by a CDC operator in the back office, who then creates *gestionnaire* accounts.
Both log in to the Espace professionnel with an identifier (``User.username``) and a
password of their own, never with a NIR, then with a TOTP code (AUTH-15). An account
created by someone else starts with a provisional password that must be changed at first
login (``must_change_password``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from mcf.domain.identity.siret import format_siret, normalise_siret, validate_siret


class Organisation(models.Model):
    class Kind(models.TextChoices):
        # Financeurs: validate the financing plan of a dossier, the only ones to close it.
        OPCA = "opca", "OPCA"
        POLE_EMPLOI = "pole_emploi", "Pôle emploi"
        REGION = "region", "Région"
        EMPLOYEUR_ACCORD = "employeur_accord", "Employeur (accord 0,2 %)"
        # Conseil en évolution professionnelle (Pôle emploi is both).
        CAP_EMPLOI = "cap_emploi", "Cap emploi"
        APEC = "apec", "Apec"
        MISSION_LOCALE = "mission_locale", "Mission locale"
        FONGECIF = "fongecif", "Fongecif"
        # The operator of the system.
        CDC = "cdc", "Caisse des Dépôts (CDC)"

    FINANCEUR_KINDS = frozenset({Kind.OPCA, Kind.POLE_EMPLOI, Kind.REGION, Kind.EMPLOYEUR_ACCORD})
    CEP_KINDS = frozenset(
        {Kind.POLE_EMPLOI, Kind.CAP_EMPLOI, Kind.APEC, Kind.MISSION_LOCALE, Kind.FONGECIF}
    )

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type d'organisation", max_length=30, choices=Kind.choices)
    siret = models.CharField(
        "SIRET",
        max_length=14,
        unique=True,
        validators=[validate_siret],
        error_messages={"unique": "Une organisation avec ce numéro SIRET existe déjà."},
        help_text="14 chiffres, par exemple : 732 829 320 00074",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    # What a financeur covers (mcf.domain.dossiers.financeurs): an OPCA its branches, a
    # Région its région.
    branches = models.ManyToManyField(
        "catalogue.Branch",
        verbose_name="branches professionnelles couvertes (OPCA)",
        blank=True,
        related_name="+",
    )
    region = models.ForeignKey(
        "catalogue.Region",
        verbose_name="région (Région)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Spaces and dots typed in the back office; stored compact (validators run after).
        self.siret = normalise_siret(self.siret)
        self.name = " ".join(self.name.split())

    @property
    def is_financeur(self) -> bool:
        return self.kind in self.FINANCEUR_KINDS

    @property
    def is_cep(self) -> bool:
        return self.kind in self.CEP_KINDS

    @property
    def siret_display(self) -> str:
        return format_siret(self.siret)


class ProfessionalProfile(models.Model):
    """What makes a ``User`` of kind PROFESSIONNEL a member of an organisation."""

    class Role(models.TextChoices):
        ADMINISTRATEUR_PRINCIPAL = "administrateur_principal", "Administrateur principal"
        GESTIONNAIRE = "gestionnaire", "Gestionnaire"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="professional_profile",
        verbose_name="compte",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="members", verbose_name="organisation"
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    # Set when someone else chose the password (the CDC, the administrateur principal):
    # nothing of the space is reachable until the holder of the account changes it.
    must_change_password = models.BooleanField("mot de passe provisoire à changer", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "compte professionnel"
        verbose_name_plural = "comptes professionnels"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(role="administrateur_principal"),
                name="one_principal_admin_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.username} ({self.get_role_display()}, {self.organisation})"

    @property
    def is_principal_admin(self) -> bool:
        return self.role == self.Role.ADMINISTRATEUR_PRINCIPAL

"""Professional organisations and the accounts of their staff (domain.md §1).

An organisation (a financeur, a CEP, the CDC) has exactly one *administrateur principal*,
created by a CDC operator in the back office, who then creates *gestionnaire* accounts.
Both log in to the Espace professionnel with an identifier (``User.username``) and a
password of their own, never with a NIR, then with a TOTP code (AUTH-15). An account
created by someone else starts with a provisional password that must be changed at first
login (``must_change_password``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from mcf.core.dates import add_years
from mcf.domain.identity.siret import format_siret, normalise_siret, validate_siret

# An accord de gestion directe du 0,2 % lasts 3 years (and so does a délégation at most).
ACCORD_MAX_YEARS = 3


class Organisation(models.Model):
    class Kind(models.TextChoices):
        # Financeurs: validate the financing plan of a dossier, the only ones to close it.
        OPCA = "opca", "OPCA"
        POLE_EMPLOI = "pole_emploi", "Pôle emploi"
        REGION = "region", "Région"
        # Conseil en évolution professionnelle (Pôle emploi is both).
        CAP_EMPLOI = "cap_emploi", "Cap emploi"
        APEC = "apec", "Apec"
        MISSION_LOCALE = "mission_locale", "Mission locale"
        FONGECIF = "fongecif", "Fongecif"
        # A company: answers its employees' requests for training on working time, may
        # receive their délégations, and is a financeur while it manages its 0,2 % itself
        # (accord de gestion directe: ``accord_starts_on`` … ``accord_ends_on``).
        EMPLOYEUR = "employeur", "Employeur"
        # The operator of the system.
        CDC = "cdc", "Caisse des Dépôts (CDC)"

    # An employer is a financeur only under an accord 0,2 % in force (``is_financeur``).
    FINANCEUR_KINDS = frozenset({Kind.OPCA, Kind.POLE_EMPLOI, Kind.REGION})
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
    # An employer's accord de gestion directe du 0,2 % (3 years at most), recorded by the CDC.
    accord_starts_on = models.DateField("accord 0,2 % : début", null=True, blank=True)
    accord_ends_on = models.DateField("accord 0,2 % : fin", null=True, blank=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accord_starts_on__isnull=True, accord_ends_on__isnull=True)
                | models.Q(
                    kind="employeur",
                    accord_starts_on__isnull=False,
                    accord_ends_on__gte=models.F("accord_starts_on"),
                ),
                name="organisation_accord_dates",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Spaces and dots typed in the back office; stored compact (validators run after).
        self.siret = normalise_siret(self.siret)
        self.name = " ".join(self.name.split())
        self.clean_accord()

    def clean_accord(self) -> None:
        starts, ends = self.accord_starts_on, self.accord_ends_on
        if starts is None and ends is None:
            return
        if self.kind != self.Kind.EMPLOYEUR:
            raise ValidationError(
                {"accord_starts_on": "Seul un employeur peut avoir un accord de gestion du 0,2 %."}
            )
        if starts is None or ends is None:
            field = "accord_ends_on" if ends is None else "accord_starts_on"
            raise ValidationError({field: "Indiquez les deux dates de l'accord."})
        if ends < starts:
            raise ValidationError({"accord_ends_on": "La fin de l'accord précède son début."})
        if ends > add_years(starts, ACCORD_MAX_YEARS):
            raise ValidationError(
                {"accord_ends_on": "Un accord de gestion du 0,2 % dure 3 ans au plus."}
            )

    @classmethod
    def with_accord_in_force(cls, today: date | None = None) -> models.Q:
        """The filter of ``accord_in_force``, for a query."""
        today = today or timezone.localdate()
        return models.Q(
            kind=cls.Kind.EMPLOYEUR, accord_starts_on__lte=today, accord_ends_on__gte=today
        )

    def accord_in_force(self, today: date | None = None) -> bool:
        """An employer managing its 0,2 % itself today (a financeur of its employees);
        ``with_accord_in_force`` says the same to a query."""
        today = today or timezone.localdate()
        return (
            self.kind == self.Kind.EMPLOYEUR
            and self.accord_starts_on is not None
            and self.accord_starts_on <= today <= self.accord_ends_on
        )

    @property
    def is_financeur(self) -> bool:
        return self.kind in self.FINANCEUR_KINDS or self.accord_in_force()

    @property
    def is_employer(self) -> bool:
        return self.kind == self.Kind.EMPLOYEUR

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

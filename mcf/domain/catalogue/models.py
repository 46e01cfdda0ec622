"""The catalogue of trainings fundable with the CPF (domain.md §4).

Referentials (``Region``, ``Departement``, ``Commune``, ``Branch``) are keyed by their
official codes (INSEE, IDCC) so that an open-data export joins on them as is. An offer
copies the codes of its place (région, département, code postal) and its coordinates:
search filters on the offer's own row, never through the referentials.

A certification is fundable when it is an item of at least one eligibility list (LNI,
one COPAREF list per région, one CPNE list per branche); each item carries the numeric
**code CPF** that holders and organismes quote.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from mcf.domain.identity.siret import format_siret, validate_siret


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        verbose_name_plural = "régions"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    # Lower case, no accents, hyphens as spaces: what a visitor's typing is compared to.
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    # Space-separated: a commune has one or several codes postaux (Lyon has nine).
    postal_codes = models.CharField("codes postaux", max_length=200, blank=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_id})"


class Branch(models.Model):
    """A branche professionnelle, identified by its IDCC (convention collective)."""

    idcc = models.CharField("IDCC", max_length=8, unique=True)
    name = models.CharField("nom", max_length=200)

    class Meta:
        verbose_name = "branche professionnelle"
        verbose_name_plural = "branches professionnelles"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisme(models.Model):
    """An organisme de formation."""

    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    name = models.CharField("raison sociale", max_length=250)
    activity_declaration_number = models.CharField(
        "numéro de déclaration d'activité", max_length=20, blank=True
    )
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    website = models.URLField("site internet", blank=True)

    class Meta:
        verbose_name = "organisme de formation"
        verbose_name_plural = "organismes de formation"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def siret_display(self) -> str:
        return format_siret(self.siret)


class Certification(models.Model):
    class Kind(models.TextChoices):
        RNCP = "RNCP", "RNCP (titre ou diplôme)"
        RS = "RS", "Répertoire spécifique (inventaire)"
        CQP = "CQP", "Certificat de qualification professionnelle (CQP)"
        CLEA = "CLEA", "Socle de connaissances et de compétences (CléA)"
        VAE = "VAE", "Accompagnement VAE"

    class Level(models.TextChoices):
        # Nomenclature of 2019 (décret n° 2019-14): niveau 3 = CAP … niveau 8 = doctorat.
        NONE = "0", "Sans niveau spécifique"
        N3 = "3", "Niveau 3 (CAP, BEP)"
        N4 = "4", "Niveau 4 (baccalauréat)"
        N5 = "5", "Niveau 5 (bac + 2)"
        N6 = "6", "Niveau 6 (bac + 3 ou 4)"
        N7 = "7", "Niveau 7 (bac + 5)"
        N8 = "8", "Niveau 8 (doctorat)"

    kind = models.CharField("type", max_length=4, choices=Kind.choices)
    # « RNCP34567 », « RS5217 »… ; may be empty for the accompagnement VAE.
    code = models.CharField("code", max_length=20, blank=True)
    title = models.CharField("intitulé", max_length=300)
    level = models.CharField(
        "niveau de sortie", max_length=1, choices=Level.choices, default=Level.NONE
    )
    # Formacode® codes (5 digits), in the order of the source.
    formacodes = models.JSONField("formacodes", default=list, blank=True)

    class Meta:
        verbose_name = "certification"
        verbose_name_plural = "certifications"
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], condition=~Q(code=""), name="certification_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}" if self.code else self.title


class EligibilityList(models.Model):
    class Kind(models.TextChoices):
        LNI = "LNI", "Liste nationale interprofessionnelle (LNI)"
        COPAREF = "COPAREF", "Liste régionale (COPAREF)"
        CPNE = "CPNE", "Liste de branche (CPNE)"

    kind = models.CharField("type", max_length=8, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="lists"
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="lists"
    )

    class Meta:
        verbose_name = "liste d'éligibilité"
        verbose_name_plural = "listes d'éligibilité"
        constraints = [
            # LNI: national; COPAREF: one région; CPNE: one branche.
            models.CheckConstraint(
                condition=(
                    Q(kind="LNI", region__isnull=True, branch__isnull=True)
                    | Q(kind="COPAREF", region__isnull=False, branch__isnull=True)
                    | Q(kind="CPNE", region__isnull=True, branch__isnull=False)
                ),
                name="eligibility_list_scope_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="LNI"), name="one_national_list"
            ),
            models.UniqueConstraint(fields=["region"], name="one_list_per_region"),
            models.UniqueConstraint(fields=["branch"], name="one_list_per_branch"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.COPAREF:
            return f"COPAREF {self.region}"
        if self.kind == self.Kind.CPNE:
            return f"CPNE {self.branch}"
        return "LNI"


# The codes CPF of the two certifications the law names (the real ones): the same in every
# catalogue, imported (opendata) or synthetic; the search form gives CléA's as its example.
FIXED_CODES_CPF = {"CLEA": 201, "VAE": 200}


class ListedCertification(models.Model):
    """An item of an eligibility list: a certification, its code CPF, its validity."""

    eligibility_list = models.ForeignKey(
        EligibilityList, on_delete=models.CASCADE, related_name="items"
    )
    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="listings"
    )
    code_cpf = models.PositiveIntegerField("code CPF", db_index=True)
    valid_from = models.DateField("éligible depuis le")
    valid_until = models.DateField("éligible jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "certification inscrite sur une liste"
        verbose_name_plural = "certifications inscrites sur une liste"
        constraints = [
            models.UniqueConstraint(
                fields=["eligibility_list", "certification"], name="listed_once_per_list"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="listing_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_cpf} ({self.eligibility_list})"


class Offer(models.Model):
    """An action de formation: an organisme's offer for one certification, in one place."""

    class Modality(models.TextChoices):
        ON_SITE = "presentiel", "En présentiel"
        REMOTE = "distance", "À distance"
        BLENDED = "mixte", "Mixte (présentiel et à distance)"

    # « numero_formation » of the open-data export: the key a reload updates on.
    number = models.CharField("numéro de formation", max_length=60, unique=True)
    organisme = models.ForeignKey(Organisme, on_delete=models.CASCADE, related_name="offers")
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="offers"
    )
    title = models.CharField("intitulé", max_length=300)
    objective = models.TextField("objectif", blank=True)
    content = models.TextField("contenu", blank=True)
    strengths = models.TextField("points forts", blank=True)
    duration_hours = models.PositiveIntegerField("durée (heures)")
    price = models.DecimalField("prix TTC (€)", max_digits=10, decimal_places=2)
    modality = models.CharField(
        "modalité", max_length=10, choices=Modality.choices, default=Modality.ON_SITE
    )
    # The place, copied from the referentials at load time (search reads only this row).
    address = models.CharField("adresse", max_length=250, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    city = models.CharField("commune", max_length=100, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, related_name="offers"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="offers"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField("mise à jour", auto_now=True)

    class Meta:
        verbose_name = "offre de formation"
        verbose_name_plural = "offres de formation"
        # Search (mcf.domain.catalogue.search): code postal filter, distance bounding box.
        # The full-text structures are vendor-specific, made by migration 0002_search.
        indexes = [
            models.Index(fields=["postal_code"], name="offer_postal_code"),
            models.Index(fields=["latitude", "longitude"], name="offer_coordinates"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="offer_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="sessions")
    start_date = models.DateField("début")
    end_date = models.DateField("fin")

    class Meta:
        verbose_name = "session"
        verbose_name_plural = "sessions"
        ordering = ["start_date"]
        indexes = [models.Index(fields=["offer", "start_date"], name="session_offer_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="session_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"


class OfferSearch(models.Model):
    """PostgreSQL only: the dense row of an offer that searches read (its filter columns).

    Not managed by Django: the table, its GIN indexes on the offer's texts and the triggers
    that keep it in step with ``Offer`` are made by migration 0002_search (see
    ``mcf.domain.catalogue.search.indexing``). Field names are the offer's, so the search
    filters apply to both.
    """

    offer = models.OneToOneField(
        Offer, on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False, related_name="+"
    )
    certification = models.ForeignKey(
        Certification, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    modality = models.CharField(max_length=10, choices=Offer.Modality.choices)
    region = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    postal_code = models.CharField(max_length=5)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    duration_hours = models.PositiveIntegerField()

    class Meta:
        managed = False
        db_table = "catalogue_offersearch"
        verbose_name = "ligne de recherche d'offre"
        verbose_name_plural = "lignes de recherche d'offres"

    def __str__(self) -> str:
        return f"recherche de l'offre {self.pk}"

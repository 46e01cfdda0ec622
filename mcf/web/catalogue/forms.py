"""The search form: a query string → a validated ``SearchCriteria`` or French messages.

The URL holds the whole search (shareable, the back button works), so the form is always
bound to ``request.GET``. Bad input never raises: each problem becomes a message next to
its field and what was typed is shown back as typed (escaped by the templates).

Parameters: ``q`` (mots-clés or code CPF), ``lieu`` + ``rayon``, ``statut`` +
``region_situation`` + ``branche`` (public page only: the visitor's situation),
``duree_min``/``duree_max``, ``prix_min``/``prix_max``, ``du``/``au`` (sessions), the facets
``type``/``niveau``/``modalite`` and ``region`` (the place's région), ``tri``, ``code_cpf``
and ``page``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import date_format
from dsfr.forms import DsfrBaseForm

from mcf.core.digits import LARGEST_ID, ascii_int
from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.catalogue.eligibility import Situation
from mcf.domain.catalogue.models import FIXED_CODES_CPF, Branch, Certification, Offer, Region
from mcf.domain.catalogue.search import SearchCriteria, Sort
from mcf.web.catalogue.places import Place, PlaceError, resolve_place

MAX_TEXT = 200
MAX_PLACE = 100
MAX_PAGE = 500  # deeper pages are refused: refine the search instead (and no huge OFFSET)
RADII = (5, 10, 20, 30, 50, 100)
MAX_HOURS = 10_000
MAX_PRICE = Decimal("1000000")
# Every parameter the form reads besides ``page``, in the order of a canonical URL.
FACET_FIELDS = ("type", "niveau", "modalite")
# A single choice among the values the engine counts (the place's région), as radio buttons.
SINGLE_FACET_FIELDS = ("region",)
# The code CPF the hints give as an example: CléA's, in every catalogue (real or synthetic),
# so that searching it finds offers (tests/demo/test_demo_catalogue.py).
EXAMPLE_CODE_CPF = FIXED_CODES_CPF["CLEA"]
_NOT_A_CODE = f"Le code CPF est un nombre, par exemple {EXAMPLE_CODE_CPF}."


def _clean_text(value: str) -> str:
    """No control or bidi characters, single spaces (what a search box sends)."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in value)
    return " ".join(kept.split())


class TextField(forms.CharField):
    def to_python(self, value):
        return _clean_text(super().to_python(value))


class FrenchIntegerField(forms.IntegerField):
    """« 1 500 », « 35 h », « 35h » are numbers too."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]+|h(?:eures?)?$", "", value.strip(), flags=re.I)
        return super().to_python(value)


class EuroField(forms.DecimalField):
    """« 1 500 », « 1500,50 », « 1 500 € » are amounts in euros."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]+|€|euros?$", "", value.strip(), flags=re.I)
            value = value.replace(",", ".")
        return super().to_python(value)


def _integer(label: str, example: str, maximum: int) -> FrenchIntegerField:
    return FrenchIntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=maximum,
        error_messages={
            "invalid": f"Saisissez un nombre entier d'heures, par exemple {example}.",
            "min_value": "La durée ne peut pas être négative.",
            "max_value": f"Saisissez une durée de {maximum:_} heures au plus.".replace("_", " "),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _euros(label: str, example: str) -> EuroField:
    return EuroField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "invalid": f"Saisissez un montant en euros, par exemple {example}.",
            "min_value": "Le prix ne peut pas être négatif.",
            "max_value": "Saisissez un prix d'un million d'euros au plus.",
            "max_digits": "Saisissez un prix d'un million d'euros au plus.",
            "max_decimal_places": "Saisissez un prix au centime près (deux décimales).",
            "max_whole_digits": "Saisissez un prix d'un million d'euros au plus.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Saisissez une date valide, par exemple 15/01/2027."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _choices(label: str, choices, invalid: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": invalid, "invalid_list": invalid},
    )


class SearchForm(DsfrBaseForm):
    q = TextField(
        label="Mots-clés ou code CPF",
        required=False,
        max_length=MAX_TEXT,
        help_text=(
            "Par exemple : anglais, CACES, comptabilité, ou un code CPF comme "
            f"{EXAMPLE_CODE_CPF} (CléA)."
        ),
        error_messages={
            "max_length": (
                "Votre recherche est trop longue : %(limit_value)d caractères au plus "
                "(elle en compte %(show_value)d)."
            )
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    lieu = TextField(
        label="Lieu",
        required=False,
        max_length=MAX_PLACE,
        help_text="Commune, code postal, département ou région. Par exemple : Rennes (35).",
        error_messages={
            "max_length": "Le lieu est trop long : %(limit_value)d caractères au plus."
        },
    )
    rayon = forms.TypedChoiceField(
        label="Rayon autour de la commune",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Sans rayon"), *[(str(r), f"{r} km") for r in RADII]],
        error_messages={"invalid_choice": "Choisissez un rayon de la liste."},
    )
    statut = forms.ChoiceField(
        label="Votre situation",
        required=False,
        choices=[("", "Peu importe (toutes les formations éligibles)"), *EmploymentStatus.choices],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez une situation de la liste."},
    )
    region_situation = forms.ChoiceField(
        label="Votre région",
        required=False,
        help_text="Salarié(e) : celle de votre lieu de travail ; demandeur(se) d'emploi : "
        "celle de votre domicile.",
        error_messages={"invalid_choice": "Choisissez une région de la liste."},
    )
    branche = forms.ChoiceField(
        label="Branche professionnelle de votre employeur",
        required=False,
        help_text="Salarié(e) seulement.",
        error_messages={"invalid_choice": "Choisissez une branche de la liste."},
    )
    duree_min = _integer("Durée minimale (heures)", "35", MAX_HOURS)
    duree_max = _integer("Durée maximale (heures)", "150", MAX_HOURS)
    prix_min = _euros("Prix minimal (€)", "500")
    prix_max = _euros("Prix maximal (€)", "2000")
    du = _date("Session commençant à partir du")
    au = _date("Session commençant au plus tard le")
    type = _choices(
        "Type de certification",
        Certification.Kind.choices,
        "Ce type de certification n'existe pas : décochez-le.",
    )
    niveau = _choices(
        "Niveau de sortie",
        Certification.Level.choices,
        "Ce niveau n'existe pas : décochez-le.",
    )
    modalite = _choices(
        "Modalité", Offer.Modality.choices, "Cette modalité n'existe pas : décochez-la."
    )
    region = forms.RegexField(
        label="Région",
        required=False,
        regex=r"^[0-9A-Za-z]{1,3}$",
        error_messages={"invalid": "Cette région n'existe pas : choisissez-en une de la liste."},
    )
    tri = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=[
            (Sort.RELEVANCE.value, "Pertinence"),
            (Sort.DISTANCE.value, "Distance (autour d'une commune)"),
            (Sort.PRICE.value, "Prix croissant"),
            (Sort.DURATION.value, "Durée croissante"),
        ],
        error_messages={"invalid_choice": "Choisissez un tri de la liste."},
    )
    code_cpf = forms.IntegerField(
        label="Code CPF",
        required=False,
        min_value=1,
        max_value=999_999_999,
        error_messages={"invalid": _NOT_A_CODE, "min_value": _NOT_A_CODE, "max_value": _NOT_A_CODE},
        widget=forms.HiddenInput,
    )

    # The visitor's situation is asked on the public page only (a holder has his own).
    SITUATION_FIELDS = ("statut", "region_situation", "branche")
    MORE_FIELDS = ("duree_min", "duree_max", "prix_min", "prix_max", "du", "au")

    def __init__(self, data: QueryDict, *, ask_situation: bool, shown: bool = True):
        """``shown``: the form is rendered (the page). The API validates without showing
        it: no DSFR dressing of the widgets, and the lists of régions and branches read
        only when a situation is given (two queries saved)."""
        # An empty checkbox value (``type=``) in a hand-made URL filters nothing.
        data = data.copy()
        for name in FACET_FIELDS:
            data.setlist(name, [v for v in data.getlist(name) if v.strip()])
        if shown:
            super().__init__(data)
        else:
            # Validation only (the API): DsfrBaseForm's __init__ only dresses the widgets
            # with the DSFR's classes for rendering (1.4 ms, bench/api.py).
            forms.Form.__init__(self, data)
        # Suggestions of communes while typing (htmx fills the datalist; none without JS).
        self.fields["lieu"].widget.attrs.update(
            {
                "list": "lieu-suggestions",
                "autocomplete": "off",
                "hx-get": reverse("public:commune_suggestions"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#lieu-suggestions",
                "hx-swap": "outerHTML",
                "hx-push-url": "false",
                "hx-indicator": "this",
                "hx-sync": "this:replace",
            }
        )
        self.ask_situation = ask_situation
        self.place: Place | None = None
        self.branches: dict[str, Branch] = {}
        situation_given = any(data.get(name) for name in self.SITUATION_FIELDS)
        if ask_situation and (shown or situation_given):
            regions = list(Region.objects.values_list("code", "name"))
            self.fields["region_situation"].choices = [("", "Toutes les régions"), *regions]
            self.branches = {b.idcc: b for b in Branch.objects.all()}
            self.fields["branche"].choices = [
                ("", "Aucune ou je ne sais pas"),
                *[(b.idcc, f"{b.name} (IDCC {b.idcc})") for b in self.branches.values()],
            ]
        else:
            for name in self.SITUATION_FIELDS:
                del self.fields[name]

    # ----------------------------------------------------------------------------------
    def clean(self):
        data = super().clean()
        self._clean_place(data)
        self._check_order(data, "duree_min", "duree_max", "La durée maximale", "h")
        self._check_order(data, "prix_min", "prix_max", "Le prix maximal", "€")
        start, end = data.get("du"), data.get("au")
        if start and end and start > end:
            self.add_error(
                "au",
                f"Cette date ({date_format(end, 'SHORT_DATE_FORMAT')}) est avant la date de "
                f"début ({date_format(start, 'SHORT_DATE_FORMAT')}) : inversez-les.",
            )
        around_a_commune = self.place is not None and self.place.kind == "commune"
        if data.get("tri") == Sort.DISTANCE and "lieu" not in self.errors and not around_a_commune:
            self.add_error("tri", "Pour trier par distance, saisissez une commune dans « Lieu ».")
        situation_without_status = data.get("region_situation") or data.get("branche")
        if self.ask_situation and not data.get("statut") and situation_without_status:
            self.add_error(
                "statut",
                "Choisissez salarié(e) ou demandeur(se) d'emploi : la région et la "
                "branche n'ont de sens qu'avec une situation.",
            )
        return data

    def _clean_place(self, data) -> None:
        text, radius = data.get("lieu"), data.get("rayon")
        if "lieu" in self.errors or "rayon" in self.errors:
            return
        if radius and not text:
            self.add_error(
                "rayon",
                f"Saisissez une commune ou un code postal dans « Lieu » pour chercher à "
                f"{radius} km autour.",
            )
            return
        if text:
            try:
                self.place = resolve_place(text, around=bool(radius))
            except PlaceError as error:
                self.add_error("lieu", error.message)

    def _check_order(self, data, low: str, high: str, what: str, unit: str) -> None:
        minimum, maximum = data.get(low), data.get(high)
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error(
                high,
                f"{what} ({_number(maximum)} {unit}) est inférieur{'e' if unit == 'h' else ''}"
                f" au minimum ({_number(minimum)} {unit}) : inversez-les.",
            )

    # ----------------------------------------------------------------------------------
    def situation(self) -> Situation | None:
        """The situation the visitor chose on the public page (None: every listed offer)."""
        data = self.cleaned_data
        if not self.ask_situation or not data.get("statut"):
            return None
        branch = self.branches.get(data.get("branche") or "")
        return Situation(
            data["statut"],
            region_code=data.get("region_situation") or None,
            branch_id=branch.pk if branch and data["statut"] == EmploymentStatus.SALARIE else None,
        )

    def criteria(self, *, situation: Situation | None, page: int) -> SearchCriteria:
        data = self.cleaned_data
        place = self.place
        return SearchCriteria(
            text=data["q"],
            code_cpf=data.get("code_cpf"),
            commune_code=place.code if place and place.kind == "commune" else None,
            radius_km=data.get("rayon") if place and place.kind == "commune" else None,
            postal_code=place.code if place and place.kind == "code_postal" else None,
            departement_code=place.code if place and place.kind == "departement" else None,
            # The région facet narrows a search that names no place of its own.
            region_code=(
                (place.code if place.kind == "region" else None)
                if place
                else (data.get("region") or None)
            ),
            certification_kinds=tuple(data["type"]),
            levels=tuple(data["niveau"]),
            modalities=tuple(data["modalite"]),
            duration_min=data.get("duree_min"),
            duration_max=data.get("duree_max"),
            price_min=data.get("prix_min"),
            price_max=data.get("prix_max"),
            session_from=data.get("du"),
            session_until=data.get("au"),
            situation=situation,
            sort=Sort(data.get("tri") or Sort.RELEVANCE),
            page=page,
        )

    def canonical_query(self) -> QueryDict:
        """The parameters that were given, without empty ones nor ``page`` (the URL kept)."""
        query = QueryDict(mutable=True)
        for name in self.fields:
            values = [v.strip() for v in self.data.getlist(name) if v.strip()]
            if name == "tri" and values == [Sort.RELEVANCE.value]:
                continue  # the default sort is left out of the URL
            if values:
                query.setlist(name, list(dict.fromkeys(values)))
        return query


def _number(value) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return f"{value:,}".replace(",", " ").replace(".", ",")


@dataclass(frozen=True)
class PageRequest:
    number: int
    notice: str = ""


def parse_page(raw: str | None) -> PageRequest:
    """``page``: a bad value shows the first page with a notice, never an error page."""
    if raw is None or raw == "":
        return PageRequest(1)
    # ASCII digits only, not int(): « ١٢ » is no page number here (mcf/core/digits.py).
    number = ascii_int(raw, maximum=LARGEST_ID)
    if not number:
        return PageRequest(1, "Le numéro de page n'est pas valide : voici la première page.")
    if number > MAX_PAGE:
        return PageRequest(
            1,
            f"Les résultats s'arrêtent à la page {MAX_PAGE} : précisez votre recherche. "
            "Voici la première page.",
        )
    return PageRequest(number)

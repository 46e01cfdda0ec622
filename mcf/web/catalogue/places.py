"""« Lieu »: what a visitor types (commune, code postal, département, région) → a place.

A code postal, a département code (« 35 », « 2A », « 974 ») and the names of régions and
départements are recognised here; commune names (« Rennes », « Rennes (35) », « Saint-Malo
35400 ») are resolved by the geography referential's ``find_communes`` when it is
installed, otherwise by an exact match on the commune's normalised name.

Every failure is a ``PlaceError`` carrying the French message shown next to the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mcf.core.digits import is_ascii_digits
from mcf.domain.catalogue.models import Commune, Departement, Region

try:  # The geography referential lands separately; until then the fallback below answers.
    from mcf.domain.catalogue.geography import find_communes
except ImportError:  # pragma: no cover - depends on the other package's progress
    find_communes = None

MAX_CANDIDATES = 5
MAX_SUGGESTIONS = 8
MIN_SUGGESTED = 2  # characters typed before communes are suggested
POSTAL_CODE = re.compile(r"^[0-9]{5}$")  # ASCII digits: mcf/core/digits.py
DEPARTEMENT_CODE = re.compile(r"^(?:0?[1-9]|[1-8][0-9]|9[0-5]|2[ab]|97[1-6])$", re.IGNORECASE)
# « Rennes (35) », « Rennes (35000) », « Rennes 35000 », « Rennes - 35 »
QUALIFIED = re.compile(
    r"^(?P<name>.*?)[\s\-,]*\(?\s*(?P<code>[0-9]{5}|[0-9]{2,3}|2[ab])\s*\)?$", re.I
)


class PlaceError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Place:
    kind: str  # "commune", "code_postal", "departement", "region"
    code: str
    label: str  # how the place is shown back (« Rennes (35) »)
    commune: Commune | None = None  # the centre of a radius search


def normalise(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces (Commune.search_name)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    expanded = {"st": "saint", "ste": "sainte"}
    return " ".join(expanded.get(word, word) for word in words)


def commune_label(commune: Commune) -> str:
    return f"{commune.name} ({commune.departement_id})"


def resolve_place(text: str, *, around: bool = False) -> Place:
    """The place meant by ``text``; ``around``: a radius is asked, so a commune is needed."""
    text = " ".join(text.split())
    if POSTAL_CODE.match(text):
        return _postal_code(text, around)
    if DEPARTEMENT_CODE.match(text):
        departement = Departement.objects.filter(code=_departement_code(text)).first()
        if departement is None:
            raise PlaceError(f"Nous ne trouvons pas le département « {text} ».")
        if around:
            raise PlaceError(_needs_commune(str(departement)))
        return Place("departement", departement.code, str(departement))
    wanted = normalise(text)
    if not wanted:
        raise PlaceError("Saisissez une commune, un code postal, un département ou une région.")
    if not around:
        area = _area_named(wanted)
        if area is not None:
            return area
    communes = _communes_matching(text)
    if not communes:
        if around and _area_named(wanted) is not None:
            raise PlaceError(_needs_commune(text))
        raise PlaceError(
            f"Nous ne trouvons pas la commune « {text} ». Vérifiez l'orthographe, ou "
            "saisissez son code postal ou son département."
        )
    if len(communes) > 1:
        names = ", ".join(commune_label(c) for c in communes[:MAX_CANDIDATES])
        raise PlaceError(
            f"Plusieurs communes correspondent à « {text} » : {names}. Précisez le "
            "département entre parenthèses, par exemple « "
            f"{commune_label(communes[0])} »."
        )
    commune = communes[0]
    return Place("commune", commune.code, commune_label(commune), commune)


def _departement_code(text: str) -> str:
    code = text.upper()
    return code.zfill(2) if is_ascii_digits(code) and len(code) == 1 else code


def _needs_commune(where: str) -> str:
    return (
        f"Le rayon se compte autour d'une commune, pas de « {where} » : saisissez une commune "
        "ou un code postal, ou choisissez « Sans rayon »."
    )


def _postal_code(code: str, around: bool) -> Place:
    communes = sorted(
        (c for c in Commune.objects.filter(postal_codes__contains=code) if code in c.postal_codes),
        key=lambda c: -c.population,
    )
    if not communes:
        raise PlaceError(f"Nous ne trouvons pas le code postal « {code} ».")
    centre = communes[0]
    if around:
        return Place("commune", centre.code, f"{code} ({centre.name})", centre)
    return Place("code_postal", code, f"{code} ({centre.name})", centre)


def _area_named(wanted: str) -> Place | None:
    for region in Region.objects.all():
        if normalise(region.name) == wanted:
            return Place("region", region.code, region.name)
    name = QUALIFIED.match(wanted)
    for departement in Departement.objects.all():
        if normalise(departement.name) in (wanted, name and normalise(name["name"])):
            return Place("departement", departement.code, str(departement))
    return None


def _communes_matching(text: str) -> list[Commune]:
    qualified = QUALIFIED.match(text)
    name, code = (qualified["name"], qualified["code"]) if qualified else (text, None)
    if find_communes is not None:
        found = _distinct(find_communes(text))
        # The referential may also suggest near names: an exact name wins over them.
        exact = [c for c in found if normalise(c.name) == normalise(name)]
        return exact or found
    communes = Commune.objects.filter(search_name=normalise(name)).select_related("departement")
    if code and len(code) == 5:
        communes = communes.filter(postal_codes__contains=code)
    elif code:
        communes = communes.filter(departement_id=_departement_code(code))
    return _distinct(communes.order_by("-population", "code")[: MAX_CANDIDATES + 1])


def _distinct(communes) -> list[Commune]:
    seen, result = set(), []
    for commune in communes:
        if commune.code not in seen:
            seen.add(commune.code)
            result.append(commune)
    return result


def suggest_communes(text: str) -> list[str]:
    """Up to 8 « Nom (département) » for the datalist of « Lieu », most populated first."""
    if find_communes is None or POSTAL_CODE.match(text) or is_ascii_digits(text):
        return []
    return [commune_label(c) for c in _distinct(find_communes(text))[:MAX_SUGGESTIONS]]

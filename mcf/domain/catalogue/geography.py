"""The referentials every catalogue row points to: régions, départements, communes,
branches professionnelles, and the eligibility lists they define (LNI, one COPAREF list per
région, one CPNE list per branche).

The data ships with the code in ``data/`` (built once by ``scripts/build-geography-data``;
sources and licences in docs/decisions/0004-catalogue-data.md). ``load_geography()`` upserts
it in bulk, so that it can run at every deployment or demo load.
"""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from mcf.domain.catalogue.models import Branch, Commune, Departement, EligibilityList, Region

DATA = Path(__file__).resolve().parent / "data"
BATCH = 2_000
MAX_MATCHES = 20

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
_SEPARATORS = re.compile(r"[\s\-'’‘`]+")
_POSTAL_CODE = re.compile(r"[0-9]{5}")  # ASCII digits only: mcf/core/digits.py
# « Rennes (35) », « Rennes (35000) », « Saint-Denis (974) », « Ajaccio (2A) ».
_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<code>[0-9]{5}|[0-9]{2,3}|2[AaBb])\s*\)$")
_ABBREVIATIONS = re.compile(r"\b(st|ste)\b")  # « St-Malo » as typed, « Saint-Malo » as named
_TRAILING_POSTAL = re.compile(r"^(?P<name>.*?)[\s,]+(?P<code>[0-9]{5})$")


def normalise_name(text: str) -> str:
    """What names are compared on: « L'Haÿ-les-Roses » → « l hay les roses »."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _SEPARATORS.sub(" ", text).strip()


def read_table(name: str) -> Iterator[dict[str, str]]:
    """Rows of one shipped data file (``;``-separated, gzip or plain)."""
    path = DATA / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as source:
        yield from csv.DictReader(source, delimiter=";")


@dataclass(frozen=True)
class GeographyReport:
    regions: int
    departements: int
    communes: int
    branches: int
    lists: int


def _upsert(model, objects: list, unique: str, fields: list[str]) -> int:
    for start in range(0, len(objects), BATCH):
        model.objects.bulk_create(
            objects[start : start + BATCH],
            update_conflicts=True,
            unique_fields=[unique],
            update_fields=fields,
        )
    return len(objects)


@transaction.atomic
def load_geography() -> GeographyReport:
    """Insert or update every région, département, commune and branche of the shipped
    files, then make sure each eligibility list exists. Idempotent; a few seconds."""
    regions = [Region(code=r["code"], name=r["nom"]) for r in read_table("regions.csv.gz")]
    departements = [
        Departement(code=d["code"], name=d["nom"], region_id=d["region"])
        for d in read_table("departements.csv.gz")
    ]
    communes = [
        Commune(
            code=c["code"],
            name=c["nom"],
            search_name=normalise_name(c["nom"]),
            postal_codes=c["codes_postaux"],
            departement_id=c["departement"],
            latitude=float(c["latitude"]) if c["latitude"] else None,
            longitude=float(c["longitude"]) if c["longitude"] else None,
            population=int(c["population"] or 0),
        )
        for c in read_table("communes.csv.gz")
    ]
    branches = [Branch(idcc=b["idcc"], name=b["nom"]) for b in read_table("branches.csv")]
    report = GeographyReport(
        regions=_upsert(Region, regions, "code", ["name"]),
        departements=_upsert(Departement, departements, "code", ["name", "region"]),
        communes=_upsert(
            Commune,
            communes,
            "code",
            [
                "name",
                "search_name",
                "postal_codes",
                "departement",
                "latitude",
                "longitude",
                "population",
            ],
        ),
        branches=_upsert(Branch, branches, "idcc", ["name"]),
        lists=ensure_eligibility_lists(),
    )
    return report


def ensure_eligibility_lists() -> int:
    """The LNI, one COPAREF list per région and one CPNE list per branche (created when
    missing, never deleted). Returns how many lists exist."""
    missing = []
    if not EligibilityList.objects.filter(kind=EligibilityList.Kind.LNI).exists():
        missing.append(EligibilityList(kind=EligibilityList.Kind.LNI))
    with_list = set(EligibilityList.objects.values_list("region_id", flat=True))
    missing += [
        EligibilityList(kind=EligibilityList.Kind.COPAREF, region_id=code)
        for code in Region.objects.values_list("code", flat=True)
        if code not in with_list
    ]
    with_list = set(EligibilityList.objects.values_list("branch_id", flat=True))
    missing += [
        EligibilityList(kind=EligibilityList.Kind.CPNE, branch_id=pk)
        for pk in Branch.objects.values_list("pk", flat=True)
        if pk not in with_list
    ]
    EligibilityList.objects.bulk_create(missing)
    return EligibilityList.objects.count()


def find_communes(text: str) -> list[Commune]:
    """The communes a visitor means by what he typed, most populated first.

    Understands a name (« saint etienne », « St-Étienne », « L'Haÿ-les-Roses »), a name with its
    département or code postal (« Rennes (35) », « Rennes (35000) », « Rennes 35000 »), a
    code postal alone (« 69003 ») and, failing that, an INSEE code. An exact name wins over
    names that only start with what was typed. Nothing found: an empty list (the caller
    says so in French).
    """
    text = (text or "").strip()
    if not text:
        return []
    communes = Commune.objects.select_related("departement").order_by("-population", "code")
    if _POSTAL_CODE.fullmatch(text):
        found = _with_postal_code(communes, text)
        return found or list(communes.filter(code=text))
    name, code = text, None
    match = _WITH_CODE.match(text) or _TRAILING_POSTAL.match(text)
    if match:
        name, code = match["name"], match["code"].upper()
    key = _ABBREVIATIONS.sub(
        lambda m: {"st": "saint", "ste": "sainte"}[m.group()], normalise_name(name)
    )
    if not key:
        return []
    if code and len(code) == 5:
        candidates = _with_postal_code(communes.filter(search_name__startswith=key), code)
    else:
        candidates = communes.filter(search_name__startswith=key)
        if code:
            candidates = candidates.filter(departement_id=code)
        candidates = list(candidates[: MAX_MATCHES * 5])
    exact = [c for c in candidates if c.search_name == key]
    return (exact or candidates)[:MAX_MATCHES]


def _with_postal_code(communes, postal_code: str) -> list[Commune]:
    # postal_codes is a space-separated list: narrow in SQL, confirm the exact token here.
    rows = communes.filter(Q(postal_codes__contains=postal_code))[: MAX_MATCHES * 5]
    return [c for c in rows if postal_code in c.postal_codes.split()][:MAX_MATCHES]

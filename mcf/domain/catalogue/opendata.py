"""Loading the Caisse des Dépôts open-data export « moncompteformation_catalogueformation ».

``import_catalogue(path_or_file)`` reads the CSV (``;`` or ``,``, UTF-8 with or without BOM),
checks every line, and writes organismes, certifications, their LNI listing and offers in
batches, in one transaction. A bad line is reported with its number and a French reason and
never stops the file; unknown columns are ignored. The key is ``numero_formation``: loading
the same file again updates the offers in place.

The export carries no code CPF nor list: every certification it names is put on the LNI
with a code CPF derived from its code (docs/decisions/0004-catalogue-data.md).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone
from stdnum.fr import siret as stdnum_siret

from mcf.core.digits import ASCII_DIGITS, is_ascii_digits
from mcf.domain.catalogue.geography import ensure_eligibility_lists, normalise_name
from mcf.domain.catalogue.models import (
    FIXED_CODES_CPF,
    Certification,
    Commune,
    Departement,
    EligibilityList,
    ListedCertification,
    Offer,
    Organisme,
    Region,
)
from mcf.domain.catalogue.search.indexing import rebuild_search_index
from mcf.domain.catalogue.synthetic import OFFER_FIELDS

BATCH = 2_000
# What a reload refreshes: every column of an offer row but its keys and the texts the
# export does not carry (objectif, contenu).
UPDATED_FIELDS = [f for f in OFFER_FIELDS if f not in ("id", "number", "objective", "content")]
REJECTION_SAMPLE = 1_000
REQUIRED_COLUMNS = ("numero_formation", "siret", "intitule_formation", "type_referentiel")

# Codes CPF derived from the certification's code (the export has none): one range per kind.
CODE_CPF_BASE = {"RNCP": 300_000, "RS": 200_000, "CQP": 600_000}

_KINDS = {
    "rncp": "RNCP",
    "rs": "RS",
    "inventaire": "RS",
    "repertoire specifique": "RS",
    "répertoire spécifique": "RS",
    "cqp": "CQP",
    "clea": "CLEA",
    "cléa": "CLEA",
    "socle": "CLEA",
    "vae": "VAE",
    "accompagnement vae": "VAE",
}
_ROMAN_LEVELS = {"v": "3", "iv": "4", "iii": "5", "ii": "6", "i": "7"}  # before 2019
_LEVEL = re.compile(r"niveau\s+([3-8]|i{1,3}|iv|v)\b", re.IGNORECASE)
_DIGITS = ASCII_DIGITS


class OpenDataError(Exception):
    """The file cannot be read at all (nothing is written)."""


@dataclass
class ImportReport:
    file_name: str
    lines_read: int = 0
    offers_created: int = 0
    offers_updated: int = 0
    organismes_created: int = 0
    certifications_created: int = 0
    lines_rejected: int = 0
    rejections: list[tuple[int, str]] = field(default_factory=list)  # the first ones
    seconds: float = 0.0

    def reject(self, line: int, reason: str) -> None:
        self.lines_rejected += 1
        if len(self.rejections) < REJECTION_SAMPLE:
            self.rejections.append((line, reason))

    def summary_lines(self) -> list[str]:
        return [
            f"Fichier : {self.file_name}",
            f"Lignes lues : {self.lines_read}",
            f"Offres créées : {self.offers_created}, mises à jour : {self.offers_updated}",
            f"Organismes créés : {self.organismes_created}",
            f"Certifications créées : {self.certifications_created}",
            f"Lignes rejetées : {self.lines_rejected}",
            f"Durée : {self.seconds:.1f} s".replace(".", ","),
        ]


@dataclass(frozen=True)
class _Row:
    """One accepted line, checked and normalised."""

    line: int
    number: str
    siret: str
    organisme_name: str
    title: str
    strengths: str
    kind: str
    code: str
    certification_title: str
    level: str
    formacodes: tuple[str, ...]
    hours: int
    price: Decimal
    modality: str
    address: str
    commune_code: str
    city: str
    postal_code: str
    departement: str
    region: str


def import_catalogue(path_or_file: str | Path | IO, *, progress=None) -> ImportReport:
    """Check every line, then write organismes, certifications (with their LNI listing) and
    offers by ``numero_formation`` (created or updated in place), in one transaction;
    rebuild the search index once. Raises ``OpenDataError`` (French) for a file without
    its required columns; bad lines are only reported."""
    started = time.perf_counter()
    name = getattr(path_or_file, "name", None) or str(path_or_file)
    report = ImportReport(file_name=Path(name).name)
    rows = _parse(_text(path_or_file), report)
    with transaction.atomic():
        ensure_eligibility_lists()
        writer = _Writer(report)
        batch: list[_Row] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                writer.write(batch)
                batch = []
                if progress:
                    progress(report.lines_read)
        writer.write(batch)
        rebuild_search_index()
    report.seconds = time.perf_counter() - started
    return report


# --- Reading ------------------------------------------------------------------------------


def _text(path_or_file: str | Path | IO) -> IO[str]:
    """The file as text: UTF-8, a BOM dropped, undecodable bytes as U+FFFD (only their line
    may then be rejected)."""
    if isinstance(path_or_file, str | Path):
        return Path(path_or_file).open(encoding="utf-8-sig", errors="replace", newline="")
    if isinstance(path_or_file, io.TextIOBase):
        return path_or_file
    return codecs.getreader("utf-8-sig")(path_or_file, errors="replace")


def _parse(text: IO[str], report: ImportReport) -> Iterator[_Row]:
    with text:
        header = text.readline()
        if not header.strip():
            raise OpenDataError("Le fichier est vide.")
        delimiter = ";" if header.count(";") >= header.count(",") else ","
        header = header.lstrip("\ufeff")
        columns = [c.strip().lower() for c in next(csv.reader([header], delimiter=delimiter))]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise OpenDataError(
                "Colonnes obligatoires absentes de l'en-tête : " + ", ".join(missing) + "."
            )
        reader = csv.reader(text, delimiter=delimiter)
        seen: dict[str, int] = {}
        for values in reader:
            line = reader.line_num + 1  # the header is line 1
            if not any(v.strip() for v in values):
                continue
            report.lines_read += 1
            record = dict(zip(columns, (v.strip() for v in values), strict=False))
            row, reasons = _check(record, line)
            if row and row.number in seen:
                reasons.append(
                    f"numéro de formation {row.number} déjà présent ligne {seen[row.number]}"
                )
            if reasons:
                report.reject(line, " ; ".join(reasons))
                continue
            seen[row.number] = line
            yield row


def _number(record: dict, *names: str) -> tuple[Decimal | None, str | None]:
    """The first non-empty of ``names`` as a decimal (« 1 200,50 » accepted)."""
    for name in names:
        raw = record.get(name, "")
        if raw:
            cleaned = raw.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
            try:
                return Decimal(cleaned.replace(",", ".")), None
            except InvalidOperation:
                return None, raw
    return None, None


def _check(record: dict, line: int) -> tuple[_Row | None, list[str]]:
    reasons: list[str] = []
    number = record.get("numero_formation", "")
    if not number:
        reasons.append("numéro de formation manquant")
    elif len(number) > 60:
        reasons.append("numéro de formation trop long (60 caractères au plus)")
    siret = stdnum_siret.compact(record.get("siret", ""))
    if not siret:
        reasons.append("SIRET manquant")
    elif not stdnum_siret.is_valid(siret):
        reasons.append(f"SIRET invalide : {record['siret']}")
    organisme_name = record.get("nom_of", "")
    if not organisme_name:
        reasons.append("nom de l'organisme manquant")
    title = record.get("intitule_formation", "")
    if not title:
        reasons.append("intitulé de la formation manquant")

    raw_kind = record.get("type_referentiel", "")
    kind = _KINDS.get(raw_kind.lower())
    code = ""
    if not kind:
        reasons.append(f"type de référentiel inconnu : « {raw_kind} »")
    elif kind == "RNCP":
        code = _code("RNCP", record.get("code_rncp", ""))
        if not code:
            reasons.append("code RNCP manquant")
    elif kind == "RS":
        code = _code("RS", record.get("code_inventaire", "") or record.get("code_rs", ""))
        if not code:
            reasons.append("code de l'inventaire (RS) manquant")
    elif kind == "CQP":
        code = record.get("code_cqp", "") or f"CQP-{zlib.crc32(title.encode()) % 100_000:05d}"
    elif kind == "CLEA":
        code = "CLEA"

    hours, bad = _number(
        record, "nombre_heures_total_mean", "nombre_heures_total_min", "nombre_heures_total_max"
    )
    if bad is not None:
        reasons.append(f"nombre d'heures illisible : {bad}")
    elif hours is None:
        reasons.append("nombre d'heures manquant")
    elif hours < 0:
        reasons.append("nombre d'heures négatif")
    price, bad = _number(record, "frais_ttc_tot_mean", "frais_ttc_tot_min", "frais_ttc_tot_max")
    if bad is not None:
        reasons.append(f"frais illisibles : {bad}")
    elif price is None:
        reasons.append("frais de formation manquants")
    elif price < 0:
        reasons.append("frais négatifs")
    elif price >= Decimal("1e8"):
        reasons.append("frais hors limites")
    if reasons:
        return None, reasons

    departement = _insee_code(record.get("code_departement", ""))
    region = _insee_code(record.get("code_region", ""))
    postal_code = record.get("code_postal", "")
    modality = _modality(record, bool(departement or postal_code))
    return (
        _Row(
            line=line,
            number=number,
            siret=siret,
            organisme_name=organisme_name[:250],
            title=title[:300],
            strengths=record.get("points_forts", ""),
            kind=kind,
            code=code[:20],
            certification_title=(record.get("intitule_certification", "") or title)[:300],
            level=_level(record.get("libelle_niveau_sortie_formation", "")),
            formacodes=tuple(
                record[f"code_formacode_{n}"].split(".")[0].zfill(5)
                for n in range(1, 6)
                if is_ascii_digits(record.get(f"code_formacode_{n}", "").split(".")[0])
            ),
            hours=round(hours),
            price=price.quantize(Decimal("0.01")),
            modality=modality,
            address=record.get("adresse", "")[:250],
            commune_code=record.get("code_insee_commune", "") or record.get("code_commune", ""),
            city=(record.get("nom_commune", "") or record.get("ville", ""))[:100],
            postal_code=postal_code[:5],
            departement=departement,
            region=region,
        ),
        [],
    )


def _code(prefix: str, raw: str) -> str:
    """« 34567 », « RNCP34567 », « 34567.0 » → « RNCP34567 »."""
    digits = _DIGITS.search(raw.split(".")[0] if is_ascii_digits(raw.replace(".", "")) else raw)
    return f"{prefix}{int(digits.group())}" if digits else ""


def _insee_code(raw: str) -> str:
    """« 1 » or « 1.0 » → « 01 » (a spreadsheet dropped the zero); « 2A » kept."""
    raw = raw.split(".")[0].strip().upper()
    return raw.zfill(2) if is_ascii_digits(raw) and len(raw) < 2 else raw


def _level(label: str) -> str:
    match = _LEVEL.search(label)
    if not match:
        return Certification.Level.NONE
    value = match.group(1).lower()
    return _ROMAN_LEVELS.get(value, value)


def _modality(record: dict, has_place: bool) -> str:
    text = " ".join(
        record.get(name, "") for name in ("modalite", "modalites_enseignement", "type_formation")
    ).lower()
    if "mixte" in text or "hybride" in text:
        return Offer.Modality.BLENDED
    if "distance" in text or not has_place:
        return Offer.Modality.REMOTE
    return Offer.Modality.ON_SITE


def code_cpf_for(kind: str, code: str) -> int:
    """The code CPF given to a certification of the export (documented, deterministic)."""
    if kind in FIXED_CODES_CPF:
        return FIXED_CODES_CPF[kind]
    digits = _DIGITS.search(code)
    if kind in ("RNCP", "RS") and digits and int(digits.group()) < 100_000:
        return CODE_CPF_BASE[kind] + int(digits.group())
    return CODE_CPF_BASE["CQP"] + zlib.crc32(code.encode()) % 100_000


def _first_postal_code(commune: Commune | None) -> str:
    return commune.postal_codes.split()[0] if commune and commune.postal_codes else ""


# --- Writing ------------------------------------------------------------------------------


class _Writer:
    """Writes batches of accepted rows; referentials are read once."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.lni = EligibilityList.objects.get(kind=EligibilityList.Kind.LNI)
        self.departements = dict(Departement.objects.values_list("code", "region_id"))
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.certifications: dict[tuple[str, str], int] = {
            (kind, code): pk for pk, kind, code in Certification.objects.values_list(
                "pk", "kind", "code"
            )
        }  # fmt: skip
        self.listed = set(
            ListedCertification.objects.filter(eligibility_list=self.lni).values_list(
                "certification_id", flat=True
            )
        )
        self.valid_from = timezone.localdate()
        self._by_postal: dict[str, list[Commune]] | None = None

    def write(self, rows: list[_Row]) -> None:
        if not rows:
            return
        organismes = self._organismes(rows)
        certifications = self._certifications(rows)
        places = self._places(rows)
        existing = set(
            Offer.objects.filter(number__in=[r.number for r in rows]).values_list(
                "number", flat=True
            )
        )
        offers = []
        for row in rows:
            commune = places.get(row.line)
            departement = commune.departement_id if commune else row.departement
            departement = departement if departement in self.departements else None
            region = self.departements.get(departement) or (
                row.region if row.region in self.regions else None
            )
            offers.append(
                Offer(
                    number=row.number,
                    organisme_id=organismes[row.siret],
                    certification_id=certifications[row.kind, row.code],
                    title=row.title,
                    strengths=row.strengths,
                    duration_hours=row.hours,
                    price=row.price,
                    modality=row.modality,
                    address=row.address,
                    commune=commune,
                    city=commune.name if commune else row.city,
                    postal_code=row.postal_code or _first_postal_code(commune),
                    departement_id=departement,
                    region_id=region,
                    latitude=commune.latitude if commune else None,
                    longitude=commune.longitude if commune else None,
                )
            )
        Offer.objects.bulk_create(
            offers,
            update_conflicts=True,
            unique_fields=["number"],
            update_fields=UPDATED_FIELDS,
        )
        self.report.offers_updated += len(existing)
        self.report.offers_created += len(rows) - len(existing)

    def _organismes(self, rows: list[_Row]) -> dict[str, int]:
        names = {row.siret: row.organisme_name for row in rows}  # the last line wins
        before = Organisme.objects.filter(siret__in=names).count()
        Organisme.objects.bulk_create(
            [Organisme(siret=siret, name=name) for siret, name in names.items()],
            update_conflicts=True,
            unique_fields=["siret"],
            update_fields=["name"],
        )
        self.report.organismes_created += len(names) - before
        return dict(Organisme.objects.filter(siret__in=names).values_list("siret", "pk"))

    def _certifications(self, rows: list[_Row]) -> dict[tuple[str, str], int]:
        """Certifications met for the first time are created (and listed on the LNI);
        a known one keeps its title, level and formacodes (the export repeats them)."""
        new: dict[tuple[str, str], Certification] = {}
        for row in rows:
            key = (row.kind, row.code)
            if key not in self.certifications and key not in new:
                new[key] = Certification(
                    kind=row.kind,
                    code=row.code,
                    title=row.certification_title,
                    level=row.level,
                    formacodes=list(row.formacodes),
                )
        if new:
            for certification in Certification.objects.bulk_create(list(new.values())):
                self.certifications[certification.kind, certification.code] = certification.pk
            self.report.certifications_created += len(new)
        # VAE has no code: every accompaniment is the one « VAE » certification.
        listings = [
            ListedCertification(
                eligibility_list=self.lni,
                certification_id=self.certifications[key],
                code_cpf=code_cpf_for(*key),
                valid_from=self.valid_from,
            )
            for key in {(row.kind, row.code) for row in rows}
            if self.certifications[key] not in self.listed
        ]
        ListedCertification.objects.bulk_create(listings)
        self.listed.update(listing.certification_id for listing in listings)
        return self.certifications

    def _places(self, rows: list[_Row]) -> dict[int, Commune]:
        """The commune of each line that names one (INSEE code, or code postal narrowed
        by the name when several communes share it)."""
        codes = {row.commune_code for row in rows if row.commune_code}
        by_code = {c.code: c for c in Commune.objects.filter(code__in=codes)}
        by_postal = self._postal_index() if any(row.postal_code for row in rows) else {}
        places = {}
        for row in rows:
            if row.commune_code in by_code:
                places[row.line] = by_code[row.commune_code]
            elif row.postal_code in by_postal:
                candidates = by_postal[row.postal_code]  # most populated first
                named = [c for c in candidates if c.search_name == normalise_name(row.city)]
                if named or len(candidates) == 1:
                    places[row.line] = (named or candidates)[0]
        return places

    def _postal_index(self) -> dict[str, list[Commune]]:
        """Codes postaux → communes, read once per import when the file has them."""
        if self._by_postal is None:
            self._by_postal = {}
            for commune in Commune.objects.order_by("-population", "code"):
                for postal_code in commune.postal_codes.split():
                    self._by_postal.setdefault(postal_code, []).append(commune)
        return self._by_postal

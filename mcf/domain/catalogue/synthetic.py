"""A synthetic catalogue of any size, the same for the same seed (demo, tests, benchmarks).

``generate_catalogue(offers, seed)`` writes organismes (valid SIRET and NDA), certifications
of every kind with their listings (code CPF, validity, LNI / COPAREF / CPNE), offers placed
in real communes weighted by population, and their sessions. Shapes follow the real
catalogue (domain.md §4): ~15 000 organismes per 200 000 offers, about 113 h and 2 260 €
on average, ≈ 20 % à distance and ≈ 10 % mixte.

Speed: rows are made in Python and streamed in batches — ``COPY`` on PostgreSQL (psycopg 3),
multi-row ``INSERT`` on SQLite — with the ids allocated up front, so memory stays flat
whatever the size. Columns are always named: the tables may gain columns with defaults.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import json
import math
import random
import resource
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from stdnum import luhn
from tqdm import tqdm

from mcf.domain.catalogue.geography import (
    ensure_eligibility_lists,
    load_geography,
    normalise_name,
)
from mcf.domain.catalogue.models import (
    FIXED_CODES_CPF,
    Branch,
    Certification,
    Commune,
    EligibilityList,
    ListedCertification,
    Offer,
    Organisme,
    Session,
)
from mcf.domain.catalogue.search.indexing import rebuild_search_index
from mcf.domain.catalogue.synthetic_vocabulary import (
    CLEA,
    FAMILIES,
    ORGANISME_PATTERNS,
    ORGANISME_ROOTS,
    RNCP,
    STRENGTHS,
    VAE,
    Cert,
    Family,
)

MAX_OFFERS = 1_000_000
ORGANISMES_PER_OFFER = 15_000 / 200_000
MIN_ORGANISMES = 5
BATCH = 10_000  # offers made and written per round
TEXT_VARIANTS = 64  # objectives, contents and strengths drawn per family
# The real averages (domain.md §4) and the scales that bring the families' log-normal
# draws to them: E[median · e^(σ·N)] = median · e^(σ²/2).
MEAN_HOURS, MEAN_PRICE, RATE_SIGMA = 113, 2_260, 0.35
_WEIGHTS = sum(f.weight for f in FAMILIES)
HOURS_SCALE = MEAN_HOURS / (
    sum(f.weight * f.hours[0] * math.exp(f.hours[1] ** 2 / 2) for f in FAMILIES) / _WEIGHTS
)
PRICE_SCALE = MEAN_PRICE / (
    HOURS_SCALE
    * math.exp(RATE_SIGMA**2 / 2)
    * sum(f.weight * f.rate * f.hours[0] * math.exp(f.hours[1] ** 2 / 2) for f in FAMILIES)
    / _WEIGHTS
)
STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Pasteur",
    "rue du Général de Gaulle", "place de la Gare", "rue des Écoles", "avenue de la Libération",
    "rue Nationale", "allée des Tilleuls", "rue de l'Industrie", "zone d'activités des Landes",
)  # fmt: skip


class CatalogueNotEmpty(Exception):
    """The generator writes into an empty catalogue only, unless asked to replace it."""


@dataclass(frozen=True)
class GenerationStats:
    engine: str
    seed: int
    organismes: int
    certifications: int
    listings: int
    offers: int
    sessions: int
    seconds: float
    max_rss_mb: float
    timings: tuple[tuple[str, float], ...] = ()  # seconds per step

    @property
    def offers_per_second(self) -> float:
        return self.offers / self.seconds if self.seconds else 0.0

    def summary_lines(self) -> list[str]:
        return [
            f"Catalogue synthétique (graine {self.seed}, moteur {self.engine}) :",
            f"  {self.organismes} organismes, {self.certifications} certifications, "
            f"{self.listings} inscriptions sur les listes,",
            f"  {self.offers} offres, {self.sessions} sessions",
            f"  en {self.seconds:.1f} s ({self.offers_per_second:,.0f} offres/s), "
            f"mémoire maximale du processus {self.max_rss_mb:.0f} Mo",
            "  étapes : " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.timings),
        ]


# --- Writing ------------------------------------------------------------------------------


class _Writer:
    """Streams rows into tables, columns named; allocates primary keys up front."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._next_id: dict[type, int] = {}
        # (name, statement) remaking what begin() dropped; the name only on SQLite.
        self._deferred: list[tuple[str, str]] = []
        now = timezone.now()
        self.now = now if self.postgres else connection.ops.adapt_datetimefield_value(now)

    def begin(self) -> None:
        """PostgreSQL's recipe for populating tables (« Populating a Database »), applied
        to offers and sessions: their secondary indexes (and, on PostgreSQL, foreign keys)
        are dropped for the load and remade at the end — one sorted build and one
        set-based check instead of per-row maintenance. Definitions are read from the
        database's catalog, so what others added comes back as it was.

        The search engine's triggers: on PostgreSQL they stay on — the server computes
        each offer's vector while Python makes the next rows (two cores busy), where a
        set-based pass afterwards would run alone and rewrite every row. On SQLite (one
        process, and ``rebuild_search_index`` refills its FTS table from scratch anyway)
        they are dropped with the indexes."""
        with connection.cursor() as cursor:
            if self.postgres:
                self._begin_postgres(cursor)
            else:
                self._begin_sqlite(cursor)

    def _begin_postgres(self, cursor) -> None:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in (Offer, Session):
            table, quoted = model._meta.db_table, self._table(model)
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                name = connection.ops.quote_name(name)
                self._deferred.append(
                    ("", f"ALTER TABLE {quoted} ADD CONSTRAINT {name} {definition}")
                )
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {name}")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass) ORDER BY indexname",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                self._deferred.insert(0, ("", definition))
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def _begin_sqlite(self, cursor) -> None:
        # Named indexes and triggers (unique constraints' automatic indexes have no SQL
        # and stay); foreign keys cannot be dropped without remaking the table.
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL AND tbl_name IN (%s, %s) ORDER BY type, name",
            [Offer._meta.db_table, Session._meta.db_table],
        )
        for kind, name, sql in cursor.fetchall():
            self._deferred.append((name, sql))
            cursor.execute(f"DROP {kind.upper()} {connection.ops.quote_name(name)}")

    def end(self) -> None:
        """Remake what ``begin`` dropped (indexes first, then foreign keys or triggers),
        skipping what ``rebuild_search_index`` already put back."""
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            else:
                cursor.execute("SELECT name FROM sqlite_master")
                existing = {name for (name,) in cursor.fetchall()}
                self._deferred = [(n, sql) for n, sql in self._deferred if n not in existing]
            for _, statement in self._deferred:
                cursor.execute(statement)
            for model in (Offer, Session):
                cursor.execute(f"ANALYZE {self._table(model)}")
            if self.postgres:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self._deferred.clear()

    @staticmethod
    def _table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def ids(self, model, count: int) -> list[int]:
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [model._meta.db_table, count],
                )
                return [row[0] for row in cursor.fetchall()]
        if model not in self._next_id:
            self._next_id[model] = (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        first = self._next_id[model]
        self._next_id[model] = first + count
        return list(range(first, first + count))

    def write(self, model, fields: Sequence[str], rows: Iterable[tuple]) -> int:
        columns = [model._meta.get_field(name).column for name in fields]
        table = self._table(model)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        count = 0
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            # SQLite: the driver's own executemany (prepared once, no per-row Python work).
            placeholders = ", ".join(["?"] * len(columns))
            insert = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - our constants  # nosec B608
            rows = iter(rows)
            while chunk := list(itertools.islice(rows, BATCH)):
                cursor.cursor.executemany(insert, chunk)
                count += len(chunk)
        return count


def clear_catalogue() -> None:
    """Remove offers, sessions, listings, certifications and organismes (not the
    referentials nor the lists). Tables referencing offers keep the database's protection:
    the transaction fails rather than leave dangling rows."""
    models = (Session, Offer, ListedCertification, Certification, Organisme)
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our table names  # nosec B608


# --- Building blocks ----------------------------------------------------------------------


def siret_for(number: int) -> str:
    """A valid SIRET (Luhn keys of the SIREN and of the whole SIRET), one per number.

    The SIREN's 8 digits are a bijection of ``number`` (odd multiplier, coprime to 10⁸), so
    two organismes never share one; the NIC is the head office's 0001 with its key."""
    body = f"{(number * 48_271 + 12_345_678) % 100_000_000:08d}"
    siren = body + luhn.calc_check_digit(body)
    if siren == "356000000":  # La Poste's SIREN follows another rule
        siren = "356000018"
    nic = "0001"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def activity_declaration_number(region_code: str, departement_code: str, serial: int) -> str:
    """11 digits like the DREETS's: région (2), département (2), serial (5), département (2)."""
    dep = departement_code.replace("2A", "20").replace("2B", "20")[-2:]
    return f"{region_code[-2:]:0>2}{dep}{serial % 100_000:05d}{dep}"


def _slug(text: str) -> str:
    return normalise_name(text).replace(" ", "-")[:40]


@dataclass(frozen=True)
class _Place:
    code: str
    name: str
    postal_code: str
    departement: str
    region: str
    latitude: float
    longitude: float


class _Generator:
    def __init__(self, offers: int, seed: int, today: datetime.date, writer: _Writer):
        self.offers = offers
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, no secret  # nosec B311
        self.today = today
        self.writer = writer
        self.places: list[_Place] = []
        weights = []
        for row in Commune.objects.order_by("code").values_list(
            "code",
            "name",
            "postal_codes",
            "departement_id",
            "departement__region_id",
            "latitude",
            "longitude",
            "population",
        ):
            code, name, postal, dep, region, lat, lon, population = row
            self.places.append(
                _Place(code, name, (postal.split() or [""])[0], dep, region, lat, lon)
            )
            weights.append(max(population, 1))
        self.cumulative = list(itertools.accumulate(weights))
        lists = EligibilityList.objects.values_list("pk", "kind", "region_id", "branch__idcc")
        self.lni = next(pk for pk, kind, _, _ in lists if kind == EligibilityList.Kind.LNI)
        self.region_lists = sorted((region, pk) for pk, _, region, _ in lists if region)
        self.branch_lists = {idcc: pk for pk, _, _, idcc in lists if idcc}
        mean_remote = sum(f.remote * f.weight for f in FAMILIES) / sum(f.weight for f in FAMILIES)
        self.remote_scale = 0.30 / mean_remote  # ≈ 30 % not in person: 20 % distance, 10 % mixte
        self.texts = {family.key: self._texts(family) for family in FAMILIES}

    def _texts(self, family: Family) -> tuple[list[str], list[str], list[str]]:
        """Objectives, contents and strengths of a family, drawn once (variants picked per
        offer: sampling phrases for each offer was a third of the generation time)."""
        rng = self.rng
        objectives, contents, strengths = [], [], []
        for _ in range(TEXT_VARIANTS):
            objectives.append(
                " ".join(rng.sample(family.objectives, min(2, len(family.objectives))))
            )
            modules = rng.sample(family.modules, min(len(family.modules), rng.randint(3, 5)))
            contents.append(
                "\n".join(f"Module {n} : {module}" for n, module in enumerate(modules, start=1))
            )
            strengths.append(" ".join(rng.sample(STRENGTHS, rng.randint(2, 3))))
        return objectives, contents, strengths

    def place(self) -> _Place:
        """A commune drawn with a probability proportional to its population."""
        return self.places[
            bisect.bisect_right(self.cumulative, self.rng.random() * self.cumulative[-1])
        ]

    # Certifications and their listings ---------------------------------------------------

    def certifications(self) -> dict[str, list[tuple[int, Cert]]]:
        """Every certification of the vocabulary, plus blocs de compétences of the RNCP
        titles of level 5 and more; returns them by family with their ids."""
        rng = self.rng
        made: list[tuple[str, Cert, tuple[str, ...]]] = []
        for family in FAMILIES:
            codes = tuple(code for code, _ in family.formacodes)
            for cert in family.certifications:
                made.append((family.key, cert, codes))
                if cert.kind == RNCP and cert.level >= "5":
                    for number, module in enumerate(family.modules[:3], start=1):
                        bloc = Cert(
                            RNCP,
                            f"{cert.code}BC{number:02d}",
                            f"{module} (bloc de compétences n° {number} — {cert.title})",
                            cert.level,
                            f"{cert.short or cert.title}, bloc {number}",
                        )
                        made.append((family.key, bloc, codes))
        ids = self.writer.ids(Certification, len(made))
        self.writer.write(
            Certification,
            ["id", "kind", "code", "title", "level", "formacodes"],
            (
                (pk, cert.kind, cert.code, cert.title, cert.level, json.dumps(list(codes)))
                for pk, (_, cert, codes) in zip(ids, made, strict=True)
            ),
        )
        codes_cpf = rng.sample(range(230_000, 999_999), len(made))
        listings = []
        for pk, code_cpf, (family_key, cert, _) in zip(ids, codes_cpf, made, strict=True):
            family = next(f for f in FAMILIES if f.key == family_key)
            fixed = FIXED_CODES_CPF.get(cert.code or cert.kind)
            for list_id in self._lists_of(cert, family):
                valid_from, valid_until = self._validity()
                if fixed:  # the law's own two never leave the LNI (CléA's is the example)
                    valid_until = None
                listings.append((list_id, pk, fixed or code_cpf, valid_from, valid_until))
        self.listings = self.writer.write(
            ListedCertification,
            ["eligibility_list", "certification", "code_cpf", "valid_from", "valid_until"],
            listings,
        )
        by_family: dict[str, list[tuple[int, Cert]]] = {}
        for pk, (family_key, cert, _) in zip(ids, made, strict=True):
            by_family.setdefault(family_key, []).append((pk, cert))
        return by_family

    def _lists_of(self, cert: Cert, family: Family) -> list[int]:
        """CléA and VAE are national; others: the LNI for some, a few régions, the CPNE of
        some of the family's branches — always at least one list."""
        rng = self.rng
        if cert.kind in (CLEA, VAE):
            return [self.lni]
        lists = [self.lni] if rng.random() < 0.55 else []
        for _, pk in rng.sample(self.region_lists, rng.randint(0, 4)):
            lists.append(pk)
        for idcc in family.branches:
            if idcc in self.branch_lists and rng.random() < 0.5:
                lists.append(self.branch_lists[idcc])
        return lists or [self.region_lists[rng.randrange(len(self.region_lists))][1]]

    def _validity(self) -> tuple[str, str | None]:
        """Listed since 2015–2024; 4 % expired, 6 % ending in the coming months."""
        rng = self.rng
        start = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(3650))
        start = min(start, self.today - datetime.timedelta(days=400))
        draw, end = rng.random(), None
        if draw < 0.04:
            end = self.today - datetime.timedelta(days=rng.randint(1, 365))
        elif draw < 0.10:
            end = self.today + datetime.timedelta(days=rng.randint(30, 900))
        return start.isoformat(), end.isoformat() if end else None

    # Organismes --------------------------------------------------------------------------

    def organismes(self) -> list[tuple[int, str, str, _Place, tuple[Family, ...]]]:
        rng = self.rng
        count = max(MIN_ORGANISMES, round(self.offers * ORGANISMES_PER_OFFER))
        ids = self.writer.ids(Organisme, count)
        family_weights = list(itertools.accumulate(f.weight for f in FAMILIES))
        made, rows = [], []
        for serial, pk in enumerate(ids):
            home = self.place()
            families = tuple(
                dict.fromkeys(
                    rng.choices(FAMILIES, cum_weights=family_weights, k=rng.choice((1, 1, 2, 3)))
                )
            )
            pattern = rng.choice(ORGANISME_PATTERNS)
            name = pattern.format(root=rng.choice(ORGANISME_ROOTS), city=home.name)
            if "{root}" in pattern:
                name = f"{name} {home.name}" if rng.random() < 0.5 else name
            siret = siret_for(self.seed * 1_000_003 + serial)
            domain = f"{_slug(name)}.fr"
            made.append((pk, siret, name, home, families))
            rows.append(
                (
                    pk,
                    siret,
                    name,
                    activity_declaration_number(home.region, home.departement, serial),
                    f"contact@{domain}",
                    f"0{rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                    f"https://www.{domain}",
                )
            )
        self.writer.write(
            Organisme,
            ["id", "siret", "name", "activity_declaration_number", "email", "phone", "website"],
            rows,
        )
        return made

    # Offers and sessions ------------------------------------------------------------------

    def offer_rows(self, organismes, certifications):
        """Yields (offer row, its session rows) one offer at a time."""
        rng = self.rng
        today = self.today
        heads = len(organismes)
        offered = [0] * heads  # offers made so far by each organisme
        for index in range(self.offers):
            # Every organisme has at least one offer; the big ones have many (skewed draw).
            who = index if index < heads else int(heads * rng.random() ** 2.2)
            pk_org, siret, name, home, families = organismes[who]
            # An organisme goes round its families, and round a family's certifications
            # (from a place of its own): ``nth`` is then its nth offer of this certification,
            # known without a table per organisme and certification, and its titles turn
            # with it (``_title``).
            turn = offered[who]
            offered[who] += 1
            family = families[turn % len(families)]
            choices = certifications[family.key]
            turn //= len(families)
            cert_id, cert = choices[(turn + who) % len(choices)]
            nth = turn // len(choices) + who  # + who: two organismes start apart
            remote_draw = rng.random()
            share = min(0.95, family.remote * self.remote_scale)
            if remote_draw < share * 2 / 3:
                modality = Offer.Modality.REMOTE
            elif remote_draw < share:
                modality = Offer.Modality.BLENDED
            else:
                modality = Offer.Modality.ON_SITE
            place = home
            if modality != Offer.Modality.REMOTE and rng.random() < 0.3:
                place = self.place()
            median, sigma = cert.hours or family.hours
            hours = round(
                min(1_800, max(7, HOURS_SCALE * rng.lognormvariate(math.log(median), sigma)))
            )
            rate = PRICE_SCALE * family.rate * rng.lognormvariate(0, RATE_SIGMA)
            price = max(90, min(25_000, int(round(hours * rate, -1))))
            objective, content, strengths = self.texts[family.key]
            patterns = cert.titles or family.titles
            base = patterns[(nth // len(RHYTHMS)) % len(patterns)].format(
                cert=cert.short or cert.title, topic=cert.topic, topic_lower=cert.topic.lower()
            )
            title = _title(base, modality, place.name, name, nth)
            yield (
                (
                    siret + f"_AF{index + 1:07d}",
                    pk_org,
                    cert_id,
                    title,
                    objective[rng.randrange(TEXT_VARIANTS)],
                    content[rng.randrange(TEXT_VARIANTS)],
                    strengths[rng.randrange(TEXT_VARIANTS)],
                    hours,
                    f"{price}.00",
                    modality,
                    f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                    place.code,
                    place.name,
                    place.postal_code,
                    place.departement,
                    place.region,
                    place.latitude,
                    place.longitude,
                    self.writer.now,
                ),
                [
                    (start.isoformat(), (start + length).isoformat())
                    for start, length in self._sessions(hours, today)
                ],
            )

    def _sessions(self, hours: int, today: datetime.date):
        """1–4 sessions from four months ago to ten months ahead, as long as the hours
        need at 5 to 35 hours a week."""
        rng = self.rng
        weeks = hours / rng.choice((35, 35, 21, 14, 7, 5))
        length = datetime.timedelta(days=max(0, math.ceil(weeks * 7) - 3))
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            yield today + datetime.timedelta(days=rng.randint(-120, 300)), length


# What varies between the titles of offers of one certification (a page of « permis B »
# was five times the same title): where and how it is given, and by whom when à distance.
REMOTE_WAYS = (
    "à distance", "100 % en ligne", "en classe virtuelle", "à distance avec un tuteur",
    "en e-learning", "à distance à votre rythme",
)  # fmt: skip
RHYTHMS = (
    "", ", en journée", ", en soirée", ", intensif", ", le samedi", ", à temps partiel",
    ", en petit groupe", ", en cours particuliers", ", en entrées permanentes",
)  # fmt: skip


def _title(base: str, modality: str, city: str, organisme: str, nth: int) -> str:
    """The offer's title: its certification's pattern, then where (the commune, or « à
    distance » and the organisme) and a rhythm. The pattern, the rhythm and the way à
    distance turn with ``nth``, the organisme's nth offer of the certification (no draw),
    so that its offers of one certification in one place differ too (up to 54 of them).
    Two organismes of one commune may still give one title to one training, as happens
    in the real catalogue."""
    rhythm = RHYTHMS[nth % len(RHYTHMS)]
    if modality == Offer.Modality.REMOTE:
        way = REMOTE_WAYS[(nth // len(RHYTHMS)) % len(REMOTE_WAYS)]
        return f"{base} — {way}{rhythm}, {organisme}"[:300]
    if modality == Offer.Modality.BLENDED:
        return f"{base} — {city} et à distance{rhythm}"[:300]
    return f"{base} — {city}{rhythm}"[:300]


OFFER_FIELDS = [
    "id",
    "number",
    "organisme",
    "certification",
    "title",
    "objective",
    "content",
    "strengths",
    "duration_hours",
    "price",
    "modality",
    "address",
    "commune",
    "city",
    "postal_code",
    "departement",
    "region",
    "latitude",
    "longitude",
    "updated_at",
]


def generate_catalogue(
    offers: int,
    seed: int = 2026,
    progress: bool = False,
    *,
    replace: bool = False,
    today: datetime.date | None = None,
) -> GenerationStats:
    """Write a synthetic catalogue of ``offers`` offers into an empty catalogue (or, with
    ``replace``, instead of the current one). The same seed and day give the same rows
    (sessions are placed around ``today``). Loads the referentials if they are missing;
    rebuilds the search index once at the end, after the commit."""
    if not 0 <= offers <= MAX_OFFERS:
        raise ValueError(f"Le nombre d'offres doit être compris entre 0 et {MAX_OFFERS}.")
    started = time.perf_counter()
    timings: list[tuple[str, float]] = []

    def lap(step: str) -> None:
        timings.append((step, time.perf_counter() - started - sum(t for _, t in timings)))

    writer = _Writer()
    with transaction.atomic():
        if not Commune.objects.exists() or not Branch.objects.exists():
            load_geography()
        ensure_eligibility_lists()
        if Offer.objects.exists() or Certification.objects.exists():
            if not replace:
                raise CatalogueNotEmpty(
                    "Le catalogue contient déjà des offres ou des certifications : "
                    "relancez avec --remplacer pour le remplacer."
                )
            clear_catalogue()
        lap("référentiels")
        writer.begin()
        generator = _Generator(offers, seed, today or timezone.localdate(), writer)
        certifications = generator.certifications()
        organismes = generator.organismes()
        lap("certifications et organismes")
        sessions = 0
        rows = generator.offer_rows(organismes, certifications)
        with tqdm(total=offers, unit=" offres", disable=not progress) as bar:
            while batch := list(itertools.islice(rows, BATCH)):
                ids = writer.ids(Offer, len(batch))
                writer.write(
                    Offer,
                    OFFER_FIELDS,
                    ((pk, *row) for pk, (row, _) in zip(ids, batch, strict=True)),
                )
                sessions += writer.write(
                    Session,
                    ["offer", "start_date", "end_date"],
                    (
                        (pk, start, end)
                        for pk, (_, dates) in zip(ids, batch, strict=True)
                        for start, end in dates
                    ),
                )
                bar.update(len(batch))
        lap("offres et sessions")
        writer.end()
        lap("index et clés étrangères")
    lap("validation")
    # After the commit: inside, its statements would wait for locks (ANALYZE) while this
    # transaction holds the offers' exclusive ones — autovacuum made that a deadlock.
    rebuild_search_index()
    lap("index de recherche")
    return GenerationStats(
        engine=connection.vendor,
        seed=seed,
        organismes=len(organismes),
        certifications=sum(len(c) for c in certifications.values()),
        listings=generator.listings,
        offers=offers,
        sessions=sessions,
        seconds=time.perf_counter() - started,
        max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        timings=tuple(timings),
    )

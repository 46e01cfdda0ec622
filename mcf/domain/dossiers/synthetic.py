"""Synthetic dossiers de formation at any scale (benchmarks, load tests): the same for the
same seed.

``generate_dossiers(n)`` writes ``n`` dossiers over ``n // 2`` new holders and
``financeurs`` new OPCAs (50 by default; each with a gestionnaire, each covering branches of
the referential), in every state in the proportions of ``STATES``, with what each state
implies: the hours plan (``plan.propose``: DIF first, 150 h at most, within what the holder
has *at that moment*), the ledger's RESERVATION / RELEASE / DEBIT entries of the validated,
closed and cancelled-after-validation dossiers, the transition log, the dates.

Why not the action functions: they take ~10 ms and a dozen queries per act, so 100 000
dossiers through create → send → validate → close would take hours. The generator writes
the end state in bulk (``COPY`` on PostgreSQL, one transaction per batch of holders) while
keeping the ledger's invariants (domain.md §3.4), which ``ledger_breaks()`` checks from the
database: every counter's cached figures equal the sums of its entries, its reserved hours
the plans of its validated dossiers, its debits the hours its closed dossiers used. Holders
get no history (journal) and no mails: nobody reads them; their dossiers are what the
benches and the pages measure. The action functions are measured by ``bench/dossiers.py``
on top of this data.
"""

from __future__ import annotations

import datetime
import math
import random
import time
import uuid
from collections import Counter as Tally
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from mcf.domain.accounts.models import EmploymentStatus, User
from mcf.domain.catalogue.models import Branch, EligibilityList, ListedCertification
from mcf.domain.catalogue.synthetic import _Writer, siret_for
from mcf.domain.dossiers import plan
from mcf.domain.dossiers.models import (
    Dossier,
    DossierTransition,
    EmployerAnswer,
    State,
    WorkingTime,
)
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.hours.reservations import label as entry_label
from mcf.domain.identity.nir import Nir, with_key
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.organisations.models import Organisation, ProfessionalProfile

# Share of each state (a portal in its second year: most dossiers validated or closed).
STATES = {
    State.BROUILLON: 0.12,
    State.TRANSMIS: 0.14,
    State.COMPLEMENT: 0.04,
    State.VALIDE: 0.25,
    State.CLOS: 0.35,
    State.ANNULE: 0.10,
}
# How an annulé dossier got there: cancelled by its holder, refused, cancelled validated.
CANCELLATIONS = {"annuler_titulaire": 0.3, "refuser": 0.4, "annuler_financeur": 0.3}
HOLDERS_PER_BATCH = 5_000
FINANCEURS = 50
ORGANISMES = (
    "AFPA Formation",
    "Greta Métropole",
    "Langues & Co",
    "Institut Numérique",
    "CNAM Entreprises",
    "Centre de formation Vauban",
    "Compétences Plus",
    "Atelier des Métiers",
)
CITIES = (
    ("75011", "Paris"),
    ("69003", "Lyon"),
    ("13001", "Marseille"),
    ("31000", "Toulouse"),
    ("33000", "Bordeaux"),
    ("59000", "Lille"),
    ("44000", "Nantes"),
    ("67000", "Strasbourg"),
)


@dataclass
class Report:
    holders: int = 0
    financeurs: int = 0
    dossiers: int = 0
    entries: int = 0
    transitions: int = 0
    by_state: Tally = field(default_factory=Tally)
    seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        states = ", ".join(
            f"{State(state).label.lower()} {count}"
            for state, count in sorted(self.by_state.items())
        )
        return [
            f"{self.dossiers} dossiers pour {self.holders} titulaires et {self.financeurs} "
            f"financeurs en {self.seconds:.1f} s ({self.dossiers / max(self.seconds, 1e-9):.0f}"
            " dossiers/s)",
            f"états : {states}",
            f"{self.entries} mouvements d'heures, {self.transitions} transitions",
        ]


def _nir(index: int, rnd: random.Random) -> str:
    """A valid NIR, one per ``index`` (département, commune and order number from it)."""
    department = index // (990 * 999) % 94 + 1
    department += department >= 20  # Corsica is 2A / 2B: plain digits only
    body = (
        f"{rnd.choice('12')}{rnd.randint(50, 99):02d}{rnd.randint(1, 12):02d}"
        f"{department:02d}{index // 999 % 990 + 1:03d}{index % 999 + 1:03d}"
    )
    return with_key(body)


def _pick(rnd: random.Random, shares: dict):
    return rnd.choices(list(shares), weights=list(shares.values()))[0]


@dataclass(frozen=True)
class _Training:
    code_cpf: int
    title: str
    certification: str
    list_label: str


def _trainings() -> list[_Training]:
    """Codes CPF of the LNI (open to every holder) when a catalogue is there, else made-up
    ones (the dossiers of the benches need no catalogue, only a creation does)."""
    today = timezone.localdate()
    listings = (
        ListedCertification.objects.filter(eligibility_list__kind=EligibilityList.Kind.LNI)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("certification", "eligibility_list")
        .order_by("code_cpf")[:300]
    )
    found = [
        _Training(
            listing.code_cpf,
            listing.certification.title[:300],
            str(listing.certification)[:300],
            str(listing.eligibility_list)[:200],
        )
        for listing in listings
    ]
    return found or [
        _Training(
            900_000 + n,
            f"Formation synthétique {n}",
            f"Certification synthétique {n}",
            "Liste nationale interprofessionnelle (LNI)",
        )
        for n in range(50)
    ]


def _financeurs(count: int, rnd: random.Random) -> list[tuple[Organisation, User]]:
    """``count`` new OPCAs, each with an active gestionnaire, covering the branches of the
    referential in turn (synthetic branches when there are none)."""
    branches = list(Branch.objects.order_by("idcc"))
    if not branches:
        branches = [
            Branch.objects.get_or_create(
                idcc=f"S{n:03d}", defaults={"name": f"Branche synthétique {n}"}
            )[0]
            for n in range(count)
        ]
    start = Organisation.objects.count()
    taken = set(Organisation.objects.values_list("siret", flat=True))
    result = []
    number = 800_000 + start
    for n in range(count):
        while siret_for(number) in taken:
            number += 1
        siret = siret_for(number)
        taken.add(siret)
        organisation = Organisation.objects.create(
            name=f"OPCA synthétique {start + n + 1:03d}",
            kind=Organisation.Kind.OPCA,
            siret=siret,
        )
        organisation.branches.set(branches[n::count] or [branches[n % len(branches)]])
        tag = uuid.UUID(int=rnd.getrandbits(128), version=4).hex[:12]
        user = User(
            username=f"gestionnaire.synthetique.{tag}",
            kind=User.Kind.PROFESSIONNEL,
            first_name="Gestionnaire",
            last_name=f"Synthétique {start + n + 1}",
            email=f"gestionnaire.{tag}@opca-synthetique.example",
        )
        user.set_unusable_password()
        user.save()
        ProfessionalProfile.objects.create(
            user=user,
            organisation=organisation,
            role=ProfessionalProfile.Role.GESTIONNAIRE,
            must_change_password=False,
        )
        result.append((organisation, user))
    return result


def generate_dossiers(
    count: int,
    *,
    seed: int = 2026,
    financeurs: int = FINANCEURS,
    now: datetime.datetime | None = None,
) -> Report:
    """Write ``count`` dossiers over ``count // 2`` new holders and ``financeurs`` new
    OPCAs (see the module's docstring). Returns what was written."""
    if count < 1 or financeurs < 1:
        raise ValueError("Au moins un dossier et un financeur.")
    started = time.perf_counter()
    now = now or timezone.now()
    rnd = random.Random(seed)  # noqa: S311 - reproducible data, no secret  # nosec B311
    report = Report()
    trainings = _trainings()
    with transaction.atomic():
        funders = _financeurs(financeurs, rnd)
    report.financeurs = len(funders)
    funders = [
        (organisation, user, list(organisation.branches.values_list("pk", flat=True)))
        for organisation, user in funders
    ]
    # Financeurs' sizes are uneven: a few big OPCAs, many small ones (weights ∝ 1/rank).
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(funders))]
    holders = max(count // 2, 1)
    # Each dossier goes to one holder drawn at random (some get none, some several).
    per_holder = Tally(rnd.randrange(holders) for _ in range(count))
    first_index = User.objects.filter(kind=User.Kind.TITULAIRE).count() + 1_000_000
    taken = set(Counter.objects.values_list("nir_hash", flat=True))
    numbers = set(Dossier.objects.values_list("number", flat=True))
    writer = _Writer()
    for batch_start in range(0, holders, HOLDERS_PER_BATCH):
        batch = range(batch_start, min(batch_start + HOLDERS_PER_BATCH, holders))
        builder = _Batch(rnd, now, funders, weights, trainings, numbers)
        for index in batch:
            while True:
                nir = Nir.parse(_nir(first_index + index + builder.skip, rnd))
                digest = nir_lookup_hash(nir)
                if digest not in taken:
                    break
                builder.skip += 1
            taken.add(digest)
            builder.holder(nir, digest, per_holder.get(index, 0))
        with transaction.atomic():
            builder.write(writer, report)
        first_index += builder.skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (User, Counter, Entry, Dossier, DossierTransition):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    report.holders = holders
    report.seconds = time.perf_counter() - started
    return report


class _Table:
    """One table's rows given as dicts of attribute names (``holder_id``…), written in bulk
    by the catalogue generator's writer (``COPY`` on PostgreSQL, ``executemany`` on
    SQLite); what a row does not give takes the model's default, computed once. Values go
    to psycopg as they are (it adapts dates, decimals, UUIDs), through the field's own
    preparation for fields of ours (the encrypted NIR) and everything on SQLite."""

    def __init__(self, model, writer: _Writer):
        self.model, self.writer = model, writer
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.prepared = [
            not (writer.postgres and type(f).__module__.startswith("django.")) for f in self.fields
        ]

    def write(self, rows: list[dict], ids: list[int] | None = None) -> int:
        prep = [(f, f.attname, needs) for f, needs in zip(self.fields, self.prepared, strict=True)]

        def values(row):
            return tuple(
                f.get_db_prep_save(row.get(name, self.defaults[name]), connection)
                if needs
                else row.get(name, self.defaults[name])
                for f, name, needs in prep
            )

        names = [f.name for f in self.fields]
        if ids is None:
            return self.writer.write(self.model, names, (values(row) for row in rows))
        return self.writer.write(
            self.model,
            ["id", *names],
            ((pk, *values(row)) for pk, row in zip(ids, rows, strict=True)),
        )


def _number_display(number: str) -> str:
    return Dossier.number_display.fget(SimpleNamespace(number=number))


def _ledger_source(public_id: uuid.UUID) -> str:
    return Dossier.ledger_source.fget(SimpleNamespace(public_id=public_id))


class _Batch:
    """The rows of a batch of holders, written together (ids allocated up front)."""

    def __init__(self, rnd, now, funders, weights, trainings, numbers):
        self.rnd, self.now, self.funders, self.weights = rnd, now, funders, weights
        self.trainings, self.numbers = trainings, numbers
        self.skip = 0
        self.users: list[dict] = []
        self.counters: list[dict] = []
        # Per holder: the counter's entries, then its dossiers with their entries and path.
        self.entries: list[list[dict]] = []
        self.dossiers: list[list[tuple[dict, list[dict], list[dict]]]] = []

    def _number(self) -> str:
        while True:
            number = str(self.rnd.randrange(10**11, 10**12))
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rnd.getrandbits(128), version=4)

    def holder(self, nir: Nir, digest: str, dossiers: int) -> None:
        rnd, now = self.rnd, self.now
        funder = rnd.choices(self.funders, self.weights)[0]
        joined = now - datetime.timedelta(days=rnd.randint(400, 900))
        tag = self._uuid()
        self.users.append(
            {
                "public_id": tag,
                "username": f"titulaire-{tag.hex}",
                "kind": User.Kind.TITULAIRE,
                "nir_hash": digest,
                "nir": nir.value,
                "civility": rnd.choice(("madame", "monsieur")),
                "first_name": rnd.choice(("Camille", "Dominique", "Claude", "Sacha", "Alix")),
                "birth_name": f"SYNTHÉTIQUE{len(self.users)}",
                "email": f"{tag.hex[:16]}@titulaire-synthetique.example",
                # Unusable (« ! »): nobody logs in as a synthetic holder.
                "password": "!synthetique",  # unusable marker  # nosec B105
                "is_active": True,
                "activated_at": joined,
                "date_joined": joined,
                "employment_status": EmploymentStatus.SALARIE,
                "branch_id": rnd.choice(funder[2]),
            }
        )
        years = rnd.choices(range(6), weights=(5, 10, 20, 25, 25, 15))[0] if dossiers else 3
        # The DIF is entered before any dossier (domain.md §3.2), by most of the others.
        entered = dossiers or rnd.random() < 0.7
        dif = rnd.choice((0, 20, 40, 60, 80, 100, 120, 120)) if entered else None
        counter = {
            "nir_hash": digest,
            "created_at": joined,
            "cpf_balance": 24 * years,
            "cpf_reserved": 0,
            "dif_balance": dif,
            "dif_reserved": 0,
            "dif_locked_at": None,
            "last_fed_year": 2014 + years if years else None,
        }
        entries = [
            {
                "kind": Entry.Kind.FEED,
                "account": Entry.Account.CPF,
                "hours": 24,
                "year": year,
                "label": f"Alimentation {year}",
                "source": "synthetique",
                "created_at": _aware(datetime.datetime(year + 1, 3, 15)),
                "created_by": "Alimentation annuelle",
            }
            for year in range(2015, 2015 + years)
        ]
        if dif is not None:
            entries.append(
                {
                    "kind": Entry.Kind.DIF,
                    "account": Entry.Account.DIF,
                    "hours": dif,
                    "label": f"Solde DIF saisi : {dif} h",
                    "created_at": joined,
                    "created_by": "Titulaire",
                }
            )
        self.counters.append(counter)
        self.entries.append(entries)
        states = sorted(
            ((_pick(rnd, STATES), rnd.random()) for _ in range(dossiers)),
            key=lambda pair: -_age(pair[0], pair[1]),
        )
        self.dossiers.append(
            [self._dossier(counter, funder, state, roll) for state, roll in states]
        )

    def _dossier(self, counter: dict, funder, state: str, roll: float):
        """One dossier, its ledger entries, its transitions; moves ``counter``'s figures."""
        rnd, now = self.rnd, self.now
        organisation, gestionnaire, _ = funder
        training = rnd.choice(self.trainings)
        duration = max(7, min(1200, round(rnd.lognormvariate(math.log(80), 0.8))))
        created = now - datetime.timedelta(days=_age(state, roll), minutes=rnd.randint(0, 1440))
        path = _path(state, rnd)
        city = rnd.choice(CITIES)
        working_time = WorkingTime.SUR if rnd.random() < 0.3 else WorkingTime.HORS
        number, public_id = self._number(), self._uuid()
        dossier = {
            "public_id": public_id,
            "number": number,
            "state": state,
            "version": 2 + len(path),
            "code_cpf": training.code_cpf,
            "training_title": training.title,
            "certification_title": training.certification,
            "list_label": training.list_label,
            "organisme_siret": siret_for(rnd.randrange(15_000)),
            "organisme_name": rnd.choice(ORGANISMES),
            "organisme_postal_code": city[0],
            "organisme_city": city[1],
            "duration_hours": duration,
            "cost": Decimal(duration * rnd.randint(12, 35)),
            "employment_status": EmploymentStatus.SALARIE,
            "employer_siret": siret_for(50_000 + rnd.randrange(5_000)),
            "working_time": working_time,
            "financeur_id": organisation.pk,
            "confidential": rnd.random() < 0.1,
            "created_at": created,
            "consent_at": created if state == State.BROUILLON and rnd.random() < 0.3 else None,
        }
        if working_time == WorkingTime.SUR and path:
            requested = timezone.localdate(created)
            dossier["employer_requested_on"] = requested
            dossier["employer_answer"] = EmployerAnswer.ACCORD
            dossier["employer_answered_on"] = requested + datetime.timedelta(
                days=rnd.randint(3, 25)
            )
        source, display = _ledger_source(public_id), _number_display(number)

        def move(kind: str, dif: int, cpf: int, at) -> list[dict]:
            """The entries the ledger writes for one move (reservations.py: one per account)."""
            sign = 1 if kind == Entry.Kind.RESERVATION else -1
            return [
                {
                    "kind": kind,
                    "account": account,
                    "hours": sign * hours,
                    "label": entry_label(kind, display)[:255],
                    "source": source,
                    "created_at": at,
                    "created_by": organisation.name[:150],
                }
                for account, hours in ((Entry.Account.DIF, dif), (Entry.Account.CPF, cpf))
                if hours
            ]

        at, transitions, entries = created, [], []
        dif_available = (counter["dif_balance"] or 0) - counter["dif_reserved"]
        proposed = plan.propose(
            duration,
            dif_available=dif_available,
            cpf_available=counter["cpf_balance"] - counter["cpf_reserved"],
        )
        dossier["plan_dif"], dossier["plan_cpf"] = proposed.dif, proposed.cpf
        for name, origin, target in path:
            at = min(at + datetime.timedelta(days=rnd.randint(1, 15)), now)
            if name == "clore":  # after the training: it started soon after validation
                dossier["start_date"] = timezone.localdate(at)
                dossier["end_date"] = dossier["start_date"] + datetime.timedelta(days=duration // 7)
                end = datetime.datetime.combine(dossier["end_date"], datetime.time(17))
                at = min(_aware(end) + datetime.timedelta(days=rnd.randint(1, 20)), now)
            by_holder = name in ("transmettre", "annuler_titulaire")
            motif = ""
            if name == "transmettre":
                dossier["consent_at"] = at - datetime.timedelta(hours=1)
                dossier["sent_at"] = at
            elif name == "demander_complement":
                motif = dossier["complement_message"] = "Merci de joindre le devis signé."
            elif name == "valider":
                dossier["validated_at"] = at
                dossier["dif_attestation_checked"] = proposed.dif > 0
                entries += move(Entry.Kind.RESERVATION, proposed.dif, proposed.cpf, at)
                counter["dif_reserved"] += proposed.dif
                counter["cpf_reserved"] += proposed.cpf
                counter["dif_locked_at"] = counter["dif_locked_at"] or at
            elif name == "clore":
                reserved = proposed.dif + proposed.cpf
                done = reserved if rnd.random() < 0.8 else rnd.randint(0, reserved)
                used_dif, used_cpf = plan.split_done(done, dif=proposed.dif, cpf=proposed.cpf)
                dossier.update(hours_done=done, used_dif=used_dif, used_cpf=used_cpf, closed_at=at)
                entries += move(Entry.Kind.RELEASE, proposed.dif, proposed.cpf, at)
                entries += move(Entry.Kind.DEBIT, used_dif, used_cpf, at)
                counter["dif_reserved"] -= proposed.dif
                counter["cpf_reserved"] -= proposed.cpf
                counter["dif_balance"] -= used_dif
                counter["cpf_balance"] -= used_cpf
            else:  # annuler_titulaire, refuser, annuler_financeur
                motif = dossier["cancel_reason"] = (
                    "Formation reportée." if by_holder else "Le devis ne correspond pas."
                )
                if name == "annuler_financeur":
                    entries += move(Entry.Kind.RELEASE, proposed.dif, proposed.cpf, at)
                    counter["dif_reserved"] -= proposed.dif
                    counter["cpf_reserved"] -= proposed.cpf
                dossier["cancelled_at"] = at
            transitions.append(
                {
                    "name": name,
                    "source": origin,
                    "target": target,
                    "actor_id": None if by_holder else gestionnaire.pk,
                    "organisation_id": None if by_holder else organisation.pk,
                    "motif": motif,
                    "occurred_at": at,
                }
            )
        if "start_date" not in dossier:  # not begun: starts weeks after the last act
            dossier["start_date"] = timezone.localdate(at) + datetime.timedelta(
                days=rnd.randint(20, 120)
            )
            dossier["end_date"] = dossier["start_date"] + datetime.timedelta(days=duration // 7)
        dossier["updated_at"] = at
        return dossier, entries, transitions

    def write(self, writer: _Writer, report: Report) -> None:
        user_ids = writer.ids(User, len(self.users))
        counter_ids = writer.ids(Counter, len(self.counters))
        entries, dossiers, transitions = [], [], []
        for user_id, counter_id, counter, own, rows in zip(
            user_ids, counter_ids, self.counters, self.entries, self.dossiers, strict=True
        ):
            counter["holder_id"] = user_id
            for entry in own:
                entry["counter_id"] = counter_id
            entries += own
            for dossier, moves, path in rows:
                dossier["holder_id"] = user_id
                dossiers.append((dossier, path))
                report.by_state[dossier["state"]] += 1
                for entry in moves:
                    entry["counter_id"] = counter_id
                entries += moves
        dossier_ids = writer.ids(Dossier, len(dossiers))
        for dossier_id, (dossier, path) in zip(dossier_ids, dossiers, strict=True):
            for step in path:
                step["dossier_id"] = dossier_id
                step["actor_id"] = step["actor_id"] or dossier["holder_id"]
                transitions.append(step)
        _Table(User, writer).write(self.users, user_ids)
        _Table(Counter, writer).write(self.counters, counter_ids)
        report.entries += _Table(Entry, writer).write(entries)
        report.dossiers += _Table(Dossier, writer).write([d for d, _ in dossiers], dossier_ids)
        report.transitions += _Table(DossierTransition, writer).write(transitions)


# Days since creation, by state: drafts are recent, closed dossiers old.
_AGES = {
    State.BROUILLON: (0, 60),
    State.TRANSMIS: (3, 60),
    State.COMPLEMENT: (10, 90),
    State.VALIDE: (30, 240),
    State.CLOS: (200, 700),
    State.ANNULE: (20, 400),
}


def _age(state: str, roll: float) -> int:
    low, high = _AGES[state]
    return low + round(roll * (high - low))


def _path(state: str, rnd: random.Random) -> list[tuple[str, str, str]]:
    """The transitions (name, source, target) that led a dossier to ``state``."""
    S = State
    sent = [("transmettre", S.BROUILLON, S.TRANSMIS)]
    validated = [*sent, ("valider", S.TRANSMIS, S.VALIDE)]
    if state == S.BROUILLON:
        return []
    if state == S.TRANSMIS:
        return sent
    if state == S.COMPLEMENT:
        return [*sent, ("demander_complement", S.TRANSMIS, S.COMPLEMENT)]
    if state == S.VALIDE:
        return validated
    if state == S.CLOS:
        return [*validated, ("clore", S.VALIDE, S.CLOS)]
    how = _pick(rnd, CANCELLATIONS)
    if how == "annuler_titulaire":
        return [("annuler_titulaire", S.BROUILLON, S.ANNULE)]
    if how == "refuser":
        return [*sent, ("refuser", S.TRANSMIS, S.ANNULE)]
    return [*validated, ("annuler_financeur", S.VALIDE, S.ANNULE)]


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# ----- the ledger's invariants, checked from the database --------------------------------


def ledger_breaks(holder_ids=None) -> list[str]:
    """What breaks domain.md §3.4 for these holders (default: every holder with a
    dossier), in French, one line per counter and figure; [] when everything holds:

    - each cached figure = Σ of its entries (balance: feed, DIF, correction, debit;
      reserved: reservations and releases), 0 ≤ reserved ≤ balance, CPF ≤ 150 h;
    - reserved hours = Σ plans of the holder's validated dossiers (DIF and CPF);
    - Σ debits = Σ hours used by his closed dossiers, per account.
    Five grouped queries whatever the number of holders."""
    counters = Counter.objects.filter(holder__isnull=False)
    if holder_ids is not None:
        counters = counters.filter(holder_id__in=holder_ids)
    else:
        counters = counters.filter(holder_id__in=Dossier.objects.values("holder_id"))
    figures = {
        row["pk"]: row
        for row in counters.values(
            "pk", "holder_id", "cpf_balance", "cpf_reserved", "dif_balance", "dif_reserved"
        )
    }
    sums: dict[tuple[int, str], int] = Tally()
    for counter_id, account, kind, hours in (
        Entry.objects.filter(counter_id__in=counters.values("pk"))
        .values("counter_id", "account", "kind")
        .annotate(hours=Sum("hours"))
        .values_list("counter_id", "account", "kind", "hours")
    ):
        reserved = kind in (Entry.Kind.RESERVATION, Entry.Kind.RELEASE)
        sums[counter_id, f"{account}_{'reserved' if reserved else 'balance'}"] += hours
        if kind == Entry.Kind.DEBIT:
            sums[counter_id, f"{account}_debited"] -= hours
    by_holder = {row["holder_id"]: pk for pk, row in figures.items()}
    dossiers = Dossier.objects.filter(holder_id__in=counters.values("holder_id"))
    # What the dossiers hold: the plans of the validated ones, the hours the closed ones used.
    for state, figure, dif_field, cpf_field in (
        (State.VALIDE, "planned", "plan_dif", "plan_cpf"),
        (State.CLOS, "used", "used_dif", "used_cpf"),
    ):
        for holder_id, dif, cpf in (
            dossiers.filter(state=state)
            .values("holder_id")
            .annotate(dif=Sum(dif_field), cpf=Sum(cpf_field))
            .values_list("holder_id", "dif", "cpf")
        ):
            sums[by_holder[holder_id], f"dif_{figure}"] += dif
            sums[by_holder[holder_id], f"cpf_{figure}"] += cpf
    breaks = []
    for pk, row in figures.items():
        expected = {
            "cpf_balance": sums[pk, "cpf_balance"],
            "cpf_reserved": sums[pk, "cpf_reserved"],
            "dif_reserved": sums[pk, "dif_reserved"],
        }
        if row["dif_balance"] is not None:
            expected["dif_balance"] = sums[pk, "dif_balance"]
        for name, value in expected.items():
            if row[name] != value:
                breaks.append(f"compteur {pk} : {name} = {row[name]}, Σ mouvements = {value}")
        for account in ("dif", "cpf"):
            if sums[pk, f"{account}_reserved"] != sums[pk, f"{account}_planned"]:
                breaks.append(
                    f"compteur {pk} : {account} réservé {sums[pk, f'{account}_reserved']}, "
                    f"dossiers validés {sums[pk, f'{account}_planned']}"
                )
            if sums[pk, f"{account}_debited"] != sums[pk, f"{account}_used"]:
                breaks.append(
                    f"compteur {pk} : {account} débité {sums[pk, f'{account}_debited']}, "
                    f"dossiers clos {sums[pk, f'{account}_used']}"
                )
        if not 0 <= row["cpf_reserved"] <= row["cpf_balance"] <= 150:
            breaks.append(f"compteur {pk} : CPF hors bornes")
        if row["dif_balance"] is not None and not 0 <= row["dif_reserved"] <= row["dif_balance"]:
            breaks.append(f"compteur {pk} : DIF réservé au-delà du solde")
    return breaks

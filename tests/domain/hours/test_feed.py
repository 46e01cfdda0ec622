"""The yearly feed (domain.md §3.1): import_declarations and `manage.py import_declarations`.

Runs on SQLite (portable engine) and on PostgreSQL (set-based engine, and the portable one
for comparison). After every load the ledger invariants are checked for every counter.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from stdnum import luhn

from mcf.domain.hours import accrual
from mcf.domain.hours.feed import HEADER_LINE, FeedFormatError, import_declarations
from mcf.domain.hours.ledger import enter_dif
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.hours.reservations import Hours, reserve, settle
from mcf.domain.identity.nir import with_key
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.journal.models import Action, JournalEntry
from tests.domain.hours.invariants import assert_ledger_matches
from tests.factories import NIR_A, NIR_B, registered_holder

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)  # years 2015–2025 are over
NOW = datetime.fromisoformat("2026-03-02T09:00:00+01:00")
ENGINES = ["portable"] + (["postgresql"] if connection.vendor == "postgresql" else [])


def siret_with_key(siren8: str, nic4: str) -> str:
    """A valid SIRET: Luhn key on the SIREN, then on the whole 14 digits."""
    siren = siren8 + luhn.calc_check_digit(siren8)
    first13 = siren + nic4
    return first13 + luhn.calc_check_digit(first13)


SIRET_1 = "73282932000074"
SIRET_2 = siret_with_key("55210055", "0001")
SIRET_3 = siret_with_key("12345678", "0042")
NIR_C = with_key("1750675123456")
NIR_D = with_key("2880813055321")
NIR_E = with_key("1920133012345")


def line(year, nir, worked, reference="", absences="0", siret=SIRET_1, name="DUPONT;Jean"):
    return f"{year};{siret};{nir};{name};{worked};{reference};{absences}"


def write_file(folder: Path, lines: list[str], name: str = "declarations.csv") -> Path:
    path = folder / name
    path.write_text(HEADER_LINE + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(path_or_file, engine: str, **kwargs):
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("now", NOW)
    report = import_declarations(path_or_file, engine=engine, **kwargs)
    assert_invariants()
    return report


def assert_invariants() -> None:
    """REL-03 for every counter: cached balances = Σ entries, 0 ≤ reserved ≤ CPF ≤ 150
    (tests/domain/hours/invariants.py), one ALIMENTATION per year."""
    assert_ledger_matches()
    years = defaultdict(int)
    for counter_id, year in Entry.objects.filter(kind=Entry.Kind.FEED).values_list(
        "counter", "year"
    ):
        years[counter_id, year] += 1
    assert all(count == 1 for count in years.values())


def expected_balances(lines: list[tuple[str, int, str, str, str]], start=None) -> dict[str, int]:
    """Oracle: per NIR, years ascending, credit = yearly_credit(balance, year_fraction)."""
    start = start or {}
    by_person: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for nir, year, worked, reference, absences in lines:
        by_person[nir][year].append(
            accrual.Declaration(
                Fraction(worked.replace(",", ".")),
                Fraction(reference.replace(",", ".")) if reference else None,
                Fraction(absences.replace(",", ".")),
            )
        )
    balances = {}
    for nir, years in by_person.items():
        balance = start.get(nir, 0)
        for year in sorted(years):
            balance += accrual.yearly_credit(balance, accrual.year_fraction(years[year]))
        balances[nir] = balance
    return balances


def balance_of(nir: str) -> int:
    return Counter.objects.get(nir_hash=nir_lookup_hash(nir)).cpf_balance


def entries_of(nir: str) -> list[tuple[str, int, int]]:
    return list(
        Entry.objects.filter(counter__nir_hash=nir_lookup_hash(nir))
        .order_by("id")
        .values_list("kind", "year", "hours")
    )


# --- Credits ------------------------------------------------------------------------------

MIXED = [
    (NIR_A, 2015, "1607", "", "0"),  # full year from 0: 24
    (NIR_A, 2016, "1607", "1607", "0"),
    (NIR_A, 2017, "2000", "1607", "0"),  # overtime capped at one year
    (NIR_B, 2015, "803,5", "", "0"),  # half of 1 607 h: 12
    (NIR_B, 2016, "803.5", "", "803,5"),  # assimilated absences add up: 24
    (NIR_C, 2015, "1000", "1607", "0"),  # two employers summing over 1: capped
    (NIR_C, 2015, "1000", "", "0"),
    (NIR_C, 2016, "910", "1820", "0"),  # conventional reference: 1/2
    (NIR_D, 2016, "100", "", "0"),  # 24 × 100/1607 = 1.49… rounded up: 2
    (NIR_D, 2015, "0", "", "0"),  # no activity: 0 h, the year is still loaded
]


def mixed_lines():
    sirets = [SIRET_1, SIRET_2, SIRET_3]
    return [
        line(year, nir, worked, reference, absences, siret=sirets[i % 3])
        for i, (nir, year, worked, reference, absences) in enumerate(MIXED)
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_credits_follow_accrual_year_after_year(tmp_path, engine):
    report = load(write_file(tmp_path, mixed_lines()), engine)

    expected = expected_balances(MIXED)
    assert {nir: balance_of(nir) for nir in expected} == expected
    assert expected == {NIR_A: 72, NIR_B: 36, NIR_C: 36, NIR_D: 2}
    assert entries_of(NIR_A) == [("alimentation", year, 24) for year in (2015, 2016, 2017)]
    assert entries_of(NIR_D) == [("alimentation", 2015, 0), ("alimentation", 2016, 2)]
    assert (report.lines_read, report.lines_rejected) == (10, 0)
    assert report.persons_credited == 4
    assert report.hours_credited == 146
    assert report.years_loaded == 9
    assert report.counters_created == 4
    assert report.already_loaded == report.corrections == 0
    counter = Counter.objects.get(nir_hash=nir_lookup_hash(NIR_A))
    assert counter.last_fed_year == 2017
    assert counter.holder is None


@pytest.mark.parametrize("engine", ENGINES)
def test_crossing_120_hours_and_the_ceiling(tmp_path, engine):
    load(write_file(tmp_path, [line(year, NIR_A, "1607") for year in range(2015, 2024)]), engine)
    # 5 × 24 = 120, then 12 h a year, then capped at 150 and no more feeding.
    assert [hours for _, _, hours in entries_of(NIR_A)] == [24, 24, 24, 24, 24, 12, 12, 6, 0]
    assert balance_of(NIR_A) == 150


@pytest.mark.parametrize("engine", ENGINES)
def test_crossing_120_inside_a_year_from_an_existing_balance(tmp_path, engine):
    # 110 h after 4 years and a part year (4 × 24 + 14), then a full year: 10 h use 10/24
    # of it, the remaining 14/24 give 7 h: +17 (domain.md §3.1 example).
    first = [line(year, NIR_A, "1607") for year in range(2015, 2019)]
    first.append(line(2019, NIR_A, "937,41"))  # 24 × 937.41/1607 = 13.9998… → 14
    load(write_file(tmp_path, first, "a.csv"), engine)
    assert balance_of(NIR_A) == 110
    report = load(write_file(tmp_path, [line(2020, NIR_A, "1607")], "b.csv"), engine)
    assert entries_of(NIR_A)[-1] == ("alimentation", 2020, 17)
    assert balance_of(NIR_A) == 127
    assert report.hours_credited == 17


# --- Idempotency and corrections ------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_loading_the_same_file_twice_credits_once(tmp_path, engine):
    path = write_file(tmp_path, mixed_lines())
    load(path, engine)
    before = list(Entry.objects.order_by("id").values_list("counter", "kind", "year", "hours"))
    balances = dict(Counter.objects.values_list("nir_hash", "cpf_balance"))

    again = load(path, engine)

    assert list(Entry.objects.order_by("id").values_list("counter", "kind", "year", "hours")) == (
        before
    )
    assert dict(Counter.objects.values_list("nir_hash", "cpf_balance")) == balances
    assert again.already_loaded == 9
    assert again.years_loaded == again.hours_credited == again.persons_credited == 0
    assert again.counters_created == 0
    assert "Déjà chargées : 9 années-personnes" in again.summary_lines()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_file_with_years_already_loaded_loads_only_the_new_ones(tmp_path, engine):
    load(write_file(tmp_path, [line(2015, NIR_A, "1607")], "2015.csv"), engine)
    report = load(
        write_file(tmp_path, [line(2015, NIR_A, "1607"), line(2016, NIR_A, "803,5")], "b.csv"),
        engine,
    )
    assert entries_of(NIR_A) == [("alimentation", 2015, 24), ("alimentation", 2016, 12)]
    assert (report.already_loaded, report.years_loaded) == (1, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_corrective_file_adds_a_correction_entry_never_an_edit(tmp_path, engine):
    holder = registered_holder(NIR_A)
    load(write_file(tmp_path, [line(2015, NIR_A, "803,5"), line(2016, NIR_A, "1607")]), engine)
    assert entries_of(NIR_A) == [("alimentation", 2015, 12), ("alimentation", 2016, 24)]
    original = list(Entry.objects.order_by("id").values_list("id", "hours", "source"))

    # The employer's corrected declaration for 2015: a full year.
    fixed = write_file(tmp_path, [line(2015, NIR_A, "1607")], "correctif-2015.csv")
    report = load(fixed, engine)

    # yearly_credit(0, 1) − 12 = +12; 2016 is not recomputed.
    assert entries_of(NIR_A)[-1] == ("correction", 2015, 12)
    assert balance_of(NIR_A) == 48
    assert list(Entry.objects.order_by("id").values_list("id", "hours", "source"))[:2] == original
    correction = Entry.objects.get(kind=Entry.Kind.CORRECTION)
    assert correction.label == "Correction de l'alimentation au titre de l'activité 2015"
    assert correction.source.startswith("fraction=1;avant=0;fichier=correctif-2015.csv")
    assert (report.corrections, report.correction_hours, report.already_loaded) == (1, 12, 0)
    assert "Corrections : 1 (+12 h)" in report.summary_lines()
    assert JournalEntry.objects.filter(
        holder=holder, action=Action.HOURS_FED, details="Correction de +12 h au titre de 2015."
    ).exists()

    # The same corrective file again: already loaded. Back to part time: −12.
    assert load(fixed, engine).already_loaded == 1
    load(write_file(tmp_path, [line(2015, NIR_A, "803.50")], "retour.csv"), engine)
    assert entries_of(NIR_A)[-1] == ("correction", 2015, -12)
    assert balance_of(NIR_A) == 36


@pytest.mark.parametrize("engine", ENGINES)
def test_a_correction_never_breaks_the_ceiling(tmp_path, engine):
    # 2015 part time (12 h), then full years up to the ceiling.
    lines = [line(2015, NIR_A, "803.5")] + [line(y, NIR_A, "1607") for y in range(2016, 2025)]
    load(write_file(tmp_path, lines), engine)
    assert balance_of(NIR_A) == 150
    report = load(write_file(tmp_path, [line(2015, NIR_A, "1607")], "fix.csv"), engine)
    # +12 wanted, the counter is full: a 0 h correction records the new declarations.
    assert entries_of(NIR_A)[-1] == ("correction", 2015, 0)
    assert balance_of(NIR_A) == 150
    assert report.corrections_capped == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_downward_correction_keeps_reserved_hours(tmp_path, engine):
    holder = registered_holder(NIR_A)
    load(write_file(tmp_path, [line(2015, NIR_A, "1607")]), engine)
    enter_dif(holder, 0)
    with transaction.atomic():  # 20 h reserved for a dossier
        reserve(holder.counter.pk, Hours(cpf=20), source="dossier:1", by="OPCA")
    load(write_file(tmp_path, [line(2015, NIR_A, "0")], "fix.csv"), engine)
    assert entries_of(NIR_A)[-1] == ("correction", 2015, -4)
    assert balance_of(NIR_A) == 20


@pytest.mark.parametrize("engine", ENGINES)
def test_reserved_hours_count_toward_the_ceiling_until_debited(tmp_path, engine):
    """A counter at 150 h with 30 h reserved for a dossier gets nothing (the ceiling is on
    the balance, reserved hours included); once the dossier is closed with 10 h used, the
    counter is fed again, up to 150 h."""
    holder = registered_holder(NIR_A)
    load(write_file(tmp_path, [line(y, NIR_A, "1607") for y in range(2015, 2023)]), engine)
    assert balance_of(NIR_A) == 150
    enter_dif(holder, 0)
    counter = Counter.objects.get(holder=holder)
    source, reserved = f"dossier:{counter.pk}", Hours(cpf=30)
    with transaction.atomic():
        reserve(counter.pk, reserved, source=source, by="OPCA")
    report = load(write_file(tmp_path, [line(2023, NIR_A, "1607")], "2023.csv"), engine)
    assert (balance_of(NIR_A), report.hours_credited) == (150, 0)
    with transaction.atomic():
        settle(counter.pk, reserved=reserved, used=Hours(cpf=10), source=source, by="OPCA")
    assert balance_of(NIR_A) == 140
    report = load(write_file(tmp_path, [line(2024, NIR_A, "1607")], "2024.csv"), engine)
    assert (balance_of(NIR_A), report.hours_credited) == (150, 10)
    assert entries_of(NIR_A)[-1] == ("alimentation", 2024, 10)


# --- Counters and holders -------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_counters_are_created_then_attached_at_registration(tmp_path, engine):
    load(write_file(tmp_path, [line(2015, NIR_E, "1607")]), engine)
    counter = Counter.objects.get(nir_hash=nir_lookup_hash(NIR_E))
    assert counter.holder is None and counter.cpf_balance == 24

    holder = registered_holder(NIR_E, email="e@example.org")

    counter.refresh_from_db()
    assert counter.holder == holder
    assert counter.cpf_balance == 24
    assert Counter.objects.count() == 1
    load(write_file(tmp_path, [line(2016, NIR_E, "1607")], "2016.csv"), engine)
    assert JournalEntry.objects.filter(
        holder=holder, action=Action.HOURS_FED, details="24 h au titre de 2016."
    ).exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_each_credit_appears_in_the_holders_history(tmp_path, engine):
    holder = registered_holder(NIR_A)
    load(write_file(tmp_path, mixed_lines()), engine)
    fed = JournalEntry.objects.filter(holder=holder, action=Action.HOURS_FED).order_by("id")
    assert [(e.details, e.actor, e.occurred_at) for e in fed] == [
        (f"24 h au titre de {year}.", "Le service", NOW) for year in (2015, 2016, 2017)
    ]
    # Nobody else has an account: no other history line.
    assert JournalEntry.objects.filter(action=Action.HOURS_FED).count() == 3
    entry = Entry.objects.filter(counter__holder=holder).order_by("id").first()
    assert entry.label == "Alimentation au titre de l'activité 2015"
    assert entry.created_by == "Caisse des Dépôts"
    assert entry.created_at == NOW
    assert entry.source == "fraction=1;avant=0;fichier=declarations.csv"


@pytest.mark.parametrize("engine", ENGINES)
def test_dif_entries_are_not_touched(tmp_path, engine):
    from mcf.domain.hours.ledger import enter_dif

    holder = registered_holder(NIR_A)
    enter_dif(holder, 80)
    load(write_file(tmp_path, [line(2015, NIR_A, "1607")]), engine)
    counter = Counter.objects.get(holder=holder)
    assert (counter.cpf_balance, counter.dif_balance) == (24, 80)


# --- Rejected lines, the report and the header ----------------------------------------------

BAD_LINES = [
    line(2015, NIR_A, "1607"),  # 2: fine
    line(2015, NIR_A[:-2] + "00", "1607"),  # 3: wrong key
    line(2015, "18505780060", "1607"),  # 4: too short
    line(2015, with_key("7850578006084"), "1607"),  # 5: temporary number
    line(2015, NIR_B, "1607", siret="73282932000075"),  # 6: SIRET key
    line(2015, NIR_B, "-10"),  # 7: negative
    line(2015, NIR_B, "beaucoup"),  # 8: not a number
    line(2014, NIR_B, "1607"),  # 9: before the CPF
    line(2026, NIR_B, "1607"),  # 10: not over yet
    "2015;" + SIRET_1 + ";" + NIR_B + ";DUPONT;1607;;0",  # 11: 7 columns
    line(2016, NIR_B, "1607", absences="-1", siret="123"),  # 12: two problems
    "",  # blank line: ignored, not counted
    line(" 2016", " 2 90 10 2a 123 123 54 ", " 1 607,0 ", siret="732 829 320 00074"),  # 14
    line(2017, NIR_B, "1607", name='"DUPONT; dite Martin";"Jeanne"'),  # 15: quoted ';'
]


@pytest.mark.parametrize("engine", ENGINES)
def test_bad_lines_are_reported_with_their_number_and_a_french_reason(tmp_path, engine):
    path = write_file(tmp_path, BAD_LINES)
    report = load(path, engine)

    assert report.report_path == tmp_path / "declarations.csv.rapport.csv"
    with report.report_path.open(encoding="utf-8", newline="") as report_file:
        rows = list(csv.reader(report_file, delimiter=";"))
    assert rows[0] == ["ligne", "motif"]
    reasons = dict(rows[1:])
    assert list(reasons) == ["3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
    assert reasons["3"] == "NIR invalide : la clé ne correspond pas au numéro"
    assert reasons["4"].startswith("NIR invalide : 15 caractères attendus")
    assert reasons["5"].startswith("NIR provisoire")
    assert reasons["6"] == "SIRET invalide : la clé de contrôle ne correspond pas"
    assert reasons["7"] == "heures travaillées négatives : « -10 »"
    assert reasons["8"] == "heures travaillées non numériques : « beaucoup »"
    assert reasons["9"].startswith("année inconnue : 2014 (années acceptées : 2015 à 2025")
    assert reasons["10"].startswith("année inconnue : 2026")
    assert reasons["11"] == "7 colonnes au lieu de 8 (séparateur « ; »)"
    assert reasons["12"] == (
        "SIRET invalide : 14 chiffres attendus ; heures d'absences assimilées négatives : « -1 »"
    )
    assert report.rejections[0] == (3, "NIR invalide : la clé ne correspond pas au numéro")
    assert (report.lines_read, report.lines_rejected, report.lines_accepted) == (13, 10, 3)
    # The good lines are loaded: NIR_A 2015, NIR_B 2016 (typed loosely) and 2017.
    assert balance_of(NIR_A) == 24
    assert entries_of(NIR_B) == [("alimentation", 2016, 24), ("alimentation", 2017, 24)]
    assert "Lignes rejetées : 10 (détail : " in report.summary_lines()[2]
    # No NIR in clear in the report (PRIV-02).
    text = report.report_path.read_text(encoding="utf-8")
    assert NIR_A[:-2] not in text and NIR_B not in text


@pytest.mark.parametrize(
    "first_line",
    ["", "annee,siret,nir,nom,prenom,heures_travaillees,heures_reference,heures_absences"],
)
def test_a_wrong_header_is_refused_before_anything_is_written(tmp_path, first_line):
    path = tmp_path / "faux.csv"
    path.write_text(first_line + "\n" + line(2015, NIR_A, "1607") + "\n", encoding="utf-8")
    with pytest.raises(FeedFormatError) as error:
        import_declarations(path, today=TODAY)
    assert "En-tête inattendu" in error.value.message
    assert not Counter.objects.exists()
    assert not (tmp_path / "faux.csv.rapport.csv").exists()
    with pytest.raises(CommandError, match="annee;siret;nir;nom;prenom"):
        call_command("import_declarations", str(path), "--no-progress")


def test_a_bom_and_crlf_line_ends_are_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        ("\ufeff" + HEADER_LINE + "\r\n" + line(2015, NIR_A, "1607") + "\r\n").encode()
    )
    report = load(path, "portable")
    assert (report.lines_read, report.lines_rejected, balance_of(NIR_A)) == (1, 0, 24)


def test_undecodable_bytes_reject_their_line_only(tmp_path):
    path = tmp_path / "latin1.csv"
    bad = line(2015, NIR_B, "1607").replace(NIR_B, NIR_B[:5] + "\xe9" + NIR_B[6:])
    path.write_bytes(
        (HEADER_LINE + "\n").encode()
        + bad.encode("latin-1")
        + b"\n"
        + (line(2015, NIR_A, "1607", name="CAF\xc9;Zo\xe9") + "\n").encode("latin-1")
    )
    report = load(path, "portable")
    assert report.lines_rejected == 1
    assert report.rejections[0][0] == 2
    assert balance_of(NIR_A) == 24


# --- The command and the function for the back-office page --------------------------------


def test_the_command_prints_a_french_summary(tmp_path, time_machine):
    time_machine.move_to(NOW)
    path = write_file(tmp_path, [*mixed_lines(), line(2014, NIR_E, "1607")])
    out = io.StringIO()
    call_command("import_declarations", str(path), "--no-progress", stdout=out)
    text = out.getvalue()
    for expected in [
        "Fichier : declarations.csv",
        "Lignes lues : 11",
        f"Lignes rejetées : 1 (détail : {path}.rapport.csv)",
        "Personnes créditées : 4",
        "Heures créditées : 146 h (9 années-personnes chargées)",
        "Déjà chargées : 0 années-personnes",
        "Corrections : 0 (+0 h)",
        "Compteurs créés : 4",
        "Durée : ",
    ]:
        assert expected in text
    assert_invariants()
    out = io.StringIO()
    call_command("import_declarations", str(path), "--no-progress", stdout=out)
    assert "Déjà chargées : 9 années-personnes" in out.getvalue()
    assert "Personnes créditées : 0" in out.getvalue()
    assert Entry.objects.count() == 9


def test_the_command_shows_progress_on_a_terminal(tmp_path, capsys, monkeypatch):
    from mcf.domain.hours.management.commands import import_declarations as command

    calls = []

    class FakeBar:
        def __init__(self, **kwargs):
            calls.append(("bar", kwargs["desc"], kwargs["total"]))
            self.n = 0

        def update(self, n):
            self.n += n

        def close(self):
            calls.append(("close", self.n))

    monkeypatch.setattr(command, "tqdm", FakeBar)
    path = write_file(tmp_path, mixed_lines())
    call_command("import_declarations", str(path), stdout=io.StringIO())
    assert ("bar", "Lecture et contrôle", path.stat().st_size) in calls
    assert ("bar", "Calcul et écriture", 4) in calls
    assert ("close", 4) in calls


@pytest.mark.parametrize("engine", ENGINES)
def test_an_uploaded_file_is_accepted_and_left_open(tmp_path, engine):
    content = (HEADER_LINE + "\n" + "\n".join(mixed_lines()) + "\n").encode()
    upload = SimpleUploadedFile("declarations-2016.csv", content, content_type="text/csv")
    phases = []
    report = load(
        upload,
        engine,
        report_path=tmp_path / "rapport.csv",
        progress=lambda phase, done, total: phases.append((phase, done, total)),
    )
    assert report.file_name == "declarations-2016.csv"
    assert report.report_path == tmp_path / "rapport.csv"
    assert report.years_loaded == 9
    assert not upload.closed
    assert phases[-1] == ("application", 4, 4)
    assert {phase for phase, _, _ in phases} == {"lecture", "application"}


def test_a_text_stream_without_a_path_gets_a_temporary_report():
    stream = io.StringIO(HEADER_LINE + "\n" + line(2013, NIR_A, "1607") + "\n")
    report = load(stream, "portable")
    try:
        assert report.report_path.name.endswith(".rapport.csv")
        assert "année inconnue : 2013" in report.report_path.read_text(encoding="utf-8")
    finally:
        report.report_path.unlink()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_file_of_rejected_lines_only_writes_nothing_but_the_report(tmp_path, engine):
    report = load(
        write_file(tmp_path, [line(2014, NIR_A, "1607"), line(2015, NIR_B, "-1")]), engine
    )
    assert (report.lines_read, report.lines_rejected, report.years_loaded) == (2, 2, 0)
    assert not Counter.objects.exists()
    assert [number for number, _ in report.rejections] == [2, 3]


def test_a_missing_file_or_an_unwritable_report_is_a_clear_error(tmp_path):
    with pytest.raises(FeedFormatError, match="Impossible d'ouvrir le fichier"):
        import_declarations(tmp_path / "absent.csv", today=TODAY)
    path = write_file(tmp_path, [line(2015, NIR_A, "1607")])
    with pytest.raises(FeedFormatError, match="Impossible d'écrire le rapport"):
        import_declarations(path, report_path=tmp_path / "absent" / "r.csv", today=TODAY)
    assert not Counter.objects.exists()

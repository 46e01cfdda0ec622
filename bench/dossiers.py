"""Dossiers de formation on PostgreSQL at scale: the acts and the financeur's work list.

    DATABASE_URL= scripts/with-postgres uv run python bench/dossiers.py [--dossiers 100000]

In its own database (``mcf_bench_dossiers``, created, migrated and dropped on the server of
DATABASE_URL): the demo's catalogue slice (2 000 offers, for the codes CPF), then
``generate_dossiers(N)`` (N/2 holders, 50 OPCAs), then:

- server time p50 / p95 of create, update, send, validate and close through the action
  functions (``--acts`` fresh dossiers, each of another holder of the biggest financeur);
- the financeur's work list (``queries.work_list`` and its page of 20, with its count):
  first page, a filtered page (state + sent date, page 3), a start-date filter, a search by
  dossier number — for the biggest financeur and a middle one (target: p95 ≤ 50 ms);
- 8 validators in parallel on one holder's 64 sent dossiers (lock contention): throughput,
  refusals for lack of hours, ledger invariants after;
- query counts of each act and page, for a small and a big financeur / holder: they must
  not grow with the data.

Prints figures; asserts nothing but the ledger's invariants (``ledger_breaks``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _stats import percentiles, round_trip_ms, timed  # noqa: E402

BENCH_DB = "mcf_bench_dossiers"
REFUSAL = (
    "bench/dossiers.py mesure PostgreSQL : lancez DATABASE_URL= scripts/with-postgres "
    "uv run python bench/dossiers.py (ou DATABASE_URL=postgres://… uv run python "
    "bench/dossiers.py)."
)
PAGE_SIZE = 20
VALIDATORS = 8
CONTENDED_DOSSIERS = 64


def _percentiles(samples: list[float]) -> tuple[float, float]:
    p50, p95, _ = percentiles(samples)
    return p50, p95


def _line(label: str, samples: list[float], queries, cpu_samples: list[float]) -> None:
    p50, p95 = _percentiles(samples)
    cpu = statistics.median(cpu_samples)
    extra = f"  requêtes {queries}"
    print(
        f"  {label:<42} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  CPU Python p50 {cpu:6.2f} ms"
        f"  (n={len(samples)}){extra}"
    )


_timed = timed


def run(size: int, acts: int, repeat: int, explain: bool) -> None:
    import _setup  # noqa: F401 - Django on DATABASE_URL (the bench database)
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from mcf.domain.catalogue.synthetic import generate_catalogue
    from mcf.domain.dossiers import actions, plan, queries
    from mcf.domain.dossiers.models import Dossier, State, WorkingTime
    from mcf.domain.dossiers.synthetic import _trainings, generate_dossiers, ledger_breaks
    from mcf.domain.dossiers.workflow import Refused
    from mcf.domain.hours.models import Counter
    from mcf.domain.organisations.models import Organisation
    from tests.concurrency import run_together

    started = time.perf_counter()
    generate_catalogue(2_000, seed=2026)
    print(f"catalogue (référentiels + 2 000 offres) : {time.perf_counter() - started:.0f} s")
    report = generate_dossiers(size)
    for line in report.summary_lines():
        print(line)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('dossiers_dossier'))")
        print(f"table des dossiers et ses index : {cursor.fetchone()[0]}")
    started = time.perf_counter()
    breaks = ledger_breaks()
    print(
        f"invariants du compte d'heures sur tous les titulaires : {len(breaks)} écart(s) "
        f"({time.perf_counter() - started:.1f} s)"
    )

    sizes = list(
        Organisation.objects.filter(name__startswith="OPCA synthétique")
        .annotate(n=Count("dossiers"))
        .order_by("-n")
        .values_list("pk", "n")
    )
    big, big_n = sizes[0]
    middle, middle_n = sizes[len(sizes) // 2]
    small, small_n = sizes[-1]
    print(
        f"financeurs : le plus gros {big_n} dossiers, le médian {middle_n}, le plus petit "
        f"{small_n} ; charge {os.getloadavg()[0]:.1f}"
    )

    # ----- the financeur's work list --------------------------------------------------
    def page(organisation_id, filters, number=1):
        paginator = Paginator(queries.work_list(organisation_id, filters), PAGE_SIZE)
        rows = paginator.get_page(number)
        return [(d.number, d.holder.display_name, d.state) for d in rows.object_list], rows

    today = timezone.localdate()

    def cases(organisation_id):
        number = (
            Dossier.objects.filter(financeur_id=organisation_id, state=State.VALIDE)
            .order_by("pk")
            .values_list("number", flat=True)[0]
        )
        return {
            "première page": (queries.WorkListFilters(), 1),
            "filtrée (transmis, 90 j, page 3)": (
                queries.WorkListFilters(
                    states=(State.TRANSMIS, State.VALIDE),
                    sent_from=today - datetime.timedelta(days=90),
                ),
                3,
            ),
            "début de formation, tri par début": (
                queries.WorkListFilters(
                    start_from=today, start_to=today + datetime.timedelta(days=60),
                    order="start_date",
                ),
                1,
            ),
            "recherche par numéro": (queries.WorkListFilters(search=number), 1),
        }  # fmt: skip

    print(f"aller-retour SELECT 1 : médiane {round_trip_ms():.2f} ms")
    if explain:
        for label, (filters, number) in cases(big).items():
            paginator = Paginator(queries.work_list(big, filters), PAGE_SIZE)
            rows = paginator.get_page(number).object_list
            sql, params = rows.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan_lines = [line for (line,) in cursor.fetchall()]
            print(f"\nEXPLAIN ANALYZE, gros financeur, {label} :")
            print("\n".join("    " + line for line in plan_lines))
    print(f"\nliste « Dossiers à instruire » (page de {PAGE_SIZE} + son total), {repeat} fois :")
    all_samples = []
    counts = {}
    for name, organisation_id in (("gros", big), ("médian", middle), ("petit", small)):
        for label, (filters, number) in cases(organisation_id).items():
            page(organisation_id, filters, number)  # warm-up
            samples, cpu, query_count = [], [], 0
            for _ in range(repeat):
                _, elapsed, query_count, spent = _timed(
                    lambda o=organisation_id, f=filters, n=number: page(o, f, n)
                )
                samples.append(elapsed)
                cpu.append(spent)
            counts[name, label] = query_count
            if name != "petit":
                all_samples += samples
                _line(f"{name} : {label}", samples, query_count, cpu)
    p50, p95 = _percentiles(all_samples)
    print(f"  toutes les listes (gros et médian)        p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
    flat = all(counts["petit", label] == counts["gros", label] for label in cases(small))
    print(
        "  requêtes par page, petit / gros financeur : "
        + ", ".join(
            f"{label} {counts['petit', label]}/{counts['gros', label]}" for label in cases(small)
        )
        + (" — constantes" if flat else " — ÉCART")
    )

    # ----- the acts, through the action functions -------------------------------------
    training = _trainings()[0]
    gestionnaire = Organisation.objects.get(pk=big).members.get().user
    from django.db.models import F

    counters = (
        Counter.objects.filter(holder__branch__in=Organisation.objects.get(pk=big).branches.all())
        .filter(dif_balance__isnull=False, holder__dossiers__financeur_id=big)
        .annotate(
            available=F("dif_balance") - F("dif_reserved") + F("cpf_balance") - F("cpf_reserved")
        )
        .distinct()
        .order_by("-available", "pk")
        .select_related("holder")[: acts + 1]
    )
    holders = [counter.holder for counter in counters]
    # The richest holder gets the contended dossiers: 64 × 7 h is more than he has.
    contended, holders = holders[0], holders[1:]
    timings: dict[str, list[float]] = {
        name: [] for name in ("créer", "compléter", "transmettre", "valider", "clore")
    }
    query_counts: dict[str, set[int]] = {name: set() for name in timings}
    start = today + datetime.timedelta(days=90)
    organisation = Organisation.objects.get(pk=big)

    def complete(dossier, hours: int):
        """The holder fills in his dossier (hors temps de travail) and gives his consent."""
        return actions.update_dossier(
            dossier.pk,
            by=dossier.holder,
            version=dossier.version,
            values={
                "organisme_siret": "73282932000074",
                "organisme_name": "Organisme du banc",
                "start_date": start,
                "end_date": start + datetime.timedelta(days=max(1, hours // 7)),
                "duration_hours": hours,
                "cost": Decimal(hours * 30),
                "working_time": WorkingTime.HORS,
                "financeur": organisation,
            },
            consent=True,
        )

    cpu_times: dict[str, list[float]] = {name: [] for name in timings}

    def record(name, fn):
        result, elapsed, count, spent = _timed(fn)
        timings[name].append(elapsed)
        cpu_times[name].append(spent)
        query_counts[name].add(count)
        return result

    for holder in holders:
        dossier = record(
            "créer", lambda h=holder: actions.create_dossier_for_code(h, training.code_cpf)
        )
        dossier = record("compléter", lambda d=dossier: complete(d, 35))
        dossier = record(
            "transmettre",
            lambda d=dossier, h=holder: actions.send_dossier(d.pk, by=h, version=d.version),
        )
        dossier = record(
            "valider",
            lambda d=dossier: actions.validate_dossier(
                d.pk,
                by=gestionnaire,
                version=d.version,
                dif=d.plan_dif,
                cpf=d.plan_cpf,
                dif_attestation_checked=True,
            ),
        )
        record(
            "clore",
            lambda d=dossier: actions.close_dossier(
                d.pk, by=gestionnaire, version=d.version, hours_done=d.plan_dif + d.plan_cpf
            ),
        )
    print(f"\nactes par les fonctions d'action ({len(holders)} dossiers, un par titulaire) :")
    for name, samples in timings.items():
        counted = "/".join(str(c) for c in sorted(query_counts[name]))
        _line(name, samples, counted, cpu_times[name])

    # ----- the holder's list ------------------------------------------------------------
    def holder_list(holder):
        counts = queries.holder_counts(holder)
        return counts, list(queries.of_holder(holder).select_related("financeur")[:PAGE_SIZE])

    most = (
        Dossier.objects.values("holder_id").annotate(n=Count("pk")).order_by("-n", "holder_id")[0]
    )
    one = Dossier.objects.values("holder_id").annotate(n=Count("pk")).filter(n=1)[0]
    from mcf.domain.accounts.models import User

    print("\nliste du titulaire (compteurs de la synthèse + 20 derniers dossiers) :")
    for label, row in (("1 dossier", one), (f"{most['n']} dossiers", most)):
        holder = User.objects.get(pk=row["holder_id"])
        samples, cpu, count = [], [], 0
        for _ in range(repeat):
            _, elapsed, count, spent = _timed(lambda h=holder: holder_list(h))
            samples.append(elapsed)
            cpu.append(spent)
        _line(label, samples, count, cpu)

    # ----- 8 validators on one holder's dossiers --------------------------------------
    contended_counter = Counter.objects.get(holder=contended)
    sent = []
    for _ in range(CONTENDED_DOSSIERS):
        dossier = complete(actions.create_dossier_for_code(contended, training.code_cpf), 7)
        sent.append(actions.send_dossier(dossier.pk, by=contended, version=dossier.version).pk)
    contended_counter.refresh_from_db()
    available = (contended_counter.dif_available or 0) + contended_counter.cpf_available
    reserved_before = contended_counter.dif_reserved + contended_counter.cpf_reserved
    outcome = {"validés": 0, "refusés (heures)": 0}
    lock = threading.Lock()

    def validator(share):
        def job():
            for pk in share:
                dossier = Dossier.objects.get(pk=pk)
                counter = Counter.objects.get(holder_id=dossier.holder_id)
                proposed = plan.propose(
                    dossier.duration_hours,
                    dif_available=counter.dif_available or 0,
                    cpf_available=counter.cpf_available,
                )
                try:
                    actions.validate_dossier(
                        pk,
                        by=gestionnaire,
                        version=dossier.version,
                        dif=proposed.dif,
                        cpf=proposed.cpf,
                        dif_attestation_checked=True,
                    )
                    key = "validés"
                except Refused:
                    key = "refusés (heures)"
                with lock:
                    outcome[key] += 1

        return job

    shares = [sent[i::VALIDATORS] for i in range(VALIDATORS)]
    started = time.perf_counter()
    run_together([validator(share) for share in shares])
    elapsed = time.perf_counter() - started
    contended_counter.refresh_from_db()
    breaks = ledger_breaks([contended.pk])
    reserved_after = contended_counter.dif_reserved + contended_counter.cpf_reserved
    print(
        f"\n{VALIDATORS} validateurs en parallèle sur {CONTENDED_DOSSIERS} dossiers de 7 h d'un "
        f"même titulaire ({available} h disponibles) : {elapsed:.2f} s, "
        f"{CONTENDED_DOSSIERS / elapsed:.0f} validations tentées/s ; {outcome} ; réservées "
        f"par elles : {reserved_after - reserved_before}"
        f" h ; invariants : {len(breaks)} écart(s)"
    )
    print(f"charge {os.getloadavg()[0]:.1f} à la fin")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000, help="dossiers (100 000)")
    parser.add_argument("--acts", type=int, default=100, help="dossiers créés → clos (100)")
    parser.add_argument("--repeat", type=int, default=30, help="mesures par liste (30)")
    parser.add_argument("--explain", action="store_true", help="plans des listes (EXPLAIN)")
    parser.add_argument("--keep", action="store_true", help="garder la base du banc")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if "_setup" not in sys.modules else [])
    sys.path.insert(0, str(HERE))
    if args.child:
        run(args.dossiers, args.acts, args.repeat, args.explain)
        return
    from _database import machine_line, on_postgres, run_in_own_database

    if not on_postgres(REFUSAL):
        return

    run_in_own_database(
        BENCH_DB,
        __file__,
        [
            "--dossiers",
            str(args.dossiers),
            "--acts",
            str(args.acts),
            "--repeat",
            str(args.repeat),
            *(["--explain"] if args.explain else []),
        ],
        describe=lambda version: machine_line(version, f"{args.dossiers:,} dossiers"),
        keep=args.keep,
    )


if __name__ == "__main__":
    main()

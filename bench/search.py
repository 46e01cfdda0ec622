"""« Rechercher une formation » on PostgreSQL: the engine next to the ILIKE scan.

    DATABASE_URL= scripts/with-postgres uv run python bench/search.py [--size 1000000]

Builds the synthetic catalogue (``generate_catalogue(size, seed=2026)``) in its own
database (``mcf_bench_search``, created, migrated and dropped on the server of
DATABASE_URL), then replays a fixed set of realistic searches (keywords, keywords + région,
code CPF, keywords + distance around a commune, filters, holders' situations; facets are
always computed) through ``search()``: server time of the whole answer (total, page,
facets), p50 / p95 / max of one pass, and of each search's median over ``--repeat``
passes (3: the machine is shared, and a single pass carries its neighbours' bursts). The
same searches through ``naive_search`` (the ILIKE baseline) in the same run give the ratio
(``--naive N`` replays only the first N of them, 0 for none: at 1 000 000 offers the scan
takes seconds per search). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _stats import percentiles  # noqa: E402

BENCH_DB = "mcf_bench_search"
REFUSAL = (
    "bench/search.py mesure le moteur PostgreSQL : lancez DATABASE_URL= scripts/with-postgres "
    "uv run python bench/search.py (ou DATABASE_URL=postgres://… uv run python bench/search.py)."
)
# What visitors type: plain keywords, plurals, no accents, partial words, one typo.
KEYWORDS = [
    "anglais", "anglais professionnel", "toeic", "excel", "bureautique", "word", "tosa",
    "caces", "caces r489", "cariste", "soudure", "soudeur", "comptabilité", "comptabilite",
    "compta", "gestion de paie", "paie", "aide soignant", "aide-soignante", "auxiliaire de vie",
    "développeur web", "developpeur", "python", "javascript", "cybersécurité", "management",
    "manager", "gestion de projet", "cléa", "vae", "accompagnement vae", "permis",
    "permis c", "espagnol", "allemand", "français langue étrangère", "sst", "secouriste",
    "habilitation électrique", "électricien", "maçon", "cuisine", "hygiène alimentaire",
    "haccp", "coiffure", "esthétique", "marketing digital", "réseaux sociaux",
    "création d'entreprise", "formations", "formation langue", "logistique", "transport",
    "angalis", "comptabilitee", "bureatique", "develloppeur", "soudur", "manageemnt",
]  # fmt: skip


def queries(count: int, seed: int = 2026) -> list:
    """The fixed set of searches (same seed, same catalogue: same searches)."""
    from mcf.domain.accounts.models import EmploymentStatus
    from mcf.domain.catalogue.eligibility import Situation
    from mcf.domain.catalogue.models import Branch, Commune, ListedCertification, Region
    from mcf.domain.catalogue.search import SearchCriteria, Sort

    rnd = random.Random(seed)
    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    communes = list(
        Commune.objects.exclude(latitude=None)
        .order_by("-population", "code")
        .values_list("code", flat=True)[:300]
    )
    branches = list(Branch.objects.order_by("idcc").values_list("id", flat=True))
    codes = list(
        ListedCertification.objects.order_by("code_cpf")
        .values_list("code_cpf", flat=True)
        .distinct()
    )

    def situation():
        if rnd.random() < 0.5:
            return Situation(
                EmploymentStatus.SALARIE, rnd.choice(regions), rnd.choice(branches or [None])
            )
        return Situation(EmploymentStatus.DEMANDEUR_EMPLOI, rnd.choice(regions))

    result = []
    kinds = ["keywords", "keywords+region", "code", "keywords+distance", "filters", "situation"]
    for index in range(count):
        kind = kinds[index % len(kinds)]
        text = rnd.choice(KEYWORDS)
        page = 1 if rnd.random() < 0.8 else rnd.randint(2, 5)
        if kind == "keywords":
            criteria = SearchCriteria(text=text, page=page)
        elif kind == "keywords+region":
            criteria = SearchCriteria(text=text, region_code=rnd.choice(regions), page=page)
        elif kind == "code":
            criteria = SearchCriteria(text=str(rnd.choice(codes)))
        elif kind == "keywords+distance":
            criteria = SearchCriteria(
                text=text,
                commune_code=rnd.choice(communes),
                radius_km=rnd.choice([10, 20, 30, 50, 100]),
                sort=rnd.choice([Sort.RELEVANCE, Sort.DISTANCE]),
                page=page,
            )
        elif kind == "filters":
            criteria = SearchCriteria(
                text=text if rnd.random() < 0.5 else "",
                departement_code=None,
                region_code=rnd.choice(regions),
                modalities=rnd.choice([(), ("distance",), ("presentiel", "mixte")]),
                price_max=rnd.choice([None, 1000, 2500]),
                duration_max=rnd.choice([None, 35, 150]),
                sort=rnd.choice([Sort.RELEVANCE, Sort.PRICE, Sort.DURATION]),
            )
        else:
            criteria = SearchCriteria(
                text=text if rnd.random() < 0.8 else "", situation=situation(), page=page
            )
        result.append((kind, criteria))
    return result


_percentiles = percentiles


def replay(function, searches) -> tuple[list[float], list[int]]:
    times, totals = [], []
    for _, criteria in searches:
        started = time.perf_counter()
        results = function(criteria)
        times.append((time.perf_counter() - started) * 1000)
        totals.append(results.total)
    return times, totals


def run(size: int, count: int, naive_count: int, reuse: bool, repeat: int = 1) -> None:
    """In the bench database: build, rebuild, replay."""
    import _setup  # noqa: F401 - Django on DATABASE_URL (the bench database)
    from django.db import connection

    from mcf.domain.catalogue.models import Offer
    from mcf.domain.catalogue.search import naive_search, search
    from mcf.domain.catalogue.search.indexing import rebuild_search_index
    from mcf.domain.catalogue.synthetic import generate_catalogue

    started = time.perf_counter()
    if not reuse:
        generate_catalogue(size, seed=2026)
    built = time.perf_counter() - started
    started = time.perf_counter()
    rebuild_search_index()
    rebuilt = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('catalogue_offer')), "
            "pg_size_pretty(pg_relation_size('catalogue_offersearch')), "
            "pg_size_pretty(pg_relation_size('catalogue_offersearch_text'))"
        )
        offers_size, dense_size, text_size = cursor.fetchone()
    print(
        f"{Offer.objects.count():,} offres générées en {built:.0f} s (index de recherche "
        f"compris) ; rebuild_search_index() seul : {rebuilt:.1f} s ; offres {offers_size}, "
        f"table dense {dense_size}, index GIN des textes {text_size}".replace(",", "\u202f")
    )
    searches = queries(count)
    replay(search, searches[:50])  # warm-up: caches of the server and of Python
    with connection.cursor() as cursor:
        trivial = []
        for _ in range(200):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            trivial.append((time.perf_counter() - started) * 1000)
    print(
        f"aller-retour SELECT 1 : médiane {statistics.median(trivial):.2f} ms ; charge "
        f"{os.getloadavg()[0]:.1f}"
    )
    times, totals = replay(search, searches)
    p50, p95, worst = _percentiles(times)
    print(
        f"search() : {len(searches)} recherches, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"max {worst:.1f} ms ; résultats par recherche : médiane {statistics.median(totals):.0f}, "
        f"max {max(totals)}"
    )
    if repeat > 1:
        # The machine is shared: one pass puts a neighbour's burst on whichever search ran
        # then. Each search's median over `repeat` passes (the first one included) is its
        # server time without that noise; both figures are printed.
        passes = [times] + [replay(search, searches)[0] for _ in range(repeat - 1)]
        medians = [statistics.median(samples) for samples in zip(*passes, strict=True)]
        m50, m95, mworst = _percentiles(medians)
        print(
            f"search(), médiane de {repeat} passages par recherche : p50 {m50:.1f} ms, "
            f"p95 {m95:.1f} ms, max {mworst:.1f} ms ; p95 de chaque passage : "
            + ", ".join(f"{_percentiles(one)[1]:.1f}" for one in passes)
            + " ms"
        )
    by_kind: dict[str, list[float]] = {}
    for (kind, _), elapsed in zip(searches, times, strict=True):
        by_kind.setdefault(kind, []).append(elapsed)
    for kind, samples in by_kind.items():
        k50, k95, kmax = _percentiles(samples)
        print(f"  {kind:<18} p50 {k50:6.1f} ms  p95 {k95:6.1f} ms  max {kmax:6.1f} ms")
    if naive_count:
        subset = searches[:naive_count]
        naive_times, _ = replay(naive_search, subset)
        n50, n95, nmax = _percentiles(naive_times)
        e50, e95, _ = _percentiles(times[:naive_count])
        print(
            f"naive_search (ILIKE) sur les {len(subset)} premières : p50 {n50:.0f} ms, "
            f"p95 {n95:.0f} ms, max {nmax:.0f} ms ; search() sur les mêmes : p50 {e50:.1f} ms, "
            f"p95 {e95:.1f} ms ; rapport p50 {n50 / e50:.0f}×, p95 {n95 / e95:.0f}×"
        )
    print(f"charge {os.getloadavg()[0]:.1f} à la fin")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=300_000, help="offres (300 000)")
    parser.add_argument("--queries", type=int, default=240, help="recherches rejouées (240)")
    parser.add_argument("--naive", type=int, default=None, help="recherches ILIKE (toutes)")
    parser.add_argument("--repeat", type=int, default=3, help="passages par recherche, médiane (3)")
    parser.add_argument("--keep", action="store_true", help="garder la base du banc")
    parser.add_argument("--reuse", action="store_true", help="reprendre la base gardée")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if "_setup" not in sys.modules else [])
    sys.path.insert(0, str(HERE))
    naive = args.queries if args.naive is None else args.naive
    if args.child:
        run(args.size, args.queries, naive, args.reuse, args.repeat)
        return
    from _database import machine_line, on_postgres, run_in_own_database

    if not on_postgres(REFUSAL):
        return

    run_in_own_database(
        BENCH_DB,
        __file__,
        [
            "--size",
            str(args.size),
            "--queries",
            str(args.queries),
            "--naive",
            str(naive),
            "--repeat",
            str(args.repeat),
            *(["--reuse"] if args.reuse else []),
        ],
        describe=lambda version: machine_line(version, f"{args.size:,} offres, graine 2026"),
        fresh=not args.reuse,
        keep=args.keep or args.reuse,
    )


if __name__ == "__main__":
    main()

"""The open API on PostgreSQL at scale: what the API layer costs over the domain.

    DATABASE_URL= scripts/with-postgres uv run python bench/api.py [--offers 300000]

In its own database (``mcf_bench_api``): ``generate_catalogue(300 000)`` then
``generate_dossiers(100 000)`` (50 OPCAs), then, in process (Django's test client: the
whole stack but the network, so the figures compare like with like):

- the catalogue: a fixed set of searches (keywords, keywords + région, a situation,
  filters), each run through ``search()`` (the criteria built by the page's form, as the
  API does) and through ``GET /api/v1/formations``, interleaved, 3 passes, each search's
  median. Target: API p95 within 10 % of ``search()``'s;
- the biggest OPCA's dossier list through ``GET /api/v1/dossiers`` with its token (first
  page of 50, a state filter, a page deep in the cursor). Target: p95 ≤ 50 ms;
- the authentication's cost: throughput of a token-authenticated GET (one dossier) and of
  an unauthenticated one (one certification), and the bearer check alone (toolkit's token
  lookup + client + scope) timed on its own.

Prints figures and verdicts; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _stats import percentiles  # noqa: E402

BENCH_DB = "mcf_bench_api"
REFUSAL = (
    "bench/api.py mesure PostgreSQL : lancez DATABASE_URL= scripts/with-postgres uv run "
    "python bench/api.py (ou DATABASE_URL=postgres://… uv run python bench/api.py)."
)
KEYWORDS = [
    "anglais", "anglais professionnel", "excel", "bureautique", "caces", "soudure",
    "comptabilité", "paie", "aide soignant", "developpeur", "python", "management",
    "cléa", "vae", "permis", "espagnol", "sst", "habilitation électrique", "cuisine",
    "haccp", "marketing digital", "logistique", "formations", "angalis", "bureatique",
]  # fmt: skip


def searches(regions: list[str]) -> list[dict]:
    import random

    rnd = random.Random(2026)
    result = []
    for keyword in KEYWORDS:
        region = rnd.choice(regions)
        result += [
            {"q": keyword},
            {"q": keyword, "region": region},
            {"q": keyword, "statut": "demandeur_emploi", "region_situation": region},
            {"q": keyword, "modalite": "distance", "prix_max": "2500", "tri": "prix"},
        ]
    return result


def ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def run(offers: int, dossiers: int, reuse: bool) -> None:
    import _setup  # noqa: F401 - Django on DATABASE_URL (the bench database)
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.http import QueryDict
    from django.test import Client

    from mcf.domain.catalogue.models import ListedCertification, Region
    from mcf.domain.catalogue.search import search
    from mcf.domain.catalogue.synthetic import generate_catalogue
    from mcf.domain.dossiers.synthetic import generate_dossiers
    from mcf.domain.integrations.actions import create_api_client
    from mcf.domain.organisations.models import Organisation
    from mcf.web.catalogue.forms import SearchForm
    from tests.web.api.dossier_helpers import Api, token_for

    settings.RATELIMIT_ENABLE = False  # the bench measures the work, not the limits
    if not reuse:
        started = time.perf_counter()
        generate_catalogue(offers, seed=2026)
        print(f"catalogue : {offers:,} offres en {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        generate_dossiers(dossiers)
        print(f"dossiers : {dossiers:,} en {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    client = Client()

    # --- Catalogue: API against search() -----------------------------------------------
    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    asked = searches(regions)

    def in_process(params: dict):
        form = SearchForm(QueryDict(urlencode(params, doseq=True)), ask_situation=True)
        assert form.is_valid(), form.errors
        criteria = form.criteria(situation=form.situation(), page=1)
        return ms(lambda: search(criteria))

    def through_api(params: dict):
        url = "/api/v1/formations?" + urlencode(params, doseq=True)
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:300]
        return elapsed

    for params in asked[:20]:  # warm-up
        in_process(params), through_api(params)
    passes = 3
    direct = [[] for _ in asked]
    api = [[] for _ in asked]
    for _ in range(passes):
        for i, params in enumerate(asked):
            direct[i].append(in_process(params))
            api[i].append(through_api(params))
    direct_medians = [statistics.median(s) for s in direct]
    api_medians = [statistics.median(s) for s in api]
    d50, d95, _ = percentiles(direct_medians)
    a50, a95, _ = percentiles(api_medians)
    ratio = a95 / d95
    print(
        f"recherche, {len(asked)} recherches × {passes} passages (médiane par recherche) : "
        f"search() p50 {d50:.1f} ms p95 {d95:.1f} ms ; API p50 {a50:.1f} ms p95 {a95:.1f} ms ; "
        f"API / search() au p95 {ratio:.2f} → "
        f"{'ATTEINT' if ratio <= 1.10 else 'NON ATTEINT'} (cible ≤ 1,10)"
    )

    # --- Dossiers: the biggest OPCA's list ----------------------------------------------
    big = (
        Organisation.objects.filter(name__startswith="OPCA synthétique")
        .annotate(n=Count("dossiers"))
        .order_by("-n")
        .first()
    )
    admin = big.members.first().user
    api_client, secret = create_api_client(
        big, name="Banc", scopes=["dossiers:lire", "dossiers:instruire"], by=admin
    )
    caller = Api(token_for(api_client.client_id, secret)["access_token"])
    first = caller.get("/api/v1/dossiers", {"limite": 50}).json()
    cursor = first["suivant"]
    deep = 1
    for _ in range(20):  # walk up to 20 pages in
        following = caller.get("/api/v1/dossiers", {"limite": 50, "curseur": cursor}).json()
        if following["suivant"] is None:
            break
        cursor, deep = following["suivant"], deep + 1
    lists = {
        "première page (50)": {"limite": 50},
        "état transmis": {"limite": 50, "etat": "transmis"},
        f"page {deep + 1} (curseur)": {"limite": 50, "curseur": cursor},
    }
    worst = 0.0
    for label, params in lists.items():
        samples = [ms(lambda p=params: caller.get("/api/v1/dossiers", p)) for _ in range(30)]
        p50, p95, _ = percentiles(samples)
        worst = max(worst, p95)
        print(f"  liste des dossiers, {label:<20} p50 {p50:5.1f} ms  p95 {p95:5.1f} ms")
    print(
        f"liste des dossiers de l'OPCA le plus gros ({big.n:,} dossiers) : pire p95 "
        f"{worst:.1f} ms → {'ATTEINT' if worst <= 50 else 'NON ATTEINT'} (cible ≤ 50 ms)"
    )

    # --- Authentication's cost ----------------------------------------------------------
    one = first["dossiers"][0]["id"]
    code = ListedCertification.objects.values_list("code_cpf", flat=True).first()
    rounds = 300

    def rate(fn) -> float:
        started = time.perf_counter()
        for _ in range(rounds):
            fn()
        return rounds / (time.perf_counter() - started)

    public = rate(lambda: client.get(f"/api/v1/certifications/{code}"))
    private = rate(lambda: caller.get(f"/api/v1/dossiers/{one}"))
    from mcf.web.api.auth import READ

    request = client.get("/api/v1/dossiers").wsgi_request
    request.META["HTTP_AUTHORIZATION"] = caller.headers["Authorization"]
    token_value = caller.headers["Authorization"].split()[1]
    check = statistics.median(
        ms(lambda: READ.authenticate(request, token_value)) for _ in range(300)
    )
    print(
        f"débit en processus : GET public (certification) {public:.0f} req/s ; GET avec jeton "
        f"(un dossier) {private:.0f} req/s ; contrôle du jeton seul {check:.2f} ms "
        f"({check * private / 10:.0f} % d'une requête avec jeton)"
    )
    print(f"charge {os.getloadavg()[0]:.1f} à la fin")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=300_000, help="offres (300 000)")
    parser.add_argument("--dossiers", type=int, default=100_000, help="dossiers (100 000)")
    parser.add_argument("--keep", action="store_true", help="garder la base du banc")
    parser.add_argument("--reuse", action="store_true", help="reprendre la base gardée")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if "_setup" not in sys.modules else [])
    if args.child:
        run(args.offers, args.dossiers, args.reuse)
        return
    from _database import machine_line, on_postgres, run_in_own_database

    if not on_postgres(REFUSAL):
        return
    run_in_own_database(
        BENCH_DB,
        __file__,
        [
            "--offers",
            str(args.offers),
            "--dossiers",
            str(args.dossiers),
            *(["--reuse"] if args.reuse else []),
        ],
        describe=lambda version: machine_line(
            version, f"{args.offers:,} offres, {args.dossiers:,} dossiers"
        ),
        fresh=not args.reuse,
        keep=args.keep or args.reuse,
    )


if __name__ == "__main__":
    main()

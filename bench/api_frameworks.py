"""django-ninja against Django REST framework + drf-spectacular on one endpoint.

    uv run --group api-compare python bench/api_frameworks.py [--requests 3000]

« Une certification par son code CPF », written once with each (mcf/web/api/catalogue.py +
schemas.py; bench/api_frameworks/drf_certification.py), same query, same JSON. Both are
called through Django's test client in one process on one SQLite database holding the
small catalogue of the tests, in alternating blocks of 100 requests (a change of the
machine's load hits both alike). Prints requests/s, p50, p95 of each, the ratio, the lines
of code of each implementation and whether each schema is OpenAPI 3.1. Asserts nothing:
it informs docs/decisions/0019-api-framework.md.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import os
import statistics
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
os.environ["DJANGO_SETTINGS_MODULE"] = "api_frameworks.settings"
os.environ.setdefault("LOG_LEVEL", "WARNING")
DATABASE = ROOT / "var" / "bench-api-frameworks.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"

import django  # noqa: E402

django.setup()

from _stats import percentiles  # noqa: E402


def code_lines(source: str) -> int:
    """Lines of code once docstrings and comments are gone, as ``ast.unparse`` writes
    them (one formatting for both frameworks)."""
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body.pop(0)
            if not body:
                body.append(ast.Pass())
    return sum(1 for line in ast.unparse(tree).splitlines() if line.strip())


def lines_of_code() -> dict[str, int]:
    from api_frameworks import drf_certification

    from mcf.web.api import catalogue, schemas

    ninja = sum(
        code_lines(inspect.getsource(item))
        for item in (
            catalogue.certification,
            catalogue._listings,
            schemas.CertificationRef,
            schemas.ListingOut,
            schemas.CertificationOut,
            schemas._certification,
            schemas._listing,
            schemas.certification_out,
        )
    )
    drf = code_lines(inspect.getsource(drf_certification))
    return {"django-ninja": ninja, "DRF + drf-spectacular": drf}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="par cadre (3000)")
    args = parser.parse_args()

    from django.core.management import call_command
    from django.test import Client

    from tests.web.catalogue.conftest import build_catalogue

    DATABASE.unlink(missing_ok=True)
    DATABASE.parent.mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    build_catalogue()
    client = Client()
    urls = {
        "django-ninja": "/api/v1/certifications/245001",
        "DRF + drf-spectacular": "/drf/certifications/245001",
    }
    first = {name: client.get(url) for name, url in urls.items()}
    assert all(r.status_code == 200 for r in first.values()), first
    ninja_body, drf_body = (r.json() for r in first.values())
    ninja_body["listes_eligibilite"] = [
        {**item, "eligible_depuis": str(item["eligible_depuis"])}
        for item in ninja_body["listes_eligibilite"]
    ]
    same = ninja_body == drf_body
    for url in urls.values():  # warm-up
        for _ in range(200):
            client.get(url)
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(args.requests // 100):
        for name, url in urls.items():
            for _ in range(100):
                started = time.perf_counter()
                client.get(url)
                samples[name].append((time.perf_counter() - started) * 1000)
    lines = lines_of_code()
    ninja_schema = client.get("/api/v1/openapi.json").json()["openapi"]
    drf_schema = client.get("/drf/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    drf_version = drf_schema.json().get("openapi") if drf_schema.status_code == 200 else "?"
    print(
        f"{args.requests} requêtes par cadre, blocs alternés de 100 ; réponses identiques : "
        f"{'oui' if same else 'NON'} ; charge {os.getloadavg()[0]:.1f}"
    )
    print(f"{'cadre':<24} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'lignes':>7} {'OpenAPI':>8}")
    rates = {}
    for name, values in samples.items():
        p50, p95, _ = percentiles(values)
        rates[name] = 1000 / statistics.mean(values)
        version = ninja_schema if name == "django-ninja" else drf_version
        print(f"{name:<24} {rates[name]:7.0f} {p50:7.2f} {p95:7.2f} {lines[name]:7d} {version:>8}")
    print(
        f"débit ninja / DRF : {rates['django-ninja'] / rates['DRF + drf-spectacular']:.2f} ; "
        f"lignes ninja / DRF : {lines['django-ninja'] / lines['DRF + drf-spectacular']:.2f}"
    )
    DATABASE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

"""Délégations on PostgreSQL at scale (issue 14): the employer's list of delegating
employees at 10 000 délégations, and what the délégation checks cost a request.

    DATABASE_URL= scripts/with-postgres uv run python bench/delegations.py [--employees 10000]

In its own database (``mcf_bench_delegations``, created, migrated and dropped): one big
company with N delegating employees, a small one with 10, a person holding 50 délégations
and one holding 1. The rows are written in bulk as ``grant_to_company`` / ``accept_invitation``
write them (10 000 holders through the registration's Argon2 would time the hashing, not
the délégations); the invariants the actions keep (one open délégation per company and
holder) are the database's constraints, which the bulk insert meets too.

Prints, for each case, p50 / p95 of the server time and the queries:
- the employer's page « Salariés ayant donné une délégation » through Django's test client
  (first page, last page), big company vs small: target p95 ≤ 50 ms, queries constant;
- the checks of a delegate's request (``live_delegation`` + ``record_read``): target ≤ 2
  queries whatever the number of délégations, for a person and for a company's staff;
- the delegate's home page vs the holder's own (the same page): the checks' share.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _stats import percentiles, round_trip_ms, timed  # noqa: E402

BENCH_DB = "mcf_bench_delegations"
REFUSAL = (
    "bench/delegations.py mesure PostgreSQL : lancez DATABASE_URL= scripts/with-postgres "
    "uv run python bench/delegations.py"
)


def _line(label: str, runs: list[tuple]) -> None:
    p50, p95, worst = percentiles([elapsed for _, elapsed, _, _ in runs])
    cpu, _, _ = percentiles([spent for _, _, _, spent in runs])
    queries = sorted({count for _, _, count, _ in runs})
    print(
        f"  {label:<52} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  max {worst:6.1f} ms  "
        f"CPU p50 {cpu:5.2f} ms  requêtes {'/'.join(map(str, queries))}"
    )
    return p95


def _holders(prefix: str, count: int):
    from mcf.domain.accounts.models import User

    users = [
        User(username=f"{prefix}-{n}", kind=User.Kind.TITULAIRE, first_name="Salarié",
             birth_name=f"Numéro {n}", email=f"{prefix}{n}@example.org",
             password="!")  # noqa: S106 - unusable: no login
        for n in range(count)
    ]  # fmt: skip
    return User.objects.bulk_create(users, batch_size=5000)


def _company(name: str, siret: str):
    from mcf.domain.organisations.models import Organisation
    from tests.domain.organisations.builders import active_principal_admin

    admin, _ = active_principal_admin(
        name=name, siret=siret, kind=Organisation.Kind.EMPLOYEUR,
        email=f"rh@{siret}.example", first_name="Paul", last_name="Morel",
    )  # fmt: skip
    return admin.professional_profile.organisation, admin


def _delegations(holders, *, organisation=None, delegate=None):
    from django.utils import timezone

    from mcf.domain.delegations.models import DelegateKind, Delegation, Status

    today = timezone.localdate()
    rows = [
        Delegation(
            holder=holder,
            delegate_kind=DelegateKind.ENTREPRISE if organisation else DelegateKind.PERSONNE,
            organisation=organisation,
            delegate=delegate,
            invited_email="" if organisation else delegate.email,
            can_consult=True,
            ends_on=today + datetime.timedelta(days=30 + n % 900),
            status=Status.ACTIVE,
            accepted_at=timezone.now(),
        )
        for n, holder in enumerate(holders)
    ]
    return Delegation.objects.bulk_create(rows, batch_size=5000)


def run(size: int, repeat: int) -> None:
    import _setup  # noqa: F401 - Django on DATABASE_URL (the bench database)
    from django.db import connection
    from django.test import Client

    from mcf.domain.delegations.access import live_delegation
    from mcf.domain.delegations.actions import record_read
    from mcf.domain.identity.nir import with_key
    from mcf.web.titulaire.decorators import ACTING_SESSION_KEY
    from tests.factories import registered_holder
    from tests.web.professionnel.dossier_helpers import client_of

    big, big_admin = _company("Grande Entreprise", "44306184100047")
    small, small_admin = _company("Petite Entreprise", "55208131766522")
    employees = _holders("salarie", size)
    _delegations(employees, organisation=big)
    _delegations(employees[:10], organisation=small)
    many_person = registered_holder(with_key("1900375500500"), email="beaucoup@example.org")
    one_person = registered_holder(with_key("1900375500600"), email="une@example.org")
    to_many = _delegations(employees[:50], delegate=many_person)
    to_one = _delegations(employees[50:51], delegate=one_person)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"{size} délégations à la grande entreprise, 10 à la petite ; une personne en a 50, "
        f"une autre 1 ; aller-retour SELECT 1 : {round_trip_ms():.2f} ms ; charge "
        f"{os.getloadavg()[0]:.1f}"
    )

    def series(fn):
        fn()  # warm-up
        return [timed(fn) for _ in range(repeat)]

    print(f"\nPage « Salariés ayant donné une délégation » (client de test, {repeat} fois) :")
    big_client, small_client = client_of(big_admin), client_of(small_admin)
    last = (size + 49) // 50
    page_p95 = [
        _line(
            f"grande entreprise ({size}), page 1",
            series(lambda: big_client.get("/professionnel/salaries/")),
        ),
        _line(
            f"grande entreprise ({size}), page {last}",
            series(lambda: big_client.get(f"/professionnel/salaries/?page={last}")),
        ),
    ]
    _line(
        "petite entreprise (10), page 1",
        series(lambda: small_client.get("/professionnel/salaries/")),
    )
    print(f"  verdict : p95 {max(page_p95):.1f} ms pour une cible ≤ 50 ms — "
          + ("tenu" if max(page_p95) <= 50 else "NON TENU"))  # fmt: skip

    print("\nContrôles d'une requête de délégataire (live_delegation + record_read) :")
    cases = [
        ("personne qui a 1 délégation", one_person, to_one[0]),
        ("personne qui a 50 délégations", many_person, to_many[0]),
        (f"gestionnaire d'une entreprise qui en a {size}", big_admin, _first(big)),
    ]
    for label, user, delegation in cases:

        def check(user=user, delegation=delegation):
            found = live_delegation(user, delegation.public_id)
            record_read(found, user)

        _line(label, series(check))

    print("\nAccueil du compte (client de test) : titulaire lui-même / délégataire :")
    holder = employees[50]
    own = Client()
    own.force_login(holder)
    delegate = Client()
    delegate.force_login(one_person)
    session = delegate.session
    session[ACTING_SESSION_KEY] = str(to_one[0].public_id)
    session.save()
    from mcf.domain.hours.models import Counter

    Counter.objects.get_or_create(holder=holder, defaults={"nir_hash": "bench-" + "0" * 58})
    own_p95 = _line("le titulaire", series(lambda: own.get("/titulaire/")))
    delegate_p95 = _line("son délégataire", series(lambda: delegate.get("/titulaire/")))
    print(f"  rapport p95 délégataire / titulaire : {delegate_p95 / own_p95:.2f}")


def _first(organisation):
    from mcf.domain.delegations.models import Delegation

    return Delegation.objects.filter(organisation=organisation).order_by("pk").first()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000, help="délégations (10 000)")
    parser.add_argument("--repeat", type=int, default=60, help="mesures par cas (60)")
    parser.add_argument("--keep", action="store_true", help="garder la base du banc")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if "_setup" not in sys.modules else [])
    if args.child:
        run(args.employees, args.repeat)
        return
    from _database import machine_line, on_postgres, run_in_own_database

    if not on_postgres(REFUSAL):
        return

    run_in_own_database(
        BENCH_DB,
        __file__,
        ["--employees", str(args.employees), "--repeat", str(args.repeat)],
        describe=lambda version: machine_line(version, f"{args.employees:,} délégations"),
        keep=args.keep,
    )


if __name__ == "__main__":
    main()

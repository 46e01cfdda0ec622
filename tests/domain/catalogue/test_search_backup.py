"""A backup of the database restores with its search index (PostgreSQL).

The GIN index of the offers' texts is on ``mcf_offer_vector(offer_id, version)``, a
function that reads the offer (docs/search.md): ``pg_restore`` builds it after the data,
with an empty ``search_path``, so the function must name its tables in full. A dump of a
small catalogue is restored into a new database and must answer the same search.
"""

import shutil
import subprocess

import pytest
from django.db import connection

from mcf.domain.catalogue.synthetic import generate_catalogue

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump of PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

COUNT_ANGLAIS = (
    "SET enable_seqscan = off; SELECT count(*) FROM catalogue_offersearch "
    "WHERE mcf_offer_vector(offer_id, version) @@ to_tsquery('public.mcf_french', 'anglais')"
)


def _client_environment():
    settings = connection.settings_dict
    environment = {"PGHOST": settings["HOST"] or "", "PGPORT": str(settings["PORT"] or "")}
    if settings["USER"]:
        environment["PGUSER"] = settings["USER"]
    if settings["PASSWORD"]:
        environment["PGPASSWORD"] = settings["PASSWORD"]
    return environment


def test_a_dump_restores_with_the_search_index(tmp_path):
    from mcf.domain.catalogue.geography import load_geography

    for tool in ("pg_dump", "pg_restore", "psql"):
        assert shutil.which(tool) or shutil.which(f"/usr/lib/postgresql/15/bin/{tool}"), tool
    load_geography()
    generate_catalogue(200, seed=7)
    with connection.cursor() as cursor:
        cursor.execute(COUNT_ANGLAIS.split("; ", 1)[1])
        expected = cursor.fetchone()[0]
    assert expected > 0
    environment = {**_client_environment(), "PATH": "/usr/lib/postgresql/15/bin:/usr/bin:/bin"}
    database = connection.settings_dict["NAME"]
    restored = f"{database}_restored"
    dump = tmp_path / "mcf.dump"
    run = lambda *command: subprocess.run(  # noqa: E731
        command, env=environment, check=True, capture_output=True, text=True, timeout=120
    )
    run("pg_dump", "-Fc", "-d", database, "-f", str(dump))
    run("psql", "-d", database, "-c", f'DROP DATABASE IF EXISTS "{restored}"')
    run("psql", "-d", database, "-c", f'CREATE DATABASE "{restored}"')
    try:
        run("pg_restore", "--exit-on-error", "-d", restored, str(dump))
        answer = run("psql", "-d", restored, "-Atc", COUNT_ANGLAIS).stdout.split()
        assert int(answer[-1]) == expected
    finally:
        run("psql", "-d", database, "-c", f'DROP DATABASE IF EXISTS "{restored}"')

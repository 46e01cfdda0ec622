from django.db import migrations

from mcf.domain.catalogue.search import indexing


def reindex(apps, schema_editor) -> None:
    """The indexed function changed: its index is rebuilt (without blocking searches)."""
    if schema_editor.connection.vendor == "postgresql":
        indexing.install(apps, schema_editor)  # the new mcf_offer_vector
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("REINDEX INDEX CONCURRENTLY catalogue_offersearch_text")


class Migration(migrations.Migration):
    """PostgreSQL: each offer's indexed text also holds its certification's lexeme
    (``cert#<id>``), so that a search leaves whole certifications out in the index
    (docs/search.md « Shortcuts »). REINDEX CONCURRENTLY cannot run in a transaction."""

    atomic = False

    dependencies = [
        ("catalogue", "0003_search_latitude_index"),
    ]

    operations = [
        migrations.RunPython(reindex, migrations.RunPython.noop, elidable=False),
    ]

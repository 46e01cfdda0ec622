from django.db import migrations

from mcf.domain.catalogue.search import indexing


class Migration(migrations.Migration):
    """PostgreSQL: the index on the search rows' latitude (a search around a commune ANDs
    its band of latitudes with the text's matches). ``install`` is idempotent: it creates
    what is missing; SQLite has nothing new."""

    dependencies = [
        ("catalogue", "0002_search"),
    ]

    operations = [
        migrations.RunPython(indexing.install, migrations.RunPython.noop, elidable=False),
    ]

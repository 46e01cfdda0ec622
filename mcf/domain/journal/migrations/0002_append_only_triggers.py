"""PostgreSQL trigger refusing UPDATE and DELETE on the history (LOG-02).

PostgreSQL only: it is the production database. A TRUNCATE (the test suite's flush, a
deliberate purge by the DBA) is not a row change and stays possible. On SQLite, the
embedded development database, the model's refusal is the guard (a trigger there would
also block the test suite's flush, which deletes row by row).
"""

from django.db import migrations

TABLE = "journal_journalentry"

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION journal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER journal_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
"""
POSTGRESQL_REVERSE = f"""
DROP TRIGGER IF EXISTS journal_append_only ON {TABLE};
DROP FUNCTION IF EXISTS journal_refuse_change();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]

"""PRIV-04: the append-only trigger lets the security events older than 12 months go.

Every other row, and every UPDATE, is still refused (LOG-02): the account's operations are
its legal history. The list is frozen here as it was when written; journal/retention.py
owns it (a test checks that both agree).
"""

from django.db import migrations

TABLE = "journal_journalentry"
SECURITY_EVENTS = (
    "connexion",
    "connexion_echec",
    "connexion_suspendue",
    "deconnexion",
    "session_fermee",
    "mdp_confirme",
    "mdp_confirme_echec",
    "mdp_oublie",
)
_LISTED = ", ".join(f"'{action}'" for action in SECURITY_EVENTS)

PURGEABLE = f"""
CREATE OR REPLACE FUNCTION journal_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.action IN ({_LISTED})
       AND OLD.occurred_at < now() - interval '12 months' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'journal entries are append-only';
END;
$$ LANGUAGE plpgsql;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION journal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal entries are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def purgeable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PURGEABLE)


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [("journal", "0007_delegation_actions")]
    operations = [migrations.RunPython(purgeable, append_only)]

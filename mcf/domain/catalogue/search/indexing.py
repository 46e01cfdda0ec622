# ruff: noqa: S608 - SQL assembled from our constants; the visitor's words are parameters.
"""Keeping the search engine's own structures in step with the catalogue tables.

The structures are created by migration ``0002_search`` (``install``), per vendor:

* PostgreSQL: extensions ``unaccent`` and ``pg_trgm``; an IMMUTABLE ``mcf_unaccent``
  wrapper; the text search configuration ``mcf_french`` (unaccent, then French Snowball);
  ``catalogue_offer.search_vector`` (weighted tsvector, GIN index) computed by
  ``mcf_offer_search_vector`` in a BEFORE trigger on the offer (and refreshed when a
  certification's title or code changes); ``catalogue_searchword``, the words of titles
  (GiST trigram index) used for typo corrections.
* SQLite: the FTS5 table ``catalogue_offer_fts`` kept by triggers on offers and
  certifications, and its ``fts5vocab`` view (words per column) for typo corrections.

Every bulk load (open-data import, synthetic generator, demo data) calls
``rebuild_search_index()`` once at the end, inside or after its transaction: it fills any
vector the triggers did not (a load that disabled them), rebuilds the word list and
refreshes the planner's statistics. A future migration that remakes ``catalogue_offer`` on
SQLite (Django copies the table, dropping its triggers) must call ``install`` again.
"""

from __future__ import annotations

from django.db import connection

PG_VECTOR = """
setweight(to_tsvector('public.mcf_french', coalesce($1, '')), 'A')
|| setweight(to_tsvector('public.mcf_french', coalesce($5, '') || ' ' || coalesce($6, '')
             || ' ' || regexp_replace(coalesce($6, ''), '[^0-9]+', ' ', 'g')), 'B')
|| setweight(to_tsvector('public.mcf_french', coalesce($2, '') || ' ' || coalesce($3, '')), 'C')
|| setweight(to_tsvector('public.mcf_french', coalesce($4, '')), 'D')
"""

POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # unaccent() is STABLE (its dictionary could change): indexes need an IMMUTABLE wrapper.
    """CREATE OR REPLACE FUNCTION mcf_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS mcf_french",
    "CREATE TEXT SEARCH CONFIGURATION mcf_french (COPY = pg_catalog.french)",
    """ALTER TEXT SEARCH CONFIGURATION mcf_french
       ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, french_stem""",
    f"""CREATE OR REPLACE FUNCTION mcf_offer_search_vector(
           text, text, text, text, text, text) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {PG_VECTOR} $$""",
    "ALTER TABLE catalogue_offer ADD COLUMN IF NOT EXISTS search_vector tsvector",
    """CREATE INDEX IF NOT EXISTS catalogue_offer_search_vector
       ON catalogue_offer USING gin (search_vector)""",
    """CREATE OR REPLACE FUNCTION catalogue_offer_search_vector_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         SELECT mcf_offer_search_vector(NEW.title, NEW.objective, NEW.strengths, NEW.content,
                                        c.title, c.code)
           INTO NEW.search_vector
           FROM catalogue_certification c WHERE c.id = NEW.certification_id;
         RETURN NEW;
       END $$""",
    "DROP TRIGGER IF EXISTS catalogue_offer_search_vector ON catalogue_offer",
    """CREATE TRIGGER catalogue_offer_search_vector
       BEFORE INSERT OR UPDATE OF title, objective, strengths, content, certification_id
       ON catalogue_offer FOR EACH ROW EXECUTE FUNCTION catalogue_offer_search_vector_trigger()""",
    """CREATE OR REPLACE FUNCTION catalogue_certification_search_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE catalogue_offer o
            SET search_vector = mcf_offer_search_vector(o.title, o.objective, o.strengths,
                                                        o.content, NEW.title, NEW.code)
          WHERE o.certification_id = NEW.id;
         RETURN NULL;
       END $$""",
    "DROP TRIGGER IF EXISTS catalogue_certification_search ON catalogue_certification",
    """CREATE TRIGGER catalogue_certification_search
       AFTER UPDATE OF title, code ON catalogue_certification
       FOR EACH ROW EXECUTE FUNCTION catalogue_certification_search_trigger()""",
    """CREATE TABLE IF NOT EXISTS catalogue_searchword (
           word text COLLATE "C" PRIMARY KEY,
           documents integer NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS catalogue_searchword_trigram
       ON catalogue_searchword USING gist (word gist_trgm_ops)""",
]
POSTGRES_UNINSTALL = [
    "DROP TRIGGER IF EXISTS catalogue_certification_search ON catalogue_certification",
    "DROP TRIGGER IF EXISTS catalogue_offer_search_vector ON catalogue_offer",
    "DROP FUNCTION IF EXISTS catalogue_certification_search_trigger()",
    "DROP FUNCTION IF EXISTS catalogue_offer_search_vector_trigger()",
    "ALTER TABLE catalogue_offer DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS mcf_offer_search_vector(text, text, text, text, text, text)",
    "DROP TABLE IF EXISTS catalogue_searchword",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS mcf_french",
    "DROP FUNCTION IF EXISTS mcf_unaccent(text)",
]
POSTGRES_REBUILD = [
    # Rows a load wrote with the trigger disabled (none when it was on).
    """UPDATE catalogue_offer o
          SET search_vector = mcf_offer_search_vector(o.title, o.objective, o.strengths,
                                                      o.content, c.title, c.code)
         FROM catalogue_certification c
        WHERE c.id = o.certification_id AND o.search_vector IS NULL""",
    "DELETE FROM catalogue_searchword",
    """INSERT INTO catalogue_searchword (word, documents)
       SELECT word, count(*) FROM (
           SELECT regexp_split_to_table(lower(mcf_unaccent(title)), '[^a-z0-9]+') AS word
             FROM catalogue_offer
           UNION ALL
           SELECT regexp_split_to_table(lower(mcf_unaccent(title)), '[^a-z0-9]+')
             FROM catalogue_certification
       ) words
       WHERE length(word) >= 3
       GROUP BY word""",
    "ANALYZE catalogue_offer",
    "ANALYZE catalogue_certification",
    "ANALYZE catalogue_listedcertification",
    "ANALYZE catalogue_session",
    "ANALYZE catalogue_searchword",
]

_SQLITE_ROW = """
SELECT o.id, o.title, c.title || ' ' || c.code || ' ' || ltrim(c.code, '{letters}'),
       o.objective || ' ' || o.strengths, o.content
  FROM catalogue_offer o JOIN catalogue_certification c ON c.id = o.certification_id
""".replace("{letters}", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SQLITE_INSERT = "INSERT INTO catalogue_offer_fts (rowid, title, certification, objective, content)"
SQLITE_INSTALL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_offer_fts
       USING fts5(title, certification, objective, content,
                  tokenize = 'unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_offer_fts_vocab
       USING fts5vocab(catalogue_offer_fts, col)""",
    f"""CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_insert
        AFTER INSERT ON catalogue_offer BEGIN
          {_SQLITE_INSERT} {_SQLITE_ROW} WHERE o.id = new.id;
        END""",
    """CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_delete
       AFTER DELETE ON catalogue_offer BEGIN
         DELETE FROM catalogue_offer_fts WHERE rowid = old.id;
       END""",
    f"""CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_update
        AFTER UPDATE OF title, objective, strengths, content, certification_id
        ON catalogue_offer BEGIN
          DELETE FROM catalogue_offer_fts WHERE rowid = old.id;
          {_SQLITE_INSERT} {_SQLITE_ROW} WHERE o.id = new.id;
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS catalogue_certification_fts_update
        AFTER UPDATE OF title, code ON catalogue_certification BEGIN
          DELETE FROM catalogue_offer_fts
           WHERE rowid IN (SELECT id FROM catalogue_offer WHERE certification_id = new.id);
          {_SQLITE_INSERT} {_SQLITE_ROW} WHERE o.certification_id = new.id;
        END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS catalogue_certification_fts_update",
    "DROP TRIGGER IF EXISTS catalogue_offer_fts_update",
    "DROP TRIGGER IF EXISTS catalogue_offer_fts_delete",
    "DROP TRIGGER IF EXISTS catalogue_offer_fts_insert",
    "DROP TABLE IF EXISTS catalogue_offer_fts_vocab",
    "DROP TABLE IF EXISTS catalogue_offer_fts",
]
SQLITE_REBUILD = [
    "DELETE FROM catalogue_offer_fts",
    f"{_SQLITE_INSERT} {_SQLITE_ROW}",
    "INSERT INTO catalogue_offer_fts (catalogue_offer_fts) VALUES ('optimize')",
    "ANALYZE",
]

_STATEMENTS = {
    "install": {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL},
    "uninstall": {"postgresql": POSTGRES_UNINSTALL, "sqlite": SQLITE_UNINSTALL},
    "rebuild": {"postgresql": POSTGRES_REBUILD, "sqlite": SQLITE_REBUILD},
}


def _execute(step: str, using=None) -> None:
    db = using or connection
    with db.cursor() as cursor:
        for statement in _STATEMENTS[step].get(db.vendor, []):
            cursor.execute(statement)


def install(apps=None, schema_editor=None) -> None:
    """Create the engine's structures (idempotent); a migration's RunPython step."""
    _execute("install", schema_editor.connection if schema_editor else None)


def uninstall(apps=None, schema_editor=None) -> None:
    _execute("uninstall", schema_editor.connection if schema_editor else None)


def rebuild_search_index() -> None:
    """Bring the engine's index up to date after a bulk load (set-based SQL)."""
    if connection.vendor == "sqlite":
        install()  # the triggers, in case a table remake dropped them
    _execute("rebuild")

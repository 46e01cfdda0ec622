# ruff: noqa: S608 - SQL assembled from our constants; the visitor's words are parameters.
"""Keeping the search engine's own structures in step with the catalogue tables.

The structures are created by migration ``0002_search`` (``install``), per vendor:

* PostgreSQL: extensions ``unaccent`` and ``pg_trgm``; an IMMUTABLE ``mcf_unaccent``
  wrapper; the text search configuration ``mcf_french`` (unaccent, then French Snowball);
  ``catalogue_offersearch``, the dense row of each offer that searches read, kept by
  triggers on ``catalogue_offer``, with a GIN index on ``mcf_offer_vector(offer_id,
  version)`` (the offer's weighted texts; why that expression may read the offer:
  docs/search.md); a GIN index on the certifications' words; ``catalogue_searchword``, the
  words of titles (GiST trigram index) used for typo corrections.
* SQLite: the FTS5 table ``catalogue_offer_fts`` kept by triggers on offers and
  certifications, and its ``fts5vocab`` view (words per column) for typo corrections.

Every bulk load (open-data import, synthetic generator, demo data) calls
``rebuild_search_index()`` once at the end, inside or after its transaction: it writes the
search rows the triggers did not (a load that disabled them), rebuilds the word list and
refreshes the planner's statistics. A future migration that remakes ``catalogue_offer`` on
SQLite (Django copies the table, dropping its triggers) must call ``install`` again.
"""

from __future__ import annotations

from django.db import connection

# In each offer's indexed text, its certification as a lexeme no typed word can give (words
# are letters and digits): a search can leave a certification's offers out in the index.
CERTIFICATION_LEXEME = "cert#"
# The texts of an offer as a tsvector: title A, certification title and code B, objectif +
# points forts C, contenu D; and the certification's lexeme.
PG_VECTOR = f"""
SELECT setweight(to_tsvector('public.mcf_french', o.title), 'A')
       || setweight(to_tsvector('public.mcf_french', c.title || ' ' || c.code || ' '
                                || regexp_replace(c.code, '[^0-9]+', ' ', 'g')), 'B')
       || setweight(to_tsvector('public.mcf_french', o.objective || ' ' || o.strengths), 'C')
       || setweight(to_tsvector('public.mcf_french', o.content), 'D')
       || array_to_tsvector(ARRAY['{CERTIFICATION_LEXEME}' || o.certification_id])
  FROM public.catalogue_offer o JOIN public.catalogue_certification c ON c.id = o.certification_id
 WHERE o.id = offer
"""  # nosec B608
# The certification's words (its own GIN index: rule 4 of the ranking).
CERTIFICATION_VECTOR = "to_tsvector('public.mcf_french', {c}title || ' ' || {c}code)"
# The row an offer gets in catalogue_offersearch: its filter columns, nothing wide.
PG_ROW_COLUMNS = (
    "offer_id, certification_id, modality, region_id, departement_id, commune_id, "
    "postal_code, latitude, longitude, price, duration_hours, title_vector"
)
PG_ROW_VALUES = (
    "o.id, o.certification_id, o.modality, o.region_id, o.departement_id, o.commune_id, "
    "o.postal_code, o.latitude, o.longitude, o.price, o.duration_hours, "
    "to_tsvector('public.mcf_french', o.title)"
)
_PG_VERSIONED_FUNCTION = """
CREATE OR REPLACE FUNCTION {name}(offer bigint, version integer) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN coalesce(({body}), ''::tsvector);
END $$
"""

POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # unaccent() is STABLE (its dictionary could change): indexes need an IMMUTABLE wrapper.
    """CREATE OR REPLACE FUNCTION mcf_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'mcf_french') THEN
           CREATE TEXT SEARCH CONFIGURATION mcf_french (COPY = pg_catalog.french);
           ALTER TEXT SEARCH CONFIGURATION mcf_french
             ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, french_stem;
         END IF;
       END $$""",
    # The dense table the searches read: ~150 bytes per offer (filter columns and the
    # title's words, for ranking), so that counting and grouping tens of thousands of
    # matches reads a few thousand pages, not one page each.
    """CREATE TABLE IF NOT EXISTS catalogue_offersearch (
           offer_id bigint PRIMARY KEY,
           version integer NOT NULL DEFAULT 0,
           certification_id bigint NOT NULL,
           modality varchar(10) NOT NULL,
           region_id varchar(3),
           departement_id varchar(3),
           commune_id varchar(5),
           postal_code varchar(5) NOT NULL,
           latitude double precision,
           longitude double precision,
           price numeric(10, 2) NOT NULL,
           duration_hours integer NOT NULL,
           title_vector tsvector NOT NULL)""",
    # The texts are not in that table: a GIN index on an expression reading the offer points
    # into it. The functions are declared IMMUTABLE although they read catalogue_offer; this
    # holds because the row is replaced whenever its offer changes (new index entries) and
    # ``version`` (an argument) is bumped when a certification's title or code changes (no
    # HOT update: re-indexed); a recheck (lossy bitmap) reads the current texts.
    _PG_VERSIONED_FUNCTION.format(name="mcf_offer_vector", body=PG_VECTOR),
    """CREATE INDEX IF NOT EXISTS catalogue_offersearch_text
       ON catalogue_offersearch USING gin (mcf_offer_vector(offer_id, version))""",
    # ANALYZE computes the expression for its sample rows (each reads an offer): a smaller
    # sample (3 000 rows) keeps it to a second at 300 000 offers; the estimates stay close.
    "ALTER INDEX catalogue_offersearch_text ALTER COLUMN 1 SET STATISTICS 10",
    *(
        f"CREATE INDEX IF NOT EXISTS catalogue_offersearch_{column} "
        f"ON catalogue_offersearch ({column})"
        for column in (
            "certification_id",
            "region_id",
            "departement_id",
            "commune_id",
            "postal_code",
            # A radius around a commune: its band of latitudes, ANDed with the text's
            # matches before any row is read (migration 0003).
            "latitude",
        )
    ),
    f"""CREATE INDEX IF NOT EXISTS catalogue_certification_words
        ON catalogue_certification USING gin (({CERTIFICATION_VECTOR.format(c="")}))""",
    f"""CREATE OR REPLACE FUNCTION catalogue_offersearch_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            DELETE FROM catalogue_offersearch WHERE offer_id = OLD.id;
            RETURN NULL;
          END IF;
          IF TG_OP = 'UPDATE' THEN  -- a new row: its index entries are computed afresh
            DELETE FROM catalogue_offersearch WHERE offer_id = OLD.id;
          END IF;
          INSERT INTO catalogue_offersearch ({PG_ROW_COLUMNS})
          VALUES ({PG_ROW_VALUES.replace("o.", "NEW.")});
          RETURN NULL;
        END $$""",  # nosec B608
    "DROP TRIGGER IF EXISTS catalogue_offersearch_sync ON catalogue_offer",
    """CREATE TRIGGER catalogue_offersearch_sync
       AFTER INSERT OR UPDATE OR DELETE ON catalogue_offer
       FOR EACH ROW EXECUTE FUNCTION catalogue_offersearch_sync()""",
    """CREATE OR REPLACE FUNCTION catalogue_offersearch_truncate() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         TRUNCATE catalogue_offersearch;
         RETURN NULL;
       END $$""",
    "DROP TRIGGER IF EXISTS catalogue_offersearch_truncate ON catalogue_offer",
    """CREATE TRIGGER catalogue_offersearch_truncate AFTER TRUNCATE ON catalogue_offer
       FOR EACH STATEMENT EXECUTE FUNCTION catalogue_offersearch_truncate()""",
    """CREATE OR REPLACE FUNCTION catalogue_certification_search_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE catalogue_offersearch SET version = version + 1
          WHERE certification_id = NEW.id;
         RETURN NULL;
       END $$""",
    "DROP TRIGGER IF EXISTS catalogue_certification_search ON catalogue_certification",
    """CREATE TRIGGER catalogue_certification_search
       AFTER UPDATE OF title, code ON catalogue_certification
       FOR EACH ROW EXECUTE FUNCTION catalogue_certification_search_trigger()""",
    # Counts per (certification, modalité, région): searches without keywords whose filters
    # are all among these read a few hundred rows instead of every eligible offer.
    """CREATE TABLE IF NOT EXISTS catalogue_offercount (
           certification_id bigint NOT NULL,
           modality varchar(10) NOT NULL,
           region_id varchar(3) NOT NULL,  -- '' for an offer without région
           offers integer NOT NULL,
           PRIMARY KEY (certification_id, modality, region_id))""",
    """CREATE OR REPLACE FUNCTION catalogue_offercount_sync() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           INSERT INTO catalogue_offercount
           VALUES (NEW.certification_id, NEW.modality, coalesce(NEW.region_id, ''), 1)
           ON CONFLICT (certification_id, modality, region_id)
           DO UPDATE SET offers = catalogue_offercount.offers + 1;
         ELSIF TG_OP = 'DELETE' THEN
           UPDATE catalogue_offercount SET offers = offers - 1
            WHERE certification_id = OLD.certification_id AND modality = OLD.modality
              AND region_id = coalesce(OLD.region_id, '');
         ELSE
           TRUNCATE catalogue_offercount;
         END IF;
         RETURN NULL;
       END $$""",
    "DROP TRIGGER IF EXISTS catalogue_offercount_sync ON catalogue_offersearch",
    """CREATE TRIGGER catalogue_offercount_sync AFTER INSERT OR DELETE ON catalogue_offersearch
       FOR EACH ROW EXECUTE FUNCTION catalogue_offercount_sync()""",
    "DROP TRIGGER IF EXISTS catalogue_offercount_truncate ON catalogue_offersearch",
    """CREATE TRIGGER catalogue_offercount_truncate AFTER TRUNCATE ON catalogue_offersearch
       FOR EACH STATEMENT EXECUTE FUNCTION catalogue_offercount_sync()""",
    """CREATE TABLE IF NOT EXISTS catalogue_searchword (
           word text COLLATE "C" PRIMARY KEY,
           documents integer NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS catalogue_searchword_trigram
       ON catalogue_searchword USING gist (word gist_trgm_ops)""",
]
POSTGRES_UNINSTALL = [
    "DROP TABLE IF EXISTS catalogue_offercount",
    "DROP TRIGGER IF EXISTS catalogue_certification_search ON catalogue_certification",
    "DROP TRIGGER IF EXISTS catalogue_offersearch_truncate ON catalogue_offer",
    "DROP TRIGGER IF EXISTS catalogue_offersearch_sync ON catalogue_offer",
    "DROP FUNCTION IF EXISTS catalogue_certification_search_trigger()",
    "DROP FUNCTION IF EXISTS catalogue_offersearch_truncate()",
    "DROP FUNCTION IF EXISTS catalogue_offersearch_sync()",
    "DROP FUNCTION IF EXISTS catalogue_offercount_sync() CASCADE",
    "DROP TABLE IF EXISTS catalogue_offersearch",
    "DROP FUNCTION IF EXISTS mcf_offer_vector(bigint, integer)",
    "DROP TABLE IF EXISTS catalogue_searchword",
    "DROP INDEX IF EXISTS catalogue_certification_words",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS mcf_french",
    "DROP FUNCTION IF EXISTS mcf_unaccent(text)",
]
POSTGRES_REBUILD = [
    # Offers a load wrote with the triggers disabled (none when they were on).
    f"""INSERT INTO catalogue_offersearch ({PG_ROW_COLUMNS})
        SELECT {PG_ROW_VALUES} FROM catalogue_offer o
         WHERE NOT EXISTS (SELECT 1 FROM catalogue_offersearch s WHERE s.offer_id = o.id)""",  # nosec B608
    """DELETE FROM catalogue_offersearch s
        WHERE NOT EXISTS (SELECT 1 FROM catalogue_offer o WHERE o.id = s.offer_id)""",
    "DELETE FROM catalogue_offercount",
    """INSERT INTO catalogue_offercount
       SELECT certification_id, modality, coalesce(region_id, ''), count(*)
         FROM catalogue_offersearch GROUP BY 1, 2, 3""",
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
    "ANALYZE catalogue_offersearch",
    "ANALYZE catalogue_offer",
    "ANALYZE catalogue_certification",
    "ANALYZE catalogue_listedcertification",
    "ANALYZE catalogue_session",
    "ANALYZE catalogue_searchword",
    "ANALYZE catalogue_offercount",
]

_SQLITE_ROW = """
SELECT o.id, o.title, c.title || ' ' || c.code || ' ' || ltrim(c.code, '{letters}'),
       o.objective || ' ' || o.strengths, o.content
  FROM catalogue_offer o JOIN catalogue_certification c ON c.id = o.certification_id
""".replace("{letters}", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")  # nosec B608
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
        END""",  # nosec B608
    f"""CREATE TRIGGER IF NOT EXISTS catalogue_certification_fts_update
        AFTER UPDATE OF title, code ON catalogue_certification BEGIN
          DELETE FROM catalogue_offer_fts
           WHERE rowid IN (SELECT id FROM catalogue_offer WHERE certification_id = new.id);
          {_SQLITE_INSERT} {_SQLITE_ROW} WHERE o.certification_id = new.id;
        END""",  # nosec B608
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

# ruff: noqa: S608 - SQL assembled from our constants; the visitor's words are parameters.
"""PostgreSQL engine: French full text, trigram typo corrections, a dense table to count.

Searches read ``catalogue_offersearch`` (``OfferSearch``): one row of ~100 bytes per offer
with its filter columns, kept by triggers (see ``indexing``), so that counting and grouping
tens of thousands of matches reads a few thousand pages. The texts are indexed by a GIN
index on an expression of that row (``mcf_offer_vector``: the offer's title with weight A,
its certification's title and code B, objectif and points forts C, contenu D), in the
``mcf_french`` configuration (``unaccent`` then the French Snowball stemmer). Each word is
searched by its stem when it is a whole word of the titles, else as a prefix (``compta`` →
``compt:*``). Ranking keys never read the texts: the
title's words are a small column of the row, the certification's words have their own GIN
index, « found without correction » is a set found through the GIN index (hashed subplan).

A word that is neither a known word nor the beginning of one (``catalogue_searchword``,
the words of titles, filled by ``rebuild_search_index``) is looked up among its trigram
neighbours (GiST, ``<->``); the neighbours one typo away become alternatives of that word
(« angalis » → ``angalis:* | anglais``), ranked after the offers found without them.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from mcf.domain.catalogue.models import OfferSearch
from mcf.domain.catalogue.search.common import UNCOUNTED_FILTERS, raw
from mcf.domain.catalogue.search.criteria import SearchCriteria
from mcf.domain.catalogue.search.engine import FullTextEngine
from mcf.domain.catalogue.search.indexing import CERTIFICATION_LEXEME, CERTIFICATION_VECTOR
from mcf.domain.catalogue.search.text import corrections, light_stem, singular

CONFIG = "mcf_french"
NEIGHBOURS = 20
# For each word: is it a word of the titles, or a plural or feminine of one (then its stem
# is searched as is: the stem of « formations » is that of « formation », and a prefix
# ``format:*`` would also find formateur, formatage…), the beginning of one (then as a
# prefix), or neither (then also its neighbours one typo away, as alternatives)?
_INFLECTED = (
    f"d.word IN (q.singular, q.stem) AND to_tsvector('{CONFIG}', d.word) = "
    f"to_tsvector('{CONFIG}', q.w)"
)  # « formations » is « formation » (same stem); « comptabilitee » is not « comptabilite »
_LOOKUP = f"""
SELECT q.w,
       EXISTS (SELECT 1 FROM catalogue_searchword d WHERE d.word = q.w OR ({_INFLECTED})),
       CASE WHEN EXISTS (SELECT 1 FROM catalogue_searchword d
                         WHERE ({_INFLECTED}) OR (d.word >= q.w AND d.word < q.w || '~'))
            THEN NULL
            ELSE ARRAY(SELECT d.word FROM catalogue_searchword d
                       ORDER BY d.word <-> q.w LIMIT {NEIGHBOURS})
       END
FROM unnest(%s::text[], %s::text[], %s::text[]) AS q(w, singular, stem)
"""  # nosec B608


_QUERY = f"to_tsquery('{CONFIG}', %s)"
_VECTOR = "mcf_offer_vector({table}.offer_id, {table}.version)"


class PostgresFullText(FullTextEngine):
    model = OfferSearch
    AND = " & "
    MATCHES = f"{_VECTOR.format(table='catalogue_offersearch')} @@ {_QUERY}"
    STRICT = (
        "catalogue_offersearch.offer_id IN (SELECT s.offer_id FROM catalogue_offersearch s "
        f"WHERE {_VECTOR.format(table='s')} @@ {_QUERY})"  # nosec B608
    )
    IN_TITLE = f"(catalogue_offersearch.title_vector @@ {_QUERY})::int"
    ALL_IN_TITLE = f"(catalogue_offersearch.title_vector @@ {_QUERY})"
    IN_CERTIFICATION = (
        "(catalogue_offersearch.certification_id IN (SELECT c.id FROM catalogue_certification c "
        f"WHERE {CERTIFICATION_VECTOR.format(c='c.')} @@ {_QUERY}))::int"  # nosec B608
    )

    def __init__(self):
        self.known: set[str] = set()

    def term(self, word: str, alternatives: tuple[str, ...], column: str = "") -> str:
        # A whole known word is searched by its stem; a prefix would also read the posting
        # lists of every longer word (« formation » → format, formateur, formatage…).
        searched = word if word in self.known else f"{word}:*"
        return "(" + " | ".join([searched, *alternatives]) + ")"

    def counted_groups(self, criteria: SearchCriteria, certifications) -> tuple[str, list] | None:
        """From ``catalogue_offercount`` when every filter is one of its columns (with one
        of ``UNCOUNTED_FILTERS``, the matches are counted)."""
        if any(getattr(criteria, name) not in (None, ()) for name in UNCOUNTED_FILTERS):
            return None
        # The région filters here; the other facets' choices are applied in facet_counts.
        where = ["oc.certification_id = ANY(%s)", "oc.offers > 0"]
        params: list = [sorted(certifications)]
        if criteria.region_code:
            where.append("oc.region_id = %s")
            params.append(criteria.region_code)
        return (
            "SELECT c.kind, c.level, oc.modality, NULLIF(oc.region_id, ''), "
            "sum(oc.offers), max(r.name) FROM catalogue_offercount oc "
            "JOIN catalogue_certification c ON c.id = oc.certification_id "
            "LEFT JOIN catalogue_region r ON r.code = oc.region_id "
            f"WHERE {' AND '.join(where)} GROUP BY 1, 2, 3, 4",  # nosec B608
            params,
        )

    def outside(self, query: str, certifications: frozenset[int]) -> RawSQL:
        # Each offer's indexed text holds its certification's lexeme (``cert#<id>``, which
        # no typed word can give: words are letters and digits): the GIN index itself
        # leaves these certifications' offers out, so they are never read.
        tokens = " | ".join(f"'{CERTIFICATION_LEXEME}{pk:d}'" for pk in sorted(certifications))
        return raw(
            f"{self.MATCHES.replace(_QUERY, f'({_QUERY} && !!%s::tsquery)')}",
            [query, tokens],
            BooleanField(),
        )

    def certification_word_counts(self, terms: list[str]) -> dict[int, int]:
        vector = CERTIFICATION_VECTOR.format(c="c.")
        found = " + ".join([f"({vector} @@ {_QUERY})::int"] * len(terms))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id, {found} FROM catalogue_certification c WHERE {vector} @@ {_QUERY}",  # nosec B608
                [*terms, " | ".join(terms)],
            )
            return dict(cursor.fetchall())

    def neighbours(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(
                _LOOKUP, [words, [singular(word) for word in words], [light_stem(w) for w in words]]
            )
            rows = cursor.fetchall()
        self.known = {word for word, whole, _ in rows if whole}
        return {word: corrections(word, found) for word, _, found in rows if found}

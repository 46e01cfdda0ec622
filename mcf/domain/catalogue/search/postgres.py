# ruff: noqa: S608 - SQL assembled from our constants; the visitor's words are parameters.
"""PostgreSQL engine: French full text on a weighted ``tsvector``, trigram typo corrections.

``catalogue_offer.search_vector`` (kept by a trigger, see ``indexing``) holds the offer's
title (weight A), its certification's title and code (B), objectif and points forts (C)
and contenu (D), in the ``mcf_french`` configuration (``unaccent`` then the French Snowball
stemmer), under a GIN index. Each word is searched as a prefix (``compta`` → ``compt:*``).

A word that is neither a known word nor the beginning of one (``catalogue_searchword``,
the words of titles, filled by ``rebuild_search_index``) is looked up among its trigram
neighbours (GiST, ``<->``); the neighbours one typo away become alternatives of that word
(« angalis » → ``angalis:* | anglais``), ranked after the offers found without them.
"""

from __future__ import annotations

from django.db import connection

from mcf.domain.catalogue.search.engine import FullTextEngine
from mcf.domain.catalogue.search.text import corrections

CONFIG = "mcf_french"
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A
NEIGHBOURS = 20
_CORRECTIONS = f"""
SELECT q.w,
       CASE WHEN EXISTS (SELECT 1 FROM catalogue_searchword d
                         WHERE d.word >= q.w AND d.word < q.w || '~')
            THEN NULL
            ELSE ARRAY(SELECT d.word FROM catalogue_searchword d
                       ORDER BY d.word <-> q.w LIMIT {NEIGHBOURS})
       END
FROM unnest(%s::text[]) AS q(w)
"""


class PostgresFullText(FullTextEngine):
    AND = " & "
    MATCHES = f"catalogue_offer.search_vector @@ to_tsquery('{CONFIG}', %s)"
    IN_TITLE = f"({MATCHES})::int"
    SCORE = (
        f"ts_rank('{RANK_WEIGHTS}', catalogue_offer.search_vector, to_tsquery('{CONFIG}', %s), 1)"
    )
    SCORE_BEST_FIRST = "desc"

    def term(self, word: str, alternatives: tuple[str, ...], in_title: bool = False) -> str:
        weight = "A" if in_title else ""
        options = [
            f"{word}:*{weight}",
            *(f"{alt}:{weight}" if weight else alt for alt in alternatives),
        ]
        return "(" + " | ".join(options) + ")"

    def neighbours(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(_CORRECTIONS, [words])
            rows = cursor.fetchall()
        return {word: corrections(word, found) for word, found in rows if found}

# ruff: noqa: S608 - SQL assembled from our constants; the visitor's words are parameters.
"""SQLite engine (the embedded default): FTS5 with the ``unicode61 remove_diacritics 2``
tokenizer, so case and accents never matter.

``catalogue_offer_fts`` (kept by triggers, see ``indexing``) has four columns: title,
certification (title and code), objectif + points forts, contenu. FTS5 has no French
stemmer: each word is cut by ``light_stem`` (plural and feminine endings) and searched as a
prefix, so « formations » finds « formation » and « compta » finds « comptabilité ». Typos:
a word that is not the beginning of a word of the titles gets, as alternatives, the words
of the titles one typo away that start with the same letter (``fts5vocab``); a typo in the
first letter is not corrected (no trigram index in SQLite).
"""

from __future__ import annotations

from django.db import connection

from mcf.domain.catalogue.models import Offer
from mcf.domain.catalogue.search.engine import FullTextEngine
from mcf.domain.catalogue.search.text import corrections, light_stem

FTS = "catalogue_offer_fts"
VOCAB = "catalogue_offer_fts_vocab"
# The words of titles (offer and certification), as PostgreSQL's catalogue_searchword.
_TITLES = f"{VOCAB} WHERE col IN ('title', 'certification') AND term >= %s AND term < %s"
_ONE_WORD = (
    f"SELECT %s, EXISTS (SELECT 1 FROM {_TITLES}), "
    f"(SELECT group_concat(DISTINCT term) FROM {_TITLES} AND length(term) BETWEEN %s AND %s)"  # nosec B608
)


class Fts5(FullTextEngine):
    AND = " AND "
    model = Offer
    MATCHES = f"catalogue_offer.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)"  # nosec B608
    STRICT = MATCHES
    IN_TITLE = f"({MATCHES})"
    # bm25 weights of the columns: title, certification, objectif, contenu (lower is better).
    SCORE = (
        f"(SELECT bm25({FTS}, 10.0, 5.0, 2.0, 1.0) FROM {FTS} "
        f"WHERE {FTS} MATCH %s AND rowid = catalogue_offer.id)"  # nosec B608
    )
    SCORE_BEST_FIRST = "asc"

    def term(self, word: str, alternatives: tuple[str, ...], column: str = "") -> str:
        options = " OR ".join([f'"{light_stem(word)}"*', *(f'"{alt}"' for alt in alternatives)])
        return f"{column} : ({options})" if column else f"({options})"

    def neighbours(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        params: list = []
        for word in words:
            first = word[0]
            params += [word, word, word + "\uffff", first, first + "\uffff"]
            params += [len(word) - 1, len(word) + 1]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([_ONE_WORD] * len(words)), params)
            rows = cursor.fetchall()
        return {
            word: corrections(word, (found or "").split(","))
            for word, known, found in rows
            if not known
        }

"""What the full-text engines share: how keywords become a condition and ranking keys.

An engine (``postgres.PostgresFullText``, ``sqlite.Fts5``) says how one word is written in
its query language (``term``), how terms are joined, the SQL of a match and of each
ranking key, and how typo corrections are looked up (``neighbours``: one query for all the
words). Ranking keys, best first (docs/search.md): found without correction, number of
words in the offer's title, number of words in the certification's title, the engine's
score if it has one, then the offer's id.
"""

from __future__ import annotations

from functools import partial

from django.db import connection
from django.db.models import BooleanField, FloatField, IntegerField

from mcf.core.digits import is_ascii_digits
from mcf.domain.catalogue.search.common import TextMatch, facet_counts, first_if, raw
from mcf.domain.catalogue.search.text import TYPO_MIN_LENGTH


class FullTextEngine:
    model = None  # the table searched: Offer, or one with the same field names
    AND = " & "
    MATCHES = ""  # a boolean SQL condition with one %s: the engine's query
    STRICT = ""  # the same, cheap to evaluate on every matched row (rule 2)
    IN_TITLE = ""  # 1 when the word (one %s: its term) is in the offer's title, else 0
    IN_CERTIFICATION = ""  # the same for the certification's title (empty: no such key)
    SCORE = ""  # the engine's score (one %s: the query); empty: none
    ALL_IN_TITLE = ""  # true when every word (one %s: the query) is in the offer's title
    SCORE_BEST_FIRST = "desc"  # "asc" when a lower score is better

    def term(self, word: str, alternatives: tuple[str, ...], column: str = "") -> str:
        raise NotImplementedError

    def neighbours(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        """For each word that is not known, the known words one typo away (one query)."""
        raise NotImplementedError

    def summary(self, criteria, eligible: set):
        """Total and facets of a search without keywords from counts the engine keeps, or
        None when it keeps none for these filters (then the matches are counted)."""
        groups = self.counted_groups(criteria, eligible)
        if groups is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(*groups)
            return facet_counts(cursor.fetchall(), criteria)

    def counted_groups(self, criteria, certifications) -> tuple[str, list] | None:
        """SQL of the facet groups ``(type, niveau, modalité, région, count, région name)``
        of every offer of these certifications under the criteria's filters, from counts
        the engine keeps; None when it keeps none for these filters."""
        return None

    def outside(self, query: str, certifications: frozenset[int]):
        """The condition: matches ``query``, and is not an offer of these certifications."""
        raise NotImplementedError

    def certification_word_counts(self, terms: list[str]) -> dict[int, int]:
        """For each certification whose own title or code holds at least one of the terms,
        how many (the ranking key of rule 4)."""
        return {}

    def _count(self, sql: str, terms: list[str]):
        return raw(" + ".join([sql] * len(terms)), terms, IntegerField()).desc()

    def match(self, words: tuple[str, ...]) -> TextMatch:
        asked = [
            word for word in words if len(word) >= TYPO_MIN_LENGTH and not is_ascii_digits(word)
        ]
        fixes = self.neighbours(asked) if asked else {}
        query = self.AND.join(self.term(word, fixes.get(word, ())) for word in words)
        ranking = []
        if any(fixes.values()):  # rule 2: found without correction first
            strict = self.AND.join(self.term(word, ()) for word in words)
            ranking.append(first_if(raw(self.STRICT, [strict], BooleanField())))
        # Rule 3: more of the words in the offer's title first; rule 4: in the certification's.
        for sql, column in ((self.IN_TITLE, "title"), (self.IN_CERTIFICATION, "certification")):
            if sql:
                ranking.append(
                    self._count(sql, [self.term(w, fixes.get(w, ()), column) for w in words])
                )
        if self.SCORE:
            score = raw(self.SCORE, [query], FloatField())
            ranking.append(getattr(score, self.SCORE_BEST_FIRST)())
        match = TextMatch(raw(self.MATCHES, [query], BooleanField()), ranking)
        # The shortcuts of large searches (common.Shortcuts) hold when the ranking keys are
        # the title and certification counts alone: no correction, no engine score.
        if self.ALL_IN_TITLE and not self.SCORE and not any(fixes.values()):
            terms = [self.term(word, (), "certification") for word in words]
            match.words_in_certification = self.certification_word_counts(terms)
            match.complete = frozenset(
                pk for pk, found in match.words_in_certification.items() if found == len(words)
            )
            match.outside = partial(self.outside, query)
            match.in_title = raw(self.ALL_IN_TITLE, [query], BooleanField())
        return match

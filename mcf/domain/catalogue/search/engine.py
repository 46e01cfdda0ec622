"""What the full-text engines share: how keywords become a condition and ranking keys.

An engine (``postgres.PostgresFullText``, ``sqlite.Fts5``) says how one word is written in
its query language (``term``), how terms are joined, the SQL of a match and of a score,
and how typo corrections are looked up (``neighbours``: one query for all the words).
"""

from __future__ import annotations

from django.db.models import BooleanField, FloatField, IntegerField

from mcf.domain.catalogue.search.common import TextMatch, first_if, raw
from mcf.domain.catalogue.search.text import TYPO_MIN_LENGTH


class FullTextEngine:
    AND = " & "
    MATCHES = ""  # a boolean SQL condition with one %s: the engine's query
    IN_TITLE = ""  # MATCHES as a number (1 or 0)
    SCORE = ""  # the engine's score, one %s: the query
    SCORE_BEST_FIRST = "desc"  # "asc" when a lower score is better

    def term(self, word: str, alternatives: tuple[str, ...], in_title: bool = False) -> str:
        raise NotImplementedError

    def neighbours(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        """For each word that is not known, the known words one typo away (one query)."""
        raise NotImplementedError

    def match(self, words: tuple[str, ...]) -> TextMatch:
        asked = [word for word in words if len(word) >= TYPO_MIN_LENGTH and not word.isdigit()]
        fixes = self.neighbours(asked) if asked else {}
        query = self.AND.join(self.term(word, fixes.get(word, ())) for word in words)
        ranking = []
        if any(fixes.values()):  # rule 2: found without correction first
            strict = self.AND.join(self.term(word, ()) for word in words)
            ranking.append(first_if(raw(self.MATCHES, [strict], BooleanField())))
        # Rule 3: more of the words in the title first.
        title_terms = [self.term(word, fixes.get(word, ()), in_title=True) for word in words]
        in_title = " + ".join([self.IN_TITLE] * len(words))
        ranking.append(raw(in_title, title_terms, IntegerField()).desc())
        # Rule 4: the engine's weighted score.
        score = raw(self.SCORE, [query], FloatField())
        ranking.append(getattr(score, self.SCORE_BEST_FIRST)())
        return TextMatch(raw(self.MATCHES, [query], BooleanField()), ranking)

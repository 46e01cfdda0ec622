"""The plain scan: ``ILIKE`` on the texts, every filter in SQL, facets by ``GROUP BY``.

Portable and obviously correct; it is the baseline of bench/search.py, and the engines'
results are compared with it in tests (same filters, same eligibility: the shared code
path of ``common``). Each word of the text must appear, as typed, in the offer's title,
objectif, contenu or the certification's title; no stemming, no accent folding, no typo.
"""

from __future__ import annotations

from django.db.models import Q

from mcf.domain.catalogue.models import Offer
from mcf.domain.catalogue.search.common import TextMatch, run_search
from mcf.domain.catalogue.search.criteria import SearchCriteria, SearchResults
from mcf.domain.catalogue.search.text import MAX_TEXT_LENGTH, MAX_WORDS


class IlikeScan:
    model = Offer

    def __init__(self, text: str):
        # PostgreSQL refuses NUL characters in a text parameter.
        self.typed = text[:MAX_TEXT_LENGTH].replace("\x00", " ").split()[:MAX_WORDS]

    def summary(self, criteria, eligible):
        return None

    def match(self, words: tuple[str, ...]) -> TextMatch:
        # The visitor's words as typed (case folded by ILIKE only), not the folded ones.
        return TextMatch(self._condition(self.typed))

    @staticmethod
    def _condition(words: list[str]) -> Q:
        condition = Q()
        for word in words:
            condition &= (
                Q(title__icontains=word)
                | Q(objective__icontains=word)
                | Q(content__icontains=word)
                | Q(certification__title__icontains=word)
            )
        return condition


def naive_search(criteria: SearchCriteria) -> SearchResults:
    return run_search(criteria, IlikeScan(criteria.text))

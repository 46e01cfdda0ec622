"""« Rechercher une formation »: one entry point, ``search(criteria)``.

The web layer turns a query string into ``SearchCriteria`` (validated, French messages) and
renders ``SearchResults``; it never builds SQL. The engine behind ``search`` is chosen by
the database vendor (PostgreSQL full text + trigram, SQLite FTS5); ``naive_search`` is the
plain ``ILIKE`` scan kept as the benchmark's baseline. Ranking rules: docs/search.md.
"""

from mcf.domain.catalogue.search.criteria import (
    Facet,
    FacetValue,
    OfferHit,
    SearchCriteria,
    SearchResults,
    Sort,
)
from mcf.domain.catalogue.search.naive import naive_search

__all__ = [
    "Facet",
    "FacetValue",
    "OfferHit",
    "SearchCriteria",
    "SearchResults",
    "Sort",
    "naive_search",
    "search",
]


def search(criteria: SearchCriteria) -> SearchResults:
    """The answer of the engine of the database in use (PostgreSQL or SQLite)."""
    from django.db import connection

    from mcf.domain.catalogue.search.common import run_search

    if connection.vendor == "postgresql":
        from mcf.domain.catalogue.search.postgres import PostgresFullText as Engine
    else:
        from mcf.domain.catalogue.search.sqlite import Fts5 as Engine
    return run_search(criteria, Engine())

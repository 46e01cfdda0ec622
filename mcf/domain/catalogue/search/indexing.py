"""Keeping the search engine's own structures in step with the catalogue tables.

Every bulk load (open-data import, synthetic generator, demo data) calls
``rebuild_search_index()`` once at the end, inside or after its transaction.
"""


def rebuild_search_index() -> None:
    """Bring the engine's index up to date after a bulk load (engines fill this in)."""

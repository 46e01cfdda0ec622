"""The yearly feed (alimentation, domain.md §3.1): declarations files → CPF credits.

``import_declarations(path_or_file, *, progress=None) -> ImportReport`` is the one entry
point (the ``import_declarations`` command and the back-office upload page call it).
See docs/decisions/0002-yearly-feed.md for the rules and the engine.

The names are loaded on first use: the reading helper process (``feed.parallel``) imports
this package without Django's models being ready.
"""

from importlib import import_module

_EXPORTS = {
    "HEADER": "mcf.domain.hours.feed.parsing",
    "HEADER_LINE": "mcf.domain.hours.feed.parsing",
    "FeedFormatError": "mcf.domain.hours.feed.parsing",
    "ImportReport": "mcf.domain.hours.feed.report",
    "import_declarations": "mcf.domain.hours.feed.importer",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The yearly feed (alimentation, domain.md §3.1): declarations files → CPF credits.

``import_declarations(path_or_file, *, progress=None) -> ImportReport`` is the one entry
point (the ``import_declarations`` command and the back-office upload page call it).
See docs/decisions/0002-yearly-feed.md for the rules and the engine.
"""

from mcf.domain.hours.feed.importer import import_declarations
from mcf.domain.hours.feed.parsing import HEADER, HEADER_LINE, FeedFormatError
from mcf.domain.hours.feed.report import ImportReport

__all__ = ["HEADER", "HEADER_LINE", "FeedFormatError", "ImportReport", "import_declarations"]

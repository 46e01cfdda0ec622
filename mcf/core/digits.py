"""Digits as the service means them: ASCII 0–9 only.

Python's ``str.isdigit()`` is true for « ² », « ٣ » or « １ », ``int()`` takes any Unicode
decimal digit (``int("١٢")`` is 12) and a regular expression's ``\\d`` matches every
Unicode decimal digit unless compiled with ``re.ASCII``. A number read from a request, a
file or a URL is checked here (or with ``[0-9]``), never with those: « ² » made
``int()`` raise (a 500) after ``isdigit()`` had said yes, and « ١٢ » would be a second
spelling of 12 that no other check expects.
"""

from __future__ import annotations

import re

ASCII_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0–9 and nothing else (« 12 », not « ² », « １２ », « 1 2 »)."""
    return ASCII_DIGITS.fullmatch(text) is not None


def has_foreign_digits(text: str) -> bool:
    """True if ``text`` holds a digit that is not 0–9 (« ² », « ٣ », « １ »): a field that
    hands its text to ``int()``, ``Decimal()`` or ``strptime()`` refuses it first."""
    return any(c.isdigit() and not c.isascii() for c in text)


def ascii_int(text: str, *, maximum: int) -> int | None:
    """The number written in ASCII digits in ``text``, None if it is anything else or above
    ``maximum`` (no sign, no spaces, no « _ » as ``int()`` would accept)."""
    if not is_ascii_digits(text) or len(text.lstrip("0")) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


# The largest primary key of a BigAutoField (and of SQLite's INTEGER): an id above it names
# nothing, and SQLite refuses to compare with it (OverflowError).
LARGEST_ID = 2**63 - 1


def object_id(text: str) -> int | None:
    """The id of an object as a page wrote it (a hidden field, a query parameter), or None."""
    number = ascii_int(text, maximum=LARGEST_ID)
    return number if number else None

"""Numbers written for machines: SVG coordinates, CSS lengths, ``data-*`` values.

Django localises a float rendered by ``{{ }}``: in French 224.0 becomes « 224,0 », which an
SVG attribute or a CSS length does not parse (the browser drops it silently). A number that
a program reads is therefore formatted here, in Python, and reaches the template as a
string. ``tests/web/test_numbers_in_markup.py`` checks every page for the others.
"""

from __future__ import annotations


def plain_number(value: float, decimals: int = 1) -> str:
    """``value`` with a dot, at most ``decimals`` decimals, no grouping, no trailing zero:
    224.0 → "224", 170.70000000000002 → "170.7", -0.04 → "0"."""
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

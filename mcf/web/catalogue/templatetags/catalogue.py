"""Amounts and durations written the French way (« 2 260 € », « 1 200 h »)."""

from decimal import Decimal

from django import template

register = template.Library()

NARROW_NBSP = "\u202f"


def _grouped(value: int) -> str:
    return f"{value:,}".replace(",", NARROW_NBSP)


@register.filter
def euros(value) -> str:
    """« 2 260 € », « 1 499,50 € »: cents only when there are some."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    whole, cents = divmod(amount, 1)
    text = _grouped(int(whole))
    if cents:
        text += f",{int(cents * 100):02d}"
    return f"{text}\u00a0€"


@register.filter
def hours(value) -> str:
    if value is None or value == "":
        return ""
    return f"{_grouped(int(value))}\u00a0h"

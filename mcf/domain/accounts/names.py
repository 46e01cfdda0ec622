"""How a person is named to someone else: « Amandine D. » (a first name and an initial).

One rule for every place that names a person to a third party: the history's « Par »
(a professional to a holder), a holder to his delegates and to his employer (masked
identity, AC-04).
"""

from __future__ import annotations


def _initial(name: str) -> str:
    """« D. » for « dupont », « d'Alembert » or « ’t Hooft » (the first letter, upper case
    when that stays one letter: not « SS » for « ß »); empty without a letter."""
    letter = next((c for c in name if c.isalpha()), "")
    upper = letter.upper()
    return f"{upper if len(upper) == 1 else letter}." if letter else ""


def short_name(user) -> str:
    """« Amandine D. »: the first name and the initial of the last name (the name of use,
    else the birth name); empty when the account has no name."""
    first = " ".join(user.first_name.split())
    last = user.last_name or getattr(user, "birth_name", "")
    return " ".join(part for part in (first, _initial(last)) if part)

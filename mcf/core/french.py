"""French elision before a variable: « d'OPCA Démo », « qu'administrateur principal ».

A template or a message that writes « de {{ name }} » prints « de OPCA Démo » whenever the
name starts with a vowel. ``elide("de", name)`` writes the word as French does: elided
before a vowel (and before a « y » followed by a consonant: « d'Yves »), whole otherwise.
Before an « h » it stays whole: whether the « h » is mute (« d'Hélène ») or aspirated
(« de Hauts-de-France ») cannot be read from the letter, and the whole word is the
lesser mistake.

In templates: ``{% load french %}…Gestionnaires {% elide "de" organisation.name %}``.
tests/web/test_french_text.py reads every page for a word left whole before a vowel.
"""

from __future__ import annotations

import unicodedata

from django import template

ELIDED = {"de": "d'", "que": "qu'", "le": "l'", "la": "l'", "je": "j'", "ne": "n'", "me": "m'"}
ELIDED |= {"se": "s'", "te": "t'", "jusque": "jusqu'", "lorsque": "lorsqu'"}
ELIDED |= {"puisque": "puisqu'", "du": "de l'"}
_VOWELS = set("aeiouæœ")


def starts_with_vowel_sound(text: str) -> bool:
    """Whether French elides before ``text`` (see the module's note on « h » and « y »)."""
    letters = [
        unicodedata.normalize("NFD", char)[0].lower() for char in text.lstrip(" \u00a0«“\"'(")[:2]
    ]
    if not letters:
        return False
    if letters[0] in _VOWELS:
        return True
    return (
        letters[0] == "y"
        and len(letters) > 1
        and letters[1].isalpha()
        and (letters[1] not in _VOWELS)
    )


def elision(word: str, following: str) -> str:
    """``word`` as written before ``following``, with its space: « d' » or « de »."""
    key = word.lower()
    if key in ELIDED and starts_with_vowel_sound(str(following)):
        elided = ELIDED[key]
        return elided[:1].upper() + elided[1:] if word[:1].isupper() else elided
    return f"{word} "


def elide(word: str, following: str) -> str:
    """``word`` then ``following``: « d'OPCA Démo », « de Caisse… », « qu'administrateur »."""
    return elision(word, following) + str(following).lstrip()


register = template.Library()
register.simple_tag(name="elide")(elide)
# Only the word, when the text after it is marked up: « en tant {% elision "que" role %}
# <strong>{{ role }}</strong> ».
register.simple_tag(name="elision")(elision)

"""What the visitor typed, made safe and comparable: words, a code CPF, typo candidates.

Both engines start from ``parse_text``: the text is cut into words of letters and digits
only (lower case, accents removed), so no character of SQL, tsquery or FTS5 syntax ever
reaches a query (``"``, ``*``, ``(``, ``:``, ``&``, ``|``, ``!``, ``'``, ``NEAR``…: they
separate words or become plain lower-case words). French stop words are dropped, a long
text is cut to ``MAX_WORDS`` words of at most ``MAX_WORD_LENGTH`` characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mcf.core.digits import is_ascii_digits

MAX_WORDS = 8
MAX_WORD_LENGTH = 30
MAX_TEXT_LENGTH = 500  # characters read from the visitor's text; the rest is ignored
CODE_CPF_DIGITS = 9  # a number alone with at most this many digits is tried as a code CPF
TYPO_MIN_LENGTH = 4  # shorter words are never corrected (too many neighbours)

# PostgreSQL's french.stop (Snowball), accents removed as the words are compared.
_FRENCH_STOP = (
    "au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes "
    "moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton "
    "tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants "
    "étantes suis es est sommes êtes sont serai seras sera serons serez seront serais serait "
    "serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois "
    "soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes "
    "ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais "
    "aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie "
    "aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent"
)
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed (« Comptabilité » → « comptabilite »), ligatures opened."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


STOP_WORDS = frozenset(fold(_FRENCH_STOP).split())


@dataclass(frozen=True)
class ParsedText:
    words: tuple[str, ...]  # folded, stop words removed, in the visitor's order
    code_cpf: int | None  # the text was a number alone


def parse_text(text: str) -> ParsedText:
    folded = fold(text[:MAX_TEXT_LENGTH])
    words: list[str] = []
    for word in _WORD.findall(folded):
        word = word[:MAX_WORD_LENGTH]
        if word not in STOP_WORDS and word not in words:
            words.append(word)
    code = None
    stripped = text.strip()
    if is_ascii_digits(stripped) and len(stripped) <= CODE_CPF_DIGITS:
        code = int(stripped)
    return ParsedText(tuple(words[:MAX_WORDS]), code)


def singular(word: str) -> str:
    """The word without a final plural « s » or « x » (« langues » → « langue »)."""
    if len(word) > 4 and word[-1] in "sx" and not is_ascii_digits(word):
        return word[:-1]
    return word


def light_stem(word: str) -> str:
    """A crude French plural/feminine stripper for engines without stemming (SQLite).

    Used as a prefix: « formations » → ``formation*``, « comptabilite » → ``comptabilit*``.
    PostgreSQL uses it, with ``singular``, to recognise an inflected title word (its
    Snowball stem then decides).
    """
    if is_ascii_digits(word) or len(word) <= 4:
        return word
    for ending in ("aux", "es", "s", "x", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)] + ("al" if ending == "aux" else "")
    return word


def one_edit_apart(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one typo: a letter added, removed, changed, or two
    neighbouring letters swapped (optimal string alignment distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def corrections(word: str, candidates: list[str]) -> tuple[str, ...]:
    """The candidates one typo away from ``word``, closest first (at most three)."""
    if len(word) < TYPO_MIN_LENGTH or is_ascii_digits(word):
        return ()
    found = [candidate for candidate in candidates if one_edit_apart(word, candidate)]
    return tuple(sorted(found, key=lambda c: (abs(len(c) - len(word)), c))[:3])

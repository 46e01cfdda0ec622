"""The NIR (numéro de Sécurité sociale) as a value object (AUTH-09, domain.md §2).

Why a value object: the NIR is the key of the CPF counter and the login of a holder, so
every entry point (registration, login, back office, yearly feed) must agree on one
canonical form (``Nir.value``: 15 characters, upper case, ``2A``/``2B`` kept as letters)
and on one set of refusals, each with its own French message for the user.

Checks, in this order (each message states something true about what was typed):

1. ``empty``: nothing but separators;
2. ``format``: 15 characters once spaces, dots and dashes are removed (13 digits, or
   ``2A``/``2B`` as department, then a 2-digit key);
3. ``sex``: a first digit other than 1, 2, 7 or 8 — the message is true whatever the key;
4. ``key``: the key is 97 − (the 13-character number mod 97), with 2A → 19 and 2B → 18,
   checked by ``stdnum.fr.nir`` (format and key only);
5. ``temporary``: 7 or 8 as first digit *with a valid key* is a real temporary number
   (NIA); a typo in the first digit of a definitive number is caught by the key first.

Privacy (PRIV-02): ``str()`` and ``repr()`` return the masked form, so a stray log line,
f-string or template variable never prints the number in clear; the clear value is only
reachable through ``.value`` (storage) and ``.formatted`` (explicit display).

Birth month: months 20–42 and 50–99 mean "unknown month" and are treated as January
(domain.md §2, a choice). Months 00, 13–19 and 43–49 are not issued by INSEE; rather than
lock out a holder on an unpublished rule, they are read as "unknown" too (choice) — the
key already catches typing mistakes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import nir as stdnum_nir

MESSAGES: Final[dict[str, str]] = {
    "empty": "Saisissez votre numéro de Sécurité sociale.",
    "format": (
        "Le numéro de Sécurité sociale comporte 15 caractères : 13 chiffres (ou 2A / 2B "
        "pour la Corse) suivis d'une clé de 2 chiffres."
    ),
    "key": (
        "La clé de votre numéro de Sécurité sociale (les 2 derniers chiffres) ne "
        "correspond pas au numéro. Vérifiez votre saisie."
    ),
    "temporary": (
        "Ce numéro est un numéro provisoire (commençant par 7 ou 8). L'inscription "
        "nécessite votre numéro de Sécurité sociale définitif."
    ),
    "sex": "Le premier chiffre du numéro de Sécurité sociale doit être 1 ou 2.",
    "too_young": "L'inscription est possible à partir de 16 ans.",
    "too_young_apprentice": (
        "À 15 ans, l'inscription n'est possible que si vous avez signé un contrat "
        "d'apprentissage : cochez la case correspondante."
    ),
}

MINIMUM_AGE: Final = 16
MINIMUM_AGE_APPRENTICE: Final = 15

# Separators people type or paste: every kind of space (incl. non-breaking ones, which
# NFKC turns into plain spaces), dots and dashes (hyphen-minus, the Unicode dashes U+2010 to
# U+2015 and the minus sign; NFKC turns the full-width and small forms into these), and the
# invisible format characters a copy may carry (zero-width spaces and joiners, direction
# marks and embeddings, soft hyphen, byte order mark).
_SEPARATORS: Final = re.compile(
    r"[\s.\-\u2010-\u2015\u2212\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    r"\u2066-\u2069\ufeff]+"
)
_CANONICAL: Final = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}")
# A canonical *definitive* NIR (first digit 1 or 2): the fast path of ``fast_nir_value``.
FAST_PATTERN: Final = r"[12][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{8}"
_FAST: Final = re.compile(FAST_PATTERN)
_MASK: Final = "•"


class NirError(ValueError):
    """A refused NIR: ``code`` for the program, ``message`` (French) for the user.

    The message never says whether the number is already registered (AUTH-09).
    """

    def __init__(self, code: str) -> None:
        self.code: str = code
        self.message: str = MESSAGES[code]
        super().__init__(self.message)


def normalise_nir(raw: str) -> str:
    """Compact form of what was typed as a NIR: no separators, upper case (``2a`` → ``2A``).

    The one normalisation of a typed NIR (AUTH-05, AUTH-09): ``Nir.parse`` reads this form,
    and every key derived from a typed NIR (the login throttle, the reset limit, the
    lookup hash) is computed from it, valid NIR or not. For a valid NIR it is the canonical
    value, whatever the spelling; a malformed string gets one form for all its spellings
    too, so that an unknown or malformed NIR is throttled like a real one.
    """
    # NFKC maps full-width digits and letters (Asian input methods), superscripts and the
    # various non-breaking spaces to their plain forms.
    text = unicodedata.normalize("NFKC", raw)
    return _SEPARATORS.sub("", text).upper()


def fast_nir_value(raw: str) -> str | None:
    """``raw`` itself if it already is a canonical, definitive NIR with a valid key.

    The fast path of bulk readers (the yearly feed): no normalisation, no exception, no
    object. ``None`` means "not sure": ask ``Nir.parse``, which knows the other spellings
    (a Hypothesis property checks that this accepts a subset of it, same value).
    """
    return raw if _FAST.fullmatch(raw) and key_matches(raw) else None


def with_key(first13: str) -> str:
    """``first13`` (13 characters, 2A / 2B allowed) followed by its key: how the demo, the
    synthetic data, the benches and the tests make valid numbers, by python-stdnum's rule,
    the one ``_check`` validates with."""
    return first13 + stdnum_nir.calc_check_digits(first13)


def key_matches(value: str) -> bool:
    """The key of a value already shaped like ``FAST_PATTERN`` (Corsica: 2A → 19, 2B → 18)."""
    department = value[5:7]
    digits = value[:13]
    if department == "2A":
        digits = value[:5] + "19" + value[7:13]
    elif department == "2B":
        digits = value[:5] + "18" + value[7:13]
    return 97 - int(digits) % 97 == int(value[13:])


def _check(value: str) -> None:
    """Raise NirError unless ``value`` is a canonical, definitive NIR."""
    if not value:
        raise NirError("empty")
    if not _CANONICAL.fullmatch(value):
        raise NirError("format")
    if value[0] not in "1278":
        raise NirError("sex")
    try:
        stdnum_nir.validate(value)
    except stdnum_exceptions.InvalidChecksum:
        raise NirError("key") from None
    except stdnum_exceptions.ValidationError:  # pragma: no cover - our regex is stricter
        raise NirError("format") from None
    if value[0] in "78":
        raise NirError("temporary")


@dataclass(frozen=True, repr=False)
class Nir:
    """A valid, definitive NIR in canonical form. Build it with ``Nir.parse(raw)``.

    Constructing ``Nir(value)`` directly also validates: the value must already be the
    canonical compact form.
    """

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str):
            raise NirError("format")
        _check(self.value)

    @classmethod
    def parse(cls, raw: str | None) -> Nir:
        """Read a NIR as typed (``normalise_nir``): spaces, dots, dashes, full-width
        characters, lower-case ``2a``/``2b`` accepted."""
        if raw is None:
            raise NirError("empty")
        return cls(normalise_nir(str(raw)))

    # --- What the number says ------------------------------------------------------

    @property
    def sex(self) -> int:
        """1 (man) or 2 (woman), as INSEE codes it."""
        return int(self.value[0])

    @property
    def _month_digits(self) -> int:
        return int(self.value[3:5])

    @property
    def birth_month_known(self) -> bool:
        """False when the month digits do not name a month (incomplete civil status)."""
        return 1 <= self._month_digits <= 12

    @property
    def birth_month(self) -> int:
        """1–12; an unknown month (20–42, 50–99, and by extension 00…) counts as January."""
        return self._month_digits if self.birth_month_known else 1

    def birth_year_on(self, day: date) -> int:
        """Four-digit birth year, with the century chosen so that it is not after ``day``.

        The NIR only holds ``YY``: it means ``20YY`` if that year is not after ``day``'s
        year, else ``19YY``. Holders aged 100 or more are not a CPF concern.
        """
        two_digits = int(self.value[1:3])
        year = 2000 + two_digits
        return year if year <= day.year else year - 100

    @property
    def birth_year(self) -> int:
        """Four-digit birth year relative to today (see ``birth_year_on``)."""
        return self.birth_year_on(date.today())

    @property
    def department(self) -> str:
        """Characters 6–7: ``75``, ``2A``, ``2B``, ``97``/``98`` for overseas (kept simple)."""
        return self.value[5:7]

    @property
    def digits13(self) -> str:
        """The 13 characters before the key, with 2A → 19 and 2B → 18 (all digits)."""
        department = {"2A": "19", "2B": "18"}.get(self.department, self.department)
        return self.value[:5] + department + self.value[7:13]

    @property
    def key(self) -> str:
        """The two check digits."""
        return self.value[13:]

    def age_on(self, day: date) -> int:
        """Completed years on ``day``, counting the birth as the 1st of the birth month."""
        year = self.birth_year_on(day)
        return day.year - year - (1 if day.month < self.birth_month else 0)

    # --- Display ------------------------------------------------------------------

    def _groups(self) -> tuple[str, ...]:
        v = self.value
        return (v[0], v[1:3], v[3:5], v[5:7], v[7:10], v[10:13], v[13:15])

    @property
    def formatted(self) -> str:
        """Grouped for an explicit display: ``1 85 05 78 006 084 36``."""
        return " ".join(self._groups())

    @property
    def masked(self) -> str:
        """Only sex, year and key visible (PRIV-02): ``1 85 •• •• ••• ••• 36``."""
        sex, year, *middle, key = self._groups()
        return " ".join([sex, year, *(_MASK * len(group) for group in middle), key])

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Nir({self.masked!r})"


def check_registration_eligibility(nir: Nir, *, today: date, apprenticeship: bool) -> None:
    """Raise NirError unless the holder may register (domain.md §2).

    16 or more; 15 only with a contrat d'apprentissage (the registration checkbox).
    """
    age = nir.age_on(today)
    if age >= MINIMUM_AGE:
        return
    if age >= MINIMUM_AGE_APPRENTICE:
        if apprenticeship:
            return
        raise NirError("too_young_apprentice")
    raise NirError("too_young")

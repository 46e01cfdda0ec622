"""Password rules of the holder's account (AUTH-01, AUTH-02).

Why these validators rather than Django's defaults:

- ``SeedCompositionValidator`` enforces the rule the seed displays — « Pour être valide,
  votre mot de passe doit impérativement comporter au minimum 5 lettres et 3 chiffres. Il
  doit être composé d'au moins 3 catégories de caractères parmi les suivants :
  majuscules, minuscules, caractères spéciaux, chiffres. » — plus the AUTH-01 length
  bounds (8 to 128 characters). ``evaluate()`` gives the same verdicts rule by rule for
  the live checklist of the registration page. The whole password is always evaluated
  and nothing is ever truncated (the hasher, Argon2, has no 72-byte limit either).
- ``ContextValidator`` refuses passwords built from what an attacker who knows the
  holder would try first: the NIR, the birth year with the birth month, the e-mail local
  part, the names and the name of the service (AUTH-02). Its message deliberately does
  not say which of them matched.
- ``CommonPasswordsValidator`` is Django's list of 19 640 common passwords, compared the
  same way (lower-cased, stripped), with a generic French message that names no list.
  Django's list holds « azerty123 » but not « motdepasse123 » (only « motdepasse »): so a
  password is ALSO refused when its lower-cased form, once its trailing digits and special
  characters are removed, is in the list and that trailing part is trivial — digits only,
  or digits plus one special character. « Azerty123 » is refused by the list itself,
  « Motdepasse123 » (« motdepasse » + « 123 ») and « Soleil2024! » by the trivial-suffix
  rule. Those are exactly the passwords that meet the composition rule by appending digits
  to a common word.

Character classes (on the NFC form, so that a decomposed « é » is one letter):

- letter: any Unicode letter (category L*); upper case = Lu/Lt, lower case = Ll; a letter
  of a caseless script counts as a letter but in neither case category;
- digit: a decimal digit (Nd);
- special: any other printable character — punctuation, symbols (emoji), spaces, other
  numerals (², Ⅻ). Combining marks, controls and format characters (ZWJ) count for length
  only.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from mcf.domain.identity.nir import Nir, NirError

SEED_RULE_TEXT: Final = (
    "Pour être valide, votre mot de passe doit impérativement comporter au minimum "
    "5 lettres et 3 chiffres. Il doit être composé d'au moins 3 catégories de caractères "
    "parmi les suivants : majuscules, minuscules, caractères spéciaux, chiffres."
)

MIN_LENGTH: Final = 8
MAX_LENGTH: Final = 128
MIN_LETTERS: Final = 5
MIN_DIGITS: Final = 3
MIN_CATEGORIES: Final = 3


@dataclass(frozen=True)
class Rule:
    """One line of the checklist: ``code`` for the program, ``label`` (French) for the UI."""

    code: str
    label: str


LENGTH = Rule("length", f"Entre {MIN_LENGTH} et {MAX_LENGTH} caractères")
LETTERS = Rule("letters", f"Au moins {MIN_LETTERS} lettres")
DIGITS = Rule("digits", f"Au moins {MIN_DIGITS} chiffres")
CATEGORIES = Rule(
    "categories",
    f"Au moins {MIN_CATEGORIES} catégories parmi : majuscules, minuscules, "
    "caractères spéciaux, chiffres",
)
RULES: Final[tuple[Rule, ...]] = (LENGTH, LETTERS, DIGITS, CATEGORIES)


@dataclass(frozen=True)
class _Counts:
    length: int
    letters: int
    upper: int
    lower: int
    digits: int
    special: int

    @property
    def categories(self) -> int:
        return sum(1 for n in (self.upper, self.lower, self.digits, self.special) if n)


def _count(password: str) -> _Counts:
    text = unicodedata.normalize("NFC", password)
    letters = upper = lower = digits = special = 0
    for char in text:
        category = unicodedata.category(char)
        major = category[0]
        if major == "L":
            letters += 1
            if category in ("Lu", "Lt"):
                upper += 1
            elif category == "Ll":
                lower += 1
        elif category == "Nd":
            digits += 1
        elif major in "PSZN":
            special += 1
        # M* (combining marks) and C* (controls, format characters): length only.
    return _Counts(len(text), letters, upper, lower, digits, special)


def _verdicts(counts: _Counts) -> dict[str, bool]:
    return {
        LENGTH.code: MIN_LENGTH <= counts.length <= MAX_LENGTH,
        LETTERS.code: counts.letters >= MIN_LETTERS,
        DIGITS.code: counts.digits >= MIN_DIGITS,
        CATEGORIES.code: counts.categories >= MIN_CATEGORIES,
    }


def evaluate(password: str) -> list[tuple[Rule, bool]]:
    """Each rule of ``RULES`` with whether ``password`` meets it (the UI checklist)."""
    verdicts = _verdicts(_count(password))
    return [(rule, verdicts[rule.code]) for rule in RULES]


class SeedCompositionValidator:
    """The seed's composition rule and the AUTH-01 length bounds, every failure listed."""

    def validate(self, password: str, user: Any = None) -> None:
        counts = _count(password)
        verdicts = _verdicts(counts)
        errors: list[ValidationError] = []
        if counts.length < MIN_LENGTH:
            errors.append(
                ValidationError(
                    f"Votre mot de passe doit comporter au moins {MIN_LENGTH} caractères.",
                    code="password_too_short",
                )
            )
        elif counts.length > MAX_LENGTH:
            errors.append(
                ValidationError(
                    f"Votre mot de passe ne doit pas dépasser {MAX_LENGTH} caractères.",
                    code="password_too_long",
                )
            )
        if not verdicts[LETTERS.code]:
            errors.append(
                ValidationError(
                    f"Votre mot de passe doit comporter au moins {MIN_LETTERS} lettres.",
                    code="password_too_few_letters",
                )
            )
        if not verdicts[DIGITS.code]:
            errors.append(
                ValidationError(
                    f"Votre mot de passe doit comporter au moins {MIN_DIGITS} chiffres.",
                    code="password_too_few_digits",
                )
            )
        if not verdicts[CATEGORIES.code]:
            errors.append(
                ValidationError(
                    f"Votre mot de passe doit comporter au moins {MIN_CATEGORIES} catégories "
                    "de caractères parmi : majuscules, minuscules, caractères spéciaux, "
                    "chiffres.",
                    code="password_too_few_categories",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return SEED_RULE_TEXT


# --- Context ------------------------------------------------------------------------------

CONTEXT_MESSAGE: Final = (
    "Votre mot de passe ne doit pas contenir votre numéro de Sécurité sociale, votre nom, "
    "votre prénom, votre adresse courriel ni le nom du service."
)
# Professionals and operators have no NIR: they log in with an identifier.
CONTEXT_MESSAGE_WITHOUT_NIR: Final = (
    "Votre mot de passe ne doit pas contenir votre identifiant, votre nom, votre prénom, "
    "votre adresse courriel ni le nom du service."
)
SERVICE_NAMES: Final = ("moncompteformation", "compteformation", "moncompte")
FRENCH_MONTHS: Final = (
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)
MIN_NAME_LETTERS: Final = 3
MIN_EMAIL_LOCAL_PART: Final = 4


def fold(text: str) -> str:
    """Case- and accent-insensitive form, letters and digits only (« Élo-Dïe » → « elodie »).

    Dropping everything but letters and digits also defeats separators slipped in
    (« mon.compte », « 1995-mai »).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in "".join(kept).casefold() if char.isalnum())


def _name_parts(name: str) -> set[str]:
    """A name and each of its parts (« Jean-Pierre » → jeanpierre, jean, pierre)."""
    decomposed = unicodedata.normalize("NFKD", name)
    words = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    candidates = {fold(word) for word in words.split()} | {fold(name)}
    return {part for part in candidates if sum(c.isalpha() for c in part) >= MIN_NAME_LETTERS}


def _as_nir(value: Any) -> Nir | None:
    if isinstance(value, Nir):
        return value
    if isinstance(value, str) and value:
        try:
            return Nir.parse(value)
        except NirError:
            return None
    return None


def _birth_month_tokens(month: int) -> set[str]:
    """« 05 », « mai »; « fevrier » → « fev », « fevr », … « fevrier »."""
    name = FRENCH_MONTHS[month - 1]
    return {f"{month:02d}"} | {name[:n] for n in range(3, len(name) + 1)}


def context_needles(user: Any) -> set[str]:
    """The folded strings a password of this user must not contain."""
    needles: set[str] = set(SERVICE_NAMES)
    nir = _as_nir(getattr(user, "nir", None))
    if nir is not None:
        needles.add(nir.digits13)
        needles.add(fold(nir.value[:13]))  # « 2A » typed as letters
        if nir.birth_month_known:
            year = str(nir.birth_year)
            for token in _birth_month_tokens(nir.birth_month):
                needles.update((year + token, token + year))
    for attribute in ("first_name", "birth_name", "last_name", "username"):
        name = getattr(user, attribute, None)
        if isinstance(name, str) and name:
            needles.update(_name_parts(name))
    email = getattr(user, "email", None)
    if isinstance(email, str) and "@" in email:
        local_part = fold(email.rsplit("@", 1)[0])
        if len(local_part) >= MIN_EMAIL_LOCAL_PART:
            needles.add(local_part)
    return needles


def context_message(user: Any) -> str:
    """The rule as the person reads it: the NIR is named only to someone who has one."""
    if _as_nir(getattr(user, "nir", None)) is not None:
        return CONTEXT_MESSAGE
    return CONTEXT_MESSAGE_WITHOUT_NIR


class ContextValidator:
    """Refuse a password containing the holder's NIR, birth month, names, identifier,
    e-mail or the service name (AUTH-02); one generic message, whichever matched."""

    def validate(self, password: str, user: Any = None) -> None:
        folded = fold(password)
        if any(needle and needle in folded for needle in context_needles(user)):
            raise ValidationError(context_message(user), code="password_too_personal")

    def get_help_text(self) -> str:
        return CONTEXT_MESSAGE


# --- Common passwords -------------------------------------------------------------------

COMMON_MESSAGE: Final = (
    "Ce mot de passe est trop courant : choisissez-en un moins facile à deviner."
)
MAX_TRIVIAL_SUFFIX_SPECIALS: Final = 1


@functools.cache
def _common_passwords(path: str | None) -> frozenset[str]:
    # Django reads its 19 640-line gzip file in each validator's __init__: read it once.
    validator = CommonPasswordValidator() if path is None else CommonPasswordValidator(path)
    return frozenset(validator.passwords)


def _split_trailing(lowered: str) -> tuple[str, str]:
    """(stem, suffix) where suffix is the run of non-letters at the end."""
    end = len(lowered)
    while end and not lowered[end - 1].isalpha():
        end -= 1
    return lowered[:end], lowered[end:]


def _is_trivial_suffix(suffix: str) -> bool:
    digits = sum(1 for char in suffix if char.isdecimal())
    return digits > 0 and len(suffix) - digits <= MAX_TRIVIAL_SUFFIX_SPECIALS


class CommonPasswordsValidator(CommonPasswordValidator):
    """Django's common-password list, plus « common word + trivial suffix » (see module)."""

    def __init__(self, password_list_path: str | None = None) -> None:
        self.passwords = _common_passwords(str(password_list_path) if password_list_path else None)

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower().strip()
        stem, suffix = _split_trailing(lowered)
        if lowered in self.passwords or (
            stem and _is_trivial_suffix(suffix) and stem in self.passwords
        ):
            raise ValidationError(self.get_error_message(), code="password_too_common")

    def get_error_message(self) -> str:
        return COMMON_MESSAGE

    def get_help_text(self) -> str:
        return "Votre mot de passe ne doit pas être un mot de passe courant."


PASSWORD_VALIDATORS: Final[list[dict[str, str]]] = [
    {"NAME": "mcf.domain.accounts.password_rules.SeedCompositionValidator"},
    {"NAME": "mcf.domain.accounts.password_rules.ContextValidator"},
    {"NAME": "mcf.domain.accounts.password_rules.CommonPasswordsValidator"},
]


# --- A new password for an existing account ----------------------------------------------

UNCHANGED_MESSAGE: Final = "Votre nouveau mot de passe doit être différent du mot de passe actuel."


def refuse_unchanged_password(account: Any, new_password: str) -> None:
    """Raise ValidationError if ``new_password`` is the account's current password.

    A reset or a change that keeps the password changes nothing while the holder is told it
    did (and every other session ends for nothing); a professional keeping a provisional
    password keeps one that someone else has seen. The shared new-password form calls it
    (a French message next to the field), and so does each action that replaces a password.
    ``hashers.check_password``, not ``account.check_password``: a check never saves (the
    latter may upgrade the stored hash).
    """
    current = getattr(account, "password", "")
    if current and check_password(new_password, current):
        raise ValidationError(UNCHANGED_MESSAGE, code="password_unchanged")

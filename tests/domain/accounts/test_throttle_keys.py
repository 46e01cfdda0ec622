"""AUTH-05 / AUTH-12: one counter per NIR, however it is typed.

Every spelling that ``Nir.parse`` accepts as a NIR (full-width digits, superscripts,
Unicode dashes and spaces, dots, invisible marks, ``2a``/``2b``, mixtures) reaches the same
account; the login, the « Mot de passe oublié » limit and the re-authentication must then
count it on the same key, or each spelling gets a fresh counter (issue 12: 12 spellings
× 4 failures went through with no delay). A string that is not a NIR is counted the same
way: its spellings share one key too.

The keys are read where each path hands them over: ``authenticate_with_throttle``'s ``key``
for the login and the re-authentication, the rate limit's key function for the reset.
"""

from __future__ import annotations

import unicodedata
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcf.domain.accounts import authentication, reauthentication
from mcf.domain.accounts.authentication import LoginOutcome, authenticate_holder
from mcf.domain.accounts.models import User
from mcf.domain.accounts.reauthentication import confirm_password
from mcf.domain.identity.nir import Nir, NirError, with_key
from mcf.domain.identity.protection import nir_lookup_hash, nir_throttle_key
from mcf.domain.organisations import authentication as professional_authentication
from mcf.domain.organisations.authentication import authenticate_username
from mcf.web.titulaire import views as titulaire_views

HYPOTHESIS = settings(
    database=None,  # no .hypothesis folder in the repository
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _nfkc_sources() -> dict[str, set[str]]:
    """Every character of the Basic Multilingual Plane and of the mathematical letters and
    digits, by the ASCII letter or digit NFKC turns it into (``1``: ``１``, ``¹``, ``₁``,
    ``𝟏``…): what a NIR or an identifier may be typed with and still be accepted."""
    sources: dict[str, set[str]] = {}
    for code in [*range(0x10000), *range(0x1D400, 0x1D800)]:
        normal = unicodedata.normalize("NFKC", chr(code))
        if len(normal) == 1 and normal.isascii() and normal.isalnum():
            sources.setdefault(normal, set()).add(chr(code))
    return sources


_SOURCES = _nfkc_sources()


def _variants(target: str) -> list[str]:
    """The characters typed for ``target``, lower case included for a letter."""
    return sorted(_SOURCES[target] | _SOURCES.get(target.lower(), set()))


VARIANTS = {character: _variants(character) for character in "0123456789AB"}
# Written out here, not taken from the code under test: what people type or paste
# between the groups of a NIR.
SEPARATORS = [
    " ",
    "\t",
    "\u00a0",  # no-break space
    "\u2007",  # figure space
    "\u2009",  # thin space
    "\u202f",  # narrow no-break space
    "\u3000",  # ideographic space
    ".",
    "\uff0e",  # full-width full stop
    "-",
    "\uff0d",  # full-width hyphen-minus
    "\u2010",  # hyphen
    "\u2011",  # non-breaking hyphen
    "\u2012",  # figure dash
    "\u2013",  # en dash
    "\u2014",  # em dash
    "\u2212",  # minus sign
    "\u200b",  # zero-width space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
]


@st.composite
def canonical_nirs(draw) -> str:
    sex = draw(st.sampled_from("12"))
    middle = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    department = draw(st.sampled_from(["75", "13", "2A", "2B", "97", "01"]))
    tail = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    return with_key(f"{sex}{middle}{department}{tail}")


@st.composite
def spellings_of(draw, compact: str) -> str:
    """``compact`` typed with any variant of each character and any separators."""
    separator = st.lists(st.sampled_from(SEPARATORS), max_size=2).map("".join)
    parts = [draw(separator)]
    for character in compact:
        parts.append(draw(st.sampled_from(VARIANTS.get(character, [character]))))
        parts.append(draw(separator))
    return "".join(parts)


@st.composite
def nir_and_spelling(draw) -> tuple[str, str]:
    value = draw(canonical_nirs())
    return value, draw(spellings_of(value))


@pytest.fixture
def keys_handed_over(monkeypatch):
    """The ``key`` each login path gives to the throttle, instead of checking a password."""
    seen: list[str] = []

    def spy(find_account, password, *, key, **kwargs):
        seen.append(key)
        return LoginOutcome(None, "invalid")

    monkeypatch.setattr(authentication, "authenticate_with_throttle", spy)
    monkeypatch.setattr(reauthentication, "authenticate_with_throttle", spy)
    monkeypatch.setattr(professional_authentication, "authenticate_with_throttle", spy)
    return seen


def login_key(typed: str, seen: list[str]) -> str:
    authenticate_holder(typed, "Mauvais-mot-2026")
    return seen.pop()


def reauthentication_key(canonical: str, seen: list[str]) -> str:
    # The holder's NIR as stored (registration keeps the canonical value).
    confirm_password(SimpleNamespace(pk=1, nir=canonical), "Mauvais-mot-2026")
    return seen.pop()


def reset_limit_key(typed: str) -> str:
    request = RequestFactory().post("/titulaire/mot-de-passe-oublie/", {"nir": typed})
    return titulaire_views._nir_key("password_reset", request)


@HYPOTHESIS
@given(case=nir_and_spelling())
def test_auth05_every_spelling_of_a_nir_has_one_throttle_key_for_login_reset_and_reauth(
    case, keys_handed_over
):
    canonical, typed = case
    assert Nir.parse(typed).value == canonical  # the spelling reaches the account
    assert nir_lookup_hash(typed) == nir_lookup_hash(canonical)

    expected = nir_throttle_key(canonical)
    assert login_key(typed, keys_handed_over) == expected
    assert login_key(canonical, keys_handed_over) == expected
    assert reset_limit_key(typed) == expected
    assert reset_limit_key(canonical) == expected
    assert reauthentication_key(canonical, keys_handed_over) == expected


def _is_a_nir(text: str) -> bool:
    try:
        Nir.parse(text)
    except NirError:
        return False
    return True


@HYPOTHESIS
@given(
    compact=st.text(alphabet="0123456789AB", min_size=1, max_size=20).filter(
        lambda text: not _is_a_nir(text)
    ),
    data=st.data(),
)
def test_auth05_a_malformed_nir_is_throttled_under_one_key_for_all_its_spellings(
    compact, data, keys_handed_over
):
    typed = data.draw(spellings_of(compact))

    assert login_key(typed, keys_handed_over) == login_key(compact, keys_handed_over)
    assert reset_limit_key(typed) == reset_limit_key(compact)


def test_auth05_throttle_keys_of_different_nirs_differ(keys_handed_over):
    first, second = with_key("1850578006084"), with_key("1850578006085")
    assert login_key(first, keys_handed_over) != login_key(second, keys_handed_over)


USERNAME_VARIANTS = {
    character: _variants(character.upper()) for character in "abcdefghijklmnopqrstuvwxyz"
}


@HYPOTHESIS
@given(
    username=st.from_regex(r"[a-z]{1,8}(?:[.\-][a-z]{1,8})?", fullmatch=True),
    data=st.data(),
)
def test_auth05_every_spelling_of_a_professional_identifier_has_one_key(
    username, data, keys_handed_over
):
    """Professionals log in with an identifier: full-width letters, capitals and spaces
    around it reach the same account (NFKC, as Django's login form), and its counter."""
    space = st.sampled_from(["", " ", "\u00a0", "\u3000", "\u2009"])
    punctuation = {".": [".", "\uff0e"], "-": ["-", "\uff0d"]}
    letters = [
        data.draw(st.sampled_from(punctuation.get(c) or _variants(c.upper()))) for c in username
    ]
    typed = data.draw(space) + "".join(letters) + data.draw(space)

    authenticate_username(typed, "Mauvais-mot-2026", kinds=[User.Kind.PROFESSIONNEL])
    authenticate_username(username, "Mauvais-mot-2026", kinds=[User.Kind.PROFESSIONNEL])
    assert keys_handed_over[0] == keys_handed_over[1]
    assert professional_authentication.normalise_username(typed) == username

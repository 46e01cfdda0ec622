"""VAL-01: a number read from a request, a file or a URL is made of ASCII digits.

``str.isdigit()`` is true for « ² » (then ``int()`` raises: the 500 of « Fermer » a
session), ``int()`` and ``\\d`` take « ١٢ » and « １２ ». The rule has one owner,
mcf/core/digits.py; this test finds any other spelling of it in the code.
"""

from pathlib import Path

import pytest

from mcf.core.digits import ascii_int, has_foreign_digits, is_ascii_digits, object_id

ROOT = Path(__file__).resolve().parents[2]
UNICODE_DIGIT_CHECKS = ("isdigit(", "isnumeric(", "isdecimal(", "\\d")
# Deliberate, and said where: the password's composition counts any decimal digit (Nd)
# as « chiffre » (the password rules' docstring); the owner of the rule explains it.
ALLOWED = {"mcf/core/digits.py", "mcf/domain/accounts/password_rules.py"}


def _sources():
    for path in sorted((ROOT / "mcf").rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        if path.suffix in {".py", ".html", ".js"} and "/static/dsfr/" not in relative:
            yield relative, path.read_text(encoding="utf-8")


def test_no_unicode_digit_check_outside_the_owner_of_the_rule():
    found = [
        f"{relative}:{number}: {line.strip()}"
        for relative, text in _sources()
        if relative not in ALLOWED
        for number, line in enumerate(text.splitlines(), 1)
        if any(check in line for check in UNICODE_DIGIT_CHECKS)
    ]
    assert not found, "use mcf.core.digits (or [0-9]):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "text", ["²", "١٢", "１２", "", " 12", "12 ", "1_2", "+1", "-1", "1\u00a02", "1e3", "Ⅻ"]
)
def test_only_ascii_digits_are_a_number(text):
    assert not is_ascii_digits(text)
    assert ascii_int(text, maximum=10**6) is None
    assert object_id(text) is None


def test_ascii_numbers_and_their_bounds():
    assert ascii_int("0042", maximum=100) == 42
    assert ascii_int("101", maximum=100) is None
    assert object_id("0") is None
    assert object_id("9" * 19) is None  # above the largest id: names nothing
    assert object_id("9" * 5000) is None  # int() would refuse more than 4 300 digits
    assert object_id("12") == 12


@pytest.mark.parametrize(
    ("text", "foreign"),
    [
        ("1 200,50", False),
        ("12\u202f000", False),
        ("2027-01-15", False),
        ("", False),
        ("1²", True),
        ("١٢", True),
        ("１２", True),
        ("3\u0663", True),
    ],
)
def test_foreign_digits_are_told_apart_from_ascii_ones_and_spaces(text, foreign):
    assert has_foreign_digits(text) is foreign

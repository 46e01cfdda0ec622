"""The NIR value object (AUTH-09, domain.md §2, PRIV-02)."""

import logging
from datetime import date

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.fr import nir as stdnum_nir

from mcf.domain.identity import nir as nir_module
from mcf.domain.identity.nir import MESSAGES, Nir, NirError, check_registration_eligibility

HYPOTHESIS = settings(
    database=None,  # no .hypothesis folder in the repository
    max_examples=300,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def with_key(prefix13: str) -> str:
    """The 15-character NIR for a 13-character prefix (independent of the module)."""
    number = prefix13.replace("2A", "19").replace("2B", "18")
    return f"{prefix13}{97 - int(number) % 97:02d}"


# A man born in May 1985 in Bouches-du-Rhône (13), and other fixtures built the same way.
MAY_1985 = with_key("1850513055123")
CORSICA_2A = with_key("141022A002005")
CORSICA_2B = with_key("253072B073004")


# --- Accepted numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # Vectors of python-stdnum's own documentation (stdnum/fr/nir.py).
        ("2 95 10 99 126 111 93", "295109912611193"),
        ("253072B07300470", "253072B07300470"),
        ("253072A07300443", "253072A07300443"),
    ],
)
def test_auth09_python_stdnum_vectors_are_accepted(raw, canonical):
    assert stdnum_nir.is_valid(raw)  # the vector really is valid for the library

    assert Nir.parse(raw).value == canonical


def test_auth09_corsica_keys_are_computed_with_19_and_18():
    assert CORSICA_2A == "141022A00200514"  # 1410219002005 mod 97 = 83 → key 14
    assert Nir.parse(CORSICA_2A).value == CORSICA_2A
    assert Nir.parse(CORSICA_2B).value == "253072B07300470"
    # The key of 2A is the key of 19 (Corrèze), not the key of 20 (the old Corsica code).
    assert Nir.parse(CORSICA_2A.replace("2A", "19")).key == "14"
    with pytest.raises(NirError) as error:
        Nir.parse(CORSICA_2A.replace("2A", "20"))
    assert error.value.code == "key"
    with pytest.raises(NirError) as error:
        Nir.parse(CORSICA_2B.replace("2B", "2A"))
    assert error.value.code == "key"


@pytest.mark.parametrize(
    "typed",
    [
        "141022A00200514",
        "141022a00200514",
        "1 41 02 2a 002 005 14",
        "1.41.02.2A.002.005.14",
        "1-41-02-2A-002-005-14",
        "  1 41 02 2A 002 005 14  ",
        "1\u00a041\u00a002\u00a02a\u00a0002\u00a0005\u00a014",  # non-breaking spaces
        "1\u202f41\u202f02 2A 002.005-14",  # narrow no-break space, mixed separators
        "１４１０２２Ａ００２００５１４",  # full-width (Asian input methods)
    ],
)
def test_auth09_separators_and_case_normalise_to_one_value(typed):
    assert Nir.parse(typed) == Nir("141022A00200514")


@given(
    sex=st.sampled_from("12"),
    rest=st.text(alphabet="0123456789", min_size=12, max_size=12),
)
@HYPOTHESIS
def test_auth09_property_any_prefix_with_its_key_is_accepted(sex, rest):
    value = with_key(sex + rest)

    nir = Nir.parse(value)

    assert nir.value == value
    assert stdnum_nir.is_valid(value)


@given(
    sex=st.sampled_from("1278"),
    middle=st.text(alphabet="0123456789", min_size=4, max_size=4),
    department=st.sampled_from(["2A", "2B", "75", "97", "01"]),
    tail=st.text(alphabet="0123456789", min_size=6, max_size=6),
)
@HYPOTHESIS
def test_the_module_s_key_maker_agrees_with_the_independent_one_and_with_the_check(
    sex, middle, department, tail
):
    # The demo, the synthetic data, the benches and the fixtures make NIRs with it.
    prefix = f"{sex}{middle}{department}{tail}"
    made = nir_module.with_key(prefix)

    assert made == with_key(prefix)
    assert nir_module.key_matches(made)


@given(
    sex=st.sampled_from("12"),
    rest=st.text(alphabet="0123456789", min_size=12, max_size=12),
    position=st.integers(min_value=0, max_value=14),
    shift=st.integers(min_value=1, max_value=9),
)
@HYPOTHESIS
def test_auth09_property_changing_any_single_digit_is_rejected(sex, rest, position, shift):
    valid = with_key(sex + rest)
    changed_digit = str((int(valid[position]) + shift) % 10)
    changed = valid[:position] + changed_digit + valid[position + 1 :]

    with pytest.raises(NirError) as error:
        Nir.parse(changed)

    # mod 97 catches every single-digit change; a changed first digit may be reported
    # by the more specific first-digit rule instead.
    assert error.value.code in {"key", "sex"}


# --- Refusals, one code and one message each ---------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (" . - ", "empty"),
        (None, "empty"),
        ("18505130551", "format"),  # too short
        (MAY_1985 + "1", "format"),  # too long
        ("1850513055123X5", "format"),  # a letter in the serial
        ("185052C05512345", "format"),  # only 2A and 2B are letters
        ("1850A1305512345", "format"),  # letter outside the department
        ("185O513055123" + MAY_1985[-2:], "format"),  # letter O typed for a zero
        ("١٨٥٠٥١٣٠٥٥١٢٣٤٥", "format"),  # Arabic-Indic digits are not NIR digits
        (MAY_1985[:13] + f"{(int(MAY_1985[13:]) + 1) % 100:02d}", "key"),
        (with_key("7850513055123"), "temporary"),
        (with_key("8850513055123"), "temporary"),
        (with_key("3850513055123"), "sex"),
        (with_key("0850513055123"), "sex"),
        (with_key("9850513055123"), "sex"),
    ],
)
def test_auth09_each_refusal_has_its_code_and_french_message(typed, code):
    with pytest.raises(NirError) as error:
        Nir.parse(typed)

    assert error.value.code == code
    assert error.value.message == MESSAGES[code]
    assert str(error.value) == MESSAGES[code]
    assert isinstance(error.value, ValueError)


def test_auth09_messages_are_the_expected_french_sentences():
    assert MESSAGES["empty"] == "Saisissez votre numéro de Sécurité sociale."
    assert MESSAGES["format"].startswith("Le numéro de Sécurité sociale comporte 15 caractères")
    assert "2 derniers chiffres" in MESSAGES["key"]
    assert "provisoire (commençant par 7 ou 8)" in MESSAGES["temporary"]
    assert MESSAGES["sex"] == "Le premier chiffre du numéro de Sécurité sociale doit être 1 ou 2."
    assert MESSAGES["too_young"] == "L'inscription est possible à partir de 16 ans."
    assert "contrat d'apprentissage" in MESSAGES["too_young_apprentice"]
    # AUTH-09: no message reveals whether a number is registered.
    assert not any("inscrit" in message for message in MESSAGES.values())


def test_a_temporary_number_with_a_wrong_key_is_reported_as_a_key_error():
    # A typo 1 → 7 in a definitive number is not a temporary number.
    typo = "7" + MAY_1985[1:]
    with pytest.raises(NirError) as error:
        Nir.parse(typo)
    assert error.value.code == "key"


def test_the_constructor_validates_and_wants_the_canonical_form():
    assert Nir(MAY_1985).value == MAY_1985
    with pytest.raises(NirError) as error:
        Nir("141022a00200514")
    assert error.value.code == "format"


# --- What the number says ----------------------------------------------------------------


def test_properties_of_a_nir():
    nir = Nir.parse(MAY_1985)

    assert nir.sex == 1
    assert nir.birth_year_on(date(2026, 1, 1)) == 1985
    assert nir.birth_month == 5
    assert nir.birth_month_known
    assert nir.department == "13"
    assert nir.digits13 == "1850513055123"
    assert nir.key == MAY_1985[13:]


def test_corsica_department_and_digits13():
    nir = Nir.parse(CORSICA_2A)

    assert nir.sex == 1
    assert nir.department == "2A"
    assert nir.digits13 == "1410219002005"
    assert Nir.parse(CORSICA_2B).digits13 == "2530718073004"


@pytest.mark.parametrize(
    ("two_digits", "today", "year"),
    [
        ("10", date(2026, 11, 27), 2010),
        ("26", date(2026, 11, 27), 2026),  # this year: 20YY is not in the future
        ("27", date(2026, 11, 27), 1927),  # next year would be the future: 19YY
        ("85", date(2026, 11, 27), 1985),
        ("00", date(2026, 11, 27), 2000),
        ("99", date(2026, 11, 27), 1999),
    ],
)
def test_birth_year_century_is_chosen_so_that_the_date_is_not_in_the_future(
    two_digits, today, year
):
    nir = Nir.parse(with_key(f"1{two_digits}0575056123"))

    assert nir.birth_year_on(today) == year
    with time_machine.travel(today, tick=False):
        assert nir.birth_year == year


@pytest.mark.parametrize(
    ("month_digits", "month", "known"),
    [
        ("01", 1, True),
        ("12", 12, True),
        ("20", 1, False),
        ("42", 1, False),
        ("50", 1, False),
        ("99", 1, False),
        ("00", 1, False),
        ("13", 1, False),  # not issued by INSEE: read as unknown (choice)
        ("45", 1, False),
    ],
)
def test_unknown_birth_months_count_as_january(month_digits, month, known):
    nir = Nir.parse(with_key(f"290{month_digits}75056123"))

    assert nir.birth_month == month
    assert nir.birth_month_known is known


def test_an_unknown_month_gives_the_age_of_someone_born_on_1_january():
    nir = Nir.parse(with_key("2103075056123"))  # 2010, month 30

    assert nir.age_on(date(2025, 12, 31)) == 15
    assert nir.age_on(date(2026, 1, 1)) == 16


def test_age_counts_completed_years_from_the_first_of_the_birth_month():
    nir = Nir.parse(with_key("2100575056123"))  # May 2010

    assert nir.age_on(date(2026, 4, 30)) == 15
    assert nir.age_on(date(2026, 5, 1)) == 16
    assert nir.age_on(date(2026, 12, 31)) == 16


# --- Eligibility (domain.md §2) ----------------------------------------------------------

BORN_MAY_2010 = Nir.parse(with_key("2100575056123"))


@pytest.mark.parametrize(
    ("today", "apprenticeship", "code"),
    [
        (date(2026, 5, 1), False, None),  # 16 today
        (date(2026, 5, 1), True, None),
        (date(2040, 1, 1), False, None),
        (date(2026, 4, 30), True, None),  # 15 with a contrat d'apprentissage
        (date(2025, 5, 1), True, None),  # 15 today, with the box
        (date(2026, 4, 30), False, "too_young_apprentice"),  # 15 without the box
        (date(2025, 5, 1), False, "too_young_apprentice"),
        (date(2025, 4, 30), True, "too_young"),  # 14, even with the box
        (date(2025, 4, 30), False, "too_young"),
        (date(2010, 5, 1), False, "too_young"),
    ],
)
def test_registration_eligibility_boundaries(today, apprenticeship, code):
    if code is None:
        check_registration_eligibility(BORN_MAY_2010, today=today, apprenticeship=apprenticeship)
        return
    with pytest.raises(NirError) as error:
        check_registration_eligibility(BORN_MAY_2010, today=today, apprenticeship=apprenticeship)
    assert error.value.code == code
    assert error.value.message == MESSAGES[code]


# --- Display and masking (PRIV-02) -------------------------------------------------------


def test_formatted_groups_are_1_2_2_2_3_3_2():
    assert Nir.parse("295109912611193").formatted == "2 95 10 99 126 111 93"
    assert Nir.parse(CORSICA_2A).formatted == "1 41 02 2A 002 005 14"


def test_masked_shows_only_sex_year_and_key():
    assert Nir.parse("295109912611193").masked == "2 95 •• •• ••• ••• 93"
    assert Nir.parse(CORSICA_2A).masked == "1 41 •• •• ••• ••• 14"


@pytest.mark.parametrize("value", [MAY_1985, CORSICA_2A, "295109912611193"])
def test_str_repr_and_formatting_never_show_the_number_in_clear(value):
    nir = Nir.parse(value)
    hidden = value[3:13]  # month, place of birth, serial

    renderings = [str(nir), repr(nir), f"{nir}", f"{nir!r}", format(nir), repr([nir])]
    renderings.append(repr({"nir": nir}))
    renderings.append(logging.LogRecord("t", logging.INFO, "", 0, "%s", (nir,), None).getMessage())

    for text in renderings:
        assert value not in text
        assert nir.formatted not in text
        assert hidden not in text.replace(" ", "")
        assert nir.masked in text


def test_a_nir_is_hashable_and_compares_by_value():
    assert Nir.parse("2 95 10 99 126 111 93") == Nir.parse("295109912611193")
    assert len({Nir.parse("2.95.10.99.126.111.93"), Nir.parse("295109912611193")}) == 1

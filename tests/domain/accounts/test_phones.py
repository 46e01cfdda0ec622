"""« Téléphone fixe » and « Téléphone portable »: normalised to E.164, French messages."""

import pytest
from django.core.exceptions import ValidationError

from mcf.domain.accounts.phones import (
    INVALID_LANDLINE,
    INVALID_MOBILE,
    LANDLINE_AS_MOBILE,
    MOBILE_AS_LANDLINE,
    SPECIAL_NUMBER,
    format_national,
    normalise_landline,
    normalise_mobile,
)


def refusal(normalise, raw):
    with pytest.raises(ValidationError) as error:
        normalise(raw)
    return error.value.code, error.value.messages


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("01 45 67 89 01", "+33145678901"),
        ("0145678901", "+33145678901"),
        ("01.45.67.89.01", "+33145678901"),
        ("01-45-67-89-01", "+33145678901"),
        ("+33 1 45 67 89 01", "+33145678901"),
        ("+33 (0)1 45 67 89 01", "+33145678901"),
        ("0033 1 45 67 89 01", "+33145678901"),
        ("  04 78 12 34 56 ", "+33478123456"),
        ("09 12 34 56 78", "+33912345678"),  # internet box (VOIP): a landline
        ("0262 21 22 23", "+262262212223"),  # La Réunion
        ("0269 61 23 45", "+262269612345"),  # Mayotte
        ("0590 12 34 56", "+590590123456"),  # Guadeloupe
        ("0594 12 34 56", "+594594123456"),  # Guyane
        ("+596 596 61 23 45", "+596596612345"),  # Martinique
        ("+508 41 12 34", "+508411234"),  # Saint-Pierre-et-Miquelon
        ("+681 72 12 34", "+681721234"),  # Wallis-et-Futuna (fixed or mobile)
    ],
)
def test_landlines_are_accepted_in_e164(raw, e164):
    assert normalise_landline(raw) == e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("07 81 23 45 67", "+33781234567"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("+262 692 12 34 56", "+262692123456"),
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("0694 12 34 56", "+594694123456"),  # Guyane
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("+687 75 12 34", "+687751234"),  # Nouvelle-Calédonie
        ("+689 87 12 34 56", "+68987123456"),  # Polynésie française
        ("+269 321 23 45", "+2693212345"),  # +269 (Comoros since 2007): valid, accepted
        ("+32 470 12 34 56", "+32470123456"),  # cross-border worker
    ],
)
def test_mobiles_are_accepted_in_e164(raw, e164):
    assert normalise_mobile(raw) == e164


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "abc", "0123", "01 23 45 67", "01 45 67 89 01 23", "07 12 34 56 78", "+33 0"],
)
def test_invalid_numbers_are_refused_with_an_example(raw):
    assert refusal(normalise_landline, raw) == ("invalid", [INVALID_LANDLINE])
    assert refusal(normalise_mobile, raw) == ("invalid", [INVALID_MOBILE])
    assert INVALID_LANDLINE == (
        "Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89."
    )


def test_an_absurdly_long_input_is_invalid():
    assert refusal(normalise_mobile, "06" * 500)[0] == "invalid"


@pytest.mark.parametrize("raw", ["06 12 34 56 78", "+33 7 81 23 45 67", "0692 12 34 56"])
def test_a_mobile_typed_as_landline_points_to_the_right_field(raw):
    assert refusal(normalise_landline, raw) == ("mobile_as_landline", [MOBILE_AS_LANDLINE])
    assert MOBILE_AS_LANDLINE == (
        "Ce numéro est un numéro de portable : saisissez-le dans « Téléphone portable »."
    )


@pytest.mark.parametrize("raw", ["01 45 67 89 01", "09 12 34 56 78", "0262 21 22 23"])
def test_a_landline_typed_as_mobile_points_to_the_right_field(raw):
    assert refusal(normalise_mobile, raw) == ("landline_as_mobile", [LANDLINE_AS_MOBILE])
    assert LANDLINE_AS_MOBILE == (
        "Ce numéro est un numéro de téléphone fixe, pas un numéro de portable : "
        "saisissez-le dans « Téléphone fixe »."
    )


@pytest.mark.parametrize("raw", ["0800 12 34 56", "0892 12 34 56", "0810 12 34 56"])
def test_special_rate_numbers_are_refused_in_both_fields(raw):
    assert refusal(normalise_landline, raw) == ("special", [SPECIAL_NUMBER])
    assert refusal(normalise_mobile, raw) == ("special", [SPECIAL_NUMBER])


def test_fixed_or_mobile_numbers_are_accepted_in_both_fields():
    assert normalise_landline("+681 72 12 34") == normalise_mobile("+681 72 12 34")


def test_a_metropolitan_voip_number_is_not_mistaken_for_an_overseas_one():
    # 09 76 … is also a VOIP range of Guadeloupe: the mainland reading wins.
    assert normalise_landline("09 76 12 34 56") == "+33976123456"


@pytest.mark.parametrize(
    ("e164", "display"),
    [
        ("+33612345678", "06 12 34 56 78"),
        ("+33145678901", "01 45 67 89 01"),
        ("+262692123456", "0692 12 34 56"),
        ("+590590123456", "0590 12 34 56"),
        ("+687751234", "+687 75.12.34"),
        ("+32470123456", "+32 470 12 34 56"),
        ("not a number", "not a number"),
    ],
)
def test_format_national(e164, display):
    assert format_national(e164) == display


def test_round_trip_of_what_people_type():
    for typed in ("06.12.34.56.78", "0033 6 12 34 56 78", "+33 6 12 34 56 78"):
        assert format_national(normalise_mobile(typed)) == "06 12 34 56 78"

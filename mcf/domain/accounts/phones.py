"""Telephone numbers of the holder (« Téléphone fixe », « Téléphone portable », §8).

Why normalise: the numbers are optional contact data for the organisations that validate
a training dossier; storing them in E.164 (``+33145678901``) makes them comparable and
dialable from anywhere, while ``format_national`` gives back the familiar display.

Parsing uses ``phonenumbers`` with France as the default region, so that everything
people type works: ``06 12 34 56 78``, ``06.12.34.56.78``, ``+33 6 12 34 56 78``,
``0033 6 12 34 56 78``.

Overseas (choices):

- a number in national form (``0692 12 34 56``) that France's plan does not know is
  read in the plans of the overseas departments sharing the 0 trunk prefix (La Réunion
  and Mayotte +262, Guadeloupe / Saint-Martin / Saint-Barthélemy +590, Guyane +594,
  Martinique +596, Saint-Pierre-et-Miquelon +508); a fixed or mobile number of one of
  them wins over a metropolitan reading (``0269 …`` is Mayotte, +262);
- a number in international form is accepted for any country when ``phonenumbers`` says
  it is valid: the Pacific collectivities (+687, +689, +681) and neighbours' numbers of
  cross-border workers. (+269 is the Comoros since Mayotte moved to +262 in 2007; it is
  accepted as any foreign number.)

Kinds (choices): « Téléphone fixe » accepts FIXED_LINE, FIXED_LINE_OR_MOBILE and VOIP —
the 09 numbers of internet boxes are the landline of most households. « Téléphone
portable » accepts MOBILE and FIXED_LINE_OR_MOBILE. A mobile typed as fixe and the
reverse are refused with a message pointing to the right field; special-rate and
toll-free numbers (08…) are nobody's personal phone and are refused too.
"""

from __future__ import annotations

from typing import Final, NoReturn

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

DEFAULT_REGION: Final = "FR"
# Overseas regions dialled with a 0 trunk prefix like mainland France.
OVERSEAS_REGIONS: Final = ("RE", "YT", "GP", "MF", "BL", "GF", "MQ", "PM")
# Country codes displayed in national form (dialled that way from mainland France).
NATIONAL_DISPLAY_CODES: Final = frozenset({33, 262, 590, 594, 596})

LANDLINE_TYPES: Final = frozenset(
    {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.VOIP}
)
MOBILE_TYPES: Final = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
PERSONAL_TYPES: Final = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE})
SPECIAL_TYPES: Final = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
        PhoneNumberType.VOICEMAIL,
    }
)

INVALID_LANDLINE: Final = "Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89."
INVALID_MOBILE: Final = "Ce numéro de téléphone n'est pas valide. Exemple : 06 12 34 56 78."
MOBILE_AS_LANDLINE: Final = (
    "Ce numéro est un numéro de portable : saisissez-le dans « Téléphone portable »."
)
LANDLINE_AS_MOBILE: Final = (
    "Ce numéro est un numéro de téléphone fixe, pas un numéro de portable : "
    "saisissez-le dans « Téléphone fixe »."
)
SPECIAL_NUMBER: Final = (
    "Les numéros spéciaux (numéros gratuits ou surtaxés) ne sont pas acceptés : "
    "saisissez votre numéro personnel."
)
MAX_INPUT_LENGTH: Final = 40


def _parse(raw: str) -> PhoneNumber | None:
    """The valid number ``raw`` stands for, or None."""
    text = (raw or "").strip()
    if not text or len(text) > MAX_INPUT_LENGTH:
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None
    national_form = number.country_code_source == (
        phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
    )
    if national_form:
        for region in OVERSEAS_REGIONS:
            overseas = phonenumbers.parse(text, region)
            if (
                phonenumbers.is_valid_number(overseas)
                and phonenumbers.number_type(overseas) in PERSONAL_TYPES
            ):
                return overseas
    return number if phonenumbers.is_valid_number(number) else None


def _e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _refuse_other(kind: int, invalid_message: str) -> NoReturn:
    if kind in SPECIAL_TYPES:
        raise ValidationError(SPECIAL_NUMBER, code="special")
    # Pagers, « personal numbers », unknown kinds: not a phone we can call back.
    raise ValidationError(invalid_message, code="invalid")


def normalise_landline(raw: str) -> str:
    """E.164 form of a « Téléphone fixe »; ValidationError (French) otherwise."""
    number = _parse(raw)
    if number is None:
        raise ValidationError(INVALID_LANDLINE, code="invalid")
    kind = phonenumbers.number_type(number)
    if kind in LANDLINE_TYPES:
        return _e164(number)
    if kind == PhoneNumberType.MOBILE:
        raise ValidationError(MOBILE_AS_LANDLINE, code="mobile_as_landline")
    _refuse_other(kind, INVALID_LANDLINE)


def normalise_mobile(raw: str) -> str:
    """E.164 form of a « Téléphone portable »; ValidationError (French) otherwise."""
    number = _parse(raw)
    if number is None:
        raise ValidationError(INVALID_MOBILE, code="invalid")
    kind = phonenumbers.number_type(number)
    if kind in MOBILE_TYPES:
        return _e164(number)
    if kind in LANDLINE_TYPES:
        raise ValidationError(LANDLINE_AS_MOBILE, code="landline_as_mobile")
    _refuse_other(kind, INVALID_MOBILE)


def format_national(e164: str) -> str:
    """Display form: ``06 12 34 56 78``; ``0692 12 34 56`` overseas; ``+32 470 12 34 56``
    for other countries. Returns the input unchanged if it cannot be read."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code in NATIONAL_DISPLAY_CODES:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)

"""The SIRET of an establishment (14 digits, Luhn key; La Poste's special rule included).

``stdnum.fr.siret`` checks the format and the key; we accept spaces and dots when typed
and store the compact form.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siret as stdnum_siret

from mcf.core.digits import is_ascii_digits

INVALID_FORMAT = "Le numéro SIRET doit comporter 14 chiffres."
INVALID_KEY = "Ce numéro SIRET n'existe pas : vérifiez les 14 chiffres saisis."


def normalise_siret(value: str) -> str:
    """The compact form (« 732 829 320 00074 » → « 73282932000074 »), not validated."""
    return stdnum_siret.compact(value or "")


def validate_siret(value: str) -> None:
    """Raise a French ``ValidationError`` unless ``value`` is a valid SIRET (any spacing).
    ASCII digits only: stdnum (and ``int()``) would take « ４４３… » for « 443… », a second
    spelling of one SIRET that lookups by SIRET would miss."""
    if not is_ascii_digits(normalise_siret(value)):
        raise ValidationError(INVALID_FORMAT, code="siret_format")
    try:
        stdnum_siret.validate(value or "")
    except stdnum_exceptions.InvalidChecksum as error:
        raise ValidationError(INVALID_KEY, code="siret_key") from error
    except stdnum_exceptions.ValidationError as error:
        raise ValidationError(INVALID_FORMAT, code="siret_format") from error


def format_siret(value: str) -> str:
    """Grouped for display: « 732 829 320 00074 »."""
    return stdnum_siret.format(value)

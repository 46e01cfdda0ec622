"""SIRET of an organisation: format and keys checked by stdnum, compact form stored."""

import pytest
from django.core.exceptions import ValidationError

from mcf.domain.identity.siret import (
    INVALID_FORMAT,
    INVALID_KEY,
    format_siret,
    normalise_siret,
    validate_siret,
)
from mcf.domain.organisations.models import Organisation
from tests.domain.organisations.builders import SIRET_A, new_organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", [SIRET_A, "999 000 102 00015", "999.000.102.00015"])
def test_valid_siret_in_any_spelling(typed):
    validate_siret(typed)
    assert normalise_siret(typed) == SIRET_A
    assert format_siret(SIRET_A) == "999 000 102 00015"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("99900010200016", INVALID_KEY),  # last digit changed: the key fails
        ("9990001020001", INVALID_FORMAT),  # 13 digits
        ("999000102000150", INVALID_FORMAT),  # 15 digits
        ("99900010200O15", INVALID_FORMAT),  # a letter O for a zero
        ("", INVALID_FORMAT),
    ],
)
def test_invalid_siret_is_refused_with_a_french_message(typed, message):
    with pytest.raises(ValidationError) as error:
        validate_siret(typed)
    assert error.value.messages == [message]


def test_the_action_stores_the_compact_form():
    account = new_organisation(siret="999 000 102 00015")
    assert account.organisation.siret == SIRET_A
    assert Organisation.objects.get().siret_display == "999 000 102 00015"


def test_the_action_refuses_a_bad_siret_and_writes_nothing():
    with pytest.raises(ValidationError) as error:
        new_organisation(siret="99900010200016")
    assert error.value.message_dict["siret"] == [INVALID_KEY]
    assert not Organisation.objects.exists()


def test_a_siret_is_registered_once():
    new_organisation()
    with pytest.raises(ValidationError) as error:
        new_organisation(name="Autre OPCA", email="autre@opca.example")
    assert "existe déjà" in error.value.message_dict["siret"][0]
    assert Organisation.objects.count() == 1


def test_kinds_tell_financeurs_from_cep():
    assert Organisation(kind=Organisation.Kind.OPCA).is_financeur
    assert not Organisation(kind=Organisation.Kind.OPCA).is_cep
    assert Organisation(kind=Organisation.Kind.POLE_EMPLOI).is_financeur
    assert Organisation(kind=Organisation.Kind.POLE_EMPLOI).is_cep
    assert Organisation(kind=Organisation.Kind.APEC).is_cep
    assert not Organisation(kind=Organisation.Kind.CDC).is_financeur

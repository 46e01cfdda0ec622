"""Password rules (AUTH-01 composition and length, AUTH-02 common and context passwords)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.password_validation import (
    get_password_validators,
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError

from mcf.domain.accounts.password_rules import (
    COMMON_MESSAGE,
    CONTEXT_MESSAGE,
    CONTEXT_MESSAGE_WITHOUT_NIR,
    PASSWORD_VALIDATORS,
    RULES,
    SEED_RULE_TEXT,
    UNCHANGED_MESSAGE,
    CommonPasswordsValidator,
    ContextValidator,
    Rule,
    SeedCompositionValidator,
    evaluate,
    refuse_unchanged_password,
)
from mcf.domain.identity.nir import Nir, with_key
from tests.factories import PASSWORD, registered_holder


def error_codes(validator, password, user=None):
    try:
        validator.validate(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def messages(validator, password, user=None):
    with pytest.raises(ValidationError) as error:
        validator.validate(password, user)
    return error.value.messages


composition = SeedCompositionValidator()

PASSPHRASE_64 = "Le petit Chat de 2019 dort sur le canapé bleu depuis 7 heures !!"
assert len(PASSPHRASE_64) == 64


# --- AUTH-01: boundary table ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        # Refused
        # 7 characters (cannot hold 5 letters and 3 digits either)
        ("Abcde1!", ["password_too_short", "password_too_few_digits"]),
        ("Abc123!", ["password_too_short", "password_too_few_letters"]),
        ("abcde123", ["password_too_few_categories"]),  # 8 characters, 2 categories
        ("Abcd1234", ["password_too_few_letters"]),  # 4 letters + 4 digits
        ("abcd1234", ["password_too_few_letters", "password_too_few_categories"]),
        ("Éléphant12!", ["password_too_few_digits"]),  # only 2 digits: see the report
        (
            "",
            [
                "password_too_short",
                "password_too_few_letters",
                "password_too_few_digits",
                "password_too_few_categories",
            ],
        ),
        ("Aa1!" * 32 + "A", ["password_too_long"]),  # 129 characters
        ("ÉLÉPHANT123", ["password_too_few_categories"]),  # upper case + digits only
        # Accepted
        ("Abcde123", []),  # exactly 8: 5 letters, 3 digits, 3 categories
        ("Éléphant123!", []),  # accented letters are letters, É is upper case
        ("éléphant123!", []),  # lower + digits + special
        ("Ünïcödé 123", []),  # space is a special character
        (PASSPHRASE_64, []),
        ("Mon 🐱 a 3 ans, 2 mois et 1 jour 🎉", []),  # emoji are special characters
        ("😀😀😀Soleil007", []),
        ("Aa1!" * 32, []),  # 128 characters
        ("Straße789", []),  # ß is a lower-case letter
    ],
)
def test_auth01_boundaries(password, codes):
    assert error_codes(composition, password) == codes


def test_auth01_a_100_character_password_is_evaluated_entirely():
    # No digit before character 72: a truncating implementation would miss them.
    password = "Abcdefg!" * 9 + "-" * 20 + "12345678"
    assert len(password) == 100
    assert not any(char.isdigit() for char in password[:72])

    assert error_codes(composition, password) == []
    assert error_codes(composition, password[:72]) == ["password_too_few_digits"]


def test_auth01_each_unmet_rule_has_its_own_french_message():
    assert messages(composition, "abc") == [
        "Votre mot de passe doit comporter au moins 8 caractères.",
        "Votre mot de passe doit comporter au moins 5 lettres.",
        "Votre mot de passe doit comporter au moins 3 chiffres.",
        "Votre mot de passe doit comporter au moins 3 catégories de caractères parmi : "
        "majuscules, minuscules, caractères spéciaux, chiffres.",
    ]
    assert messages(composition, "Aa1!" * 40) == [
        "Votre mot de passe ne doit pas dépasser 128 caractères."
    ]


def test_a_decomposed_accent_counts_as_one_letter():
    decomposed = "E\u0301le\u0301phant123!"  # É and é typed as letter + combining accent
    assert error_codes(composition, decomposed) == []
    assert dict((rule.code, ok) for rule, ok in evaluate(decomposed))["length"]


def test_help_text_is_the_seed_sentence():
    assert composition.get_help_text() == (
        "Pour être valide, votre mot de passe doit impérativement comporter au minimum "
        "5 lettres et 3 chiffres. Il doit être composé d'au moins 3 catégories de "
        "caractères parmi les suivants : majuscules, minuscules, caractères spéciaux, "
        "chiffres."
    )
    assert composition.get_help_text() == SEED_RULE_TEXT


# --- evaluate(): the checklist of the registration page ---------------------------------


def test_rules_and_their_labels():
    expected = (
        Rule("length", "Entre 8 et 128 caractères"),
        Rule("letters", "Au moins 5 lettres"),
        Rule("digits", "Au moins 3 chiffres"),
        Rule(
            "categories",
            "Au moins 3 catégories parmi : majuscules, minuscules, caractères spéciaux, chiffres",
        ),
    )
    assert expected == RULES


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("", {"length": False, "letters": False, "digits": False, "categories": False}),
        ("abcde", {"length": False, "letters": True, "digits": False, "categories": False}),
        ("abcde123", {"length": True, "letters": True, "digits": True, "categories": False}),
        ("Abcde123", {"length": True, "letters": True, "digits": True, "categories": True}),
        ("Ab1!Ab1!", {"length": True, "letters": False, "digits": False, "categories": True}),
        ("Aa1!" * 33, {"length": False, "letters": True, "digits": True, "categories": True}),
    ],
)
def test_evaluate_reports_each_rule_in_order(password, expected):
    report = evaluate(password)

    assert [rule for rule, _ in report] == list(RULES)
    assert {rule.code: ok for rule, ok in report} == expected


def test_evaluate_agrees_with_the_validator():
    for password in ["", "abc", "Abcd1234", "Abcde123", PASSPHRASE_64, "Aa1!" * 40]:
        all_met = all(ok for _, ok in evaluate(password))
        assert all_met == (error_codes(composition, password) == [])


# --- AUTH-02: common passwords --------------------------------------------------------------

common = CommonPasswordsValidator()


@pytest.mark.parametrize(
    "password",
    [
        "Azerty123",  # in Django's list as such
        "Motdepasse123",  # « motdepasse » is in the list, « 123 » is a trivial suffix
        "MOTDEPASSE123",
        "Soleil2024!",  # common word + digits + one special character
        "Bonjour 2024",
        "password1",
        "  Azerty123  ",
    ],
)
def test_auth02_common_passwords_are_refused_with_a_generic_message(password):
    error_messages = messages(common, password)

    assert error_messages == [COMMON_MESSAGE]
    assert error_messages == [
        "Ce mot de passe est trop courant : choisissez-en un moins facile à deviner."
    ]
    assert "liste" not in COMMON_MESSAGE.lower()
    assert error_codes(common, password) == ["password_too_common"]


def test_auth02_both_seed_examples_meet_the_composition_rule():
    # They are refused by the common-password check only: the composition is fine.
    assert error_codes(composition, "Azerty123") == []
    assert error_codes(composition, "Motdepasse123") == []


@pytest.mark.parametrize(
    "password",
    [
        "Éléphant123!",
        PASSPHRASE_64,
        "Motdepasse!!123x",  # the suffix is not trivial (letters after it)
        "Soleil!!2024",  # two specials: not a trivial suffix
        "2024Soleil!",  # only trailing suffixes are stripped
    ],
)
def test_uncommon_passwords_pass(password):
    assert error_codes(common, password) == []


def test_the_list_is_djangos_and_loaded_once():
    assert len(common.passwords) > 19_000
    assert "azerty123" in common.passwords
    assert CommonPasswordsValidator().passwords is common.passwords


# --- AUTH-02: context ----------------------------------------------------------------------

# A woman born in May 1995 in Paris.
NIR_MAY_1995 = Nir.parse(with_key("2950575056123"))
HOLDER = SimpleNamespace(
    nir=NIR_MAY_1995,
    first_name="Hélène",
    birth_name="Le Goff",
    last_name="Dupont-Ménard",
    email="helene.legoff@example.org",
)
context = ContextValidator()


@pytest.mark.parametrize(
    "password",
    [
        "Xy!2950575056123",  # the 13 NIR digits
        "Xy!2 95 05 75 056 123",  # … with spaces
        "1995Mai!!",  # birth year + month name (AUTH-02 example)
        "mai1995Ab!",
        "MAI-1995xx",
        "Xyzwv199505!",  # year + 2-digit month
        "Xyzwv051995!",
        "Xyzwv05/1995!",
        "Helene.Legoff1!",  # e-mail local part, accents ignored
        "HÉLÈNE123abc!",  # first name
        "Legoff!2345",  # birth name, without its space
        "Goff2345!xyz",  # part of the birth name (≥ 3 letters)
        "Menard2345!x",  # part of the last name, accent ignored
        "MonCompteFormation1!",  # AUTH-02 example
        "MonCompteFormation123!",
        "Mon.Compte.Formation.123",
        "compteFormation999!",
        "MonCompte!987xyz",
    ],
)
def test_auth02_context_passwords_are_refused_with_one_generic_message(password):
    assert messages(context, password, HOLDER) == [CONTEXT_MESSAGE]
    assert CONTEXT_MESSAGE == (
        "Votre mot de passe ne doit pas contenir votre numéro de Sécurité sociale, votre "
        "nom, votre prénom, votre adresse courriel ni le nom du service."
    )


@pytest.mark.parametrize(
    "password",
    [
        "Éléphant123!",
        "1995Juin!!x",  # year with another month
        "Mai2001!!xyz",  # month with another year
        "Xy!1995abcde",  # year alone
        PASSPHRASE_64,
        "Le!123Xyzwv",  # « le » (2 letters) is not a name part
    ],
)
def test_passwords_without_context_pass(password):
    assert error_codes(context, password, HOLDER) == []


PROFESSIONAL = SimpleNamespace(
    nir=None,
    username="amandine.martin",
    first_name="Amandine",
    last_name="Martin",
    email="a.martin@opca.example",
)


@pytest.mark.parametrize("password", ["Amandine2026!x", "Xy!amandine.martin9", "Xy!martin.2026"])
def test_auth02_a_professional_is_told_about_the_identifier_never_a_nir(password):
    """Professionals log in with an identifier and have no NIR (issue 12, item 16)."""
    assert messages(context, password, PROFESSIONAL) == [CONTEXT_MESSAGE_WITHOUT_NIR]
    assert "Sécurité sociale" not in CONTEXT_MESSAGE_WITHOUT_NIR
    assert "identifiant" in CONTEXT_MESSAGE_WITHOUT_NIR


def test_auth02_the_identifier_is_part_of_the_context():
    operator = SimpleNamespace(username="gestionnaire.zorglub")

    assert error_codes(context, "Zorglub!2026x", operator) == ["password_too_personal"]
    assert error_codes(context, "Xy!Gestionnaire2026", operator) == ["password_too_personal"]


@pytest.mark.django_db
def test_the_current_password_is_refused_as_a_new_one():
    holder = registered_holder()
    with pytest.raises(ValidationError) as refused:
        refuse_unchanged_password(holder, PASSWORD)
    assert refused.value.messages == [UNCHANGED_MESSAGE]
    assert refused.value.error_list[0].code == "password_unchanged"
    refuse_unchanged_password(holder, PASSWORD + "x")
    refuse_unchanged_password(SimpleNamespace(password=""), PASSWORD)  # registration


def test_month_abbreviations_of_three_letters_or_more():
    holder = SimpleNamespace(nir=Nir.parse(with_key("1950275056123")))  # February 1995

    for password in ("Fev1995!!Xyz", "fevr.1995Xyz!", "1995Février!", "1995-02Abcde"):
        assert error_codes(context, password, holder) == ["password_too_personal"]
    assert error_codes(context, "Fe1995!!Xyzw", holder) == []


def test_an_unknown_birth_month_is_not_used():
    holder = SimpleNamespace(nir=Nir.parse(with_key("1953075056123")))  # month 30

    assert error_codes(context, "Janvier1995!x", holder) == []
    assert error_codes(context, "Xy!1953075056123", holder) == ["password_too_personal"]


def test_corsican_nir_digits_are_recognised_in_both_forms():
    holder = SimpleNamespace(nir=Nir.parse("253072B07300470"))

    assert error_codes(context, "Xy!2530718073004", holder) == ["password_too_personal"]
    assert error_codes(context, "Xy!253072B073004", holder) == ["password_too_personal"]


def test_short_local_parts_and_names_are_ignored():
    holder = SimpleNamespace(first_name="Al", last_name="", email="bob@example.org")

    assert error_codes(context, "Bob123!Alxyz", holder) == []


def test_a_nir_given_as_a_string_and_missing_attributes_are_tolerated():
    holder = SimpleNamespace(nir="2 95 05 75 056 123 " + NIR_MAY_1995.key)

    assert error_codes(context, "1995Mai!!", holder) == ["password_too_personal"]
    assert error_codes(context, "Xyzwv123!", SimpleNamespace(nir="garbage")) == []
    assert error_codes(context, "Xyzwv123!", None) == []
    assert error_codes(context, "MonCompte123!", None) == ["password_too_personal"]


# --- Django integration ---------------------------------------------------------------------


def test_password_validators_setting_loads_the_three_validators():
    validators = get_password_validators(PASSWORD_VALIDATORS)

    assert [type(v) for v in validators] == [
        SeedCompositionValidator,
        ContextValidator,
        CommonPasswordsValidator,
    ]
    assert password_validators_help_texts(validators)[0] == SEED_RULE_TEXT


def test_validate_password_reports_every_failure_at_once():
    validators = get_password_validators(PASSWORD_VALIDATORS)

    with pytest.raises(ValidationError) as error:
        validate_password("MonCompte1", HOLDER, validators)

    assert [e.code for e in error.value.error_list] == [
        "password_too_few_digits",
        "password_too_personal",
    ]
    validate_password("Éléphant123!", HOLDER, validators)

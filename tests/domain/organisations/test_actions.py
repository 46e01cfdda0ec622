"""Action functions: organisations with their administrateur principal, gestionnaires,
the change of a provisional password."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from mcf.domain.accounts.models import LoginThrottle, User
from mcf.domain.accounts.password_rules import UNCHANGED_MESSAGE
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.organisations.actions import (
    EMAIL_ALREADY_USED,
    change_provisional_password,
    create_gestionnaire,
    generate_provisional_password,
)
from mcf.domain.organisations.authentication import authenticate_professional
from mcf.domain.organisations.models import ProfessionalProfile
from tests.domain.organisations.builders import (
    PRO_PASSWORD,
    SIRET_B,
    active_principal_admin,
    new_organisation,
)
from tests.factories import registered_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return User.objects.create_user(
        username="operatrice", password="Operatrice-2026x", is_staff=True
    )


def test_organisation_comes_with_its_principal_admin_and_a_mail_without_password(operator):
    account = new_organisation(created_by=operator)
    user = account.user
    assert account.username == "amandine.martin"
    assert user.kind == User.Kind.PROFESSIONNEL
    assert user.check_password(account.provisional_password)
    assert account.provisional_password not in user.password  # stored hashed
    profile = user.professional_profile
    assert profile.role == ProfessionalProfile.Role.ADMINISTRATEUR_PRINCIPAL
    assert profile.must_change_password
    assert profile.created_by == operator
    assert profile.organisation.name == "OPCA Test"
    mail = OutboxEmail.objects.get(kind="pro_administrateur_cree")
    assert mail.to == "amandine.martin@opca.example"
    assert "amandine.martin" in mail.body
    assert "/professionnel/connexion/" in mail.body
    assert account.provisional_password not in mail.body
    assert account.provisional_password not in repr(account)


def test_only_an_operator_creates_an_organisation():
    professional, _ = active_principal_admin()
    with pytest.raises(PermissionDenied):
        new_organisation(siret=SIRET_B, created_by=professional)


def test_invalid_admin_details_are_refused_with_the_organisation_errors():
    with pytest.raises(ValidationError) as error:
        new_organisation(name="", siret="123", first_name=" ", email="pas-un-courriel")
    assert set(error.value.message_dict) >= {"name", "siret", "first_name", "email"}
    assert not User.objects.exists()


def test_identifiers_are_made_unique_and_ascii():
    first = new_organisation(first_name="Élodie", last_name="Martin Durand")
    second = new_organisation(
        siret=SIRET_B, first_name="Elodie", last_name="Martin-Durand", email="e@opca.example"
    )
    assert first.username == "elodie.martin-durand"
    assert second.username == "elodie.martin-durand2"


def test_provisional_passwords_meet_the_policy_and_differ():
    passwords = {generate_provisional_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        validate_password(password)
        assert len(password) == 19


def test_one_principal_admin_per_organisation():
    account = new_organisation()
    other = User.objects.create_user(username="autre", kind=User.Kind.PROFESSIONNEL)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfessionalProfile.objects.create(
            user=other,
            organisation=account.organisation,
            role=ProfessionalProfile.Role.ADMINISTRATEUR_PRINCIPAL,
        )


def test_the_principal_admin_creates_a_gestionnaire_of_his_organisation():
    admin, _ = active_principal_admin()
    organisation = admin.professional_profile.organisation
    account = create_gestionnaire(
        admin,
        organisation=organisation,
        first_name="Bruno",
        last_name="Petit",
        email="bruno.petit@opca.example",
    )
    profile = account.profile
    assert profile.role == ProfessionalProfile.Role.GESTIONNAIRE
    assert profile.organisation == organisation
    assert profile.must_change_password
    assert profile.created_by == admin
    assert account.user.check_password(account.provisional_password)
    mail = OutboxEmail.objects.get(kind="pro_gestionnaire_cree")
    assert mail.to == "bruno.petit@opca.example"
    assert "bruno.petit" in mail.body
    assert account.provisional_password not in mail.body


def _create(by, organisation):
    return create_gestionnaire(
        by, organisation=organisation, first_name="Bruno", last_name="Petit", email="b@x.example"
    )


def test_only_the_principal_admin_of_the_same_organisation_creates_gestionnaires(operator):
    admin, _ = active_principal_admin()
    organisation = admin.professional_profile.organisation
    other_admin, _ = active_principal_admin(
        name="Région Test", siret=SIRET_B, first_name="Chloé", email="chloe@region.example"
    )
    gestionnaire = _create(admin, organisation).user
    holder = registered_holder()
    for intruder in (other_admin, gestionnaire, operator, holder):
        with pytest.raises(PermissionDenied):
            _create(intruder, organisation)
    # And the other administrator creates in his own organisation only.
    assert _create(other_admin, other_admin.professional_profile.organisation)
    assert ProfessionalProfile.objects.filter(organisation=organisation).count() == 2


def test_an_admin_still_on_his_provisional_password_creates_nothing():
    account = new_organisation()
    with pytest.raises(PermissionDenied):
        _create(account.user, account.organisation)


def test_an_inactive_admin_creates_nothing():
    admin, _ = active_principal_admin()
    admin.is_active = False
    admin.save()
    with pytest.raises(PermissionDenied):
        _create(admin, admin.professional_profile.organisation)


def test_change_provisional_password():
    account = new_organisation()
    user = account.user
    for _ in range(3):
        authenticate_professional(user.username, "Mauvais-mot-2026")
    assert LoginThrottle.objects.count() == 1
    change_provisional_password(user, PRO_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(PRO_PASSWORD)
    assert not user.professional_profile.must_change_password
    assert LoginThrottle.objects.count() == 0
    mail = OutboxEmail.objects.get(kind="pro_mot_de_passe_modifie")
    assert mail.to == user.email
    assert PRO_PASSWORD not in mail.body
    # Once: the password is no longer provisional.
    with pytest.raises(PermissionDenied):
        change_provisional_password(user, "Encore-un-autre-2027")


@pytest.mark.parametrize(
    "weak", ["abc", "Azerty123", "Amandine-2026x", "motdepasse", "amandine.martin2026"]
)
def test_the_new_password_follows_the_policy(weak):
    account = new_organisation()
    with pytest.raises(ValidationError):
        change_provisional_password(account.user, weak)
    account.user.refresh_from_db()
    assert account.user.professional_profile.must_change_password


def test_the_new_password_differs_from_the_provisional_one():
    account = new_organisation()
    with pytest.raises(ValidationError) as error:
        change_provisional_password(account.user, account.provisional_password)
    assert error.value.messages == [UNCHANGED_MESSAGE]


def test_an_address_is_used_once_in_an_organisation():
    admin, _ = active_principal_admin()
    organisation = admin.professional_profile.organisation
    _create(admin, organisation)
    with pytest.raises(ValidationError) as error:
        _create(admin, organisation)  # e.g. the form sent twice
    assert error.value.message_dict["email"] == [EMAIL_ALREADY_USED]
    assert ProfessionalProfile.objects.filter(role="gestionnaire").count() == 1

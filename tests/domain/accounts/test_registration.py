"""Registration and activation rules (AUTH-10, AUTH-11, domain.md §2)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from mcf.domain.accounts.models import PendingRegistration, User
from mcf.domain.accounts.registration import (
    CONFIRMATION_LINK_VALIDITY,
    RegistrationLinkError,
    confirm_registration,
    find_usable_registration,
    purge_expired_registrations,
    register_holder,
)
from mcf.domain.hours.models import Counter
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.mailing.models import OutboxEmail
from tests.factories import NIR_A, last_confirmation_token, registered_holder, registration_data

pytestmark = pytest.mark.django_db


def test_registration_creates_no_account_and_mails_a_link_built_from_site_url():
    register_holder(registration_data())
    assert User.objects.filter(kind=User.Kind.TITULAIRE).count() == 0
    pending = PendingRegistration.objects.get()
    assert pending.nir_hash == nir_lookup_hash(NIR_A)
    mail = OutboxEmail.objects.get()
    assert mail.to == "touria.orange@example.org"
    assert f"{settings.SITE_URL}/titulaire/inscription/confirmation/" in mail.body
    assert "15 jours" in mail.body
    # PRIV-02: never the NIR in an e-mail.
    assert NIR_A not in mail.body
    assert NIR_A[:13] not in mail.body.replace(" ", "")


def test_confirmation_activates_the_account_and_attaches_the_existing_counter():
    fed_before = Counter.objects.create(nir_hash=nir_lookup_hash(NIR_A))
    register_holder(registration_data())
    user = confirm_registration(last_confirmation_token())
    assert user.is_active
    assert user.kind == User.Kind.TITULAIRE
    assert user.check_password("Chocolat-2026x")
    assert user.nir == NIR_A
    assert user.cgu_version == "2026-11"
    fed_before.refresh_from_db()
    assert fed_before.holder == user
    assert Counter.objects.count() == 1


def test_confirmation_creates_an_empty_counter_when_the_feed_has_none():
    user = registered_holder()
    assert Counter.objects.get(nir_hash=nir_lookup_hash(NIR_A)).holder == user


def test_link_is_single_use():
    register_holder(registration_data())
    token = last_confirmation_token()
    confirm_registration(token)
    with pytest.raises(RegistrationLinkError) as replay:
        confirm_registration(token)
    assert replay.value.code == "used"
    assert User.objects.filter(kind=User.Kind.TITULAIRE).count() == 1


def test_link_works_15_days_minus_one_second_and_not_plus_one(time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    register_holder(registration_data())
    token = last_confirmation_token()
    time_machine.move_to(start + CONFIRMATION_LINK_VALIDITY + timedelta(seconds=1), tick=False)
    with pytest.raises(RegistrationLinkError) as late:
        confirm_registration(token)
    assert late.value.code == "expired"
    time_machine.move_to(start + CONFIRMATION_LINK_VALIDITY - timedelta(seconds=1), tick=False)
    assert confirm_registration(token).is_active


def test_reading_the_link_changes_nothing():
    """AUTH-11: a mail scanner's GET must not consume the link."""
    register_holder(registration_data())
    token = last_confirmation_token()
    find_usable_registration(token)
    find_usable_registration(token)
    assert confirm_registration(token).is_active


def test_a_newer_registration_replaces_the_pending_one():
    """AUTH-10: squatting a NIR with an unconfirmed registration does not block its owner."""
    register_holder(registration_data(email="squatter@example.org"))
    squatter_token = last_confirmation_token("squatter@example.org")
    register_holder(registration_data(email="owner@example.org"))
    owner_token = last_confirmation_token("owner@example.org")
    with pytest.raises(RegistrationLinkError) as old:
        confirm_registration(squatter_token)
    assert old.value.code == "unknown"
    assert confirm_registration(owner_token).email == "owner@example.org"


def test_registering_an_existing_account_notifies_the_address_on_file_only():
    registered_holder(email="real.owner@example.org")
    OutboxEmail.objects.all().delete()
    register_holder(registration_data(email="intruder@example.org"))
    assert PendingRegistration.objects.filter(used_at__isnull=True).count() == 0
    (notice,) = OutboxEmail.objects.all()
    assert notice.to == "real.owner@example.org"
    assert "Quelqu'un a tenté de créer un compte" in notice.body
    assert User.objects.get(kind=User.Kind.TITULAIRE).email == "real.owner@example.org"


def test_purge_deletes_only_expired_registrations(time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    register_holder(registration_data())
    register_holder(registration_data("290102A12312354", email="b@example.org"))
    time_machine.move_to(start + timedelta(days=16), tick=False)
    register_holder(registration_data("185057800608491", email="c@example.org"))
    assert purge_expired_registrations() == 1
    assert PendingRegistration.objects.count() == 1

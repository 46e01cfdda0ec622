"""Builders of professional accounts through the same action functions as the product."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.domain.accounts.models import User
from mcf.domain.organisations.actions import (
    ProvisionalAccount,
    change_provisional_password,
    create_gestionnaire,
    create_organisation_with_principal_admin,
)
from mcf.domain.organisations.models import Organisation
from mcf.domain.organisations.second_factor import confirm_totp_enrolment, start_totp_enrolment

# Valid SIRETs (Luhn keys on the SIREN and on the 14 digits).
SIRET_A = "99900010200015"
SIRET_B = "99900011000018"
PRO_PASSWORD = "Financement-2026x"


def new_organisation(
    name: str = "OPCA Test",
    *,
    siret: str = SIRET_A,
    kind: str = Organisation.Kind.OPCA,
    first_name: str = "Amandine",
    last_name: str = "Martin",
    email: str = "amandine.martin@opca.example",
    created_by: User | None = None,
) -> ProvisionalAccount:
    return create_organisation_with_principal_admin(
        name=name,
        kind=kind,
        siret=siret,
        admin_first_name=first_name,
        admin_last_name=last_name,
        admin_email=email,
        created_by=created_by,
    )


def code_for(device: TOTPDevice, *, drift: int = 0) -> str:
    """The code an authenticator app shows now (time_machine sets « now »)."""
    return f"{totp(device.bin_key, step=device.step, digits=device.digits, drift=drift):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A well-formed code that none of the accepted steps (now, ±1) gives."""
    valid = {code_for(device, drift=drift) for drift in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def enrolled(user: User) -> TOTPDevice:
    """Enrol a TOTP device the way the enrolment page does."""
    device = start_totp_enrolment(user)
    confirmed = confirm_totp_enrolment(user, code_for(device))
    assert confirmed is not None
    confirmed.refresh_from_db()
    return confirmed


def active_principal_admin(**kwargs) -> tuple[User, TOTPDevice]:
    """An administrateur principal with his own password and a confirmed TOTP device."""
    account = new_organisation(**kwargs)
    change_provisional_password(account.user, PRO_PASSWORD)
    return account.user, enrolled(account.user)


def add_gestionnaires(admin: User, count: int, *, start: int = 0) -> list[ProvisionalAccount]:
    organisation = admin.professional_profile.organisation
    return [
        create_gestionnaire(
            admin,
            organisation=organisation,
            first_name="Gestionnaire",
            last_name=f"Numéro {start + i}",
            email=f"gestionnaire{start + i}@opca.example",
        )
        for i in range(count)
    ]


def operator_client(
    username: str, *permissions: str, superuser: bool = False
) -> tuple[User, Client]:
    """A back-office operator with ``permissions`` (all of them: ``superuser``) and a
    confirmed TOTP device, and a browser past both factors."""
    make = User.objects.create_superuser if superuser else User.objects.create_user
    user = make(username=username, password="x", is_staff=True, kind=User.Kind.OPERATEUR)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return user, verified_client(user, device)


def verified_client(user: User, device: TOTPDevice) -> Client:
    """A browser whose session passed both factors (what the login does, without the forms)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client

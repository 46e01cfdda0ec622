"""Action functions of the professional organisations: each checks, writes and queues its
mail in one transaction. Views, the back office, commands and tests all call them.

Provisional passwords: generated here (about 90 bits, 16 characters in four groups, meeting
the password policy), returned ONCE to the caller, who shows them once to the person who
created the account (a CDC operator, an administrateur principal), who hands them over by
another channel. They are stored hashed like any password and never mailed: the mail only
says that the account exists, gives its identifier and where to log in. So a mailbox
compromise alone never opens an account, and the first login forces a password of the
owner's choice (``must_change_password``).
"""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from mcf.core.logging import security_event
from mcf.domain.accounts.models import User
from mcf.domain.accounts.password_rules import refuse_unchanged_password
from mcf.domain.identity.siret import normalise_siret
from mcf.domain.mailing.actions import queue_email
from mcf.domain.organisations.authentication import clear_username_throttle
from mcf.domain.organisations.models import Organisation, ProfessionalProfile

# No look-alike characters (0/O/o, 1/l/I): the password is read out or copied by hand.
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_GROUPS, _GROUP_LENGTH, _DIGIT_COUNT = 4, 4, 4

EMAIL_ALREADY_USED = "Un compte de votre organisation utilise déjà cette adresse courriel."


@dataclass(frozen=True)
class ProvisionalAccount:
    """A professional account just created, with its provisional password in clear.

    ``provisional_password`` exists only in this object: show it once, never store it.
    """

    profile: ProfessionalProfile
    provisional_password: str

    @property
    def user(self) -> User:
        return self.profile.user

    @property
    def username(self) -> str:
        return self.profile.user.username

    @property
    def organisation(self) -> Organisation:
        return self.profile.organisation

    def __repr__(self) -> str:  # never in a log line or a traceback
        return f"ProvisionalAccount(username={self.username!r}, provisional_password='***')"


def login_url() -> str:
    return settings.SITE_URL + reverse("professionnel:login")


def generate_provisional_password(user: User | None = None) -> str:
    """Random, policy-compliant (checked with validate_password), e.g. « hT4k-Qm7x-… »."""
    rng = secrets.SystemRandom()
    while True:
        length = _GROUPS * _GROUP_LENGTH
        chars = [rng.choice(_DIGITS) for _ in range(_DIGIT_COUNT)]
        chars += [rng.choice(_LETTERS) for _ in range(length - _DIGIT_COUNT)]
        rng.shuffle(chars)
        password = "-".join(
            "".join(chars[i : i + _GROUP_LENGTH]) for i in range(0, length, _GROUP_LENGTH)
        )
        try:
            validate_password(password, user=user)
        except ValidationError:
            continue  # e.g. it happened to contain the person's name
        return password


def _username_base(first_name: str, last_name: str) -> str:
    """« Élodie », « Martin Durand » → « elodie.martin-durand »."""

    def ascii_part(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")

    parts = [part for part in (ascii_part(first_name), ascii_part(last_name)) if part]
    return ".".join(parts)[:100] or "professionnel"


def _free_username(first_name: str, last_name: str) -> str:
    base = _username_base(first_name, last_name)
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def _clean_person(first_name: str, last_name: str, email: str) -> tuple[str, str, str]:
    first_name, last_name = " ".join(first_name.split()), " ".join(last_name.split())
    email = email.strip()
    errors: dict[str, list[str]] = {}
    if not first_name:
        errors["first_name"] = ["Indiquez le prénom."]
    if not last_name:
        errors["last_name"] = ["Indiquez le nom."]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Indiquez une adresse courriel valide, par exemple nom@domaine.fr."]
    if errors:
        raise ValidationError(errors)
    return first_name, last_name, email


def _create_member(
    *,
    organisation: Organisation,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    created_by: User | None,
) -> ProvisionalAccount:
    user = User(
        username=_free_username(first_name, last_name),
        kind=User.Kind.PROFESSIONNEL,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    password = generate_provisional_password(user)
    user.set_password(password)
    user.save()
    profile = ProfessionalProfile.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        must_change_password=True,
        created_by=created_by,
    )
    return ProvisionalAccount(profile=profile, provisional_password=password)


def create_organisation_with_principal_admin(
    *,
    name: str,
    kind: str,
    siret: str,
    admin_first_name: str,
    admin_last_name: str,
    admin_email: str,
    created_by: User | None = None,
) -> ProvisionalAccount:
    """Create an organisation and its administrateur principal (back office, CDC).

    Checks: ``created_by`` (when given: the operator at work) is active staff; the
    organisation is valid (name, kind, SIRET key, SIRET not already registered) and so are
    the administrator's names and e-mail address — else ``ValidationError`` (field errors
    keyed by ``name``, ``kind``, ``siret``, ``first_name``, ``last_name``, ``email``).
    Writes: the Organisation, a PROFESSIONNEL User (identifier « prenom.nom », provisional
    password hashed) and its ProfessionalProfile (ADMINISTRATEUR_PRINCIPAL,
    must_change_password). Sends: to the administrator, a mail with the identifier and the
    login address — never the password, which the operator hands over.
    Returns the account with its provisional password (to show once).
    """
    if created_by is not None and not (created_by.is_active and created_by.is_staff):
        raise PermissionDenied("Seul un opérateur de la CDC crée une organisation.")
    organisation = Organisation(name=name, kind=kind, siret=normalise_siret(siret))
    errors: dict[str, list[str]] = {}
    try:
        organisation.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        admin_first_name, admin_last_name, admin_email = _clean_person(
            admin_first_name, admin_last_name, admin_email
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation.save()
        account = _create_member(
            organisation=organisation,
            role=ProfessionalProfile.Role.ADMINISTRATEUR_PRINCIPAL,
            first_name=admin_first_name,
            last_name=admin_last_name,
            email=admin_email,
            created_by=created_by,
        )
        queue_email(
            to=admin_email,
            template="organisations/mails/principal_admin_created.txt",
            context={"account": account, "login_url": login_url()},
            kind="pro_administrateur_cree",
        )
    security_event(
        "organisation.create",
        outcome="success",
        organisation=organisation.pk,
        user=account.user.public_id,
        by=created_by.public_id if created_by else "-",
    )
    return account


def _principal_admin_profile(user: User) -> ProfessionalProfile | None:
    if not (user.is_active and user.kind == User.Kind.PROFESSIONNEL):
        return None
    profile = ProfessionalProfile.objects.filter(user=user).first()
    if profile is None or not profile.is_principal_admin or profile.must_change_password:
        return None
    return profile


def create_gestionnaire(
    admin_user: User,
    *,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    email: str,
) -> ProvisionalAccount:
    """An administrateur principal creates a gestionnaire account of his organisation.

    Checks: ``admin_user`` is the active administrateur principal of ``organisation`` and
    has already replaced his own provisional password — else ``PermissionDenied``; names
    and e-mail address valid, the address not used by another member of the organisation —
    else ``ValidationError``. Writes: a PROFESSIONNEL User
    (provisional password hashed) and its ProfessionalProfile (GESTIONNAIRE,
    must_change_password, created_by the administrator). Sends: to the gestionnaire, a mail
    with the identifier and the login address — never the password, which the administrator
    hands over. Returns the account with its provisional password (to show once).
    """
    profile = _principal_admin_profile(admin_user)
    if profile is None or profile.organisation_id != organisation.pk:
        security_event(
            "gestionnaire.create",
            outcome="refused",
            level=logging.WARNING,
            by=admin_user.public_id,
            organisation=organisation.pk,
        )
        raise PermissionDenied(
            "Seul l'administrateur principal de l'organisation crée des comptes gestionnaires."
        )
    first_name, last_name, email = _clean_person(first_name, last_name, email)
    with transaction.atomic():
        # One account per address in an organisation (also makes a resubmitted form harmless).
        if organisation.members.select_for_update().filter(user__email__iexact=email).exists():
            raise ValidationError({"email": [EMAIL_ALREADY_USED]})
        account = _create_member(
            organisation=organisation,
            role=ProfessionalProfile.Role.GESTIONNAIRE,
            first_name=first_name,
            last_name=last_name,
            email=email,
            created_by=admin_user,
        )
        queue_email(
            to=email,
            template="organisations/mails/gestionnaire_created.txt",
            context={"account": account, "admin": admin_user, "login_url": login_url()},
            kind="pro_gestionnaire_cree",
        )
    security_event(
        "gestionnaire.create",
        outcome="success",
        user=account.user.public_id,
        organisation=organisation.pk,
        by=admin_user.public_id,
    )
    return account


def change_provisional_password(user: User, new_password: str) -> None:
    """Replace the provisional password by one the account's owner chose.

    Checks: the account is a professional one whose password is still provisional — else
    ``PermissionDenied``; the new password meets the policy (validate_password, with the
    account's names and e-mail as context) and differs from the provisional one — else
    ``ValidationError``. Writes: the password hash, ``must_change_password = False``, clears
    the login delay of the identifier. Sends: a « mot de passe modifié » notice to the
    account's address. The caller keeps the current session alive with
    ``update_session_auth_hash`` (other sessions end: Django checks the hash).
    """
    with transaction.atomic():
        profile = (
            ProfessionalProfile.objects.select_for_update()
            .select_related("user")
            .filter(user=user)
            .first()
        )
        if profile is None or not profile.must_change_password:
            raise PermissionDenied("Ce compte n'a pas de mot de passe provisoire à changer.")
        validate_password(new_password, user=user)
        refuse_unchanged_password(user, new_password)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        profile.must_change_password = False
        profile.save(update_fields=["must_change_password"])
        clear_username_throttle(user.username)
        if user.email:
            queue_email(
                to=user.email,
                template="organisations/mails/password_changed.txt",
                context={"user": user, "login_url": login_url()},
                kind="pro_mot_de_passe_modifie",
            )
    security_event("password_change.provisional", outcome="success", user=user.public_id)

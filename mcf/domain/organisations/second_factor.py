"""Second factor (AUTH-15): one TOTP device per account, from django-otp.

- Enrolment: ``start_totp_enrolment`` gives the account's *unconfirmed* device (created once,
  so reloading the page shows the same secret); ``confirm_totp_enrolment`` confirms it with
  a first code. An account that already has a confirmed device cannot enrol another one
  here (that would let a password alone replace the second factor): a CDC operator removes
  the old device in the back office first.
- Verification: ``verify_totp`` checks a code against the confirmed device.

Both verifications lock the device row (select_for_update) for the whole check, and rely on
django-otp's ``TOTPDevice.verify_token``: it accepts a code only for a time step greater
than ``last_t`` (the step of the last accepted code) and then stores that step, so a code —
or any older code — is accepted only once, even within its 30-second window and its
tolerance of one step either side (AUTH-15, « 5:6.5.1 »). Failures are throttled by
django-otp's ThrottlingMixin (a delay of 1, 2, 4, 8… seconds after each failure, during
which even the right code is refused without being checked); ``seconds_before_next_code``
tells how long, so that the page can say it rather than call a right code wrong.
"""

from __future__ import annotations

import base64
import logging
import math
import re
from urllib.parse import quote, urlencode

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.core.logging import security_event
from mcf.domain.accounts.models import User

ISSUER = "Mon compte formation"
DEVICE_NAME = "Application d'authentification"
# ASCII digits (mcf/core/digits.py): a Unicode digit class would take « ١٢٣٤٥٦ ».
CODE_PATTERN = re.compile(r"^[0-9]{6}$")


def normalise_code(code: str) -> str:
    """« 123 456 » and « 123-456 » as typed from an app → « 123456 »."""
    return re.sub(r"[\s\-]", "", code or "")


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def seconds_before_next_code(user: User, *, confirmed: bool = True) -> int:
    """Seconds during which the account's device refuses every code after a wrong one
    (django-otp's back-off: 1, 2, 4, 8… s), the right code included; 0 when a code typed
    now is checked. ``confirmed=False``: the device being enrolled."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()
    if device is None:
        return 0
    allowed, details = device.verify_is_allowed()
    locked_until = (details or {}).get("locked_until")
    if allowed or locked_until is None:
        return 0
    return max(1, math.ceil((locked_until - timezone.now()).total_seconds()))


def _check(device: TOTPDevice, code: str) -> bool:
    """django-otp's check (replay and throttle included); a malformed code is a failure."""
    if CODE_PATTERN.match(code):
        return device.verify_token(code)  # counts its own failures
    device.throttle_increment(commit=True)
    return False


def start_totp_enrolment(user: User) -> TOTPDevice:
    """The account's device waiting for its first code, created if there is none.

    Checks: no confirmed device yet (else PermissionDenied). Writes: at most one new
    unconfirmed TOTPDevice (random 160-bit key). Sends nothing.
    """
    with transaction.atomic():
        # Lock the user row: two tabs opening the page create one device, not two.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if has_confirmed_device(user):
            raise PermissionDenied("Ce compte a déjà une application d'authentification.")
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        return device


def confirm_totp_enrolment(user: User, code: str) -> TOTPDevice | None:
    """Confirm the account's pending device with a first code; None if refused.

    Checks: a pending device exists, no confirmed one, the code is right, not already used
    and not throttled. Writes: the device (confirmed, last step used, or its failure
    counter). Sends nothing.
    """
    code = normalise_code(code)
    with transaction.atomic():
        if has_confirmed_device(user):
            return None
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            return None
        if not _check(device, code):
            security_event(
                "totp.enrol", outcome="failure", level=logging.WARNING, user=user.public_id
            )
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        security_event("totp.enrol", outcome="success", user=user.public_id)
        return device


def verify_totp(user: User, code: str) -> TOTPDevice | None:
    """The confirmed device if ``code`` is accepted; None otherwise.

    Checks: right code, time step never used before, not throttled. Writes: the device's
    last step used and drift, or its failure counter. Sends nothing.
    """
    code = normalise_code(code)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            return None
        if _check(device, code):
            security_event("totp.verify", outcome="success", user=user.public_id)
            return device
        security_event("totp.verify", outcome="failure", level=logging.WARNING, user=user.public_id)
        return None


def secret_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps want it typed (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, easier to copy by hand."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(secret: str, account_name: str, *, digits: int = 6, period: int = 30) -> str:
    """The otpauth:// URI (Key Uri Format) of a base32 secret, with our issuer."""
    label = f"{ISSUER}:{account_name}"
    params = urlencode(
        {
            "secret": secret,
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": digits,
            "period": period,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(label)}?{params}"


def provisioning_uri(device: TOTPDevice) -> str:
    """What the enrolment QR code carries."""
    return otpauth_uri(
        secret_base32(device),
        device.user.get_username(),
        digits=device.digits,
        period=device.step,
    )


def key_from_base32(secret: str) -> str:
    """A base32 secret (spaces allowed) as TOTPDevice.key (hex)."""
    compact = secret.replace(" ", "").upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8)).hex()

"""Login of a holder by NIR + password, with per-account throttling (AUTH-04, 05, 07).

The NIR is not a secret (it is on every payslip), so the password and this throttle are the
whole defence; CNIL 2022-100 accepts the seed's 8-character passwords only with it.

- Failures 1–4: no delay. From the 5th: a delay of 60 s, doubling at each further failure
  (at most 15 failures fit in 24 h). During the delay even the right password is refused.
- The counter resets on success, or 24 h after the last failure. Never a permanent lock;
  a password reset clears it.
- Unknown NIR, malformed NIR, wrong password, throttled: the same outcome for the caller and
  one password hash computed in every case, so neither the answer nor its time tells them
  apart (AUTH-04).
- One counter per NIR, however it is typed: the throttle's key is ``nir_throttle_key`` of
  the identity package, computed from the very normalisation ``Nir.parse`` reads (full-width
  digits, Unicode dashes and spaces, ``2a``…), valid NIR or not.
- Race-safe: the account's row is locked (select_for_update) from before the password check
  until the failure is recorded, so parallel attempts are evaluated one after the other.
"""

from __future__ import annotations

import functools
import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mcf.core.logging import security_event
from mcf.domain.accounts.models import LoginThrottle, User
from mcf.domain.identity.nir import Nir, NirError
from mcf.domain.identity.protection import nir_lookup_hash, nir_throttle_key
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action

FREE_FAILURES = 4
FIRST_DELAY = timedelta(seconds=60)
RESET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    # "ok", "invalid" or "throttled" — for logs and tests; the page never shows which.
    reason: str


def delay_after(failures: int) -> timedelta:
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return FIRST_DELAY * (2 ** (failures - FREE_FAILURES - 1))


@functools.cache
def _decoy_hash(hasher_path: str) -> str:
    """A hash of a random password with the current hasher, computed once per process."""
    return make_password(secrets.token_urlsafe(16))


def _spend_one_password_check(password: str) -> bool:
    """Verify the password against a decoy hash: exactly the work of checking a real
    account's wrong password, so no failure answers faster than another (AUTH-04). Never a
    valid login: returns False."""
    check_password(password, _decoy_hash(settings.PASSWORD_HASHERS[0]))
    return False


# A failed login lasts at least this multiple of its own password check, whatever the cause.
FAILURE_FLOOR_FACTOR = 1.3


class _PasswordCheckTimer:
    """How long the one password check of an attempt took.

    The failure causes do different database work (a history entry for an existing account,
    an insert for a first failure, nothing but an update when throttled): a millisecond or
    two that a patient attacker could measure (AUTH-04). Every failure is padded to 1.3 times
    its own password check, which every cause computes once, so the padding follows the
    machine's speed of the moment. A floor calibrated once per process did not: on a CI
    machine whose hashes had grown slower than at calibration, the wrong-password class came
    out 1.5 ms slower than the others (signed-rank p = 2e-6). Successes are not padded.
    """

    def __init__(self) -> None:
        self.seconds = 0.0

    def check(self, password_check: Callable[[], bool]) -> bool:
        start = time.perf_counter()
        try:
            return password_check()
        finally:
            self.seconds = time.perf_counter() - start

    def pad_failure(self, started: float) -> None:
        remaining = FAILURE_FLOOR_FACTOR * self.seconds - (time.perf_counter() - started)
        if remaining > 0:
            time.sleep(remaining)


def _find_holder(identifier: str, *, lock: bool = False) -> User | None:
    try:
        nir = Nir.parse(identifier)
    except NirError:
        return None
    users = User.objects.filter(
        nir_hash=nir_lookup_hash(nir), kind=User.Kind.TITULAIRE, is_active=True
    )
    return (users.select_for_update() if lock else users).first()


def _locked_throttle(key: str) -> LoginThrottle:
    """The throttle row of a key, created if needed (two first failures at once are safe:
    get_or_create retries the read after the unique constraint refuses the second insert)."""
    LoginThrottle.objects.get_or_create(key=key)
    return LoginThrottle.objects.select_for_update().get(key=key)


def authenticate_holder(
    identifier: str, password: str, *, ip: str = "", now: datetime | None = None
) -> LoginOutcome:
    """Check a NIR + password under the throttle (see ``authenticate_with_throttle``)."""
    return authenticate_with_throttle(
        lambda: _find_holder(identifier, lock=True),
        password,
        key=nir_throttle_key(identifier),
        ip=ip,
        now=now,
        event="login",
        success_outcome="success",
        journal_failures=True,
    )


def authenticate_with_throttle(
    find_account: Callable[[], User | None],
    password: str,
    *,
    key: str,
    ip: str,
    now: datetime | None,
    event: str,
    success_outcome: str,
    journal_failures: bool,
    success_action: Action = Action.LOGIN_SUCCEEDED,
    failure_action: Action = Action.LOGIN_FAILED,
) -> LoginOutcome:
    """The throttled password check shared by every login (holders, professionals,
    operators): only how the account is found differs.

    ``find_account`` runs inside the transaction and must lock the account's row
    (select_for_update), so that the attempts on one account are evaluated one after the
    other with an up-to-date counter (AUTH-07). Attempts on an identifier without an account
    have nothing to find; they are counted all the same.
    Writes: the throttle row on failure (deleted on success), the holder's history when
    ``journal_failures`` (``success_action`` / ``failure_action``: a login by default, a
    password confirmation for SESS-05); Django's check_password may upgrade the stored
    hash (AUTH-03).
    Every failure is padded to the same duration (AUTH-04).
    """
    started = time.perf_counter()
    timer = _PasswordCheckTimer()
    now = now or timezone.now()
    with transaction.atomic():
        outcome = _check_under_throttle(
            find_account(),
            password,
            key=key,
            ip=ip,
            now=now,
            event=event,
            success_outcome=success_outcome,
            journal_failures=journal_failures,
            success_action=success_action,
            failure_action=failure_action,
            timer=timer,
        )
    if outcome.user is None:
        timer.pad_failure(started)
    return outcome


def _check_under_throttle(
    user: User | None,
    password: str,
    *,
    key: str,
    ip: str,
    now: datetime,
    event: str,
    success_outcome: str,
    journal_failures: bool,
    success_action: Action,
    failure_action: Action,
    timer: _PasswordCheckTimer,
) -> LoginOutcome:
    throttle = LoginThrottle.objects.select_for_update().filter(key=key).first()
    if throttle and throttle.last_failure_at and now - throttle.last_failure_at >= RESET_AFTER:
        throttle.failures, throttle.blocked_until = 0, None
    if throttle and throttle.blocked_until and now < throttle.blocked_until:
        timer.check(lambda: _spend_one_password_check(password))
        LoginThrottle.objects.filter(pk=throttle.pk).update(refused=F("refused") + 1)
        security_event(event, outcome="throttled", level=logging.WARNING, key=key[:12], ip=ip)
        return LoginOutcome(None, "throttled")
    if user is None:
        valid = timer.check(lambda: _spend_one_password_check(password))
    else:
        valid = timer.check(lambda: user.check_password(password))
    if valid:
        if throttle is not None:
            throttle.delete()
        if journal_failures:
            journal.record(user, success_action, at=now)
        security_event(event, outcome=success_outcome, user=user.public_id, ip=ip)
        return LoginOutcome(user, "ok")
    if throttle is None:
        throttle = _locked_throttle(key)
    throttle.failures += 1
    throttle.last_failure_at = now
    delay = delay_after(throttle.failures)
    throttle.blocked_until = now + delay if delay else None
    throttle.save()
    if user is not None and journal_failures:
        journal.record(user, failure_action, at=now)
        if delay:
            journal.record(
                user,
                Action.LOGIN_SUSPENDED,
                by=journal.SERVICE,
                details=f"Pendant {duration_fr(delay)}.",
                at=now,
            )
    security_event(
        event,
        outcome="failure",
        level=logging.WARNING,
        user=user.public_id if user else "-",
        key=key[:12],
        ip=ip,
        failures=throttle.failures,
        delay_seconds=int(delay.total_seconds()) if delay else None,
    )
    return LoginOutcome(None, "invalid")


def duration_fr(delay: timedelta) -> str:
    """« 1 seconde », « 40 secondes », « 1 minute », « 2 heures »: a wait as a person reads
    it, rounded up to the unit shown (never shorter than the real wait)."""
    seconds = max(1, math.ceil(delay.total_seconds()))
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes > 1 else ''}"
    hours = math.ceil(minutes / 60)
    return f"{hours} heure{'s' if hours > 1 else ''}"


def clear_login_throttle(identifier: str) -> None:
    """After a successful password reset (AUTH-05: a reset clears the delay)."""
    LoginThrottle.objects.filter(key=nir_throttle_key(identifier)).delete()


def purge_stale_throttles(*, now: datetime | None = None) -> int:
    """PRIV-04: forget the failure counters that ``RESET_AFTER`` has already wiped out (no
    failure for 24 hours, no delay running); returns how many. Holder and professional
    counters alike: one table."""
    now = now or timezone.now()
    deleted, _ = (
        LoginThrottle.objects.filter(last_failure_at__lt=now - RESET_AFTER)
        .exclude(blocked_until__gt=now)
        .delete()
    )
    return deleted

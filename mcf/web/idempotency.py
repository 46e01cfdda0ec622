"""The idempotency key of a form (REL-04): issued by the server, checked on the POST.

A form that changes something carries a key the server wrote into it::

    <form method="post">{% csrf_token %}{% idempotency_key "titulaire:hours" %}…</form>

(a built-in tag, like ``{% csrf_token %}``: mcf/web/public/templatetags/idempotency.py)

and its view submits the change through ``Once``::

    once = Once(request)                       # the key of the form, checked
    if (first := once.replay()) is not None:   # already done (double click, retry)
        return first                           # → the first answer, redirect and message
    form = DifForm(request.POST)
    if form.is_valid() and once.check(form, "hours"):
        return once.run(lambda: ... Result(reverse(...), "…enregistré."))

The key is a random nonce signed for one form (its route) and one holder (or one
anonymous session), valid ``KEY_LIFETIME``: a key cannot be forged, nor moved to another
form or account. What it protects is done by mcf.domain.idempotency.run_once: the key's
UNIQUE row and the change commit together, so a second submission — sequential or
concurrent — gets the first one's redirect and message and changes nothing. The same key
with other values gets 422. A form without a valid key (opened more than a day ago, or
in another session) is shown again with what was typed and a new key.

No library does this for Django forms: django-idempotency-key and its kin serve APIs
(an ``Idempotency-Key`` header, the stored response replayed), not Post/Redirect/Get
forms whose key the server issues and whose answer is a redirect and a message.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.crypto import salted_hmac

from mcf.core.errors import key_reused
from mcf.domain.idempotency.actions import (
    KEY_LIFETIME,
    KeyReused,
    Result,
    first_result,
    run_once,
)

FIELD = "idempotency_key"
_SALT = "mcf.idempotency"
# Left out of the fingerprint: the CSRF token and the key itself, and every secret (a
# fast hash of a password is not kept, even keyed).
_NOT_PAYLOAD = {"csrfmiddlewaretoken", FIELD}
EXPIRED = (
    "Ce formulaire a été ouvert il y a trop longtemps ou dans une autre session : "
    "vérifiez vos saisies puis validez de nouveau."
)


def user_scope(user) -> str:
    return f"user:{user.pk}"


def session_scope(session_key: str | None) -> str:
    return f"session:{session_key}" if session_key else "anonymous"


def scope(request: HttpRequest) -> str:
    """Whose key it is: the logged-in user, else the anonymous session (registration)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user_scope(user)
    session = getattr(request, "session", None)
    return session_scope(session.session_key if session is not None else None)


def _signer(action: str, owner: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{_SALT}:{action}:{owner}")


def issue_key(owner: str, action: str) -> str:
    """A new key for one submission of the form ``action`` by ``owner`` (see ``scope``)."""
    return _signer(action, owner).sign(secrets.token_hex(16))


def new_key(request: HttpRequest, action: str) -> str:
    return issue_key(scope(request), action)


def _fingerprint(request: HttpRequest) -> str:
    payload = sorted(
        (name, request.POST.getlist(name))
        for name in request.POST
        if name not in _NOT_PAYLOAD and "password" not in name
    )
    return salted_hmac(
        _SALT, json.dumps(payload, ensure_ascii=False), algorithm="sha256"
    ).hexdigest()


class Once:
    """The submission of a form carrying a key (see the module)."""

    def __init__(self, request: HttpRequest, action: str | None = None):
        self.request = request
        self.action = action or request.resolver_match.view_name
        self.key = self._verified(request.POST.get(FIELD, ""))
        self.fingerprint = _fingerprint(request)

    def _verified(self, signed: str) -> str | None:
        try:
            return _signer(self.action, scope(self.request)).unsign(
                signed[:200], max_age=KEY_LIFETIME
            )
        except signing.BadSignature:  # forged, another form's or account's, or expired
            return None

    def replay(self) -> HttpResponse | None:
        """The first answer if this form was already submitted with this key, else None."""
        if self.key is None:
            return None
        try:
            result = first_result(self.key, action=self.action, fingerprint=self.fingerprint)
        except KeyReused:
            return key_reused(self.request)
        return None if result is None else self._answer(result)

    def check(self, form, field: str | None = None) -> bool:
        """True if the form has a valid key; else False and ``EXPIRED`` on the form (on
        ``field``, or above the fields): shown again, it carries a new key."""
        if self.key is not None:
            return True
        form.add_error(field, EXPIRED)
        return False

    def run(self, perform: Callable[[], Result]) -> HttpResponse:
        """``perform()`` once for this key; the answer (first or not) as a redirect."""
        try:
            result, _ = run_once(
                self.key, action=self.action, fingerprint=self.fingerprint, perform=perform
            )
        except KeyReused:
            return key_reused(self.request)
        return self._answer(result)

    def _answer(self, result: Result) -> HttpResponse:
        if result.message:
            messages.success(self.request, result.message)
        return redirect(result.location)

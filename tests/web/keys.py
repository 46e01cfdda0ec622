"""Submitting a form as a browser does: with the idempotency key its page wrote (REL-04,
mcf/web/idempotency.py)."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client

from mcf.web.idempotency import FIELD, issue_key, session_scope, user_scope
from tests.web.routes import body, page_forms


def form_key(client: Client, page: str, action: str | None = None) -> str:
    """The key of the form of ``page`` that posts to ``action`` (the page itself by default)."""
    target = action or page
    response = client.get(page)
    for form in page_forms(body(response)):
        if form.method == "post" and (form.action or page) == target and FIELD in form.values:
            return form.values[FIELD][0]
    raise AssertionError(f"no form with a key posting to {target} on {page}")


def key_for(user, action: str) -> str:
    """A key the server would have written for ``user`` into the form of ``action``
    (« titulaire:hours »), for a form the page does not show (the DIF once locked)."""
    return issue_key(user_scope(user), action)


def client_key(client: Client, action: str) -> str:
    """A key the server would write for ``client``'s user (or anonymous session)."""
    user_id = client.session.get(SESSION_KEY)
    if user_id is None:
        return issue_key(session_scope(client.session.session_key), action)
    return issue_key(user_scope(get_user_model().objects.get(pk=user_id)), action)


def keyed(client: Client, page: str, data: dict | None = None, action: str | None = None):
    """``data`` with the key of the page's form, as the browser would send them."""
    return {**(data or {}), FIELD: form_key(client, page, action)}


def submit(client: Client, page: str, data: dict | None = None, action: str | None = None, **kw):
    """GET ``page``, then POST ``data`` to its form (``action``, or the page) with its key."""
    return client.post(action or page, keyed(client, page, data, action), **kw)

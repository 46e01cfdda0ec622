"""REL-04 over the whole holder space: every form carries an idempotency key, or is said
idempotent by nature (tests/web/titulaire/test_idempotency.py has the effects). In a module
of its own: it uses the sweeps' world (tests/web/conftest.py), which holds a transaction
open that the transactional tests of test_idempotency.py could not run beside."""

from __future__ import annotations

import pytest
from django.test import Client

from mcf.domain.accounts.models import User
from mcf.web.idempotency import FIELD

NATURALLY_IDEMPOTENT = {
    "titulaire:login",
    "titulaire:logout",
    "titulaire:confirm_password",
    "titulaire:data_export",
    "titulaire:registration_cgu",
    "titulaire:registration_identity",
    "titulaire:registration_confirm",
    "titulaire:email_change_confirm",
    "titulaire:password_reset",
    "titulaire:password_reset_confirm",
}


@pytest.mark.django_db
def test_every_form_of_the_holder_space_carries_a_key_or_is_said_idempotent(clients):
    """A new form that changes something must carry {% idempotency_key %} (or be added,
    with its reason, to the decision record and NATURALLY_IDEMPOTENT)."""
    from django.urls import resolve

    from mcf.domain.identity.protection import nir_lookup_hash
    from tests.web.routes import HOLDER, ROUTES, body, page_forms

    Client().force_login(User.objects.get(nir_hash=nir_lookup_hash(HOLDER)))  # « Fermer »
    unkeyed = set()
    for route in ROUTES:
        if route.namespace != "titulaire" or "<" in route.pattern:
            continue
        for visitor in ("holder", "anonymous"):
            url = route.url({})
            response = clients[visitor].get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in page_forms(body(response)):
                if form.method != "post":
                    continue
                action = resolve(form.action or url).view_name
                if action.startswith("titulaire:") and not (
                    FIELD in form.values or action in NATURALLY_IDEMPOTENT
                ):
                    unkeyed.add(action)
    assert not unkeyed, unkeyed

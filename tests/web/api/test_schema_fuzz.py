"""Schemathesis runs the API's whole OpenAPI document against the app (property-based):
no 500, every answer conforms to the schema (status, content type, body, headers).
Generated input includes Unicode of every kind (full-width digits, RTL marks, combining
signs).

Not checked: « a schema-valid request is accepted » (positive_data_acceptance). The
schema types the search's parameters as text, and the search page's form is their one
validator (« 35 h », « 1 200 € » are accepted there; « abc » is a 422 problem with its
French message): a schema repeating the form's rules would be a second owner of them.
Nor « a schema-violating request is refused » (negative_data_rejection): an unknown query
parameter is ignored, as by the pages (a client adding a parameter of a later version
must not break)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from mcf.wsgi import application
from tests.domain.dossiers.builders import sent_dossier
from tests.web.api.dossier_helpers import api_client_of, token_for
from tests.web.professionnel.dossier_helpers import financeur_world

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_the_test_connection(bearer):
    """Called through WSGI, Django closes the database connection at each request
    (``close_old_connections``), which ends the test's transaction on PostgreSQL. Django's
    test client disconnects it for the same reason, and connects it again after each of
    its requests: hence after ``bearer``'s token request."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(db) -> dict:
    """The financeur's world (with the small catalogue, so that searches and ids find
    something), a sent dossier, and a token with both scopes: the dossiers' operations are
    fuzzed as their client, not only refused with 401."""
    world = financeur_world()
    sent_dossier(world)
    client, secret = api_client_of(world, world.financeur)
    return {"Authorization": f"Bearer {token_for(client.client_id, secret)['access_token']}"}


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_conforms_to_its_schema(case, bearer, keep_the_test_connection):
    case.call_and_validate(
        headers=bearer,
        excluded_checks=[checks.positive_data_acceptance, checks.negative_data_rejection],
    )

"""Schemathesis runs the API's whole OpenAPI document against the app (property-based):
no 500, every answer conforms to the schema (status, content type, body, headers).
Generated input includes Unicode of every kind (full-width digits, RTL marks, combining
signs).

Not checked: « a schema-valid request is accepted » (positive_data_acceptance). The
schema types the search's parameters as text, and the search page's form is their one
validator (« 35 h », « 1 200 € » are accepted there; « abc » is a 422 problem with its
French message): a schema repeating the form's rules would be a second owner of them."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from mcf.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _world(catalogue):
    """The small catalogue, so that searches and ids find something."""


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_conforms_to_its_schema(case):
    case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])

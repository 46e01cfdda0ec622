"""The suite runs on the database it was asked for (make test runs it on both)."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_suite_runs_on_the_requested_database():
    requested = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if requested.startswith("postgres") else "sqlite"
    assert connection.vendor == expected

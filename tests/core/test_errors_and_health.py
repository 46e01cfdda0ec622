"""ERR-01 (French error pages with a correlation id) and the /healthz readiness probe."""

import logging

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("secret detail: password=hunter2")


urlpatterns = [path("boom/", boom)]
handler500 = "mcf.core.errors.server_error"


@pytest.mark.urls("tests.core.test_errors_and_health")
def test_500_page_is_french_with_correlation_id_and_no_trace(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Erreur inattendue" in body
    request_id = response["X-Request-ID"]
    assert request_id in body
    assert "Traceback" not in body
    assert "hunter2" not in body
    # The log line of the exception carries the same id.
    assert any(getattr(r, "request_id", None) == request_id for r in caplog.records)


def test_404_page_is_french_with_correlation_id(client):
    response = client.get("/cette-page-nexiste-pas/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page non trouvée" in body
    assert response["X-Request-ID"] in body


def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_down_when_database_does_not_answer(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_dev_mailbox_does_not_exist_when_debug_is_off(client):
    assert client.get("/dev/courriels/").status_code == 404


def test_log_values_cannot_forge_lines():
    from mcf.core.logging import neutralise

    assert neutralise("ok\nFAKE 200 admin login") == "ok\\nFAKE 200 admin login"
    assert len(neutralise("x" * 10_000)) == 200

"""Load shedding (mcf/core/overload.py): a busy process answers « service très sollicité »
at once (503, Retry-After, French, nothing recorded), never a timeout; a login that finds no
password slot keeps the NIR typed and counts no failure."""

from __future__ import annotations

import threading
from html import unescape

import pytest
from django.test import Client

from mcf.core import overload
from mcf.domain.accounts.models import LoginThrottle
from mcf.domain.journal.models import JournalEntry
from tests.factories import NIR_A, PASSWORD, registered_holder


@pytest.fixture
def one_slot(settings):
    """One password slot per process, given up after 50 ms; a fresh semaphore."""
    settings.PASSWORD_SLOTS = 1
    settings.PASSWORD_SLOT_WAIT = 0.05
    overload._slots = None
    yield
    overload._slots = None


def hold_the_slot():
    """Another thread takes the only slot and keeps it until released (also used by the
    browser test of the busy login)."""
    taken, release = threading.Event(), threading.Event()

    def holder():
        with overload.password_hashing_slot():
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    assert taken.wait(5)
    return release, thread


def test_a_busy_process_answers_the_french_busy_page_at_once(settings, db):
    settings.MAX_REQUESTS_IN_FLIGHT = 1
    middleware = overload.LoadSheddingMiddleware(lambda request: None)
    assert middleware.in_flight.enter(1)  # one request already in the application
    try:
        response = overload.LoadSheddingMiddleware.__call__(
            middleware, Client().get("/").wsgi_request
        )
    finally:
        middleware.in_flight.leave()
    html = unescape(response.content.decode())
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.BUSY_RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert "Le service est très sollicité" in html
    assert "Rien n'a été enregistré" in html
    assert '<html lang="fr"' in html


def test_under_the_limit_requests_are_served_and_the_count_comes_back(settings, db):
    settings.MAX_REQUESTS_IN_FLIGHT = 2
    middleware = overload.LoadSheddingMiddleware(lambda request: "servi")
    request = Client().get("/").wsgi_request
    assert [middleware(request) for _ in range(3)] == ["servi"] * 3
    assert middleware.in_flight.count == 0


def test_the_count_comes_back_when_the_view_fails(settings, db):
    settings.MAX_REQUESTS_IN_FLIGHT = 1

    def failing(request):
        raise RuntimeError

    middleware = overload.LoadSheddingMiddleware(failing)
    with pytest.raises(RuntimeError):
        middleware(Client().get("/").wsgi_request)
    assert middleware.in_flight.count == 0


def test_the_health_probe_is_never_shed(settings, db):
    settings.MAX_REQUESTS_IN_FLIGHT = 1
    middleware = overload.LoadSheddingMiddleware(lambda request: "sonde")
    middleware.in_flight.enter(1)
    assert middleware(Client().get("/healthz").wsgi_request) == "sonde"


def test_the_whole_stack_sheds_with_the_security_headers(client, db, monkeypatch):
    monkeypatch.setattr(overload._InFlight, "enter", lambda self, limit: False)  # full
    response = client.get("/formations/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_a_login_without_a_password_slot_keeps_the_nir_and_counts_nothing(client, one_slot):
    registered_holder()
    journal_before = JournalEntry.objects.count()
    release, thread = hold_the_slot()
    try:
        response = client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    finally:
        release.set()
        thread.join()
    html = unescape(response.content.decode())
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Le service est très sollicité : votre connexion n'a pas pu être vérifiée." in html
    assert f'value="{NIR_A}"' in html
    assert "mot de passe incorrect" not in html
    assert not LoginThrottle.objects.exists()  # no failure counted
    assert JournalEntry.objects.count() == journal_before  # nothing journaled
    # The slot free again, the same login goes through.
    response = client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    assert response.status_code == 302

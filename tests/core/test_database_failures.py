"""REL-06: the database connection is killed in the middle of a request.

The requests go through Django's real WSGI handler, in this thread, one after the other
like a gunicorn worker's (the test client would switch off the closing of broken
connections between requests, the very thing under test). The holder enters his DIF; the
history write is made to find its server process terminated (``pg_terminate_backend``
from a second connection, as an operator or a failover would). The holder gets the error
page with its id and no trace; nothing of the change is written (one transaction: the
ledger entry and the counter's balance are gone with it); the very next request of the same
worker is served normally, and entering the DIF again works.
"""

from __future__ import annotations

import io
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test import Client

from mcf.domain.hours import ledger
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.journal.models import Action, JournalEntry
from tests.factories import registered_holder

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a server process to terminate: PostgreSQL's (make test-postgres)",
    ),
]

HOURS = "/titulaire/compte-d-heures/"


class Worker:
    """One worker of the WSGI application, keeping its cookies like a browser."""

    def __init__(self, cookies: dict[str, str]):
        self.app = get_wsgi_application()
        self.cookies = dict(cookies)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urlencode(form or {}).encode()
        environ: dict = {}
        setup_testing_defaults(environ)
        environ.update(
            {
                "REQUEST_METHOD": method,
                "PATH_INFO": path,
                "HTTP_HOST": "testserver",
                "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "CONTENT_LENGTH": str(len(data)),
                "wsgi.input": io.BytesIO(data),
            }
        )
        answer: dict = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks).decode()
        finally:
            if hasattr(chunks, "close"):
                chunks.close()  # request_finished: Django closes a broken connection here
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                cookie = SimpleCookie(value)
                self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        return answer["status"], body

    def enter_dif(self, hours: int) -> tuple[int, str]:
        status, page = self.request("GET", HOURS)
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
        return self.request(
            "POST",
            HOURS,
            {"csrfmiddlewaretoken": token, "idempotency_key": key, "hours": str(hours)},
        )


def _terminate(pid: int) -> None:
    """Ends the server process ``pid`` from a connection of its own."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_rel_06_a_connection_killed_mid_request(monkeypatch):
    holder = registered_holder()
    browser = Client()
    browser.force_login(holder)
    worker = Worker({name: morsel.value for name, morsel in browser.cookies.items()})
    record = ledger.journal.record

    def record_after_the_connection_dies(*args, **kwargs):
        _terminate(connection.connection.info.backend_pid)
        return record(*args, **kwargs)

    monkeypatch.setattr(ledger.journal, "record", record_after_the_connection_dies)
    status, page = worker.enter_dif(45)
    assert status == 500
    assert "indiquez cet identifiant" in page and "Traceback" not in page
    counter = Counter.objects.get(holder=holder)
    assert counter.dif_balance is None
    assert not Entry.objects.filter(counter=counter, account=Entry.Account.DIF).exists()
    assert not JournalEntry.objects.filter(holder=holder, action=Action.DIF_ENTERED).exists()

    monkeypatch.setattr(ledger.journal, "record", record)
    status, page = worker.request("GET", HOURS)
    assert status == 200 and "Saisissez le solde du DIF" in page
    status, _ = worker.enter_dif(45)
    assert status == 302
    counter.refresh_from_db()
    assert counter.dif_balance == 45
    assert JournalEntry.objects.filter(holder=holder, action=Action.DIF_ENTERED).count() == 1

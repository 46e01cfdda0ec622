"""HEAD on every route answers as GET does, without a body (RFC 9110 §9.3.2).

Load balancers and uptime probes ask ``HEAD /healthz``; a view written with ``require_GET``
answered them 405. The routes are read from the URL resolver (tests/web/routes.py), each
visited by its space's user: a new route is checked without anything to add here.
"""

from __future__ import annotations

import pytest

from tests.web.routes import ROUTES, body, route_values, visitors

# A whole-site sweep: run on PostgreSQL only (make test-sqlite skips it, see Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

# Headers that differ between two requests by design.
PER_REQUEST = {"X-Request-ID", "Set-Cookie", "Date", "Expires", "Content-Security-Policy"}


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_head_answers_like_get_on_every_route(route, clients, route_objects):
    for visitor in visitors(route):
        browser = clients[visitor]
        for values in route_values(route, *route_objects):
            url = route.url(values)
            got = browser.get(url, secure=True)
            got_body = body(got)
            head = browser.head(url, secure=True)
            where = f"HEAD {url} as {visitor}"
            assert head.status_code == got.status_code, (where, head.status_code, got_body[:200])
            assert body(head) == "", where
            same = set(got.headers) - PER_REQUEST
            assert {name: head.headers.get(name) for name in same} == {
                name: got.headers[name] for name in same
            }, where


def test_head_healthz_answers_200(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""

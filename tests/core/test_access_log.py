"""gunicorn's access log masks the tokens of the project's token routes (AUTH-11).

The end-to-end check (a real gunicorn with gunicorn.conf.py, its log file read back) is in
tests/test_production_serving.py; here, the logger class on every spelling of every token
route, and the rule that makes a new route's secret parameter known.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from mcf.core.access_log import (
    SECRET_URL_PARAMETERS,
    TokenMaskingLogger,
    mask_secret_urls,
    token_route_patterns,
)
from tests.web.routes import PARAMETER, ROUTES

TOKEN = "Jeton-secret_0123456789abcdefghijklmnopqrstu"
# Route parameters that hold no secret: ids, slugs, the account's public id (not a
# credential: the reset link also needs its token), the back office's object ids.
PUBLIC_URL_PARAMETERS = {
    "pk",
    "slug",
    "version",
    "challenge_id",
    "public_id",
    "object_id",
    "content_type_id",
    "app_label",
    "id",
    "url",
    "step",  # the name of a dossier form's step (« organisme », « dates »…)
    # The API: an offer's id, a code CPF, a webhook delivery's id, the rest of an unknown
    # /api/ path (its credentials travel in headers; one in a query string is masked).
    "offer_id",
    "code_cpf",
    "delivery_id",
    "rest",
}


def test_every_route_parameter_is_declared_public_or_secret():
    """A new route parameter (a « code », a « key »…) must be classified: secret ones are
    masked in the access log, public ones are not."""
    names = {
        match.group(2) or match.group(3)
        for route in ROUTES
        for part in route.parts
        if (match := PARAMETER.fullmatch(part))
    }
    assert names <= PUBLIC_URL_PARAMETERS | SECRET_URL_PARAMETERS, (
        names - PUBLIC_URL_PARAMETERS - SECRET_URL_PARAMETERS
    )


def _token_urls() -> list[str]:
    urls = []
    for route in ROUTES:
        if not any(f":{name}>" in part for part in route.parts for name in SECRET_URL_PARAMETERS):
            continue
        values = {}
        for part in route.parts:
            if match := PARAMETER.fullmatch(part):
                name = match.group(2) or match.group(3)
                values[part] = TOKEN if name in SECRET_URL_PARAMETERS else str(uuid.uuid4())
        urls.append(route.url(values))
    return urls


def test_the_token_routes_are_those_of_the_resolver():
    urls = _token_urls()
    assert len(urls) == len(token_route_patterns()) >= 3
    assert any("/mot-de-passe-oublie/" in url for url in urls)
    assert any("/inscription/confirmation/" in url for url in urls)
    assert any("/courriel/confirmation/" in url for url in urls)


def _spellings(url: str) -> list[str]:
    return [
        url,
        url.rstrip("/"),
        url + "?suite=1",
        url.rstrip("/") + "?suite=1",
        url + "#ancre",
        url.replace("/t", "/%74", 1),  # percent-encoded: the same view
        f"GET {url} HTTP/1.1",
        f"https://moncompteformation.example{url}",
        f'"{url}"',
    ]


@pytest.mark.parametrize("url", _token_urls())
def test_mask_secret_urls_masks_every_spelling_of_a_token_url(url):
    for spelling in _spellings(url):
        masked = mask_secret_urls(spelling)
        assert TOKEN not in masked and TOKEN[:12] not in masked, spelling
        assert "***" in masked, spelling


def test_other_urls_are_left_as_they_are():
    for text in ["/", "/titulaire/connexion/?next=/titulaire/", "/formations/12/", "-"]:
        assert mask_secret_urls(text) == text


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.mark.parametrize("url", _token_urls())
def test_the_gunicorn_logger_class_writes_no_token(url):
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", config.access_log_format + " %({raw_uri}e)s %(U)s %(q)s")
    log = TokenMaskingLogger(config)
    records = _Records()
    log.access_log.addHandler(records)
    path, _, query = (url + "?suite=1").partition("?")
    referer = f"https://moncompteformation.example{url}"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", headers=[("Content-Type", "text/html")], sent=10)
    request = SimpleNamespace(headers=[("REFERER", referer)])
    log.access(response, request, environ, timedelta(milliseconds=3))
    assert records.lines, "nothing logged"
    line = records.lines[0]
    assert TOKEN not in line and TOKEN[:12] not in line, line
    assert line.count("***") >= 4, line

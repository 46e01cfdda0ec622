"""Tokens and client secrets are never written to a log: not by our code, not by the OAuth
libraries (held at WARNING), not by the access log (a token put in a URL is masked)."""

import logging

import pytest

from mcf.core.access_log import mask_secret_urls
from tests.domain.dossiers.builders import sent_dossier
from tests.web.api.dossier_helpers import Api, api_client_of, token_for
from tests.web.professionnel.dossier_helpers import financeur_world

pytestmark = pytest.mark.django_db


def test_a_whole_exchange_logs_no_token_and_no_secret(caplog):
    caplog.set_level(logging.DEBUG)
    world = financeur_world()
    dossier = sent_dossier(world)
    client, secret = api_client_of(world, world.financeur)
    token = token_for(client.client_id, secret)["access_token"]
    api = Api(token)
    api.get(f"/api/v1/dossiers/{dossier.public_id}")
    api.get("/api/v1/dossiers", {"access_token": token})
    assert token_for(client.client_id, "faux")["status"] == 401
    assert caplog.records  # something was logged (the security events)
    assert token not in caplog.text and secret not in caplog.text


@pytest.mark.parametrize(
    "line",
    ['"GET /api/v1/dossiers?access_token=abc123&x=1 HTTP/1.1"',
     '"POST /api/oauth/jeton/?client_secret=s3cr3t HTTP/1.1"'],
)  # fmt: skip
def test_the_access_log_masks_credentials_in_a_query_string(line):
    masked = mask_secret_urls(line)
    assert "abc123" not in masked and "s3cr3t" not in masked and "=***" in masked

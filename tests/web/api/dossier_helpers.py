"""A financeur's API client and its token, for the dossier API's tests."""

from __future__ import annotations

from django.test import Client

from mcf.domain.integrations.actions import create_api_client

TOKEN_URL = "/api/oauth/jeton/"


def api_client_of(world_or_org, admin, *, scopes=("dossiers:lire", "dossiers:instruire")):
    organisation = getattr(world_or_org, "opca", world_or_org)
    return create_api_client(organisation, name="SI gestion", scopes=list(scopes), by=admin)


def token_for(client_id: str, secret: str, scope: str = "") -> dict:
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    response = Client().post(TOKEN_URL, data, HTTP_AUTHORIZATION=basic(client_id, secret))
    return {"status": response.status_code, **response.json()}


def basic(client_id: str, secret: str) -> str:
    import base64
    from urllib.parse import quote

    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode()


class Api:
    """A test client that sends the bearer token."""

    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, params=None, **headers):
        return self.client.get(path, params or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: dict, **headers):
        return self.client.post(
            path, body, content_type="application/json", headers={**self.headers, **headers}
        )

"""OAuth 2 bearer tokens of the financeurs' API clients (django-oauth-toolkit).

The toolkit checks the token (known, not expired, not revoked); we check that its client
is still active and that the token has the scope the endpoint needs (401 for a bad token,
403 for a good token without the scope). Then the request is counted against the client's
rate limit and the address's. The caller is an ``ApiCaller``: the organisation's
information system, FINANCEUR on its organisation's dossiers only.

Tokens are never logged: the toolkit's and oauthlib's loggers are held at WARNING
(settings.LOGGING) and our security events name the client id, never the token.
"""

from __future__ import annotations

from django.http.multipartparser import MultiPartParserError
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from mcf.domain.integrations.caller import ApiCaller
from mcf.web.api.limits import by_ip, check_rate
from mcf.web.api.problems import Problem

CLIENT_RATE = "300/m"
ADDRESS_RATE = "600/m"


class ClientToken(HttpBearer):
    """A valid token with one of ``scopes`` (``dossiers:instruire`` includes reading)."""

    openapi_scheme = "bearer"

    def __init__(self, *scopes: str):
        super().__init__()
        self.scopes = frozenset(scopes)

    def authenticate(self, request, token: str) -> ApiCaller | None:
        check_rate(request, "api-address", key=by_ip, rate=ADDRESS_RATE)
        try:
            # The toolkit reads the form body too (a token may travel there): a broken
            # multipart body is the caller's mistake, not our error.
            valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        except MultiPartParserError as error:
            raise Problem(
                "requete_invalide",
                "Corps de requête illisible : envoyez du JSON (Content-Type: application/json).",
            ) from error
        if not valid:
            return None
        access_token = oauth_request.access_token
        # Loaded with the token (integrations/oauth.py); revocation deletes the application
        # and its tokens, revoked_at is the second lock.
        client = getattr(access_token.application, "api_client", None)
        if client is None or client.revoked_at is not None:
            return None
        granted = frozenset(access_token.scope.split())
        if not granted & self.scopes:
            raise Problem(
                "portee_insuffisante",
                f"Il faut la portée {' ou '.join(sorted(self.scopes))} : demandez un jeton "
                "avec cette portée (le client doit l'avoir reçue).",
                headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
            )
        check_rate(request, "api-client", key=lambda group, r: client.client_id, rate=CLIENT_RATE)
        return ApiCaller(client, granted)


READ = ClientToken("dossiers:lire", "dossiers:instruire")
INSTRUCT = ClientToken("dossiers:instruire")

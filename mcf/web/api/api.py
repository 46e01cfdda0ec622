"""The API's root: version 1, its OpenAPI 3.1 document and documentation (Swagger UI served
from django-ninja's own static files: no CDN), and how every error becomes a problem."""

from __future__ import annotations

import logging
from functools import wraps

from django.http import Http404
from django_ratelimit.decorators import ratelimit
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from oauth2_provider.views import TokenView

from mcf.web.api import catalogue, dossiers
from mcf.web.api.problems import MEDIA_TYPE, Problem, json_text, problem_response

logger = logging.getLogger("mcf.api")

DESCRIPTION = """API de Mon Compte Formation, version 1.

- **Catalogue** (public, sans authentification, 120 requêtes par minute et par adresse) :
  la recherche de formations éligibles, une formation, une certification par son code CPF.
- **Dossiers** (financeurs) : OAuth 2 « client credentials » ; le client API se crée dans
  l'espace professionnel. Portées `dossiers:lire` et `dossiers:instruire`.

Les erreurs suivent la RFC 9457 (`application/problem+json`) avec un `code` stable.
Chaque `POST` accepte un en-tête `Idempotency-Key` : une requête répétée avec la même clé
n'a qu'un effet et reçoit la première réponse. Journal des versions et politique
d'obsolescence : `/api/v1/docs` et docs/api.md du dépôt.
"""


class EscapedJSONRenderer(JSONRenderer):
    """JSON in UTF-8 with « <>& » escaped (problems.MARKUP_ESCAPES)."""

    def render(self, request, data, *, response_status):
        return json_text(data, self.encoder_class)


class Api(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Problems are documented as what they are: ``application/problem+json``."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for answer in operation.get("responses", {}).values():
                    content = answer.get("content", {})
                    body = content.get("application/json", {})
                    if body.get("schema", {}).get("$ref", "").endswith("/ProblemOut"):
                        content[MEDIA_TYPE] = content.pop("application/json")
        return schema


api = Api(
    renderer=EscapedJSONRenderer(),
    title="Mon Compte Formation",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", catalogue.router)
api.add_router("/", dossiers.router)


def _instance(request) -> str:
    return request.path


@api.exception_handler(Problem)
def on_problem(request, error: Problem):
    return problem_response(error, _instance(request))


@api.exception_handler(ValidationError)
def on_validation_error(request, error: ValidationError):
    errors = {}
    for item in error.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("query", "path")]
        errors[".".join(location) or "requête"] = "Valeur non valable."
    return problem_response(
        Problem("invalide", "Certaines valeurs ne sont pas valables.", errors=errors),
        _instance(request),
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, error: AuthenticationError):
    problem = Problem(
        "non_authentifie",
        "Jeton absent, expiré ou révoqué : demandez-en un sur /api/oauth/jeton/.",
        headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
    )
    return problem_response(problem, _instance(request))


@api.exception_handler(Http404)
def on_not_found(request, error):
    return problem_response(Problem("introuvable"), _instance(request))


@api.exception_handler(HttpError)
def on_http_error(request, error: HttpError):
    code = {400: "requete_invalide", 405: "methode_non_permise", 404: "introuvable"}.get(
        error.status_code, "requete_invalide"
    )
    return problem_response(Problem(code), _instance(request))


@api.exception_handler(Exception)
def on_unexpected(request, error: Exception):
    logger.exception("api error on %s", request.path)
    return problem_response(Problem("erreur_interne"), _instance(request))


def _problem_for_405(view):
    """django-ninja answers a method a path does not take with Django's bare 405 (HTML):
    the API's is a problem, with the same ``Allow`` header."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/html"):
            allow = response.get("Allow", "")
            response = problem_response(
                Problem("methode_non_permise", f"Méthodes permises ici : {allow}."),
                _instance(request),
            )
            response["Allow"] = allow
        return response

    return wrapped


def versioned_urls():
    """``api.urls``, each view answering 405 with a problem."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _problem_for_405(pattern.callback)
    return patterns, app_name, namespace


def not_found(request, rest: str = ""):
    """Any other path under /api/: a problem, not the HTML 404 page."""
    return problem_response(Problem("introuvable"), request.path)


# The OAuth 2 token endpoint (client credentials), limited per address: a client secret is
# 256 random bits, the limit keeps a scan from costing us more than it can ever win.
token = ratelimit(key="ip", rate="30/m", method="POST", block=True)(TokenView.as_view())

"""Errors of the API as RFC 9457 problem details, in French, with stable codes.

Every refusal of the API is a ``Problem``: ``type`` is a stable URI per code (documented in
docs/api.md, never changed once published), ``title`` the French sentence of the code,
``detail`` what happened this time, ``errors`` the French message per field when input was
refused. Clients branch on ``code``, people read ``title`` and ``detail``.
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from mcf.core.request_id import current_request_id

PROBLEM_TYPE = "https://www.moncompteformation.gouv.fr/api/problemes/"
MEDIA_TYPE = "application/problem+json"

# code → (status, title). The codes are part of the API's contract.
CODES: dict[str, tuple[int, str]] = {
    "requete_invalide": (400, "La requête est mal formée."),
    "non_authentifie": (401, "Un jeton d'accès valide est nécessaire."),
    "portee_insuffisante": (403, "Ce jeton n'a pas la portée nécessaire."),
    "introuvable": (404, "Cette ressource n'existe pas."),
    "methode_non_permise": (405, "Cette méthode n'est pas permise sur cette ressource."),
    "etat": (409, "Le dossier n'est pas dans un état qui permet cette action."),
    "perime": (409, "Le dossier a changé depuis la version indiquée."),
    "refuse": (409, "L'action est refusée par une règle du dossier."),
    "cle_reutilisee": (422, "Cette clé d'idempotence a servi pour une autre requête."),
    "invalide": (422, "Certaines valeurs ne sont pas valables."),
    "trop_de_requetes": (429, "Trop de requêtes : réessayez plus tard."),
    "service_sollicite": (503, "Le service est très sollicité : réessayez dans un instant."),
    "erreur_interne": (500, "Erreur inattendue du service."),
}


class Problem(Exception):
    """Raised anywhere in the API; rendered by the API's exception handler."""

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        status, title = CODES[code]
        super().__init__(detail or title)
        self.code, self.status, self.title = code, status, title
        self.detail = detail or title
        self.errors = errors or {}
        self.headers = headers or {}

    def body(self, instance: str = "") -> dict:
        body = {
            "type": PROBLEM_TYPE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "instance": instance,
            "request_id": current_request_id(),
        }
        if self.errors:
            body["errors"] = self.errors
        return body


# « < », « > » and « & » written as JSON escapes (as Django's json_script does): a response
# that echoes what was typed can never be read as markup, even by a client that sniffs.
# (str.replace three times: str.translate walks the text in Python, 10 times slower.)
MARKUP_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


def json_text(data, encoder=None) -> str:
    text = json.dumps(data, cls=encoder, ensure_ascii=False)
    for character, escape in MARKUP_ESCAPES:
        if character in text:
            text = text.replace(character, escape)
    return text


def problem_response(problem: Problem, instance: str = "") -> HttpResponse:
    response = HttpResponse(
        json_text(problem.body(instance)),
        status=problem.status,
        content_type=MEDIA_TYPE,
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response

"""French error pages (ERR-01): no trace, no settings, a correlation id to quote.

The 500 page is rendered from a template that needs no database and no context processor
that could fail again; if even that fails, a last-resort plain page is returned.
"""

import logging

from django.http import HttpResponse
from django.template import loader

from mcf.core.request_id import current_request_id

logger = logging.getLogger("mcf.errors")

LAST_RESORT = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
    "<title>Erreur inattendue — Mon compte formation</title></head><body>"
    "<h1>Erreur inattendue</h1><p>Le service rencontre un problème. "
    "Merci de réessayer plus tard.</p><p>Identifiant de l'erreur : {request_id}</p>"
    "</body></html>"
)


def render_error_page(request, template_name: str, status: int, **context) -> HttpResponse:
    context.setdefault("request_id", current_request_id())
    try:
        body = loader.render_to_string(template_name, context, request=request)
    except Exception:
        logger.exception("error page %s could not be rendered", template_name)
        body = LAST_RESORT.format(request_id=current_request_id())
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return render_error_page(request, "errors/400.html", 400)


def permission_denied(request, exception=None):
    return render_error_page(request, "errors/403.html", 403)


def page_not_found(request, exception=None):
    return render_error_page(request, "errors/404.html", 404)


def server_error(request):
    # The exception itself was logged by django.request with the same request id.
    return render_error_page(request, "errors/500.html", 500)


def csrf_failure(request, reason=""):
    return render_error_page(request, "errors/403_csrf.html", 403)


def key_reused(request):
    """REL-04: a form's key sent again with other values (mcf/web/idempotency.py)."""
    return render_error_page(request, "errors/422.html", 422)


def too_many_requests(request, exception=None):
    response = render_error_page(request, "errors/429.html", 429)
    response["Retry-After"] = "60"
    return response

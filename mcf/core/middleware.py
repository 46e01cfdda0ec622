"""Cross-cutting HTTP concerns: correlation id and the headers Django does not set."""

from django.utils.cache import add_never_cache_headers

from mcf.core.request_id import new_request_id, set_request_id


class RequestIdMiddleware:
    """Give every request a correlation id, visible in the logs and on error pages (ERR-01)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = new_request_id()
        # Not reset on the way out: Django logs 5xx responses after the middleware chain
        # returns, and that line must carry the id too. The next request sets its own.
        set_request_id(request.request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class HeadAsGetMiddleware:
    """Answer HEAD wherever GET is answered (RFC 9110 §9.3.2: HEAD is GET without a body;
    load balancers probe ``/healthz`` with it).

    The views say which methods they accept with ``require_GET`` or
    ``require_http_methods(["GET", "POST"])``, which refuse HEAD (405). Rather than a second
    list on every view, the view sees a GET, and the response keeps its headers only.
    Checked on every route by tests/web/test_head_requests.py.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        # The headers of GET (Content-Length included), no body: gunicorn would drop it
        # too, but logs a warning for each HEAD.
        if response.streaming:
            response.streaming_content = []
        else:
            response.content = b""
        return response


class SecurityHeadersMiddleware:
    """HDR-01 items not covered by Django's SecurityMiddleware.

    - ``Cache-Control: no-store`` on every page served to a logged-in user, so a shared
      computer's back button or a proxy never shows personal data;
    - no ``Server`` header naming software or version.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private"
        if "Server" in response:
            del response["Server"]
        return response

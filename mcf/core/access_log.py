"""gunicorn's access log without the secrets of token URLs (AUTH-11).

A confirmation, reset or e-mail-change link carries a live token in its path
(``/titulaire/mot-de-passe-oublie/<public_id>/<token>/``): an access log that writes it
lets whoever reads the logs use the link. ``TokenMaskingLogger`` (gunicorn's
``logger_class``, set in ``gunicorn.conf.py``) writes every access-log field through
``mask_secret_urls``, which replaces the secret parameters of the project's routes by
``***``.

One owner: the routes are read from Django's URL resolver, and a route parameter is secret
when its name is in ``SECRET_URL_PARAMETERS`` (mcf/core/secret_urls.py, shared with the
outbox's masking). A new route with a ``<str:token>`` is masked
without anything to add here; a test fails when a route parameter is neither declared
secret here nor known to be public (tests/core/test_access_log.py).
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import unquote

from gunicorn.glogging import Logger

from mcf.core.secret_urls import SECRET_URL_PARAMETERS

MASK = "***"
# What a parameter of a path may hold in a log line: up to the next separator of a URL, a
# request line (spaces) or a quoted log field.
_SEGMENT = r"[^/?#\s\"']+"
# Django's spelling of a route parameter: ``<converter:name>`` or ``<name>``.
_ROUTE_PARAMETER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


def _route_regex(route: str) -> str | None:
    """The regex of one route (``a/<str:token>/``) whose secret parameters are groups, or
    None when it has none. The trailing slash is optional: a link copied without it still
    reaches the server (and its log)."""
    pieces, position, secret = [], 0, False
    for match in _ROUTE_PARAMETER.finditer(route):
        pieces.append(re.escape(route[position : match.start()]))
        if match.group(1) in SECRET_URL_PARAMETERS:
            pieces.append(f"({_SEGMENT})")
            secret = True
        else:
            pieces.append(_SEGMENT)
        position = match.end()
    if not secret:
        return None
    pieces.append(re.escape(route[position:].rstrip("/")))
    return "/" + "".join(pieces) + r"(?=[/?#\s\"']|$)"


@cache
def token_route_patterns() -> tuple[re.Pattern, ...]:
    """Every route of the URL resolver with a secret parameter, as a search pattern."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[re.Pattern] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern).removeprefix("^")
            if isinstance(entry, URLResolver):
                walk(entry, route)
            elif isinstance(entry, URLPattern) and (regex := _route_regex(route)):
                found.append(re.compile(regex))

    walk(get_resolver(), "")
    return tuple(found)


def _mask(text: str) -> str:
    for pattern in token_route_patterns():
        text = pattern.sub(_masked_match, text)
    return text


def _masked_match(match: re.Match) -> str:
    whole, start = match.group(0), match.start()
    out, position = [], 0
    for index in range(1, (match.lastindex or 0) + 1):
        begin, end = match.span(index)
        out += [whole[position : begin - start], MASK]
        position = end - start
    out.append(whole[position:])
    return "".join(out)


# OAuth 2 credentials a client may put in a query string (the API refuses them there: RFC
# 9700; they must not reach the log all the same).
_SECRET_QUERY = re.compile(r"(?i)\b(access_token|refresh_token|client_secret)=[^&#\s\"']+")


def mask_secret_urls(text: str) -> str:
    """``text`` with the secret parameters of every token route masked, and the OAuth 2
    credentials of a query string. A percent-encoded spelling (``/%74itulaire/…``) reaches
    the same view: it is masked in its decoded form."""
    text = _SECRET_QUERY.sub(rf"\1={MASK}", text)
    masked = _mask(text)
    decoded = unquote(text)
    if decoded != text and _mask(decoded) != decoded:
        return _mask(decoded)
    return masked


class TokenMaskingLogger(Logger):
    """gunicorn's logger, every access-log field (request line, path, query, referrer,
    headers, environment) passed through ``mask_secret_urls``."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_secret_urls(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }

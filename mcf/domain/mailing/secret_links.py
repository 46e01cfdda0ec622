"""Links that carry a secret in a mail's text (AUTH-11): finding and masking them.

A secret link is a link to a route of the portal with a parameter named ``token``
(registration confirmation, « Mot de passe oublié », e-mail change). The routes come from
the URL resolver, so a new token route is covered with no list to keep. Whoever reads such
a link before its addressee can use it: the outbox erases the text of these mails once they
are sent or abandoned, and the back office masks the token of those still queued
(docs/decisions/0010-secret-links-in-the-outbox.md).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from mcf.core.secret_urls import SECRET_URL_PARAMETERS

MASK = "••••••••"
# A link ends before a space, a quote or a closing punctuation mark.
_URL = re.compile(r"https?://[^\s<>\"'«»]*[^\s<>\"'«».,;:!?)]")


def _secret_segments(url: str) -> list[str]:
    """The secret parts of ``url``'s path if it is a link to a token route, else []."""
    path = urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        return []
    secrets = [str(match.kwargs[name]) for name in SECRET_URL_PARAMETERS & match.kwargs.keys()]
    return [secret for secret in secrets if secret != MASK]  # a masked link holds none


def secret_links(text: str) -> list[str]:
    """The links of ``text`` that carry a secret, whatever their host (a link made under a
    former SITE_URL is one too)."""
    return [url for url in _URL.findall(text) if _secret_segments(url)]


def secrets_in(text: str) -> set[str]:
    """The secret parts (the tokens) of the secret links of ``text``."""
    return {secret for url in _URL.findall(text) for secret in _secret_segments(url)}


def mask_secret_links(text: str) -> str:
    """``text`` with the secret part of every secret link replaced by dots."""

    def mask(found: re.Match) -> str:
        url = found.group(0)
        secrets = set(_secret_segments(url))
        return "/".join(MASK if part in secrets else part for part in url.split("/"))

    return _URL.sub(mask, text)

"""Rate limits of the API, on django-ratelimit like the screens' (one counter store, one
client-address rule: mcf/core/client_ip.py). A refused request is a 429 problem with
``Retry-After``.

Per IP for the public catalogue; per API client *and* per IP for the financeurs'
endpoints (a leaked token used from many addresses is still held by its client's limit).
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import get_usage

from mcf.core.client_ip import client_ip
from mcf.web.api.problems import Problem


def by_ip(group: str, request) -> str:
    """The client address of our trusted-proxy rule; a request that carries none (a WSGI
    caller without REMOTE_ADDR) shares one counter instead of failing."""
    return client_ip(request) or "sans-adresse"


def check_rate(request, group: str, *, key, rate: str) -> None:
    """Count this request against ``rate`` for ``key`` (a django-ratelimit key callable:
    ``by_ip`` or the client's); raise a 429 problem once over it."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        wait = max(1, int(usage["time_left"]))
        raise Problem(
            "trop_de_requetes",
            f"Limite de {rate.replace('/m', ' requêtes par minute')} atteinte : réessayez "
            f"dans {wait} s.",
            headers={"Retry-After": str(wait)},
        )

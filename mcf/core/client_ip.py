"""The client address, taken only from what we can trust (AUTH-06).

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each proxy appends the address it received
the request from to ``X-Forwarded-For``; the real client is therefore the N-th address from
the right. Anything to the left of it was written by the client and is ignored, so a forged
header changes nothing. Without declared proxies the header is ignored entirely.
"""

from django.conf import settings


def client_ip(request) -> str:
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]

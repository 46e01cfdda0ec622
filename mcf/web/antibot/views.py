"""Captcha image and audio (AUTH-08).

The URL carries only the challenge id; the answer is never in a URL, header, cookie or
log line. Unknown, used and expired challenges all give the same 404. Nothing is cached
(the image of a challenge differs at each request and must not outlive it).
"""

import uuid

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from mcf.domain.antibot.challenges import (
    ChallengeUnavailable,
    get_challenge,
    render_audio,
    render_image,
)


def _respond(body: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


@ratelimit(key="ip", rate="60/m", block=True)
@require_GET
def captcha_image(request, challenge_id: uuid.UUID):
    try:
        body = render_image(get_challenge(challenge_id))
    except ChallengeUnavailable:
        raise Http404 from None
    return _respond(body, "image/png")


# Audio costs ~0.3 s of CPU to build: a tighter limit (a player may fetch it twice).
@ratelimit(key="ip", rate="20/m", block=True)
@require_GET
def captcha_audio(request, challenge_id: uuid.UUID):
    try:
        body = render_audio(get_challenge(challenge_id))
    except ChallengeUnavailable:
        raise Http404 from None
    return _respond(body, "audio/wav")

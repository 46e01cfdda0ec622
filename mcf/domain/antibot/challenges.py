"""Registration captcha (AUTH-08): self-hosted image and French audio, solved server-side.

A challenge is a row holding the expected answer. Only its id travels (hidden form field,
image and audio URLs); the answer never leaves the server except drawn in the image or
spoken in the audio. It lives ``CHALLENGE_TTL`` and is consumed by the first attempt,
right or wrong: a wrong answer needs a new challenge, so guesses cannot be repeated on one
image.

Usage from a form::

    challenge = new_challenge()          # show image/audio URLs for challenge.id
    ...
    if not verify_and_consume(posted_id, posted_answer):
        ...                              # error, then a new challenge
"""

import functools
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from captcha.image import ImageCaptcha
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mcf.domain.antibot.audio import FrenchAudioCaptcha
from mcf.domain.antibot.models import CaptchaChallenge

CHALLENGE_TTL = timedelta(minutes=10)
ANSWER_LENGTH = 6
# Unused challenges are deleted after a day (purge_captcha_challenges); used ones too.
PURGE_AFTER = timedelta(days=1)

# Characters that can be neither misread in the image nor misheard in the French audio:
# - drawn: no 0/O/Q/D, 1/I/L, 5/S, 2/Z, 8/B, 6/G, U/V;
# - spoken: only one of the letters whose French name ends in « é » (B C D G P T V, which
#   noise turns into one another: « té » kept), not both M/N (« èm »/« èn »), not K
#   (« ka » against « quatre »), not E (« eu » against « deux »).
# 19 characters, 6 drawn: 19^6 ≈ 4.7e7 answers for a single-use, rate-limited challenge.
# scripts/make-captcha-voices reads this line: rerun it after any change.
ALPHABET = "23456789AFHJMRTUWXY"

# The answer accepted by any challenge when settings.CAPTCHA_TEST_MODE is on (browser
# journeys). A deploy check refuses that setting in production (antibot.E001).
TEST_MODE_ANSWER = "PASSED"

VOICE_DIR = Path(__file__).resolve().parent / "voices" / "fr"

# Image: the package's own font (DroidSansMono), dark purple on a pale background,
# large enough for 6 characters (contrast above 7:1 before the noise).
IMAGE_SIZE = (280, 90)
IMAGE_FONT_SIZES = (54, 60, 66)
IMAGE_COLOURS = ((106, 27, 154, 255), (88, 24, 128, 255), (118, 44, 168, 255))
IMAGE_BACKGROUND = (248, 246, 255)


class _ReadableImageCaptcha(ImageCaptcha):
    """The package's captcha, tuned for reading (accessibility) rather than for OCR games.

    - the package turns each glyph's grey level into its opacity (×1.97), which makes dark
      colours half transparent, hence pale: here any colour darker than ~25 % is opaque;
    - characters overlap less and lean less (±20° instead of ±30°).
    """

    lookup_table = [min(255, i * 4) for i in range(256)]
    word_offset_dx = 0.1
    character_rotate = (-20, 20)


class ChallengeUnavailable(Exception):
    """The challenge is unknown, already used or expired: nothing may be rendered for it."""


def new_challenge() -> CaptchaChallenge:
    answer = "".join(secrets.choice(ALPHABET) for _ in range(ANSWER_LENGTH))
    return CaptchaChallenge.objects.create(answer=answer)


def _parse_id(challenge_id: object) -> uuid.UUID | None:
    if isinstance(challenge_id, uuid.UUID):
        return challenge_id
    if not isinstance(challenge_id, str) or len(challenge_id) > 64:
        return None
    try:
        return uuid.UUID(challenge_id.strip())
    except ValueError:
        return None


def _normalise(answer: object) -> bytes:
    if not isinstance(answer, str):
        return b""
    return "".join(answer.split()).upper().encode("utf-8")


def _is_expired(challenge: CaptchaChallenge, now: datetime) -> bool:
    return now - challenge.created_at >= CHALLENGE_TTL


def verify_and_consume(challenge_id: uuid.UUID | str | None, answer: str) -> bool:
    """True when ``answer`` solves the challenge; the challenge is used up in every case.

    Unknown, malformed, already used or expired challenges give False. Case and spaces
    are ignored; the comparison takes the same time wherever the answers differ.
    """
    pk = _parse_id(challenge_id)
    if pk is None:
        return False
    with transaction.atomic():
        challenge = CaptchaChallenge.objects.select_for_update().filter(pk=pk).first()
        if challenge is None or challenge.used_at is not None:
            return False
        now = timezone.now()
        # Conditional update: even where SELECT … FOR UPDATE is a no-op (SQLite), only one
        # of two concurrent attempts can consume the challenge.
        consumed = CaptchaChallenge.objects.filter(pk=pk, used_at__isnull=True).update(used_at=now)
        if consumed != 1 or _is_expired(challenge, now):
            return False
        given = _normalise(answer)
        right = hmac.compare_digest(given, challenge.answer.upper().encode("utf-8"))
        test_mode = hmac.compare_digest(given, TEST_MODE_ANSWER.encode("ascii"))
        return right or (bool(settings.CAPTCHA_TEST_MODE) and test_mode)


def get_challenge(challenge_id: uuid.UUID | str | None) -> CaptchaChallenge:
    """The challenge, if it may still be shown; ChallengeUnavailable otherwise."""
    pk = _parse_id(challenge_id)
    challenge = None if pk is None else CaptchaChallenge.objects.filter(pk=pk).first()
    if challenge is None:
        raise ChallengeUnavailable
    _ensure_renderable(challenge)
    return challenge


def _ensure_renderable(challenge: CaptchaChallenge) -> None:
    if challenge.used_at is not None or _is_expired(challenge, timezone.now()):
        raise ChallengeUnavailable


@functools.cache
def _image_captcha() -> ImageCaptcha:
    # Fonts are loaded once per process (ImageCaptcha keeps them).
    return _ReadableImageCaptcha(
        width=IMAGE_SIZE[0], height=IMAGE_SIZE[1], font_sizes=IMAGE_FONT_SIZES
    )


@functools.cache
def _audio_captcha() -> FrenchAudioCaptcha:
    # The voices (≈ 60 small files) are read once per process.
    audio = FrenchAudioCaptcha(voicedir=str(VOICE_DIR))
    audio.load()
    return audio


def render_image(challenge: CaptchaChallenge) -> bytes:
    """PNG drawing the answer; ChallengeUnavailable for a used or expired challenge."""
    _ensure_renderable(challenge)
    image = _image_captcha().generate(
        challenge.answer,
        format="png",
        bg_color=IMAGE_BACKGROUND,
        fg_color=secrets.choice(IMAGE_COLOURS),
    )
    return image.getvalue()


def render_audio(challenge: CaptchaChallenge) -> bytes:
    """WAV (8 kHz mono) spelling the answer in French over a noisy background.

    ChallengeUnavailable for a used or expired challenge.
    """
    _ensure_renderable(challenge)
    return bytes(_audio_captcha().generate(challenge.answer))


def purge_expired(now: datetime | None = None) -> int:
    """Delete challenges created more than PURGE_AFTER ago; returns how many."""
    now = now or timezone.now()
    deleted, _ = CaptchaChallenge.objects.filter(created_at__lt=now - PURGE_AFTER).delete()
    return deleted

"""AUTH-08: captcha image and audio endpoints."""

import io
import logging
import uuid
import wave
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from PIL import Image

from mcf.domain.antibot.challenges import CHALLENGE_TTL, verify_and_consume
from mcf.domain.antibot.models import CaptchaChallenge

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.web.antibot.urls")]

ANSWER = "7HWX3T"
START = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
KINDS = ["image", "audio"]


def make(answer: str = ANSWER) -> CaptchaChallenge:
    return CaptchaChallenge.objects.create(answer=answer)


def url(kind: str, challenge_id) -> str:
    return reverse(f"antibot:{kind}", args=[challenge_id])


def test_urls_carry_only_the_challenge_id():
    challenge = make()
    assert url("image", challenge.id) == f"/securite/captcha/{challenge.id}/image.png"
    assert url("audio", challenge.id) == f"/securite/captcha/{challenge.id}/audio.wav"


def test_image_is_an_uncached_png(client):
    response = client.get(url("image", make().id))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    image.verify()
    assert image.format == "PNG"


def duration(content: bytes) -> float:
    with wave.open(io.BytesIO(content)) as audio:
        return audio.getnframes() / audio.getframerate()


def test_audio_is_an_uncached_wav_for_the_same_challenge(client):
    challenge = make()
    assert client.get(url("image", challenge.id)).status_code == 200
    response = client.get(url("audio", challenge.id))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert "no-store" in response["Cache-Control"]
    assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WAVE"
    assert duration(response.content) >= 6


def test_audio_length_follows_the_number_of_characters(client):
    one = duration(client.get(url("audio", make("7").id)).content)
    six = duration(client.get(url("audio", make(ANSWER).id)).content)
    assert six > one


def test_showing_the_captcha_does_not_consume_it(client):
    challenge = make()
    client.get(url("image", challenge.id))
    client.get(url("audio", challenge.id))
    assert verify_and_consume(challenge.id, ANSWER) is True


@pytest.mark.parametrize("kind", KINDS)
def test_answer_never_leaves_the_server(client, caplog, kind):
    challenge = make()
    with caplog.at_level(logging.DEBUG):
        response = client.get(url(kind, challenge.id))
    assert response.status_code == 200
    assert ANSWER not in url(kind, challenge.id)
    assert ANSWER.encode() not in response.content
    assert ANSWER.lower().encode() not in response.content
    for header, value in response.items():
        assert ANSWER.lower() not in f"{header}: {value}".lower()
    assert not response.cookies
    assert ANSWER not in caplog.text


@pytest.mark.parametrize("kind", KINDS)
def test_used_challenge_gives_404(client, kind):
    challenge = make()
    verify_and_consume(challenge.id, "AAAAAA")
    response = client.get(url(kind, challenge.id))
    assert response.status_code == 404
    assert ANSWER not in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_expired_challenge_gives_404(client, time_machine, kind):
    time_machine.move_to(START, tick=False)
    challenge = make()
    time_machine.move_to(START + CHALLENGE_TTL + timedelta(seconds=1), tick=False)
    assert client.get(url(kind, challenge.id)).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_challenge_gives_404(client, kind):
    make()
    assert client.get(url(kind, uuid.uuid4())).status_code == 404
    assert client.get(f"/securite/captcha/pas-un-uuid/{kind}").status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_get_only(client, kind):
    challenge = make()
    assert client.post(url(kind, challenge.id)).status_code == 405
    # Refused methods do not consume the challenge either.
    assert verify_and_consume(challenge.id, ANSWER) is True


@pytest.mark.usefixtures("still_clock")
@pytest.mark.parametrize(("kind", "per_minute"), [("image", 60), ("audio", 20)])
def test_rate_limited_per_address(client, kind, per_minute):
    unknown = url(kind, uuid.uuid4())
    for _ in range(per_minute):
        assert client.get(unknown).status_code == 404
    assert client.get(unknown).status_code == 429
    # Another address is not affected.
    assert client.get(unknown, REMOTE_ADDR="192.0.2.7").status_code == 404

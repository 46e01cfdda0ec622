"""AUTH-08: captcha challenges are solved server-side, once, within their lifetime."""

import io
import threading
import uuid
import wave
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from PIL import Image

from mcf.domain.antibot import challenges
from mcf.domain.antibot.challenges import (
    ALPHABET,
    ANSWER_LENGTH,
    CHALLENGE_TTL,
    ChallengeUnavailable,
    get_challenge,
    new_challenge,
    render_audio,
    render_image,
    verify_and_consume,
)
from mcf.domain.antibot.models import CaptchaChallenge

pytestmark = pytest.mark.django_db

ANSWER = "7HWX3T"
START = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
# Fixed (not uuid4()): pytest-xdist needs the same test ids in every worker.
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-000000000000")


def make(answer: str = ANSWER) -> CaptchaChallenge:
    return CaptchaChallenge.objects.create(answer=answer)


def test_new_challenge_draws_an_answer_from_the_alphabet():
    drawn = [new_challenge() for _ in range(20)]
    for challenge in drawn:
        assert len(challenge.answer) == ANSWER_LENGTH
        assert set(challenge.answer) <= set(ALPHABET)
        assert challenge.used_at is None
    assert len({c.id for c in drawn}) == 20
    assert len({c.answer for c in drawn}) > 1


def test_alphabet_has_no_ambiguous_character():
    assert ALPHABET.upper() == ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET)
    assert not set(ALPHABET) & set("01OQILSZBGVNKEPCD")


def test_wrong_answer_fails_and_consumes_the_challenge():
    challenge = make()
    assert verify_and_consume(challenge.id, "AAAAAA") is False
    challenge.refresh_from_db()
    assert challenge.used_at is not None
    # A wrong answer needs a new challenge: the right one is now refused too.
    assert verify_and_consume(challenge.id, ANSWER) is False


def test_right_answer_passes_once_ignoring_case_and_spaces():
    challenge = make()
    assert verify_and_consume(challenge.id, " 7hw x3T ") is True
    assert verify_and_consume(challenge.id, ANSWER) is False


def test_id_may_be_given_as_text():
    challenge = make()
    assert verify_and_consume(str(challenge.id), ANSWER) is True


@pytest.mark.parametrize(
    "challenge_id",
    [None, "", "pas-un-uuid", "x" * 10_000, 12345, str(UNKNOWN), UNKNOWN],
    ids=["none", "empty", "text", "huge", "int", "unknown-text", "unknown-uuid"],
)
def test_unknown_or_garbage_id_fails(challenge_id):
    make()
    assert verify_and_consume(challenge_id, ANSWER) is False


@pytest.mark.parametrize("answer", [None, "", "7HWX3", "7HWX3TT", "7HWX3T\u0301", "7HWX3T!"])
def test_malformed_answers_fail(answer):
    assert verify_and_consume(make().id, answer) is False


@pytest.mark.parametrize(
    ("age", "accepted"),
    [(timedelta(minutes=9, seconds=59), True), (CHALLENGE_TTL + timedelta(seconds=1), False)],
)
def test_challenge_expires_after_ten_minutes(time_machine, age, accepted):
    time_machine.move_to(START, tick=False)
    challenge = make()
    time_machine.move_to(START + age, tick=False)
    assert verify_and_consume(challenge.id, ANSWER) is accepted
    # Consumed either way.
    assert verify_and_consume(challenge.id, ANSWER) is False


def test_test_mode_accepts_passed_once_when_on(settings):
    settings.CAPTCHA_TEST_MODE = True
    challenge = make()
    assert verify_and_consume(challenge.id, "passed") is True
    assert verify_and_consume(challenge.id, "PASSED") is False
    # The real answer still works in test mode.
    assert verify_and_consume(make().id, ANSWER) is True


def test_test_mode_does_not_revive_an_expired_challenge(settings, time_machine):
    settings.CAPTCHA_TEST_MODE = True
    time_machine.move_to(START, tick=False)
    challenge = make()
    time_machine.move_to(START + CHALLENGE_TTL + timedelta(seconds=1), tick=False)
    assert verify_and_consume(challenge.id, "PASSED") is False


@pytest.mark.parametrize("answer", ["PASSED", "passed", " Passed "])
def test_passed_is_refused_when_test_mode_is_off(settings, answer):
    settings.CAPTCHA_TEST_MODE = False
    challenge = make()
    assert verify_and_consume(challenge.id, answer) is False
    assert verify_and_consume(challenge.id, ANSWER) is False


def test_passed_is_refused_by_default_settings():
    from django.conf import settings

    assert settings.CAPTCHA_TEST_MODE is False
    assert verify_and_consume(make().id, "PASSED") is False


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (make test-postgres)"
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_right_answers_pass_only_once():
    challenge = make()
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def attempt():
        try:
            barrier.wait()
            results.append(verify_and_consume(challenge.id, ANSWER))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_get_challenge_refuses_unknown_used_and_expired(time_machine):
    time_machine.move_to(START, tick=False)
    fresh, used, old = make(), make(), make()
    verify_and_consume(used.id, ANSWER)
    time_machine.move_to(START + timedelta(minutes=5), tick=False)
    old.created_at = START - CHALLENGE_TTL
    old.save()
    assert get_challenge(fresh.id) == fresh
    assert get_challenge(str(fresh.id)) == fresh
    for challenge_id in (used.id, old.id, uuid.uuid4(), "pas-un-uuid", None):
        with pytest.raises(ChallengeUnavailable):
            get_challenge(challenge_id)


def test_render_image_is_a_png():
    png = render_image(make())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG"
    assert image.size == challenges.IMAGE_SIZE


def test_render_image_draws_purple_characters():
    image = Image.open(io.BytesIO(render_image(make()))).convert("RGB")
    purple = sum(
        count
        for count, (r, g, b) in image.getcolors(maxcolors=1 << 16)
        if b > 120 and r > 70 and g < 60  # dark violet text, not the pale background
    )
    assert purple > 500


def audio_duration(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (8000, 1, 1)
        return audio.getnframes() / audio.getframerate()


def test_render_audio_is_a_wav_whose_length_follows_the_answer():
    one = audio_duration(render_audio(make("7")))
    six = audio_duration(render_audio(make(ANSWER)))
    # Each character adds its voice and a random 1-3 s gap.
    assert six > one
    assert six >= 6


@pytest.mark.parametrize("render", [render_image, render_audio])
def test_nothing_is_rendered_for_a_used_or_expired_challenge(render, time_machine):
    time_machine.move_to(START, tick=False)
    used, old = make(), make()
    verify_and_consume(used.id, "AAAAAA")
    used.refresh_from_db()
    with pytest.raises(ChallengeUnavailable):
        render(used)
    time_machine.move_to(START + CHALLENGE_TTL + timedelta(seconds=1), tick=False)
    with pytest.raises(ChallengeUnavailable):
        render(old)


def test_showing_a_challenge_does_not_consume_it():
    challenge = make()
    render_image(challenge)
    render_audio(challenge)
    assert verify_and_consume(challenge.id, ANSWER) is True


def test_str_never_shows_the_answer():
    challenge = make()
    assert ANSWER not in str(challenge)
    assert ANSWER not in repr(challenge)

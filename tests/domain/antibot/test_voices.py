"""AUTH-08: the audio captcha speaks French, from the voices committed in the repository."""

import wave
from pathlib import Path

import captcha.audio

from mcf.domain.antibot import challenges
from mcf.domain.antibot.challenges import ALPHABET, VOICE_DIR

OUR_VOICES = Path(challenges.__file__).resolve().parent / "voices" / "fr"


def test_audio_uses_our_french_voices_not_the_bundled_english_ones():
    assert VOICE_DIR == OUR_VOICES
    audio = challenges._audio_captcha()
    assert Path(audio._voicedir) == OUR_VOICES
    assert Path(audio._voicedir) != Path(captcha.audio.DATA_DIR)
    assert sorted(audio.choices) == sorted(ALPHABET)


def test_every_character_has_several_voices_in_the_format_the_package_needs():
    assert sorted(p.name for p in OUR_VOICES.iterdir() if p.is_dir()) == sorted(ALPHABET)
    for char in ALPHABET:
        files = sorted((OUR_VOICES / char).glob("*.wav"))
        assert len(files) >= 3, char
        for path in files:
            with wave.open(str(path)) as voice:
                # 8 kHz, mono, unsigned 8-bit: captcha.audio concatenates raw frames.
                assert voice.getframerate() == 8000, path
                assert voice.getnchannels() == 1, path
                assert voice.getsampwidth() == 1, path
                assert 0.1 < voice.getnframes() / 8000 < 1.5, path


def test_voices_stay_small():
    total = sum(p.stat().st_size for p in OUR_VOICES.rglob("*.wav"))
    assert total < 400_000


def test_manifest_matches_the_alphabet():
    # scripts/make-captcha-voices writes it: a changed ALPHABET without a new run fails here.
    manifest = (OUR_VOICES.parent / "MANIFEST.txt").read_text(encoding="utf-8")
    assert f"# alphabet: {ALPHABET}\n" in manifest
    spoken = [line.split()[0] for line in manifest.splitlines() if not line.startswith("#")]
    assert spoken == list(ALPHABET)

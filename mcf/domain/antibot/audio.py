"""French audio captcha, fast enough to serve on demand.

The `captcha` package builds the audio from our French voices, but its background noise is
drawn one `secrets.randbelow()` call per sample and the gaps between characters last 1 to
3 seconds: about 0.5 s of CPU per request here (bench/registration.py), a denial-of-service
lever and a 15-second recording to listen to. This subclass keeps the package's voice
handling (random voice variant, speed and volume per character, reversed-voice babble) and
changes two things:
- white noise from one `os.urandom()` call mapped through a byte table (C speed);
- gaps of 0.4 to 0.9 s between characters, and babble only under the spoken part.
"""

from __future__ import annotations

import os
import secrets

from captcha.audio import (
    BEEP,
    END_BEEP,
    SILENCE,
    WAVE_SAMPLE_RATE,
    AudioCaptcha,
    mix_wave,
)

NOISE_LEVEL = 4  # ± 2 around the 8-bit silence value 128, as the package's default
_NOISE_TABLE = bytes(v % NOISE_LEVEL + 128 - NOISE_LEVEL // 2 for v in range(256))


def white_noise(length: int) -> bytearray:
    return bytearray(os.urandom(length).translate(_NOISE_TABLE))


class FrenchAudioCaptcha(AudioCaptcha):
    def create_background_noise(self, length: int, chars: str) -> bytearray:
        noise = white_noise(length)
        pos = 0
        while pos < length:
            sound = self._noise_pick()
            end = pos + len(sound) + 1
            noise[pos:end] = mix_wave(sound, noise[pos:end])
            # Babble is sparse: a pick every 0.5–1 s rather than back to back.
            pos = end + WAVE_SAMPLE_RATE // 2 + secrets.randbelow(WAVE_SAMPLE_RATE // 2 + 1)
        return noise

    def create_wave_body(self, chars: str) -> bytearray:
        voices = [self._twist_pick(c) for c in chars]
        gaps = [
            WAVE_SAMPLE_RATE * 2 // 5 + secrets.randbelow(WAVE_SAMPLE_RATE // 2 + 1) for _ in chars
        ]
        length = sum(len(v) for v in voices) + sum(gaps) + len(voices) + WAVE_SAMPLE_RATE // 2
        background = self.create_background_noise(length, chars)
        pos = WAVE_SAMPLE_RATE // 4
        for voice, gap in zip(voices, gaps, strict=True):
            end = pos + len(voice) + 1
            background[pos:end] = mix_wave(voice, background[pos:end])
            pos = end + gap
        return BEEP + SILENCE + BEEP + SILENCE + BEEP + background + END_BEEP

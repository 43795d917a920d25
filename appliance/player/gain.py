"""Loudness arithmetic: user volume, ducking and fades folded into the one volume mpv applies.

mpv's ``volume`` is cubic: it multiplies the samples by ``(volume / 100) ** 3``. The user's 0..100
goes straight through that curve (it sounds even across the range), while ducking and fades are
amplitudes that are folded in by a cube root, so a -15 dB duck is -15 dB at any user volume.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def db_to_amplitude(db: float) -> float:
    """Decibels to a linear amplitude factor (-20 dB -> 0.1)."""
    return 10.0 ** (db / 20.0)


def mpv_volume(user_volume: float, amplitude: float) -> float:
    """The mpv ``volume`` that plays at ``user_volume`` (0..100) scaled by ``amplitude`` (0..1)."""
    return max(0.0, user_volume) * max(0.0, min(1.0, amplitude)) ** (1.0 / 3.0)


def equal_power(progress: float) -> float:
    """Gain of a track fading in, ``progress`` 0..1; a fade-out uses the fraction left.

    Equal power (sine law): the sum of two unrelated tracks crossing keeps its loudness.
    """
    return math.sin(math.pi / 2 * min(1.0, max(0.0, progress)))


@dataclass(frozen=True, slots=True)
class Ramp:
    """A value moving linearly from ``start`` to ``target`` over ``span`` seconds from ``begin``."""

    start: float
    target: float
    begin: float
    span: float

    def value(self, now: float) -> float:
        if self.span <= 0 or now >= self.begin + self.span:
            return self.target
        fraction = max(0.0, (now - self.begin) / self.span)
        return self.start + (self.target - self.start) * fraction

    def done(self, now: float) -> bool:
        return self.span <= 0 or now >= self.begin + self.span

"""The one format the voice hears in: 16 kHz, 16-bit signed little-endian, mono, 10 ms frames.

The microphone delivers it, and the wake word, the VAD and every recogniser take it: a change here
is a change everywhere. Speech the appliance says is another matter (Piper's own rate).
"""

from __future__ import annotations

RATE = 16000
"""Samples per second."""
WIDTH = 2
"""Bytes per sample (s16le)."""
CHANNELS = 1
FRAME_MS = 10
"""The length of one frame, the unit the wake word and the VAD are fed in."""
FRAME_SAMPLES = RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * WIDTH * CHANNELS


def bytes_for(ms: int, rate: int = RATE) -> int:
    """The size in bytes of ``ms`` milliseconds of audio at ``rate`` (whole samples).

    >>> bytes_for(10)
    320
    >>> bytes_for(100, rate=8000)
    1600
    """
    return rate * ms // 1000 * WIDTH * CHANNELS


def seconds(size: int, rate: int = RATE) -> float:
    """How long ``size`` bytes of audio at ``rate`` last.

    >>> seconds(32000)
    1.0
    """
    return size / (rate * WIDTH * CHANNELS)

"""The private PulseAudio server the audio tests rely on really plays and records."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from tests.support.pulse import SINK_RATE, PulseServer

pytestmark = pytest.mark.audio


def test_sink_and_source_exist(pulse: PulseServer) -> None:
    sinks = pulse.pactl("list", "short", "sinks")
    sources = pulse.pactl("list", "short", "sources")
    assert "vsink" in sinks
    assert "vmic" in sources


def test_what_plays_on_the_sink_is_recorded(pulse: PulseServer) -> None:
    tone = (np.sin(2 * np.pi * 440 * np.arange(SINK_RATE // 2) / SINK_RATE) * 12000).astype("<i2")
    recorder = pulse.recorder()
    start = recorder.mark()
    subprocess.run(
        ["pacat", "--raw", "--format=s16le", f"--rate={SINK_RATE}", "--channels=1", "--playback"],
        input=tone.tobytes(), env=pulse._run_env(), check=True, timeout=20,
    )  # fmt: skip
    recorded = np.frombuffer(recorder.stop()[start:], dtype="<i2").astype(np.float64)
    assert recorded.size > SINK_RATE // 4
    assert np.sqrt(np.mean(recorded**2)) > 1000

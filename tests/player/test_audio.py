"""What the player really sends to a (private) PulseAudio server: music, ducking, crossfades,
and what happens when the server goes away and comes back."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest

from appliance.library.track import Track
from appliance.player import Player
from tests.player.conftest import EventLog, module_pulse, recorder, wait_until
from tests.support.pulse import SINK_RATE, PulseServer, Recorder

pytestmark = pytest.mark.audio
__all__ = ["module_pulse", "recorder"]  # fixtures shared with the speech output tests

WINDOW = 0.05  # seconds per analysis window


def samples(recorder: Recorder, start: int, end: int | None = None) -> np.ndarray:
    raw = recorder.audio()[start:end]
    return np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float64)


def rms_db(audio: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(audio**2)) + 1e-9)


def tone_levels(audio: np.ndarray, freq: float) -> np.ndarray:
    """Amplitude of ``freq`` in each window (a single-bin DFT per window)."""
    size = int(WINDOW * SINK_RATE)
    count = audio.size // size
    frames = audio[: count * size].reshape(count, size)
    probe = np.exp(-2j * np.pi * freq * np.arange(size) / SINK_RATE)
    return np.abs(frames @ probe) * 2 / size


def record_for(recorder: Recorder, seconds: float) -> np.ndarray:
    start = recorder.mark()
    time.sleep(seconds)
    return samples(recorder, start, recorder.mark())


def test_music_is_audibly_played(
    recorder: Recorder, events: EventLog, music: dict[str, Track]
) -> None:
    with Player(audio_output="auto", on_event=events, volume=100) as player:
        start = recorder.mark()
        player.play(music["low"])
        events.started("low")
        assert player.audio_output == "pulse"
        assert events.ended("low").reason == "eof"
        time.sleep(0.5)
        audio = samples(recorder, start)
    levels = tone_levels(audio, 330)
    loud = levels > 0.5 * levels.max()
    assert levels.max() > 3000  # a 0.5 full-scale tone, not a whisper
    assert loud.sum() * WINDOW == pytest.approx(2.0, abs=0.4)  # the whole track, once
    assert tone_levels(audio, 880).max() < 0.05 * levels.max()  # and nothing else


def test_duck_lowers_the_music_by_15_db_and_unduck_restores_it(
    recorder: Recorder, events: EventLog, music: dict[str, Track]
) -> None:
    with Player(audio_output="pulse", on_event=events, volume=80) as player:
        player.play(music["long"])
        events.started("long")
        time.sleep(0.6)
        before = rms_db(record_for(recorder, 0.6))
        player.duck(-15.0, fade=0.25)
        time.sleep(0.7)  # the fade plus the output's buffering
        ducked = rms_db(record_for(recorder, 0.6))
        player.unduck(fade=0.5)
        time.sleep(1.0)
        after = rms_db(record_for(recorder, 0.6))
        assert player.now_playing == music["long"]
    assert before > 50  # clearly playing (dB re one LSB)
    assert -18.0 < ducked - before < -12.0
    assert abs(after - before) < 1.5


def test_tracks_overlap_in_a_crossfade(
    recorder: Recorder, events: EventLog, music: dict[str, Track]
) -> None:
    with Player(audio_output="pulse", on_event=events, volume=100, crossfade=0.8) as player:
        start = recorder.mark()
        player.play(music["low"])
        player.enqueue(music["high"])
        events.ended("high", timeout=15)
        time.sleep(0.5)
        audio = samples(recorder, start)
    low, high = tone_levels(audio, 330), tone_levels(audio, 880)
    both = (low > 0.1 * low.max()) & (high > 0.1 * high.max())
    overlap = both.sum() * WINDOW
    assert 0.3 <= overlap <= 1.2  # about the crossfade, not the whole track
    first_high = int(np.argmax(high > 0.1 * high.max()))
    last_low = len(low) - int(np.argmax((low > 0.1 * low.max())[::-1]))
    assert first_high < last_low  # the second track came in before the first one left


def test_no_overlap_without_crossfade(
    recorder: Recorder, events: EventLog, music: dict[str, Track]
) -> None:
    with Player(audio_output="pulse", on_event=events, volume=100, crossfade=0.0) as player:
        start = recorder.mark()
        player.play(music["low"])
        player.enqueue(music["high"])
        events.ended("high", timeout=15)
        time.sleep(0.5)
        audio = samples(recorder, start)
    low, high = tone_levels(audio, 330), tone_levels(audio, 880)
    both = (low > 0.1 * low.max()) & (high > 0.1 * high.max())
    assert both.sum() <= 2  # at most the windows straddling the joint
    loud = (low > 0.5 * low.max()) | (high > 0.5 * high.max())
    assert loud.sum() * WINDOW == pytest.approx(4.0, abs=0.4)  # no gap between the tracks


def test_falls_back_to_null_when_the_server_goes_and_recovers_when_it_returns(
    pulse: PulseServer, events: EventLog, music: dict[str, Track], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="appliance.player")
    with Player(
        audio_output="pulse", on_event=events, volume=100, crossfade=0.5, output_retry=0.5
    ) as player:
        player.play(music["long"])
        player.enqueue(music["long2"])
        events.started("long")
        wait_until(lambda: player.audio_output == "pulse", what="the pulse output")
        pulse.stop()
        wait_until(lambda: player.audio_output == "null", what="the fallback to null")
        moving = player.position or 0.0
        wait_until(lambda: (player.position or 0) > moving + 0.3, what="playback to go on")
        player.skip()  # the queue and events carry on while silent
        events.started("long2")
        assert events.ended("long").reason == "skipped"
        time.sleep(1.2)  # a few failed retries: still one log line
        fallbacks = [r for r in caplog.records if "not available" in r.getMessage()]
        assert len(fallbacks) == 1

        pulse.fifo.unlink(missing_ok=True)
        pulse.start()
        wait_until(lambda: player.audio_output == "pulse", timeout=10, what="the real output")
        recorder = pulse.recorder()
        try:
            audio = record_for(recorder, 0.8)
        finally:
            recorder.stop()
        assert player.now_playing == music["long2"]
    assert tone_levels(audio, 660).max() > 3000
    assert any("is back" in r.getMessage() for r in caplog.records)


def test_an_output_error_from_mpv_switches_to_null_and_later_back(
    pulse: PulseServer, events: EventLog, music: dict[str, Track], caplog: pytest.LogCaptureFixture
) -> None:
    """Without mpv's own fallback a missing server is an end-file error: the player plays on to
    null, and tries the real output again for a later track."""
    caplog.set_level(logging.WARNING, logger="appliance.player")
    pulse.stop()
    with Player(
        audio_output="pulse", on_event=events, crossfade=0.0, output_retry=0.5,
        mpv_options={"audio_fallback_to_null": False},
    ) as player:  # fmt: skip
        player.play(music["one"])
        player.enqueue(music["two"])
        assert events.ended("one").reason == "eof"  # played (silently) to its end
        assert len([e for e in events.events if e.track.title == "one"]) == 2
        events.started("two")
        pulse.fifo.unlink(missing_ok=True)
        pulse.start()
        time.sleep(0.6)
        player.play(music["long"])
        events.started("long")
        wait_until(lambda: player.audio_output == "pulse", what="the real output")
    fallbacks = [r for r in caplog.records if "not available" in r.getMessage()]
    assert len(fallbacks) == 1

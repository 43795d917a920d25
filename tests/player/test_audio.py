"""What the player really sends to a (private) PulseAudio server: music, ducking, crossfades,
and what happens when the server goes away and comes back."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest

from appliance.library.track import Track
from appliance.player import Player
from tests.player.conftest import EventLog, module_pulse, recorder
from tests.support.pulse import PulseServer, Recorder
from tests.support.sound import as_float, played_out, settled_level, tone_levels
from tests.support.waiting import wait_until

pytestmark = pytest.mark.audio
__all__ = ["module_pulse", "recorder"]  # fixtures shared with the speech output tests

WINDOW = 0.05  # seconds per analysis window (tone_levels' default)


def test_music_is_audibly_played(
    recorder: Recorder, events: EventLog, music: dict[str, Track]
) -> None:
    with Player(audio_output="auto", on_event=events, volume=100) as player:
        start = recorder.mark()
        player.play(music["low"])
        events.started("low")
        assert player.audio_output == "pulse"
        assert events.ended("low").reason == "eof"
        audio = played_out(recorder, start)
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
        before = settled_level(recorder, 440, lambda level: level > 60)  # clearly playing
        player.duck(-15.0, fade=0.25)
        ducked = settled_level(recorder, 440, lambda level: level < before - 3)
        player.unduck(fade=0.5)
        after = settled_level(recorder, 440, lambda level: level > ducked + 3)
        assert player.now_playing == music["long"]
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
        audio = played_out(recorder, start)
    low, high = tone_levels(audio, 330), tone_levels(audio, 880)
    both = (low > 0.1 * low.max()) & (high > 0.1 * high.max())
    overlap = both.sum() * WINDOW
    # about the crossfade (0.67 s here), not the whole track. Heard, it is shorter: the incoming
    # deck's new stream starts playing a moment after mpv starts counting its position (0.4 s
    # of overlap on a quiet machine, 0.2 s on a busy one), so the floor is what tells a
    # crossfade from tracks that only touch (at most 2 windows, see the test below)
    assert 3 * WINDOW <= overlap <= 1.2
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
        audio = played_out(recorder, start)
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
        try:  # a new stream may take a moment before the server plays it
            recorder.wait_for(
                lambda audio: tone_levels(as_float(audio), 660).max(initial=0) > 3000,
                what="the music on the real output again",
            )
        finally:
            recorder.stop()
        assert player.now_playing == music["long2"]
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

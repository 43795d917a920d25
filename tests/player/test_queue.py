"""Queue and event logic on real mpv, with its null output (and pcm files for one deck)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from appliance.events import TrackEnded, TrackStarted
from appliance.library.track import Track
from appliance.player import Player
from tests.player.conftest import EventLog
from tests.support.waiting import wait_until


def test_play_reports_start_then_end_at_eof(
    fast_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    fast_player.play(music["one"])
    started = events.started("one")
    ended = events.ended("one")
    assert ended.reason == "eof"
    assert ended.error is None
    assert ended.duration == pytest.approx(1.0, abs=0.05)
    assert ended.position == pytest.approx(ended.duration)
    assert ended.at >= started.at
    wait_until(lambda: fast_player.now_playing is None, what="silence after the last track")
    assert fast_player.position is None


def test_enqueued_tracks_play_in_order(
    fast_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    fast_player.play(music["one"])
    fast_player.enqueue(music["two"])
    fast_player.enqueue(music["three"])
    events.ended("three")
    assert events.summary() == [
        "TrackStarted(one)", "TrackEnded(one, eof)",
        "TrackStarted(two)", "TrackEnded(two, eof)",
        "TrackStarted(three)", "TrackEnded(three, eof)",
    ]  # fmt: skip
    assert fast_player.queue == []


def test_enqueue_starts_an_idle_player(
    fast_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    fast_player.enqueue(music["two"])
    assert events.ended("two").reason == "eof"


def test_radio_supplies_the_next_track_when_the_queue_is_empty(
    events: EventLog, music: dict[str, Track]
) -> None:
    picks = [music["two"], music["three"], None]
    asked = threading.Event()

    def next_track() -> Track | None:
        if not picks:
            asked.set()
            return None
        return picks.pop(0)

    with Player(
        audio_output="null", on_event=events, next_track=next_track,
        mpv_options={"ao_null_untimed": True},
    ) as player:  # fmt: skip
        player.play(music["one"])
        events.ended("three")
        # asked after every track (ahead of its end), then silence on None
        wait_until(lambda: not picks and player.now_playing is None, what="silence after the radio")
        assert not asked.is_set()  # not asked again while silent
        player.enqueue(music["one"])
        assert events.ended("one", count=2).reason == "eof"
    started = [e.track.title for e in events.events if isinstance(e, TrackStarted)]
    assert started == ["one", "two", "three", "one"]


def test_skip_reports_how_far_the_track_got(
    timed_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    timed_player.play(music["long"])
    timed_player.enqueue(music["long2"])
    events.started("long")
    wait_until(lambda: (timed_player.position or 0) > 0.4, what="playback to advance")
    timed_player.skip()
    ended = events.ended("long")
    assert ended.reason == "skipped"
    assert 0.4 < ended.position < 5.0
    assert ended.duration == pytest.approx(20.0, abs=0.1)
    events.started("long2")
    assert timed_player.now_playing == music["long2"]
    assert timed_player.queue == []


def test_play_over_a_track_skips_it(
    timed_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    timed_player.play(music["long"])
    events.started("long")
    timed_player.play(music["long2"])
    assert events.ended("long").reason == "skipped"
    events.started("long2")
    ended_index = events.events.index(events.ended("long"))
    started_index = events.events.index(events.started("long2"))
    assert ended_index < started_index


def test_previous_replays_the_previous_track(
    timed_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    timed_player.play(music["long"])
    events.started("long")
    timed_player.play(music["long2"])
    events.started("long2")
    timed_player.previous()
    events.started("long", count=2)
    assert events.ended("long2").reason == "skipped"
    assert timed_player.now_playing == music["long"]
    assert timed_player.queue == [music["long2"]]  # what was playing comes next


def test_pause_holds_the_position_and_resume_continues(
    timed_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    timed_player.play(music["long"])
    events.started("long")
    wait_until(lambda: (timed_player.position or 0) > 0.2, what="playback to advance")
    timed_player.pause()
    assert timed_player.paused
    # mpv pauses a moment after the command: wait until two readings agree, then hold still
    readings = [timed_player.position]

    def settled() -> bool:
        threading.Event().wait(0.1)
        readings.append(timed_player.position)
        return readings[-1] is not None and readings[-1] == readings[-2]

    wait_until(settled, timeout=5, what="the position to stop moving")
    held = readings[-1]
    assert held is not None
    threading.Event().wait(0.5)
    assert timed_player.position == pytest.approx(held, abs=0.05)
    timed_player.resume()
    assert not timed_player.paused
    wait_until(lambda: (timed_player.position or 0) > held + 0.2, what="playback to continue")
    assert timed_player.now_playing == music["long"]


def test_stop_ends_the_track_and_keeps_the_queue(
    timed_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    timed_player.play(music["long"])
    timed_player.enqueue(music["long2"])
    events.started("long")
    timed_player.stop(fade=0.2)
    ended = events.ended("long")
    assert ended.reason == "stopped"
    assert timed_player.now_playing is None
    assert timed_player.position is None
    assert timed_player.queue == [music["long2"]]
    timed_player.resume()
    events.started("long2")


def test_volume_is_clamped_to_the_user_range(timed_player: Player) -> None:
    assert timed_player.volume == 70
    timed_player.set_volume(130)
    assert timed_player.volume == 100
    timed_player.set_volume(-4)
    assert timed_player.volume == 0
    timed_player.set_volume(35)
    assert timed_player.volume == 35


def test_album_tracks_follow_each_other_gaplessly(
    events: EventLog, music: dict[str, Track]
) -> None:
    """Consecutive tracks of one album are queued in one mpv core, not crossfaded."""
    first = Track("a1", music["low"].path, "side-a", "Band", album="Live", track_number=1,
                  duration=2.0)  # fmt: skip
    second = Track("a2", music["high"].path, "side-b", "Band", album="Live", track_number=2,
                   duration=2.0)  # fmt: skip
    with Player(audio_output="null", on_event=events, crossfade=2.0) as player:
        player.play(first)
        player.enqueue(second)
        events.started("side-a")
        deck = player._current.deck if player._current else None
        events.started("side-b", timeout=10)
        assert player._current is not None and player._current.deck is deck
        assert events.ended("side-a").reason == "eof"


def test_a_closed_player_refuses_commands(music: dict[str, Track]) -> None:
    from appliance.errors import PlayerError

    player = Player(audio_output="null")
    player.close()
    player.close()  # twice is fine
    with pytest.raises(PlayerError):
        player.play(music["one"])


def test_events_are_never_lost_between_start_and_end(
    fast_player: Player, events: EventLog, music: dict[str, Track]
) -> None:
    for name in ("one", "two", "three", "one", "two"):
        fast_player.enqueue(music[name])
    events.ended("two", count=2)
    ends = [e for e in events.events if isinstance(e, TrackEnded)]
    starts = [e for e in events.events if isinstance(e, TrackStarted)]
    assert len(starts) == len(ends) == 5


def test_an_output_that_cannot_mix_plays_tracks_back_to_back(
    events: EventLog, music: dict[str, Track], tmp_path: Path
) -> None:
    """ao=pcm writes a file: one deck, so no overlap; what it wrote is both tracks in turn."""
    out = tmp_path / "out.raw"
    options = {
        "ao_pcm_file": str(out), "ao_pcm_append": True, "ao_pcm_waveheader": False,
        "audio_format": "s16", "audio_samplerate": 44100, "audio_channels": "mono",
    }  # fmt: skip
    with Player(audio_output="pcm", on_event=events, crossfade=2.0, mpv_options=options) as player:
        player.play(music["low"])
        player.enqueue(music["high"])
        events.ended("high")
        assert len(player._decks) == 1
        expected = int(3.9 * 44100) * 2  # the output may still be writing the last buffer
        wait_until(lambda: out.stat().st_size >= expected, timeout=5, what="the last samples")
    audio = np.frombuffer(out.read_bytes(), dtype="<i2").astype(np.float64)
    assert audio.size / 44100 == pytest.approx(4.0, abs=0.1)
    half = audio.size // 2
    spectrum_first = np.abs(np.fft.rfft(audio[: half - 4410]))
    spectrum_second = np.abs(np.fft.rfft(audio[half + 4410 :]))
    assert np.argmax(spectrum_first) * 44100 / (2 * (spectrum_first.size - 1)) == pytest.approx(
        330, abs=2
    )
    assert np.argmax(spectrum_second) * 44100 / (2 * (spectrum_second.size - 1)) == pytest.approx(
        880, abs=2
    )

"""The radio goes on: broken files, a listener that raises, and mpv itself shutting down."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from appliance.events import TrackStarted
from appliance.library.track import Track
from appliance.player import Player
from tests.player.conftest import EventLog, track
from tests.support.waiting import wait_until


def test_an_undecodable_file_is_skipped_with_an_error(
    fast_player: Player, events: EventLog, music: dict[str, Track], caplog: pytest.LogCaptureFixture
) -> None:
    fast_player.play(music["bad"])
    fast_player.enqueue(music["two"])
    ended = events.ended("bad")
    assert ended.reason == "error"
    assert ended.error and "format" in ended.error
    assert events.ended("two").reason == "eof"
    assert not any(isinstance(e, TrackStarted) and e.track.title == "bad" for e in events.events)
    assert "bad.mp3" in caplog.text


def test_a_file_that_vanished_is_skipped_and_the_radio_goes_on(
    events: EventLog, music: dict[str, Track], tmp_path: Path
) -> None:
    doomed_path = tmp_path / "doomed.flac"
    shutil.copy(music["two"].path, doomed_path)
    doomed = track(doomed_path, "doomed", 1.0)
    radio = [music["three"]]
    with Player(
        audio_output="null", on_event=events, next_track=lambda: radio.pop() if radio else None,
        mpv_options={"ao_null_untimed": True},
    ) as player:  # fmt: skip
        player.pause()
        player.enqueue(music["one"])
        player.enqueue(doomed)
        doomed_path.unlink()
        player.resume()
        ended = events.ended("doomed")
        assert ended.reason == "error"
        assert ended.error and "not found" in ended.error
        assert events.ended("three").reason == "eof"  # the radio took over after the queue


def test_a_listener_that_raises_never_stops_the_player(
    music: dict[str, Track], caplog: pytest.LogCaptureFixture
) -> None:
    seen = EventLog()

    def angry(event: object) -> None:
        seen(event)  # type: ignore[arg-type]
        raise RuntimeError("listener bug")

    with Player(
        audio_output="null", on_event=angry, mpv_options={"ao_null_untimed": True}
    ) as player:
        for name in ("one", "two", "three"):
            player.enqueue(music[name])
        assert seen.ended("three").reason == "eof"
        assert len(seen.events) == 6
        player.play(music["one"])
        assert seen.ended("one", count=2).reason == "eof"
    assert "listener bug" in caplog.text


def test_mpv_quitting_is_noticed_and_the_queue_continues(
    events: EventLog, music: dict[str, Track], caplog: pytest.LogCaptureFixture
) -> None:
    with Player(audio_output="null", on_event=events, crossfade=0.5) as player:
        player.play(music["long"])
        player.enqueue(music["low"])
        events.started("long")
        deck = player._current.deck if player._current else None
        assert deck is not None
        old_core = deck.mpv
        deck.mpv.command("quit")  # as if mpv had been told to quit, or its core went down
        ended = events.ended("long")
        assert ended.reason == "error"
        assert ended.error and "mpv" in ended.error
        events.started("low")
        assert deck.mpv is not old_core and deck.alive
        assert player.queue == []
        # the restarted core plays on
        player.play(music["long2"])
        events.started("long2")
        wait_until(lambda: (player.position or 0) > 0.1, what="the new core to play")
    assert "restarting" in caplog.text


def test_many_failures_in_a_row_do_not_spin(
    events: EventLog, music: dict[str, Track], caplog: pytest.LogCaptureFixture
) -> None:
    calls = []

    def broken_radio() -> Track | None:
        calls.append(1)
        return music["gone"]

    caplog.set_level(logging.WARNING)
    with Player(
        audio_output="null", on_event=events, next_track=broken_radio,
        mpv_options={"ao_null_untimed": True},
    ) as player:  # fmt: skip
        player.play(music["gone"])
        events.ended("gone", count=5)
        wait_until(lambda: "in a row" in caplog.text, timeout=5, what="the back-off")
        count = len(calls)
        assert player.queue == []  # a round trip through the player thread
        assert len(calls) == count  # waiting, not spinning

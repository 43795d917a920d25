"""The state and the events as the radio goes on by itself, on the fast tier's fakes (their clock
carries a track to its end at once; a real DJ, library and SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance import control as c
from appliance.bus import StateChanged
from appliance.command_path import why_chosen
from appliance.config import parse_config
from appliance.events import EndReason, TrackEnded, TrackStarted
from appliance.station import QFZZStation, StationConfig
from tests.fakes import FakeParts
from tests.support import music
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return music.tone_library(tmp_path_factory.mktemp("tones"), music.TONES, seconds=1.0)


@pytest.fixture
def fakes() -> FakeParts:
    return FakeParts()


@pytest.fixture
def radio(tones: Path, fakes: FakeParts, isolated_env: Path) -> Iterator[QFZZStation]:
    settings = parse_config(f'[library]\nmusic_folders = ["{tones}"]\n[dj]\ncommentary = 0.0\n')
    config = StationConfig.from_settings(
        settings, listen="none", speak=False, data_dir=isolated_env, parts=fakes.parts()
    )
    station = QFZZStation(config)
    station.start()
    library = station.library
    assert library is not None
    wait_until(lambda: len(library.tracks()) >= 6, timeout=10, what="the library scan")
    try:
        yield station
    finally:
        station.stop()


def test_a_track_played_to_its_end_and_the_djs_next_pick(
    radio: QFZZStation, fakes: FakeParts
) -> None:
    library = radio.library
    assert library is not None
    first = sorted(library.tracks_for_genre("jazz"), key=lambda t: t.title)[0]
    with radio.events.subscribe() as sub:
        assert radio.execute(c.Play(track_id=first.track_id, source="mpd")).ok
        wait_until(lambda: radio.snapshot().track == first, timeout=5)
        fakes.clock.advance(200)  # past its end: the radio moves on by itself
        wait_until(lambda: radio.snapshot().track not in (None, first), timeout=5)
        events = []
        while (event := sub.get(timeout=0)) is not None:
            events.append(event)
    state = radio.snapshot()
    assert state.now_playing is not None and state.now_playing.chosen_by == "dj"
    pick = radio.get_dj().last_pick(radio.user_id)
    assert pick is not None and pick.track == state.track
    assert state.now_playing.why == why_chosen(pick) != ""
    assert state.last_played == first
    ended = [e for e in events if isinstance(e, TrackEnded)]
    assert [(e.track, e.reason) for e in ended] == [(first, EndReason.EOF)]
    started = [e.track for e in events if isinstance(e, TrackStarted)]
    assert started == [first, state.track]
    on_air = [e.state.track for e in events if isinstance(e, StateChanged)]
    assert on_air[-1] == state.track
    learned = radio.get_dj().export_profile(radio.user_id)
    assert learned is not None
    assert (first.track_id, "completed") in [
        (row["track_id"], row["event"]) for row in learned["listening"]
    ]

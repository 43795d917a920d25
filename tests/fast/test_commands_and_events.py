"""The command path and the event stream on a station of fakes: a typed skip teaches the DJ as a
spoken one does and the state follows the music, volume commands apply at once, and a subscriber
that never reads holds nothing up (the state following the voice: test_voice_path.py)."""

from __future__ import annotations

import time

from appliance import control as c
from appliance.bus import Lagged, StateChanged
from appliance.events import TrackEnded, TrackStarted
from appliance.player.gain import mpv_volume
from appliance.state import PlayState
from appliance.station import QFZZStation
from tests.fakes import FakeParts
from tests.support.waiting import wait_until


def listening(station: QFZZStation) -> list[tuple[str, str]]:
    data = station.get_dj().export_profile(station.user_id) or {"listening": []}
    return [(row["track_id"], row["event"]) for row in data["listening"]]


def drain(subscription: object) -> list[object]:
    events = []
    while (event := subscription.get(timeout=0.05)) is not None:  # type: ignore[attr-defined]
        events.append(event)
    return events


def test_a_skip_from_a_face_teaches_the_dj_and_the_stream_tells_it(
    station: QFZZStation, fakes: FakeParts
) -> None:
    with station.events.subscribe() as subscription:
        outcome = station.execute(c.Play(genre="jazz", source="test"))
        assert outcome.ok, outcome
        wait_until(lambda: station.snapshot().now_playing is not None, timeout=5)
        first = station.snapshot().track
        assert first is not None and first.genres == ("jazz",)
        assert fakes.decks.sounding() == [first]
        assert station.execute(c.Skip(source="web")).ok
        wait_until(lambda: (first.track_id, "skipped") in listening(station), timeout=5)
        wait_until(lambda: station.snapshot().track not in (None, first), timeout=5)
        wait_until(
            lambda: fakes.decks.sounding() == [station.snapshot().track],
            timeout=3,
            what="the state and the speaker to agree",
        )
        events = drain(subscription)
    ended = [e for e in events if isinstance(e, TrackEnded)]
    started = [e for e in events if isinstance(e, TrackStarted)]
    assert [e.track for e in ended][:1] == [first] and ended[0].reason == "skipped"
    assert [e.track for e in started][:2] == [first, station.snapshot().track]
    changes = [e for e in events if isinstance(e, StateChanged)]
    assert any("now_playing" in e.changed for e in changes)
    assert station.snapshot().play_state is PlayState.PLAYING


def test_volume_commands_apply_at_once_and_a_subscriber_that_never_reads_holds_nothing_up(
    station: QFZZStation, fakes: FakeParts
) -> None:
    station.execute(c.Play(genre="rock", source="test"))
    wait_until(lambda: fakes.decks.sounding(), timeout=5, what="the music")
    (deck,) = [d for d in fakes.decks.made if d.track is not None]
    stuck = station.events.subscribe(size=8)  # never read
    try:
        started = time.monotonic()
        for level in range(20, 60):
            assert station.execute(c.SetVolume(level=level, source="test")).ok
            assert station.snapshot().volume == level
        assert time.monotonic() - started < 5.0
        wait_until(lambda: deck.volume == mpv_volume(59, 1.0), timeout=3, what="the volume")
        fakes.say("what's playing")
        wait_until(lambda: fakes.output.said, timeout=10, what="an answer all the same")
        events = drain(stuck)
        assert isinstance(events[0], Lagged)  # told once, then it reads a snapshot to resync
        assert station.snapshot().volume == 59
    finally:
        stuck.close()

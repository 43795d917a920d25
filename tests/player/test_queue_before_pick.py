"""A track queued in the last moments of another, once the radio's pick for what follows is
already queued gaplessly in mpv, still plays before that pick: the station's "up next" and the
DJ name the queued track, so that is the one a skip or the track's end must start."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.events import TrackStarted
from appliance.library.track import Track
from appliance.player import Player
from appliance.player.player import GAPLESS_LEAD
from tests.fakes import FakeClock, FakeDecks
from tests.player.conftest import EventLog
from tests.support.waiting import wait_until

LENGTH = 60.0


def _tracks(folder: Path) -> dict[str, Track]:
    made = {}
    for name in ("playing", "pick", "queued"):
        path = folder / f"{name}.flac"
        path.write_bytes(b"fLaC")
        made[name] = Track(name, str(path), name, "Test", duration=LENGTH)
    return made


@pytest.mark.parametrize("then", ["skip", "end"])
def test_a_track_queued_after_the_pick_was_queued_gaplessly_plays_first(
    tmp_path: Path, then: str
) -> None:
    tracks = _tracks(tmp_path)
    picks: list[Track] = []

    def radio() -> Track:
        picks.append(tracks["pick"])
        return tracks["pick"]

    clock = FakeClock(rate=0.0)
    events = EventLog()
    player = Player(
        deck=FakeDecks(clock, length=LENGTH), clock=clock, crossfade=0.0, next_track=radio,
        on_event=events,
    )  # fmt: skip
    try:
        player.play(tracks["playing"])
        events.started("playing")
        clock.advance(LENGTH - GAPLESS_LEAD / 2)  # the last moments: the pick is joined on
        wait_until(lambda: picks, timeout=5, what="the radio's pick")
        wait_until(lambda: _joined_on(player) == "pick", timeout=5, what="the pick joined on")
        player.enqueue(tracks["queued"])
        wait_until(
            lambda: _joined_on(player) == "queued", timeout=5, what="the queued track joined on"
        )
        assert [t.track_id for t in player.queue] == ["queued"]  # joined on, yet still waiting
        if then == "skip":
            player.skip()
        else:
            clock.advance(GAPLESS_LEAD)
        following = events.wait(
            lambda e: isinstance(e, TrackStarted) and e.track.track_id != "playing"
        )
        assert following.track.track_id == "queued", events.summary()
        assert player.queue == []
    finally:
        player.close()


def _joined_on(player: Player) -> str | None:
    """The track queued gaplessly in mpv after the one playing (the player keeps it private)."""
    entry = getattr(player, "_queued_next", None)
    return None if entry is None else str(entry.track.track_id)

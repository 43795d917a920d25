"""A skip while tracks are queued plays the first queued track, however it was asked for: in
words (spoken or typed to the DJ) or as a Skip command from a face."""

from __future__ import annotations

import pytest

from appliance import control as c
from appliance.station import QFZZStation
from tests.fakes import FakeParts
from tests.support.waiting import wait_until


@pytest.mark.parametrize("how", ["spoken", "typed", "command"])
def test_a_skip_plays_the_queued_track_before_the_djs_pick(
    station: QFZZStation, fakes: FakeParts, how: str
) -> None:
    assert station.execute(c.Play(genre="jazz", source="test")).ok
    wait_until(lambda: station.snapshot().track is not None, timeout=5, what="the music")
    playing = station.snapshot().track
    assert playing is not None
    library = station.library
    assert library is not None
    queued = next(t for t in library.tracks() if "rock" in t.genres)
    assert station.execute(c.Enqueue(track_id=queued.track_id, source="test")).ok
    if how == "spoken":
        fakes.say("skip")
    elif how == "typed":
        assert station.execute(c.Ask(text="skip", source="console")).ok
    else:
        assert station.execute(c.Skip(source="web")).ok
    wait_until(lambda: station.snapshot().track != playing, timeout=10, what="the skip")
    assert station.snapshot().track == queued
    wait_until(lambda: fakes.decks.sounding() == [queued], timeout=5, what="the queued track")

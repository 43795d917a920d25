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
    wait_until(lambda: _on_air(station) != playing.track_id, timeout=10, what="the skip")
    assert _on_air(station) == queued.track_id
    wait_until(
        lambda: [t.track_id for t in fakes.decks.sounding()] == [queued.track_id],
        timeout=5,
        what="the queued track",
    )


@pytest.mark.parametrize("how", ["spoken", "typed"])
def test_a_skip_with_a_track_queued_names_the_queued_track(
    station: QFZZStation, fakes: FakeParts, how: str
) -> None:
    """The answer to a skip names what the station will really play: the queue's head, never
    the DJ's own pick that the queue plays before."""
    assert station.execute(c.Play(genre="jazz", source="test")).ok
    wait_until(lambda: station.snapshot().track is not None, timeout=5, what="the music")
    playing = station.snapshot().track
    library = station.library
    assert playing is not None and library is not None
    queued = next(t for t in library.tracks() if "rock" in t.genres)
    others = [t.title for t in library.tracks() if t.track_id != queued.track_id]
    assert station.execute(c.Enqueue(track_id=queued.track_id, source="test")).ok
    wait_until(lambda: station.snapshot().up_next, timeout=5, what="the queue")
    if how == "spoken":
        before = len(fakes.output.said)
        fakes.say("skip it please")
        wait_until(
            lambda: any(queued.title in line for line in fakes.output.said[before:]),
            timeout=10,
            what="an answer naming the queued track",
        )
        answer = " ".join(fakes.output.said[before:])
    else:
        outcome = station.execute(c.Ask(text="skip it please", source="console"))
        assert outcome.ok, outcome.error
        answer = outcome.text
    wait_until(lambda: _on_air(station) != playing.track_id, timeout=10, what="the skip")
    assert _on_air(station) == queued.track_id
    assert queued.title in answer, answer
    assert not [title for title in others if title in answer], answer


def _on_air(station: QFZZStation) -> str | None:
    track = station.snapshot().track
    return None if track is None else track.track_id

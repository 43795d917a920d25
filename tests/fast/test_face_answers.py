"""What a face sees of the DJ and the music, on a station of fakes: a command's answer is one of
the DJ's lines (kept and published, not spoken), a typed request's answer comes back before the
voice has said it, and now_playing goes from one track to the next without a gap."""

from __future__ import annotations

import time

from appliance import control as c
from appliance.bus import DJSaid, StateChanged
from appliance.station import QFZZStation
from tests.fakes import FakeParts
from tests.support.waiting import wait_until


def drain(subscription: object) -> list[object]:
    events = []
    while (event := subscription.get(timeout=0.05)) is not None:  # type: ignore[attr-defined]
        events.append(event)
    return events


def lines(station: QFZZStation) -> list[str]:
    return [line.text for line in station.snapshot().dj_lines]


def test_a_commands_answer_is_the_djs_last_line_and_is_not_spoken(
    station: QFZZStation, fakes: FakeParts
) -> None:
    library = station.library
    assert library is not None
    artist = library.tracks()[0].artist
    with station.events.subscribe() as subscription:
        played = station.execute(c.Play(artist=artist, source="web"))
        assert played.ok and played.text, played
        wait_until(lambda: station.snapshot().track is not None, timeout=5, what="the music")
        liked = station.execute(c.Like(source="web"))
        assert liked.ok and liked.text, liked
        assert lines(station)[-2:] == [played.text, liked.text]
        switched = station.execute(c.SwitchListener(user_id="sam", name="Sam", source="web"))
        assert switched.ok and switched.text == "Now listening to Sam."
        last = station.snapshot().dj_lines[-1]
        assert (last.text, last.user_id) == (switched.text, "sam")
        said = [e.said.text for e in drain(subscription) if isinstance(e, DJSaid)]
    assert said[-3:] == [played.text, liked.text, switched.text]
    spoken = " ".join(fakes.voice.texts)
    assert all(text not in spoken for text in (played.text, liked.text, switched.text))


def test_a_face_has_the_answer_while_the_voice_is_still_saying_it(
    make_station: object, fakes: FakeParts
) -> None:
    fakes.output.seconds = 3.0  # a long answer takes seconds to say
    station: QFZZStation = make_station()  # type: ignore[operator]
    started = time.monotonic()
    outcome = station.execute(c.Ask(text="what can you do", source="web"))
    took = time.monotonic() - started
    assert outcome.ok and outcome.text, outcome
    assert took < 1.5, f"the answer took {took:.1f} s"
    assert outcome.text not in fakes.output.said  # not yet said to the end
    assert fakes.output.speaking.wait(2.0)  # and on its way
    assert lines(station)[-1] == outcome.text
    wait_until(lambda: outcome.text in fakes.output.said, timeout=10, what="the answer said")


def test_now_playing_goes_from_track_to_track_without_a_gap(
    station: QFZZStation, fakes: FakeParts
) -> None:
    assert station.execute(c.Play(genre="jazz", source="test")).ok
    wait_until(lambda: station.snapshot().track is not None, timeout=5, what="the music")
    first = station.snapshot().track
    with station.events.subscribe() as subscription:
        fakes.clock.advance(125.0)  # the first track ends by itself; the radio plays the next
        wait_until(lambda: station.snapshot().track not in (None, first), timeout=10)
        second = station.snapshot().track
        assert station.execute(c.Skip(source="web")).ok
        wait_until(lambda: station.snapshot().track not in (None, second), timeout=10)
        time.sleep(0.3)
        changes = [e for e in drain(subscription) if isinstance(e, StateChanged)]
    playing = [e.state.track for e in changes if "now_playing" in e.changed]
    assert None not in playing, playing
    assert len(set(playing)) >= 2

"""The radio on fakes: near a track's end the DJ's next pick is ready, the two crossfade, and
the finished track teaches the DJ."""

from __future__ import annotations

from appliance.station import QFZZStation
from tests.fakes import FakeParts
from tests.support.waiting import wait_until


def listening(station: QFZZStation) -> list[tuple[str, str]]:
    data = station.get_dj().export_profile(station.user_id) or {"listening": []}
    return [(row["track_id"], row["event"]) for row in data["listening"]]


def test_the_next_pick_crossfades_in_and_the_finished_track_is_learned(
    station: QFZZStation, fakes: FakeParts
) -> None:
    player = station.player
    assert player is not None
    station.handle("play some jazz")
    wait_until(lambda: fakes.decks.sounding(), timeout=5, what="the music")
    (first,) = fakes.decks.sounding()
    (deck,) = [d for d in fakes.decks.made if d.track is first]
    rate = fakes.clock.rate
    fakes.clock.set_rate(0.0)  # from here on the test moves the time
    try:
        position = deck.get("time-pos")
        fakes.clock.advance(120.0 - 1.0 - position)  # a second before the end
        wait_until(
            lambda: player._current is not None and player._current.radio_ready,
            timeout=5,
            what="the DJ's next pick, made ahead",
        )
        fakes.clock.advance(0.9)
        wait_until(lambda: len(fakes.decks.sounding()) == 2, timeout=5, what="the crossfade")
        (second,) = [t for t in fakes.decks.sounding() if t is not first]
        (incoming,) = [d for d in fakes.decks.made if d.track is second]
        assert second.track_id != first.track_id
        wait_until(lambda: deck.volume is not None and incoming.volume is not None, timeout=3)
        fakes.clock.advance(0.05)
        wait_until(
            lambda: (
                deck.volume is not None
                and incoming.volume is not None
                and 0 < incoming.volume < deck.volume * 2
            ),
            timeout=3,
            what="both decks sounding, the new one rising",
        )
        fakes.clock.advance(0.5)
        wait_until(lambda: fakes.decks.sounding() == [second], timeout=5, what="the end of it")
    finally:
        fakes.clock.set_rate(rate)
    wait_until(lambda: (first.track_id, "completed") in listening(station), timeout=5)
    assert player.now_playing == second

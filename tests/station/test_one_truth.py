"""What plays is held once, by the player, as the station's state tells it: the DJ reads it."""

from __future__ import annotations

from appliance import control as c
from appliance.dj import PersonalizedDJ
from appliance.station import QFZZStation
from tests.support.waiting import wait_until


def test_the_dj_reads_what_plays_from_the_state(station: QFZZStation) -> None:
    dj = station.get_dj()
    library = station.library
    assert library is not None
    track = sorted(library.tracks_for_genre("jazz"), key=lambda t: t.title)[0]
    assert dj.now_playing is None
    station.execute(c.Play(track_id=track.track_id, source="mpd"))  # not the DJ's pick
    wait_until(lambda: station.snapshot().track == track)
    assert dj.now_playing == track
    answer = station.execute(c.Ask(text="what's playing", source="web"))
    assert track.title in answer.text
    station.execute(c.Stop(source="web"))
    wait_until(lambda: station.snapshot().now_playing is None)
    assert dj.now_playing is None
    assert station.snapshot().last_played == track


def test_the_next_pick_is_never_what_a_face_put_on(station: QFZZStation) -> None:
    library = station.library
    assert library is not None
    on_air = sorted(library.tracks_for_genre("rock"), key=lambda t: t.title)[0]
    for seed in range(12):  # a fresh DJ each time, which never picked what plays
        dj = PersonalizedDJ(library=library, seed=seed)
        dj.now_playing_from = lambda: on_air
        dj.update_preferences("alex", ["rock"])
        picked = dj.next_track("alex")
        assert picked is not None and picked != on_air
        dj.close()

"""A command from a face teaches the DJ exactly as the spoken words do, for whoever sent it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from appliance import control as c
from appliance.events import Transcript
from appliance.library.track import Track
from appliance.station import QFZZStation
from tests.support.waiting import wait_until


def stored(station: QFZZStation, user: str) -> dict[str, Any]:
    data = station.get_dj().export_profile(user)
    return data or {"listening": [], "history": [], "taste": []}


def learned(station: QFZZStation, user: str, track: Track) -> list[tuple[str, str]]:
    return [
        (row["track_id"], row["event"])
        for row in stored(station, user)["listening"]
        if row["track_id"] == track.track_id
    ]


def said(station: QFZZStation, user: str) -> list[str]:
    history = stored(station, user)["history"]
    return [row["message"] for row in history if row["type"] == "user_message"]


def on_air(station: QFZZStation) -> Track:
    library = station.library
    assert library is not None
    track = sorted(library.tracks_for_genre("rock"), key=lambda t: t.title)[0]
    station.execute(c.Play(track_id=track.track_id, by="alex", source="web"))
    wait_until(lambda: station.snapshot().track == track, what="the track to play")
    return track


def test_a_skip_from_the_web_teaches_as_a_spoken_one(
    make_station: Callable[..., QFZZStation], tmp_path: Path
) -> None:
    spoken = make_station(data_dir=tmp_path / "spoken")
    assert spoken.execute(c.SwitchListener(user_id="alex", name="Alex")).ok
    track = on_air(spoken)
    spoken._voice_event(Transcript(text="skip", at=time.monotonic()))  # as the listener hears it
    wait_until(lambda: learned(spoken, "alex", track), what="the spoken skip to be learned")
    wait_until(lambda: spoken.snapshot().track not in (None, track))

    web = make_station(data_dir=tmp_path / "web")  # guest listens; alex skips from a phone
    web.get_dj().register_user("alex", "Alex")
    track_again = on_air(web)
    assert track_again == track
    outcome = web.execute(c.Skip(by="alex", source="web"))
    assert outcome.ok and outcome.text
    wait_until(lambda: learned(web, "alex", track), what="the web skip to be learned")
    wait_until(lambda: web.snapshot().track not in (None, track))

    assert (
        learned(web, "alex", track)
        == learned(spoken, "alex", track)
        == [(track.track_id, "skipped")]
    )
    assert learned(web, web.user_id, track) == []  # not the guest's skip
    assert said(web, "alex")[-1:] == said(spoken, "alex")[-1:] == ["skip"]
    for station in (spoken, web):
        (row,) = [r for r in stored(station, "alex")["listening"] if r["event"] == "skipped"]
        assert row["position"] < 10  # learned from the player's event, early in the track
    dj_spoken, dj_web = spoken.get_dj(), web.get_dj()
    assert dj_web.get_trust_score("alex") == dj_spoken.get_trust_score("alex")

    def sides(station: QFZZStation) -> set[tuple[str, str]]:
        return {(row["kind"], row["key"]) for row in stored(station, "alex")["taste"]}

    assert sides(web) == sides(spoken) != set()


def test_a_skip_asked_in_words_from_a_face_is_learned_for_its_sender(
    station: QFZZStation,
) -> None:
    station.get_dj().register_user("alex", "Alex")
    track = on_air(station)
    outcome = station.execute(c.Ask(text="skip this one", by="alex", source="web"))
    assert outcome.ok
    wait_until(lambda: learned(station, "alex", track), what="the skip to be learned")
    assert learned(station, "alex", track) == [(track.track_id, "skipped")]
    assert learned(station, station.user_id, track) == []


def test_the_caches_follow_a_data_folder_the_config_names(
    make_station: Callable[..., QFZZStation], tmp_path: Path
) -> None:
    """Worked-out models are kept in the station's data folder, not the environment's."""
    from appliance.dj import understand_weights
    from appliance.voice import lm_cache

    station = make_station(data_dir=tmp_path / "named")
    assert station.data_dir == tmp_path / "named"
    assert lm_cache.default_folder() == tmp_path / "named" / lm_cache.FOLDER
    assert understand_weights.default_folder() == tmp_path / "named" / understand_weights.FOLDER
    station.stop()
    assert lm_cache.default_folder() != tmp_path / "named" / lm_cache.FOLDER

"""Refinements said aloud ("something slower", "older stuff", "less of that") reach the DJ's
taste, change the music now and are said from the real change; a bare "louder" stays volume."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.lines import because
from appliance.dj.recommend import Pick
from appliance.dj.reply import Skip
from appliance.dj.taste import SAID
from appliance.dj.understand import Understanding
from appliance.events import EndReason
from appliance.library.track import Track
from tests.dj.test_recommend import generated
from tests.support.tracksets import TrackSet

USER = "sam"


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding()


@pytest.mark.parametrize(
    ("text", "side", "direction"),
    [
        ("something slower", "tempo", "lower"),
        ("a bit slower please", "tempo", "lower"),
        ("faster", "tempo", "higher"),
        ("something calmer", "energy", "lower"),
        ("mellower", "energy", "lower"),
        ("livelier", "energy", "higher"),
        ("more upbeat", "energy", "higher"),
        ("quieter music", "loudness", "lower"),
        ("louder music", "loudness", "higher"),
        ("something harder-hitting", "loudness", "higher"),
        ("older stuff", "year", "lower"),
        ("newer", "year", "higher"),
        ("more recent", "year", "higher"),
        ("less of that", "track", "less"),
    ],
)
def test_each_refinement_is_understood(
    understanding: Understanding, text: str, side: str, direction: str
) -> None:
    got = understanding.parse(text)
    assert (got.name, got.slots) == ("refine", {"side": side, "direction": direction})


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("louder", "volume_up"),
        ("turn it up", "volume_up"),
        ("quieter", "volume_down"),
        ("turn it down", "volume_down"),
        ("something else", "skip"),
        ("more like this", "more_like"),
        ("play something mellow", "play"),
    ],
)
def test_near_phrases_keep_their_meaning(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).name == intent


def _started(dj: PersonalizedDJ) -> Track:
    track = dj.next_track(USER)
    assert track is not None
    dj.track_started(track)
    return track


def test_something_slower_moves_on_now_says_so_and_is_remembered(tmp_path: Path) -> None:
    tracks = generated()
    db = tmp_path / "dj.db"
    with PersonalizedDJ(db_path=db, library=TrackSet(tracks), seed=3) as dj:  # type: ignore[arg-type]
        playing = _started(dj)
        reply = dj.respond(USER, "something slower")
        assert reply.intent == "refine"
        [action] = reply.actions
        assert isinstance(action, Skip) and action.then is not None
        assert action.reason is EndReason.REPLACED  # no verdict on the track it replaces
        assert reply.text.startswith("Slower")
        assert action.then.describe() in reply.text
        assert playing.bpm is not None and action.then.bpm is not None
        assert action.then.bpm < playing.bpm  # the change is heard now, and said as it is
        assert f"{action.then.bpm:.0f} BPM after {playing.bpm:.0f}" in reply.text
        pick = dj.pick_of(USER, action.then)
        assert pick is not None and ("asked", "slower") in pick.reasons
        assert because(pick) == "slower, like you asked"
        assert "Slower, like you asked." in dj.commentary(USER, playing, pick)  # between tracks
    with PersonalizedDJ(db_path=db, library=TrackSet(tracks), seed=3) as dj:  # type: ignore[arg-type]
        higher, lower = dj._taste(USER).get(SAID, "tempo")
        assert lower > higher  # remembered across a restart


def test_louder_stays_the_volume_and_learns_nothing(tmp_path: Path) -> None:
    with PersonalizedDJ(db_path=tmp_path / "dj.db", library=TrackSet(generated()), seed=3) as dj:  # type: ignore[arg-type]
        _started(dj)
        reply = dj.respond(USER, "louder")
        assert reply.intent == "volume_up"
        assert dj._taste(USER).get(SAID, "loudness") == (0.0, 0.0)


def test_less_of_that_without_music_is_said_honestly() -> None:
    with PersonalizedDJ(db_path=None, library=TrackSet(generated()), seed=3) as dj:  # type: ignore[arg-type]
        reply = dj.respond(USER, "less of that")
        assert reply.intent == "refine" and reply.actions == ()
        assert "Nothing's playing" in reply.text


def test_less_of_that_moves_away_from_the_artist(tmp_path: Path) -> None:
    with PersonalizedDJ(db_path=tmp_path / "dj.db", library=TrackSet(generated()), seed=3) as dj:  # type: ignore[arg-type]
        playing = _started(dj)
        reply = dj.respond(USER, "less of that")
        [action] = reply.actions
        assert isinstance(action, Skip) and action.then is not None
        assert action.then.describe() in reply.text
        assert dj._taste(USER).net("artist", (playing.artist or "").casefold()) < 0


def test_a_refinement_without_a_side_asks_which_way(tmp_path: Path) -> None:
    with PersonalizedDJ(db_path=None, library=TrackSet(generated()), seed=3) as dj:  # type: ignore[arg-type]
        reply = dj.act(USER, "refine", {})
        assert reply.actions == () and "which way" in reply.text


def test_the_asked_reason_is_said_before_the_learned_one() -> None:
    track = Track(track_id="t", path=Path("/x.flac"), title="T", artist="A")
    pick = Pick(track=track, reasons=(("asked", "older"),), top=("tempo", "slower"))
    assert because(pick) == "older, like you asked"


def test_more_like_this_is_remembered_as_a_refinement_not_a_like(tmp_path: Path) -> None:
    with PersonalizedDJ(db_path=tmp_path / "dj.db", library=TrackSet(generated()), seed=3) as dj:  # type: ignore[arg-type]
        playing = _started(dj)
        reply = dj.respond(USER, "more like this")
        assert reply.intent == "more_like" and reply.actions
        assert dj._taste(USER).net("artist", (playing.artist or "").casefold()) > 0
        assert [p["event"] for p in dj.store.recent_plays(USER, 10)] == []  # no like was said

"""Spoken refinements ("something slower", "older stuff", "more like this", "less of that")
move the picks that way from what plays, within the taste, and are remembered."""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.recommend import Catalog, Listener, Recommender
from appliance.dj.taste import SAID, Taste, evidence_for, refinement
from appliance.library.genres import default_genres
from appliance.library.track import Track
from tests.dj.test_recommend import generated
from tests.support.tracksets import TrackSet

GENRES = default_genres()
USER = "sam"


def _rock_lover(tracks: list[Track]) -> Taste:
    """Loves rock and jazz at any tempo, era or loudness; skips the rest."""
    taste = Taste()
    for track in tracks[:240]:
        liked = bool({"rock", "jazz"} & set(track.genres))
        event = "completed" if liked else "skipped"
        taste.add(evidence_for(track, event, GENRES, None if liked else 3.0, track.duration))
    return taste


def _picks(catalog: Catalog, taste: Taste, count: int = 30) -> list[Track]:
    """A session's next ``count`` picks (none repeated), learning nothing from them."""
    recommender = Recommender(GENRES, np.random.default_rng(7))
    played: list[str] = []
    for _ in range(count):
        pick = recommender.pick(catalog, Listener(taste=taste, played=played))
        assert pick is not None
        played.append(pick.track.track_id)
    return [catalog.tracks[catalog.index[track_id]] for track_id in played]


VALUES = {
    "tempo": lambda t: t.bpm,
    "energy": lambda t: t.energy,
    "loudness": lambda t: t.loudness,
    "year": lambda t: t.year,
}


@pytest.mark.parametrize("side", sorted(VALUES))
@pytest.mark.parametrize("direction", ["lower", "higher"])
def test_a_direction_moves_the_picks_within_the_taste(side: str, direction: str) -> None:
    tracks = generated()
    catalog = Catalog(tracks, GENRES)
    taste = _rock_lover(tracks)
    value = VALUES[side]
    before = statistics.median(value(t) for t in _picks(catalog, taste))
    taste.add(refinement(taste, side, direction, tracks[0], GENRES))
    after_picks = _picks(catalog, taste)
    after = statistics.median(value(t) for t in after_picks)
    assert (after < before) if direction == "lower" else (after > before), (before, after)
    in_taste = np.mean([bool({"rock", "jazz"} & set(t.genres)) for t in after_picks])
    assert in_taste >= 0.8  # refined, not replaced


def test_the_latest_word_on_a_side_leads() -> None:
    taste = Taste()
    for direction in ("lower", "lower", "higher"):
        taste.add(refinement(taste, "tempo", direction, None, GENRES))
    higher, lower = taste.get(SAID, "tempo")
    assert higher > lower  # "slower", "slower", then "faster": faster now
    taste.add(refinement(taste, "tempo", "lower", None, GENRES))
    higher, lower = taste.get(SAID, "tempo")
    assert lower > higher


def test_more_like_this_and_less_of_that() -> None:
    tracks = generated()
    catalog = Catalog(tracks, GENRES)
    taste = Taste()  # has skipped what is neither rock nor jazz, loves no one yet
    for track in tracks[:240]:
        if not {"rock", "jazz"} & set(track.genres):
            taste.add(evidence_for(track, "skipped", GENRES, 3.0, track.duration))
    that = next(t for t in tracks[240:] if "rock" in t.genres)
    before = _picks(catalog, taste, 20)
    more = Taste(_rows(taste))
    more.add(refinement(more, "track", "more", that, GENRES))
    after = _picks(catalog, more, 20)
    assert (
        sum(t.artist == that.artist for t in after)
        >= 10
        > sum(t.artist == that.artist for t in before)
    )
    less = Taste(_rows(more))  # then, of the same track: "less of that"
    less.add(refinement(less, "track", "less", that, GENRES))
    fewer = _picks(catalog, less, 20)
    assert sum(t.artist == that.artist for t in fewer) < sum(t.artist == that.artist for t in after)
    assert less.net("genre", "rock") < more.net("genre", "rock") / 2  # its genre leads less
    assert refinement(less, "track", "more", None, GENRES) == []  # nothing plays: nothing to do


def _rows(taste: Taste) -> dict[tuple[str, str], tuple[float, float]]:
    return {
        (kind, key): (pos, neg)
        for kind, entries in taste.by_kind.items()
        for key, (pos, neg) in entries.items()
    }


def test_an_unknown_refinement_is_refused_with_what_is_known() -> None:
    with pytest.raises(ValueError, match="tempo lower/higher"):
        refinement(Taste(), "colour", "bluer", None, GENRES)
    with pytest.raises(ValueError, match="unknown refinement"):
        refinement(Taste(), "tempo", "more", None, GENRES)


def test_the_dj_refines_from_what_plays_and_remembers_it(tmp_path: Path) -> None:
    tracks = generated()
    db = tmp_path / "dj.db"
    with PersonalizedDJ(db_path=db, library=TrackSet(tracks), seed=3) as dj:  # type: ignore[arg-type]
        assert not dj.refine(USER, "track", "more")  # nothing plays yet
        for _ in range(40):
            track = dj.next_track(USER)
            assert track is not None
            dj.track_started(track)
            liked = "rock" in track.genres
            event = "completed" if liked else "skipped"
            dj.record_event(USER, track.track_id, event, None if liked else 3.0, track.duration)
        before = [dj.next_track(USER) for _ in range(15)]
        assert dj.refine(USER, "year", "lower")  # "older stuff"
        after = [dj.next_track(USER) for _ in range(15)]
    years_before = statistics.median(t.year for t in before if t and t.year)
    years_after = statistics.median(t.year for t in after if t and t.year)
    assert years_after < years_before
    with PersonalizedDJ(db_path=db, library=TrackSet(tracks), seed=3) as dj:  # type: ignore[arg-type]
        higher, lower = dj._taste(USER).get(SAID, "year")
        assert lower > higher  # kept across a restart
        again = [dj.next_track(USER) for _ in range(15)]
    assert statistics.median(t.year for t in again if t and t.year) < years_before

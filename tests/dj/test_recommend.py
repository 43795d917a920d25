"""Picking what plays next: requests win, taste is learned, variety is kept, friends count."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from appliance.dj.mood import MOOD_TARGETS
from appliance.dj.recommend import Catalog, Listener, Recommender, Request
from appliance.dj.taste import Taste, evidence_for, skip_weight
from appliance.library.genres import default_genres
from appliance.library.track import Track

GENRES = default_genres()


def library() -> list[Track]:
    tracks = []
    spec = [
        ("Miles Davis", "Kind of Blue", ["bebop"], 0.3, 90, ["So What", "Freddie Freeloader"]),
        (
            "Bill Evans",
            "Waltz for Debby",
            ["cool jazz"],
            0.2,
            80,
            ["Waltz for Debby", "Milestones"],
        ),
        ("Daft Punk", "Discovery", ["house"], 0.85, 123, ["One More Time", "Digital Love"]),
        ("Larry Heard", "Amnesia", ["deep house"], 0.7, 120, ["Can You Feel It", "Mystery"]),
        ("Dolly Parton", "Jolene", ["country"], 0.5, 110, ["Jolene", "Coat of Many Colors"]),
        ("Metallica", "Master", ["thrash metal"], 0.95, 150, ["Battery", "Orion"]),
        ("Brian Eno", "Airports", ["ambient"], 0.1, 70, ["1/1", "2/1"]),
        ("Sade", "Diamond Life", ["r&b", "soul"], 0.4, 95, ["Smooth Operator", "Your Love"]),
    ]
    for artist, album, genres, energy, bpm, titles in spec:
        for number, title in enumerate(titles, 1):
            tracks.append(
                Track(
                    track_id=f"{artist}-{number}".lower().replace(" ", "-"),
                    path=f"/music/{artist}/{album}/{number:02} {title}.flac",
                    title=title,
                    artist=artist,
                    album=album,
                    genres=tuple(genres),
                    duration=200.0,
                    bpm=float(bpm + number),
                    energy=energy,
                )
            )
    return tracks


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(library(), GENRES)


@pytest.fixture
def recommender() -> Recommender:
    return Recommender(GENRES, np.random.default_rng(3))


def test_genre_request_includes_genres_below_it(catalog: Catalog, recommender: Recommender) -> None:
    for _ in range(10):
        pick = recommender.pick(catalog, Listener(), Request(genre="electronic"))
        assert pick is not None and pick.matched
        assert pick.track.artist in ("Daft Punk", "Larry Heard", "Brian Eno")
    jazz = {
        recommender.pick(catalog, Listener(), Request(genre="jazz")).track.artist for _ in range(20)
    }  # type: ignore[union-attr]
    assert jazz == {"Miles Davis", "Bill Evans"}


def test_artist_request_is_fuzzy(catalog: Catalog, recommender: Recommender) -> None:
    pick = recommender.pick(catalog, Listener(), Request(artist="miles davies"))
    assert pick is not None and pick.matched
    assert pick.track.artist == "Miles Davis"
    assert ("artist", "miles davis") in pick.reasons


def test_title_request(catalog: Catalog, recommender: Recommender) -> None:
    pick = recommender.pick(catalog, Listener(), Request(title="smooth operater"))
    assert pick is not None and pick.track.title == "Smooth Operator"


def test_unmatched_request_gets_the_closest_thing(
    catalog: Catalog, recommender: Recommender
) -> None:
    pick = recommender.pick(catalog, Listener(), Request(genre="tech house"))
    assert pick is not None
    assert not pick.matched
    assert "house" in pick.track.genres or "deep house" in pick.track.genres
    nothing = recommender.pick(catalog, Listener(), Request(artist="zzzz qqqq"))
    assert nothing is not None and not nothing.matched


def test_blocked_genres_are_never_picked(catalog: Catalog, recommender: Recommender) -> None:
    listener = Listener(blocked=["country", "metal"])
    for _ in range(40):
        pick = recommender.pick(catalog, listener)
        assert pick is not None
        assert not {"country", "thrash metal"} & set(pick.track.genres)


def test_no_repeat_within_a_session_and_no_artist_twice_in_a_row(
    catalog: Catalog, recommender: Recommender
) -> None:
    played: list[str] = []
    last = None
    for _ in range(len(catalog) - 2):
        pick = recommender.pick(catalog, Listener(played=played, last_artist=last))
        assert pick is not None
        assert pick.track.track_id not in played
        assert pick.track.artist != last
        played.append(pick.track.track_id)
        last = pick.track.artist


def test_learning_moves_picks_toward_what_was_loved(
    catalog: Catalog, recommender: Recommender
) -> None:
    taste = Taste()
    for track in catalog.tracks:
        if track.artist in ("Miles Davis", "Bill Evans"):
            for _ in range(3):
                taste.add(evidence_for(track, "liked", GENRES))
        elif track.artist == "Metallica":
            taste.add(evidence_for(track, "skipped", GENRES, position=2, duration=200))
    listener = Listener(taste=taste, trust=0.9)
    picks = [recommender.pick(catalog, listener) for _ in range(30)]
    jazz = sum(p.track.artist in ("Miles Davis", "Bill Evans") for p in picks)  # type: ignore[union-attr]
    metal = sum(p.track.artist == "Metallica" for p in picks)  # type: ignore[union-attr]
    assert jazz >= 20
    assert metal == 0


def test_stated_preferences_steer_a_newcomer(catalog: Catalog, recommender: Recommender) -> None:
    picks = Counter(
        recommender.pick(catalog, Listener(preferences=["ambient"])).track.artist  # type: ignore[union-attr]
        for _ in range(100)
    )
    (top, count), (_, runner_up) = picks.most_common(2)
    assert top == "Brian Eno"
    assert count >= 50 and count >= 3 * runner_up


def test_mood_targets_energy_and_tempo(catalog: Catalog, recommender: Recommender) -> None:
    calm = Listener(target=MOOD_TARGETS["calm"], mood="calm", trust=0.9)
    wild = Listener(target=MOOD_TARGETS["angry"], mood="angry", trust=0.9)
    calm_energy = np.mean([recommender.pick(catalog, calm).track.energy for _ in range(20)])  # type: ignore[union-attr]
    wild_energy = np.mean([recommender.pick(catalog, wild).track.energy for _ in range(20)])  # type: ignore[union-attr]
    assert calm_energy < 0.45 < wild_energy


def test_friends_loves_are_suggested_with_their_name(
    catalog: Catalog, recommender: Recommender
) -> None:
    friend = Taste()
    jolene = next(t for t in catalog.tracks if t.title == "Jolene")
    for _ in range(3):
        friend.add(evidence_for(jolene, "liked", GENRES))
    listener = Listener(friends=[("Sam", friend)], trust=0.9)
    picks = [recommender.pick(catalog, listener) for _ in range(20)]
    with_friend = [p for p in picks if p.track.title == "Jolene"]  # type: ignore[union-attr]
    assert len(with_friend) >= 8
    assert ("friend", "Sam") in with_friend[0].reasons  # type: ignore[union-attr]


def test_an_early_skip_says_more_than_a_late_one() -> None:
    assert skip_weight(5, 200) > skip_weight(150, 200) > 0
    track = library()[0]
    late = evidence_for(track, "skipped", GENRES, position=195, duration=200)
    assert late == evidence_for(track, "completed", GENRES)
    early = dict(
        ((k, key), neg) for k, key, _, neg in evidence_for(track, "skipped", GENRES, 10, 200)
    )
    assert early[("track", track.track_id)] > 1.5
    assert early[("genre", "jazz")] == pytest.approx(early[("genre", "bebop")] / 2)


def test_empty_catalog_gives_nothing(recommender: Recommender) -> None:
    assert recommender.pick(Catalog([], GENRES), Listener()) is None

"""Fuzzing the recommender: any library (tags missing, odd, extreme) and any history of events,
blocks and dislikes gives a pick that keeps the promises whenever the library allows it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from appliance.dj.recommend import REPEAT_WINDOW, Catalog, Listener, Recommender
from appliance.dj.taste import EVENTS, Taste, block_artist, evidence_for
from appliance.library.genres import default_genres
from appliance.library.track import Track

pytestmark = pytest.mark.fuzz

GENRES = default_genres()
NAMES = ["jazz", "bebop", "rock", "house", "deep house", "country", "Unheard Of", "", "metal"]

maybe = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))
tracks = st.lists(
    st.builds(
        lambda n, artist, album, genres, year, bpm, energy, duration: Track(
            track_id=f"t{n}",
            path=f"/m/{n}.flac",
            title=f"song {n}",
            artist=artist,
            album=album,
            genres=tuple(genres),
            year=year,
            bpm=bpm,
            energy=energy,
            duration=duration,
        ),
        st.integers(0, 10**6),
        st.sampled_from(["a", "b", "c", "d", "É e", ""]),
        st.sampled_from(["x", "y", ""]),
        st.lists(st.sampled_from(NAMES), max_size=3),
        st.one_of(st.none(), st.integers(-5000, 5000)),
        maybe,
        maybe,
        maybe,
    ),
    min_size=1,
    max_size=60,
    unique_by=lambda t: t.track_id,
)
events = st.lists(
    st.tuples(
        st.integers(0, 59),
        st.sampled_from(EVENTS),
        maybe,
        st.sampled_from([None, "morning", "evening", "night"]),
    ),
    max_size=80,
)


def track(number: int, artist: str) -> Track:
    return Track(track_id=f"t{number}", path=f"/m/{number}.flac", title=f"song {number}",
                 artist=artist, album="x", genres=("jazz",))  # fmt: skip


@given(tracks, events, st.sampled_from(["a", "b", "zz"]), st.integers(0, 2**32 - 1))
# liked twice, then disliked: the dislike rules the track out however much it was loved before
@example(
    [track(0, "a"), track(1, "b"), track(2, "c")],
    [(0, "liked", None, None), (0, "liked", None, None), (0, "disliked", None, None)],
    "zz",
    0,
)
def test_any_library_and_history_gives_a_pick_that_keeps_the_promises(
    library: list[Track], history: list, ruled_out: str, seed: int
) -> None:
    catalog = Catalog(library, GENRES)
    taste = Taste()
    disliked: set[str] = set()  # the oracle: tracks whose last verdict was a dislike
    for number, event, position, part in history:
        heard = library[number % len(library)]
        taste.add(evidence_for(heard, event, GENRES, position, heard.duration, part))
        taste.add(taste.verdict(heard.track_id, event))
        if event == "disliked":
            disliked.add(heard.track_id)
        elif event == "liked":
            disliked.discard(heard.track_id)
    taste.add([block_artist(ruled_out)])
    for kind, entries in taste.by_kind.items():  # the arrays a pick reads mirror the evidence
        assert np.array_equal(taste.values(kind), np.array([*entries.values()]).reshape(-1, 2))
    recommender = Recommender(GENRES, np.random.default_rng(seed))
    recent: list[str] = []
    for part in ("morning", "evening", None):
        listener = Listener(taste=taste, blocked=["metal"], recent=recent, part=part)
        pick = recommender.pick(catalog, listener)
        assert pick is not None
        track = pick.track
        allowed = [
            t
            for t in library
            if t.artist.casefold() != ruled_out
            and not any(GENRES.covers("metal", GENRES.normalise(g)) for g in t.genres)
            and t.track_id not in disliked
        ]
        fresh = [t for t in allowed if t.track_id not in recent[:REPEAT_WINDOW]]
        if fresh:
            assert track in fresh, (track, pick.reasons)
        elif allowed:
            assert track in allowed
        recent.insert(0, track.track_id)

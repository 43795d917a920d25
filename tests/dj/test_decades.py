"""A decade asked for by name plays the tracks of those years (appliance/dj/decades.py), not a
track whose name looks like the word ("Eighteen" for "eighties")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.reply import PlayTrack
from appliance.library import Library
from tests.support.music import make_track

TRACKS = {"Eighteen": 2015, "Neon Nights": 1983, "Dust Road": 1962}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    folder = tmp_path_factory.mktemp("decades")
    for number, (title, year) in enumerate(TRACKS.items()):
        make_track(
            folder / f"{number}.flac",
            seconds=1.0,
            freq=300 + 60 * number,
            noise=0.01,
            title=title,
            artist=f"Band {number}",
            genre="Rock",
            date=str(year),
            bpm=100,
        )
    library = Library(folder / "library.db")
    library.scan([folder], progress=False)
    yield library
    library.close()


@pytest.mark.parametrize(
    ("said", "title"),
    [
        ("eighties please", "Neon Nights"),
        ("something from the sixties", "Dust Road"),
        ("seventies please", "Neon Nights"),  # none of those years: the nearest there is
    ],
)
def test_a_decade_plays_the_tracks_of_its_years(library: Library, said: str, title: str) -> None:
    dj = PersonalizedDJ(library=library, seed=3)
    try:
        reply = dj.respond("ana", said)
        played = [a.track.title for a in reply.actions if isinstance(a, PlayTrack)]
        assert played == [title], reply
    finally:
        dj.close()

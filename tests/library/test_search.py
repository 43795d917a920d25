"""Finding tracks: fuzzy search, genre widening, the name lists, the generation counter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.library import Library


@pytest.fixture(scope="module")
def library(demo_library: Path) -> Iterator[Library]:
    with Library() as library:
        library.scan([demo_library], progress=False)
        yield library


def titles(tracks: list) -> list[str]:
    return [track.title for track in tracks]


def test_search_finds_titles_artists_and_albums_despite_misspellings(library: Library) -> None:
    assert titles(library.search("lanterns on the quay", limit=1)) == ["Lanterns on the Quay"]
    assert titles(library.search("lantrens on teh kway", limit=1)) == ["Lanterns on the Quay"]
    by_artist = library.search("velvet harbor", limit=3)
    assert {track.artist for track in by_artist} == {"Velvet Harbour"}
    assert len(by_artist) == 3
    assert {track.album for track in library.search("blue hour sessions", limit=3)} == {
        "Blue Hour Sessions"
    }
    assert titles(library.search("kilowatt brothers voltage rain", limit=1)) == ["Voltage Rain"]
    assert library.search("zzzzqqqq xxyy") == []
    assert library.search("") == []
    assert len(library.search("the", limit=4)) <= 4


def test_genre_widening_finds_the_subgenres(library: Library) -> None:
    electronic = {track.artist for track in library.tracks_for_genre("electronic")}
    assert {"Velvet Harbour", "Juniper Static", "Kilowatt Brothers", "Neon Paloma"} <= electronic
    assert "Iron Lilac" not in electronic
    house = {track.artist for track in library.tracks_for_genre("house")}
    assert house == {"Velvet Harbour"}  # deep house sits under house
    assert {t.artist for t in library.tracks_for_genre("dnb")} == {"Kilowatt Brothers"}
    assert library.tracks_for_genre("polka") == []


def test_name_lists(library: Library) -> None:
    assert "Moss & Meridian" in library.artists()
    assert "Slow Weather" in library.albums()
    assert "Rain on the Fire Escape" in library.titles()
    assert library.artists() == sorted(library.artists(), key=str.casefold)
    assert len(library.titles()) == len(library.tracks()) == 36


def test_generation_changes_with_tracks_and_features(tmp_path: Path, demo_library: Path) -> None:
    folder = demo_library / "Velvet Harbour" / "Night Ferries"
    with Library(tmp_path / "library.db") as library:
        start = library.generation
        library.scan([folder], progress=False)
        scanned = library.generation
        assert scanned != start
        cached = library.tracks()
        assert library.tracks() == cached
        library.analyse(limit=1)
        assert library.generation != scanned
        # another process's change is seen too
        with Library(tmp_path / "library.db") as other:
            before = library.generation
            other.analyse(limit=1)
        assert library.generation != before
        assert sum(track.energy is not None for track in library.tracks()) == 2

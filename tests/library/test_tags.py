"""Tags from every container, genre clean-up, and names guessed from folders and file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.library.genres import default_genres
from appliance.library.scan import read_file
from appliance.library.tags import guess_from_path, split_genres
from tests.library.conftest import Samples
from tests.support.music import FORMATS

EXPECTED_GENRES = {
    "mp3": ("hip hop",),
    "flac": ("rock", "pop"),
    "ogg": ("pop",),
    "opus": ("deep house", "electronic"),
    "m4a": ("drum and bass",),
    "wav": ("jazz",),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_tags_are_read_from_every_format(samples: Samples, fmt: str) -> None:
    scanned = read_file(str(samples.tagged(fmt)), str(samples.root), default_genres())
    values = scanned.values
    assert values.title == f"Tagged {fmt.upper()}"
    assert values.artist == "The Testers"
    assert values.album == "Formats"
    assert values.album_artist == "The Testers"
    assert values.year == 2011
    assert values.track_number == FORMATS.index(fmt) + 1
    assert values.genres == EXPECTED_GENRES[fmt]
    assert values.bpm == (97.0 if fmt == "mp3" else None)
    assert scanned.duration == pytest.approx(3.0, abs=0.1)
    assert len(scanned.content_id) == 20


@pytest.mark.parametrize("fmt", FORMATS)
def test_untagged_files_are_named_from_their_path(
    samples: Samples, tmp_path: Path, fmt: str
) -> None:
    target = samples.copy(
        samples.untagged(fmt),
        tmp_path / "Nina Simone" / "Pastel Blues (1965)" / f"03 Be My Husband.{fmt}",
    )
    values = read_file(str(target), str(tmp_path), default_genres()).values
    assert (values.title, values.artist, values.album) == (
        "Be My Husband",
        "Nina Simone",
        "Pastel Blues",
    )
    assert (values.track_number, values.year, values.genres) == (3, 1965, ())


def test_tags_win_over_the_path(samples: Samples, tmp_path: Path) -> None:
    target = samples.copy(
        samples.tagged("flac"), tmp_path / "Wrong Artist" / "Wrong Album" / "09 x.flac"
    )
    values = read_file(str(target), str(tmp_path), default_genres()).values
    assert (values.artist, values.album, values.track_number) == ("The Testers", "Formats", 2)


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("Artist - Title.mp3", ("Title", "Artist", "", None)),
        ("Band/Record/01 Opening.flac", ("Opening", "Band", "Record", 1)),
        ("Band/Record/CD2/1-07 Deep Cut.flac", ("Deep Cut", "Band", "Record", 7)),
        ("Band - Record/02. Second.ogg", ("Second", "Band", "Record", 2)),
        ("Compilation/Mixed/04 - Guest - Their Song.mp3", ("Their Song", "Guest", "Mixed", 4)),
        ("5 Years.mp3", ("5 Years", "", "", None)),
        ("loose_file_name.wav", ("loose file name", "", "", None)),
    ],
)
def test_guess_from_path(relative: str, expected: tuple[str, str, str, int | None]) -> None:
    root = Path("/music")
    guess = guess_from_path(root / relative, root)
    assert (guess.title, guess.artist, guess.album, guess.track_number) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Rock; Pop"], ("rock", "pop")),
        (["Hip-Hop/Rap"], ("hip hop",)),
        (["(13)"], ("pop",)),
        (["17"], ("rock",)),
        (["(17)(13)Britpop"], ("rock", "pop", "britpop")),
        (["Rhythm & Blues"], ("r&b",)),
        (["Alternative & Punk"], ("alternative", "punk")),
        (["Singer/Songwriter"], ("singer-songwriter",)),
        (["Folk, World, & Country"], ("folk", "world", "country")),
        (["Jazz+Funk", "jazz"], ("jazz", "funk")),
        (["Other", "Unknown", ""], ()),
        (["Electronica/Dance"], ("electronic",)),
        (["Vaporwave"], ("synthwave",)),
        (["Chiptune"], ("chiptune",)),
    ],
)
def test_messy_genres_become_canonical(raw: list[str], expected: tuple[str, ...]) -> None:
    assert split_genres(raw, default_genres()) == expected


def test_stored_genres_work_with_genre_widening(samples: Samples) -> None:
    genres = default_genres()
    scanned = read_file(str(samples.tagged("opus")), None, genres)
    assert any(genres.covers("electronic", genre) for genre in scanned.values.genres)
    assert any(genres.covers("house", genre) for genre in scanned.values.genres)

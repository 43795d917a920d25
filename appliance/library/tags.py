"""What a music file says about itself: tags read with mutagen, gaps filled from its path.

Every container names its tags differently (ID3 frames, MP4 atoms, Vorbis comments, APE items);
this module reads them into one :class:`TagValues`. Genre tags are messy in practice ("Rock; Pop",
"Hip-Hop/Rap", "(13)" ID3 numbers) and are split and normalised through the genre map, so stored
genres are canonical and genre widening works on them. Untagged files are named from their folders
and file name: "Artist/Album/01 Title.flac", "Artist - Title.mp3".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mutagen.id3 import ID3, TCON
from mutagen.mp4 import MP4Tags

from appliance.library.genres import GenreMap

# The ways containers name each field: ID3 frame, MP4 atom, then Vorbis comment / APE item names.
_ID3 = {
    "title": ("TIT2",),
    "artist": ("TPE1",),
    "album": ("TALB",),
    "album_artist": ("TPE2",),
    "genre": ("TCON",),
    "date": ("TDRC", "TORY", "TDOR"),
    "track": ("TRCK",),
    "bpm": ("TBPM",),
}
_MP4 = {
    "title": ("©nam",),
    "artist": ("©ART",),
    "album": ("©alb",),
    "album_artist": ("aART",),
    "genre": ("©gen",),
    "date": ("©day",),
    "track": ("trkn",),
    "bpm": ("tmpo",),
}
_NAMED = {
    "title": ("title",),
    "artist": ("artist",),
    "album": ("album",),
    "album_artist": ("albumartist", "album artist", "album_artist"),
    "genre": ("genre",),
    "date": ("date", "year", "originaldate"),
    "track": ("tracknumber", "track"),
    "bpm": ("bpm", "tempo"),
}

_GENRE_SEPARATORS = re.compile(r"\s*[;/|,+\\\x00]\s*")
_GENRE_AND = re.compile(r"\s+(?:&|and)\s+", re.IGNORECASE)
_LEADING_AND = re.compile(r"^(?:&|and)\s+", re.IGNORECASE)
# Values found in genre tags that say nothing about the music.
_NOT_GENRES = frozenset({"", "other", "unknown", "misc", "none", "genre", "cover", "remix"})

_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
_NUMBER = re.compile(r"\s*(\d+)")
_DECIMAL = re.compile(r"\s*(\d+(?:[.,]\d+)?)")
# "01 Title", "1. Title", "3-Title", "1-07 Title" (disc-track); not "5 Years" (one digit, a space).
_TRACK_PREFIX = re.compile(r"^(?:\d{1,2}[-.])?(?:(\d{1,3})\s*[-._)]\s*|(\d{2,3})\s+)(?=\S)(.+)$")
_DISC_FOLDER = re.compile(r"^(?:cd|dis[ck])\s*\d+$", re.IGNORECASE)
_FOLDER_YEAR = re.compile(r"^\s*(?:[\[(]?(\d{4})[\])]?\s*-\s*)|\s*[\[(](\d{4})[\])]\s*$")


@dataclass(frozen=True, slots=True)
class TagValues:
    """The fields the library keeps, as far as one source (tags or path) tells them."""

    title: str = ""
    artist: str = ""
    album: str = ""
    album_artist: str = ""
    genres: tuple[str, ...] = ()
    year: int | None = None
    track_number: int | None = None
    bpm: float | None = None

    def filled_from(self, fallback: TagValues) -> TagValues:
        """These values, with every empty one taken from ``fallback``."""
        return TagValues(
            title=self.title or fallback.title,
            artist=self.artist or fallback.artist,
            album=self.album or fallback.album,
            album_artist=self.album_artist or fallback.album_artist,
            genres=self.genres or fallback.genres,
            year=self.year if self.year is not None else fallback.year,
            track_number=(
                self.track_number if self.track_number is not None else fallback.track_number
            ),
            bpm=self.bpm if self.bpm is not None else fallback.bpm,
        )


def read_tag_values(tags: Any, genres: GenreMap) -> TagValues:
    """The fields in a mutagen tag object of any container (None: no tags)."""
    if tags is None:
        return TagValues()

    def first(field: str) -> str:
        return next(iter(_texts(tags, field)), "").strip()

    def joined(field: str) -> str:
        values: list[str] = []
        for text in _texts(tags, field):
            text = text.strip()
            if text and text not in values:
                values.append(text)
        return ", ".join(values)

    return TagValues(
        title=joined("title"),
        artist=joined("artist"),
        album=first("album"),
        album_artist=joined("album_artist"),
        genres=split_genres(_texts(tags, "genre"), genres),
        year=_year(_texts(tags, "date")),
        track_number=_positive(first("track")),
        bpm=_bpm(first("bpm")),
    )


def _texts(tags: Any, field: str) -> Iterator[str]:
    """Every text value of ``field`` in ``tags``, in the container's own naming."""
    if isinstance(tags, ID3):
        for frame_id in _ID3[field]:
            for frame in tags.getall(frame_id):
                yield from (str(text) for text in frame.text)
    elif isinstance(tags, MP4Tags):
        for key in _MP4[field]:
            for value in tags.get(key, ()):
                yield str(value[0] if isinstance(value, tuple) else value)
    else:
        for key in _NAMED[field]:
            try:
                values = tags[key]
            except (KeyError, ValueError, TypeError):
                continue
            if isinstance(values, str):
                values = [values]
            for value in values:
                yield from str(value).split("\x00")


def split_genres(values: Iterable[str], genres: GenreMap) -> tuple[str, ...]:
    """Canonical genre names in raw genre tag values, in order, without repeats.

    >>> from appliance.library.genres import default_genres
    >>> split_genres(["Hip-Hop/Rap; (13)", "Rock & Roll", "Alternative & Punk"], default_genres())
    ('hip hop', 'pop', 'rock', 'alternative', 'punk')
    """
    found: list[str] = []
    for value in values:
        for piece in _genre_pieces(value, genres):
            name = genres.normalise(piece)
            if name not in _NOT_GENRES and name not in found:
                found.append(name)
    return tuple(found)


def _genre_pieces(value: str, genres: GenreMap) -> list[str]:
    """Split a genre value on separators unless the whole value is a known genre; read ID3's
    numeric forms ("13", "(13)", "(17)Rock", in any container); split on "&" or "and" only when
    every part is a known genre ("Rhythm & Blues" stays whole)."""
    if genres.canonical(value):
        return [value]
    pieces: list[str] = []
    for part in _GENRE_SEPARATORS.split(value):
        part = _LEADING_AND.sub("", part.strip())
        if not part:
            continue
        for spelled in TCON(encoding=3, text=[part]).genres:
            halves = _GENRE_AND.split(spelled)
            if (
                len(halves) > 1
                and not genres.canonical(spelled)
                and all(map(genres.canonical, halves))
            ):
                pieces.extend(halves)
            else:
                pieces.append(spelled)
    return pieces


def _year(values: Iterable[str]) -> int | None:
    for value in values:
        match = _YEAR.search(value)
        if match:
            return int(match.group(1))
    return None


def _positive(text: str) -> int | None:
    match = _NUMBER.match(text)
    if not match:
        return None
    number = int(match.group(1))
    return number if 0 < number < 10000 else None


def _bpm(text: str) -> float | None:
    match = _DECIMAL.match(text)
    if not match:
        return None
    bpm = float(match.group(1).replace(",", "."))
    return round(bpm, 2) if 30 <= bpm <= 300 else None


def _clean(name: str) -> str:
    return " ".join(name.replace("_", " ").split())


def guess_from_path(path: Path, root: Path | None = None) -> TagValues:
    """Title, artist, album, track number and year as a music folder's names suggest them.

    >>> guess = guess_from_path(Path("/m/Nina Simone/Pastel Blues (1965)/03 Be My Husband.flac"))
    >>> guess.artist, guess.album, guess.year, guess.track_number, guess.title
    ('Nina Simone', 'Pastel Blues', 1965, 3, 'Be My Husband')
    """
    stem = _clean(path.stem)
    track_number: int | None = None
    match = _TRACK_PREFIX.match(stem)
    if match:
        track_number = _positive(match.group(1) or match.group(2))
        stem = match.group(3).strip()
    artist = ""
    title = stem
    parts = [part.strip() for part in stem.split(" - ")]
    if len(parts) >= 2 and all(parts):
        if len(parts) >= 3 and parts[1].isdigit():
            track_number = track_number or _positive(parts[1])
            parts.pop(1)
        artist, title = parts[0], " - ".join(parts[1:])

    if root is not None and path.parent.is_relative_to(root):
        folders = list(path.parent.relative_to(root).parts)
    else:
        folders = list(path.parent.parts)[-2:]
    folders = [_clean(folder) for folder in folders if folder not in ("", "/")]
    if folders and _DISC_FOLDER.match(folders[-1]):
        folders.pop()
    album = ""
    folder_artist = ""
    if len(folders) >= 2:
        folder_artist, album = folders[-2], folders[-1]
    elif folders:
        album = folders[-1]
        if " - " in album:
            folder_artist, album = (part.strip() for part in album.split(" - ", 1))
    year = None
    year_match = _FOLDER_YEAR.search(album)
    if year_match:
        year = int(year_match.group(1) or year_match.group(2))
        album = _FOLDER_YEAR.sub("", album, count=1).strip() or album
    return TagValues(
        title=title or _clean(path.stem),
        artist=artist or folder_artist,
        album=album,
        year=year,
        track_number=track_number,
    )


def with_title(values: TagValues, path: Path) -> TagValues:
    """Make sure a track always has a title (the file name when nothing else says)."""
    return values if values.title else replace(values, title=_clean(path.stem) or path.name)

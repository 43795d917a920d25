"""Simulated listeners with hidden tastes, and a realistic library for them to listen to.

Written apart from the recommender, to judge it: a listener's taste is hidden from the DJ, which
only sees what the listener does (completes, skips at a position, likes, dislikes). Listeners hear
a track as it is (its ``Truth``), not as it is tagged, so a track whose tags lack a tempo still
sounds fast. Everything is seeded: the same seed gives the same library and the same listeners.

The library: artists with a home genre from the genre map and a career span; albums of 8-14
tracks; tempo, energy, loudness and length that suit the genre and vary within it; years weighted
to recent decades; about 15 % of tracks without a tempo, an energy or a year tag.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import ClassVar

from appliance.library.genres import GenreMap, default_genres
from appliance.library.track import Track
from tests.support.tracksets import TrackSet

GENRES: GenreMap = default_genres()
FIRST_YEAR, LAST_YEAR = 1955, 2025

# genre: (bpm, bpm spread, energy, minutes, first year, last year, share weight)
PROFILES: dict[str, tuple[float, float, float, float, int, int, float]] = {
    "electronic": (125, 12, 0.65, 5.0, 1975, 2025, 1.5),
    "house": (124, 3, 0.70, 6.0, 1985, 2025, 2.0),
    "deep house": (121, 3, 0.55, 6.5, 1988, 2025, 1.5),
    "tech house": (126, 2, 0.72, 6.5, 1995, 2025, 1.0),
    "progressive house": (127, 2, 0.70, 7.0, 1992, 2025, 0.8),
    "techno": (132, 5, 0.78, 6.5, 1987, 2025, 1.5),
    "trance": (138, 3, 0.75, 7.0, 1991, 2025, 1.0),
    "drum and bass": (174, 3, 0.85, 5.5, 1993, 2025, 1.0),
    "dubstep": (140, 2, 0.85, 4.5, 2005, 2025, 0.7),
    "garage": (132, 3, 0.70, 4.5, 1996, 2025, 0.6),
    "breakbeat": (132, 8, 0.78, 5.0, 1990, 2025, 0.6),
    "idm": (115, 25, 0.50, 5.5, 1991, 2025, 0.6),
    "synthwave": (105, 12, 0.60, 4.5, 2008, 2025, 0.7),
    "ambient": (80, 15, 0.15, 7.5, 1975, 2025, 1.0),
    "downtempo": (95, 10, 0.35, 5.0, 1992, 2025, 1.0),
    "trip hop": (90, 8, 0.40, 5.0, 1991, 2025, 0.8),
    "lounge": (105, 12, 0.30, 4.0, 1955, 2025, 0.5),
    "rock": (120, 20, 0.72, 4.0, 1955, 2025, 3.0),
    "classic rock": (122, 20, 0.68, 4.5, 1964, 1990, 2.5),
    "alternative": (125, 20, 0.70, 4.0, 1982, 2025, 2.0),
    "indie": (120, 18, 0.60, 3.8, 1985, 2025, 1.5),
    "indie rock": (128, 20, 0.70, 3.8, 1985, 2025, 2.5),
    "indie pop": (118, 16, 0.58, 3.5, 1985, 2025, 1.5),
    "indie folk": (100, 18, 0.35, 4.0, 2000, 2025, 1.2),
    "hard rock": (128, 18, 0.85, 4.3, 1968, 2025, 2.0),
    "punk": (175, 20, 0.90, 2.6, 1975, 2025, 1.5),
    "emo": (150, 25, 0.78, 3.6, 1990, 2025, 0.7),
    "grunge": (120, 18, 0.80, 4.2, 1987, 1999, 0.8),
    "progressive rock": (115, 25, 0.62, 7.5, 1968, 2025, 1.0),
    "psychedelic rock": (112, 20, 0.60, 5.0, 1965, 2025, 1.0),
    "post rock": (105, 20, 0.45, 7.5, 1994, 2025, 0.6),
    "shoegaze": (115, 15, 0.65, 4.8, 1988, 2025, 0.5),
    "metal": (135, 30, 0.92, 5.0, 1970, 2025, 1.5),
    "death metal": (170, 30, 0.97, 4.5, 1987, 2025, 0.6),
    "black metal": (165, 30, 0.95, 6.0, 1990, 2025, 0.5),
    "thrash metal": (180, 20, 0.95, 5.0, 1983, 2025, 0.6),
    "metalcore": (150, 25, 0.95, 4.0, 1998, 2025, 0.5),
    "pop": (115, 15, 0.62, 3.5, 1955, 2025, 4.0),
    "synthpop": (120, 10, 0.62, 4.0, 1979, 2025, 1.2),
    "dance pop": (122, 6, 0.75, 3.5, 1983, 2025, 1.5),
    "k-pop": (120, 12, 0.75, 3.5, 1996, 2025, 0.7),
    "j-pop": (125, 15, 0.70, 4.2, 1990, 2025, 0.5),
    "hip hop": (92, 8, 0.68, 4.0, 1979, 2025, 3.5),
    "trap": (140, 6, 0.72, 3.2, 2008, 2025, 1.2),
    "boom bap": (90, 5, 0.65, 4.0, 1986, 2025, 1.0),
    "lo-fi": (80, 7, 0.28, 2.6, 2012, 2025, 0.8),
    "r&b": (95, 15, 0.52, 4.0, 1955, 2025, 2.0),
    "soul": (105, 20, 0.55, 3.5, 1958, 2025, 2.0),
    "neo soul": (88, 10, 0.45, 4.5, 1995, 2025, 0.8),
    "funk": (108, 10, 0.72, 4.5, 1965, 2025, 1.2),
    "disco": (120, 6, 0.75, 5.5, 1974, 1985, 1.0),
    "gospel": (95, 25, 0.55, 4.5, 1955, 2025, 0.5),
    "jazz": (120, 35, 0.40, 6.0, 1955, 2025, 2.0),
    "bebop": (190, 25, 0.60, 5.5, 1955, 1970, 0.8),
    "cool jazz": (110, 25, 0.30, 6.0, 1955, 1975, 0.8),
    "smooth jazz": (95, 12, 0.35, 5.0, 1975, 2025, 0.8),
    "jazz fusion": (120, 20, 0.60, 7.0, 1969, 2025, 0.7),
    "swing": (150, 25, 0.60, 3.2, 1955, 2025, 0.5),
    "acid jazz": (110, 8, 0.62, 5.0, 1988, 2025, 0.5),
    "free jazz": (130, 40, 0.55, 9.0, 1959, 2025, 0.3),
    "latin jazz": (120, 20, 0.55, 5.5, 1955, 2025, 0.5),
    "bossa nova": (130, 15, 0.25, 3.5, 1958, 2025, 0.7),
    "blues": (100, 25, 0.50, 4.5, 1955, 2025, 1.2),
    "delta blues": (90, 20, 0.35, 3.5, 1955, 1975, 0.4),
    "electric blues": (110, 20, 0.62, 4.8, 1955, 2025, 0.8),
    "classical": (100, 30, 0.25, 7.5, 1955, 2025, 1.5),
    "baroque": (110, 25, 0.30, 6.0, 1955, 2025, 0.8),
    "opera": (90, 25, 0.45, 6.5, 1955, 2025, 0.5),
    "chamber music": (95, 25, 0.22, 7.0, 1955, 2025, 0.5),
    "piano": (85, 25, 0.18, 5.0, 1955, 2025, 0.8),
    "contemporary classical": (80, 25, 0.25, 7.5, 1955, 2025, 0.5),
    "choral": (75, 15, 0.25, 5.0, 1955, 2025, 0.3),
    "soundtrack": (100, 30, 0.45, 3.5, 1960, 2025, 1.2),
    "country": (110, 20, 0.55, 3.2, 1955, 2025, 2.0),
    "bluegrass": (140, 25, 0.60, 3.0, 1955, 2025, 0.5),
    "americana": (105, 20, 0.45, 4.0, 1990, 2025, 0.7),
    "country rock": (125, 15, 0.68, 3.8, 1968, 2025, 0.7),
    "folk": (100, 20, 0.30, 3.8, 1955, 2025, 1.5),
    "singer-songwriter": (95, 20, 0.30, 4.0, 1965, 2025, 1.2),
    "celtic": (120, 25, 0.45, 4.0, 1965, 2025, 0.4),
    "acoustic": (95, 20, 0.22, 3.5, 1955, 2025, 0.7),
    "reggae": (80, 8, 0.50, 4.0, 1968, 2025, 1.0),
    "dub": (75, 6, 0.45, 5.0, 1972, 2025, 0.4),
    "ska": (150, 20, 0.75, 3.0, 1960, 2025, 0.5),
    "dancehall": (95, 8, 0.72, 3.5, 1980, 2025, 0.5),
    "latin": (110, 20, 0.65, 4.0, 1955, 2025, 1.0),
    "salsa": (180, 15, 0.75, 5.0, 1965, 2025, 0.5),
    "reggaeton": (92, 4, 0.78, 3.5, 1995, 2025, 0.7),
    "bachata": (128, 8, 0.55, 4.0, 1990, 2025, 0.3),
    "cumbia": (95, 10, 0.65, 3.8, 1955, 2025, 0.3),
    "samba": (100, 10, 0.70, 3.8, 1955, 2025, 0.3),
    "tango": (120, 20, 0.50, 3.5, 1955, 2025, 0.3),
    "flamenco": (110, 30, 0.60, 4.5, 1955, 2025, 0.3),
    "world": (110, 25, 0.55, 4.5, 1955, 2025, 0.6),
    "afrobeat": (112, 8, 0.75, 7.0, 1970, 2025, 0.4),
    "new age": (75, 15, 0.15, 7.0, 1975, 2025, 0.5),
    "easy listening": (100, 15, 0.30, 3.2, 1955, 2025, 0.6),
    "children's": (110, 15, 0.50, 2.5, 1960, 2025, 0.2),
    "comedy": (100, 20, 0.40, 3.0, 1960, 2025, 0.15),
    "spoken word": (90, 15, 0.20, 4.0, 1955, 2025, 0.15),
}

# how many artists start their careers in each decade, relative (the 2020s hold six years)
DECADE_WEIGHT = {1950: 0.3, 1960: 0.7, 1970: 1.0, 1980: 1.2, 1990: 1.6, 2000: 1.8, 2010: 1.9}
RECENT_WEIGHT = 0.8  # 2020-2025, per decade
ALBUMS_PER_ARTIST = ((1, 0.5), (2, 0.25), (3, 0.12), (4, 0.07), (5, 0.04), (6, 0.02))
MISSING_ALBUM = 0.12  # albums never analysed: no tempo or energy on any track
MISSING_TRACK = 0.04  # single tracks without them
MISSING_YEAR_ALBUM, MISSING_YEAR_TRACK = 0.1, 0.035
UNTAGGED_GENRE = 0.04  # albums with no genre tag at all
BPM_RANGE, SECONDS_RANGE = (50.0, 220.0), (120.0, 540.0)

_SYLLABLES = [
    "ka", "lo", "mi", "ra", "ven", "tor", "sel", "an", "bri", "dar", "el", "fin", "gal", "hol",
    "ix", "jun", "kel", "lum", "mar", "nor", "ost", "pel", "quin", "ros", "sil", "tam", "ul",
    "vor", "wen", "yar", "zel", "bo", "ce", "du", "fa", "gi", "ha", "ja", "ke", "li", "mo", "nu"
]  # fmt: skip
_WORDS = [
    "amber", "harbour", "lantern", "glass", "river", "paper", "northern", "velvet", "silver",
    "orchard", "signal", "marble", "hollow", "ember", "copper", "winter", "garden", "station",
    "meadow", "island", "cinder", "echo", "violet", "tidal", "falcon", "ribbon", "compass",
    "cobalt", "granite", "willow", "canyon", "beacon", "prairie", "saffron", "juniper", "harvest",
    "satellite", "cathedral", "lighthouse", "postcard", "telescope", "avenue", "tangerine",
    "feather", "horizon", "mirror"
]  # fmt: skip
_PLURALS = [
    "lanterns", "foxes", "pilots", "ravens", "sparrows", "engines", "tides", "mirrors", "hollows",
    "comets", "kites", "wolves"
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Truth:
    """What a listener hears in a track, whatever its tags say."""

    genres: tuple[str, ...]
    bpm: float
    energy: float
    year: int
    loudness: float  # LUFS


@dataclass(frozen=True, slots=True)
class Artist:
    name: str
    genre: str
    first_year: int
    last_year: int


@dataclass
class GeneratedLibrary:
    """The tracks as tagged, what each one truly sounds like, and who made them."""

    tracks: list[Track]
    truth: dict[str, Truth]
    artists: dict[str, Artist]

    def library(self) -> TrackSet:
        return TrackSet(self.tracks)


def profile(genre: str) -> tuple[float, float, float, float, int, int, float]:
    """A genre's profile; a genre the table lacks borrows its first parent's, weighted low."""
    if genre in PROFILES:
        return PROFILES[genre]
    for parent in GENRES.parents(genre):
        return (*profile(parent)[:6], 0.3)
    return (110, 20, 0.5, 4.0, FIRST_YEAR, LAST_YEAR, 0.3)


def _year_weight(year: int) -> float:
    decade = year - year % 10
    return RECENT_WEIGHT / 6 if decade >= 2020 else DECADE_WEIGHT[decade] / 10


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        if rng.random() < 0.25:
            name = f"The {rng.choice(_WORDS).title()} {rng.choice(_PLURALS).title()}"
        else:
            first = "".join(rng.choices(_SYLLABLES, k=rng.choice((2, 2, 3)))).title()
            last = "".join(rng.choices(_SYLLABLES, k=rng.choice((2, 3)))).title()
            name = f"{first} {last}"
        if name not in taken:
            taken.add(name)
            return name


def _title(rng: random.Random) -> str:
    words = rng.sample(_WORDS, rng.choice((1, 2, 2, 3)))
    return " ".join(words).title()


def _second_genre(rng: random.Random, genre: str) -> str | None:
    """Real tags often add the parent ("deep house; house") or a sibling genre."""
    parents = GENRES.parents(genre)
    if not parents:
        return None
    parent = rng.choice(parents)
    siblings = sorted(GENRES.descendants(parent) - {genre})
    if siblings and rng.random() < 0.3:
        return rng.choice(siblings)
    return parent


def generate_library(size: int = 3000, seed: int = 14) -> GeneratedLibrary:
    """At least ``size`` tracks (whole albums), deterministic for a seed."""
    rng = random.Random(seed)
    names = [g for g in GENRES.names() if profile(g)[6] > 0]
    weights = [profile(g)[6] for g in names]
    taken: set[str] = set()
    tracks: list[Track] = []
    truth: dict[str, Truth] = {}
    artists: dict[str, Artist] = {}
    counts, count_weights = zip(*ALBUMS_PER_ARTIST, strict=True)
    while len(tracks) < size:
        genre = rng.choices(names, weights)[0]
        bpm, spread, energy, minutes, first, last, _ = profile(genre)
        first, last = max(first, FIRST_YEAR), min(last, LAST_YEAR)
        years = list(range(first, last + 1))
        start = rng.choices(years, [_year_weight(y) for y in years])[0]
        albums = rng.choices(counts, count_weights)[0]
        end = min(LAST_YEAR, last + 5, start + round(rng.expovariate(1 / 5)) + albums - 1)
        artist = Artist(_name(rng, taken), genre, start, end)
        artists[artist.name] = artist
        artist_bpm = bpm + rng.gauss(0, spread * 0.5)
        artist_energy = energy + rng.gauss(0, 0.08)
        sound = (artist_bpm, spread, artist_energy, minutes)
        for year in sorted(rng.randint(start, end) for _ in range(albums)):
            album = _Album(
                artist,
                _title(rng),
                year,
                no_analysis=rng.random() < MISSING_ALBUM,
                no_year=rng.random() < MISSING_YEAR_ALBUM,
                no_genre=rng.random() < UNTAGGED_GENRE,
            )
            for number in range(1, rng.randint(8, 14) + 1):
                track_id = f"t{len(tracks):06d}"
                track, truth[track_id] = _track(rng, album, number, track_id, sound)
                tracks.append(track)
    return GeneratedLibrary(tracks, truth, artists)


@dataclass(frozen=True, slots=True)
class _Album:
    artist: Artist
    title: str
    year: int
    no_analysis: bool  # never analysed: no tempo or energy tags
    no_year: bool
    no_genre: bool


def _squash(value: float) -> float:
    """Keeps energy inside 0..1 smoothly, so that intense genres do not pile up at the top."""
    return 1 / (1 + math.exp(-5 * (value - 0.5)))


def _track(
    rng: random.Random,
    album: _Album,
    number: int,
    track_id: str,
    sound: tuple[float, float, float, float],
) -> tuple[Track, Truth]:
    artist_bpm, spread, artist_energy, minutes = sound
    bpm = min(max(artist_bpm + rng.gauss(0, spread * 0.85), BPM_RANGE[0]), BPM_RANGE[1])
    lift = 0.1 * (bpm - artist_bpm) / max(spread, 1.0)  # faster tracks of an artist hit harder
    energy = _squash(artist_energy + lift + rng.gauss(0, 0.08))
    loudness = -24 + 16 * energy + (2.5 if album.year >= 1995 else 0.0) + rng.gauss(0, 1.5)
    seconds = min(max(60 * minutes * math.exp(rng.gauss(0, 0.25)), SECONDS_RANGE[0]), 540.0)
    artist = album.artist
    second = _second_genre(rng, artist.genre) if rng.random() < 0.25 else None
    genres = (artist.genre, second) if second else (artist.genre,)
    truth = Truth(genres, round(bpm, 1), round(energy, 3), album.year, round(loudness, 1))
    missing = album.no_analysis or rng.random() < MISSING_TRACK
    title = _title(rng)
    track = Track(
        track_id=track_id,
        path=f"/music/{artist.name}/{album.title}/{number:02d} {title}.flac",
        title=title,
        artist=artist.name,
        album=album.title,
        album_artist=artist.name,
        genres=() if album.no_genre else genres,
        year=None if album.no_year or rng.random() < MISSING_YEAR_TRACK else album.year,
        track_number=number,
        duration=round(seconds, 1),
        bpm=None if missing else round(bpm),
        energy=None if missing else round(energy, 3),
    )
    return track, truth


# -- listeners ---------------------------------------------------------------------------------

# How people react. To a track that fits their taste: mostly heard to the end, sometimes liked,
# sometimes skipped anyway (the wrong moment). To one that does not: mostly skipped early,
# sometimes finished all the same, now and then disliked out loud.
FIT_LIKED, FIT_COMPLETED = 0.10, 0.80  # the rest (0.10) skipped somewhere in the middle
MISS_COMPLETED, MISS_DISLIKED = 0.08, 0.04  # the rest (0.88) skipped, mostly early
FIT_CHANCE = FIT_LIKED + FIT_COMPLETED  # the chance a fitting track is played to the end
MISS_CHANCE = MISS_COMPLETED
PLAYED_OUT = ("completed", "liked")  # a liked track plays on to its end
MIN_SHARE, MAX_SHARE = 0.03, 0.14  # how much of the library a taste covers
MORNING = range(4, 14)  # the hours a time-of-day listener's morning taste holds


@cache
def covered(genres: tuple[str, ...], wanted: str) -> bool:
    """True when any of ``genres`` is ``wanted`` or one of its sub-genres."""
    return any(GENRES.covers(wanted, g) for g in genres)


class Listener(ABC):
    """A person with a hidden taste: ``fits`` is the taste, ``reaction`` what they do."""

    kind: ClassVar[str]

    def __init__(self, music: GeneratedLibrary, seed: int = 0) -> None:
        self.music = music
        self.rng = random.Random(seed)

    def reseed(self, seed: int) -> None:
        """Start the listener's moods over, so that each arm of a comparison gets its own."""
        self.rng = random.Random(seed)

    @abstractmethod
    def fits(self, track: Track, hour: int) -> bool:
        """Whether this track is what the listener wants at this hour (the hidden taste)."""

    @abstractmethod
    def describe(self) -> str:
        """The hidden taste in words, for reports."""

    def completion_chance(self, track: Track, hour: int) -> float:
        return FIT_CHANCE if self.fits(track, hour) else MISS_CHANCE

    def share(self, hour: int) -> float:
        """The share of the library that fits at this hour."""
        return sum(self.fits(t, hour) for t in self.music.tracks) / len(self.music.tracks)

    def reaction(self, track: Track, hour: int) -> tuple[str, float]:
        """(event, seconds into the track): completed, liked, skipped or disliked."""
        rng = self.rng
        length = track.duration or 240.0
        roll = rng.random()
        if self.fits(track, hour):
            if roll < FIT_LIKED:
                return "liked", round(length * rng.uniform(0.2, 0.8), 1)
            if roll < FIT_CHANCE:
                return "completed", length
            return "skipped", round(length * rng.uniform(0.15, 0.9), 1)
        if roll < MISS_COMPLETED:
            return "completed", length
        if roll < MISS_COMPLETED + MISS_DISLIKED:
            return "disliked", round(rng.uniform(5.0, 40.0), 1)
        if rng.random() < 0.75:
            return "skipped", round(min(rng.uniform(3.0, 40.0), length), 1)
        return "skipped", round(length * rng.uniform(0.2, 0.8), 1)

    def truth(self, track: Track) -> Truth:
        return self.music.truth[track.track_id]


class GenreListener(Listener):
    """Loves one or two genres (and their sub-genres), whatever their tempo or age."""

    kind = "genre"

    def __init__(self, music: GeneratedLibrary, genres: Sequence[str], seed: int = 0) -> None:
        super().__init__(music, seed)
        self.genres = tuple(genres)

    def fits(self, track: Track, hour: int) -> bool:
        heard = self.truth(track).genres
        return any(covered(heard, g) for g in self.genres)

    def describe(self) -> str:
        return " + ".join(self.genres)


class GenreTempoListener(Listener):
    """Genres, each only in a tempo range: fast rock but slow jazz."""

    kind = "genre+tempo"

    def __init__(
        self, music: GeneratedLibrary, rules: Sequence[tuple[str, float, float]], seed: int = 0
    ) -> None:
        super().__init__(music, seed)
        self.rules = tuple(rules)

    def fits(self, track: Track, hour: int) -> bool:
        heard = self.truth(track)
        return any(covered(heard.genres, g) and lo <= heard.bpm <= hi for g, lo, hi in self.rules)

    def describe(self) -> str:
        return " + ".join(f"{g} {lo:.0f}-{hi:.0f} bpm" for g, lo, hi in self.rules)


class EnergyListener(Listener):
    """Only calm music, or only intense music, of any genre."""

    kind = "energy"

    def __init__(self, music: GeneratedLibrary, low: float, high: float, seed: int = 0) -> None:
        super().__init__(music, seed)
        self.low, self.high = low, high

    def fits(self, track: Track, hour: int) -> bool:
        return self.low <= self.truth(track).energy <= self.high

    def describe(self) -> str:
        return f"energy {self.low:.2f}-{self.high:.2f}"


class EraListener(Listener):
    """Only music from some years: the nineties, or anything before 1980."""

    kind = "era"

    def __init__(self, music: GeneratedLibrary, first: int, last: int, seed: int = 0) -> None:
        super().__init__(music, seed)
        self.first, self.last = first, last

    def fits(self, track: Track, hour: int) -> bool:
        return self.first <= self.truth(track).year <= self.last

    def describe(self) -> str:
        return f"years {self.first}-{self.last}"


class ArtistListener(Listener):
    """A handful of artists and nothing else."""

    kind = "artists"

    def __init__(self, music: GeneratedLibrary, artists: Iterable[str], seed: int = 0) -> None:
        super().__init__(music, seed)
        self.artists = frozenset(artists)

    def fits(self, track: Track, hour: int) -> bool:
        return track.artist in self.artists

    def describe(self) -> str:
        return f"{len(self.artists)} artists: " + ", ".join(sorted(self.artists))


class TimeOfDayListener(Listener):
    """One taste in the morning, another in the evening."""

    kind = "time of day"

    def __init__(self, morning: Listener, evening: Listener, seed: int = 0) -> None:
        super().__init__(morning.music, seed)
        self.morning, self.evening = morning, evening

    def fits(self, track: Track, hour: int) -> bool:
        part = self.morning if hour in MORNING else self.evening
        return part.fits(track, hour)

    def describe(self) -> str:
        return f"mornings {self.morning.describe()}; evenings {self.evening.describe()}"


# -- drawing listeners at random -----------------------------------------------------------------


class _Draw:
    """Draws listeners of each kind, with parameters that cover a sensible share of the library."""

    def __init__(self, music: GeneratedLibrary, rng: random.Random) -> None:
        self.music = music
        self.rng = rng
        self.coverage: dict[str, float] = {}
        self.seen: set[str] = set()  # no two listeners with the same taste
        self.calm = False
        heard = [music.truth[t.track_id].genres for t in music.tracks]
        for genre in GENRES.names():
            self.coverage[genre] = sum(covered(h, genre) for h in heard) / len(heard)

    def _accept(self, listener: Listener) -> bool:
        taste = f"{listener.kind}: {listener.describe()}"
        if taste in self.seen or not MIN_SHARE <= listener.share(12) <= MAX_SHARE:
            return False
        self.seen.add(taste)
        return True

    def _until(self, make: Callable[[], Listener]) -> Listener:
        for _ in range(500):
            listener = make()
            if self._accept(listener):
                return listener
        raise RuntimeError("no listener of this kind fits this library; is it too small?")

    def _genres(self, low: float, high: float) -> list[str]:
        return sorted(g for g, share in self.coverage.items() if low <= share <= high)

    def genre(self) -> Listener:
        def make() -> Listener:
            if self.rng.random() < 0.5:
                return GenreListener(self.music, [self.rng.choice(self._genres(0.04, 0.13))])
            pool = self._genres(0.015, 0.07)
            return GenreListener(self.music, self.rng.sample(pool, 2))

        return self._until(make)

    def genre_tempo(self) -> Listener:
        def rule(genre: str, fast: bool) -> tuple[str, float, float]:
            tempos = sorted(
                self.music.truth[t.track_id].bpm
                for t in self.music.tracks
                if covered(self.music.truth[t.track_id].genres, genre)
            )
            cut = tempos[int(len(tempos) * self.rng.uniform(0.4, 0.6))]
            return (genre, cut, BPM_RANGE[1]) if fast else (genre, BPM_RANGE[0], cut)

        def make() -> Listener:
            first, second = self.rng.sample(self._genres(0.04, 0.2), 2)
            if GENRES.covers(first, second) or GENRES.covers(second, first):
                return GenreTempoListener(self.music, [])  # rejected: one genre holds the other
            fast = self.rng.random() < 0.5
            rules = [rule(first, fast), rule(second, not fast if self.rng.random() < 0.7 else fast)]
            return GenreTempoListener(self.music, rules)

        return self._until(make)

    def energy(self) -> Listener:
        levels = sorted(t.energy for t in self.music.truth.values())

        self.calm = not self.calm  # as many calm listeners as intense ones

        def make() -> Listener:
            share = self.rng.uniform(0.06, 0.12)
            if self.calm:
                return EnergyListener(self.music, 0.0, levels[int(len(levels) * share)])
            return EnergyListener(self.music, levels[int(len(levels) * (1 - share))], 1.0)

        return self._until(make)

    def era(self) -> Listener:
        def make() -> Listener:
            shape = self.rng.random()
            if shape < 0.4:
                start = self.rng.randrange(1960, 2020, 10)
                return EraListener(self.music, start, start + 9)
            if shape < 0.7:
                start = self.rng.randrange(1960, 2021, 5)
                return EraListener(self.music, start, start + 4)
            return EraListener(self.music, FIRST_YEAR, self.rng.randint(1968, 1985) - 1)

        return self._until(make)

    def artists(self) -> Listener:
        sizes = Counter(t.artist for t in self.music.tracks)
        names = sorted(sizes)

        def make() -> Listener:
            count = self.rng.randint(5, 8)
            chosen: set[str] = set()
            while len(chosen) < count:
                chosen.add(self.rng.choices(names, [sizes[n] for n in names])[0])
            return ArtistListener(self.music, chosen)

        return self._until(make)

    def time_of_day(self) -> Listener:
        kinds = [self.genre, self.genre_tempo, self.energy, self.era, self.artists]
        morning, evening = self.rng.sample(kinds, 2)
        return TimeOfDayListener(morning(), evening())


KINDS = ("genre", "genre+tempo", "energy", "era", "artists", "time of day")


def make_listeners(music: GeneratedLibrary, per_kind: int = 6, seed: int = 14) -> list[Listener]:
    """``per_kind`` listeners of every kind, each with its own randomly drawn taste."""
    rng = random.Random(seed)
    draw = _Draw(music, rng)
    makers = {
        "genre": draw.genre,
        "genre+tempo": draw.genre_tempo,
        "energy": draw.energy,
        "era": draw.era,
        "artists": draw.artists,
        "time of day": draw.time_of_day,
    }
    listeners = []
    for kind in KINDS:
        for _ in range(per_kind):
            listener = makers[kind]()
            listener.reseed(rng.randrange(2**32))
            listeners.append(listener)
    return listeners


# -- what was played ----------------------------------------------------------------------------

REPEAT_WINDOW = 50  # no track twice among this many consecutive picks


@dataclass(frozen=True, slots=True)
class Play:
    """One pick, what the listener did with it, and at what hour."""

    track: Track
    event: str
    hour: int


def completed(plays: Sequence[Play]) -> float:
    """The share of picks played to their end (a liked track plays on to its end)."""
    return sum(p.event in PLAYED_OUT for p in plays) / len(plays)


def repeats(plays: Sequence[Play], window: int = REPEAT_WINDOW) -> list[int]:
    """The picks that bring back a track: twice among any ``window`` consecutive picks."""
    last: dict[str, int] = {}
    found = []
    for index, play in enumerate(plays):
        seen = last.get(play.track.track_id)
        if seen is not None and index - seen < window:
            found.append(index)
        last[play.track.track_id] = index
    return found


# -- the other pickers and the clock ------------------------------------------------------------


class Shuffle:
    """Plain shuffle: the library in a random order, each track once before any repeats."""

    def __init__(self, tracks: Sequence[Track], seed: int) -> None:
        self._order = list(tracks)
        random.Random(seed).shuffle(self._order)
        self._next = 0

    def pick(self, hour: int) -> Track:
        track = self._order[self._next % len(self._order)]
        self._next += 1
        return track


class Oracle:
    """Knows the hidden taste: any track that fits now and did not play in the last 50 picks."""

    def __init__(self, listener: Listener, seed: int, window: int = REPEAT_WINDOW) -> None:
        self.listener = listener
        self.rng = random.Random(seed)
        self.window = window
        self.recent: list[str] = []
        self._fitting: dict[bool, list[Track]] = {}

    def pick(self, hour: int) -> Track:
        morning = hour in MORNING
        if morning not in self._fitting:
            self._fitting[morning] = [
                t for t in self.listener.music.tracks if self.listener.fits(t, hour)
            ]
        recent = set(self.recent[-self.window :])
        pool = [t for t in self._fitting[morning] if t.track_id not in recent]
        track = self.rng.choice(pool or self.listener.music.tracks)
        self.recent.append(track.track_id)
        return track


class ListeningDays:
    """The simulated clock: sessions of ``per_session`` tracks, mornings and evenings in turn.

    Session 0 starts at 07:30 on the first day, session 1 at 19:00, session 2 the next morning;
    within a session the clock moves on by what was heard of each track.
    """

    def __init__(self, per_session: int = 10, start: datetime | None = None) -> None:
        self.per_session = per_session
        self.start = start or datetime(2026, 3, 2)
        self.now = self.start

    def __call__(self) -> datetime:
        return self.now

    def before_pick(self, index: int) -> None:
        if index % self.per_session == 0:
            session = index // self.per_session
            day = self.start + timedelta(days=session // 2)
            self.now = day + (
                timedelta(hours=7, minutes=30) if session % 2 == 0 else timedelta(hours=19)
            )

    def heard(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds + 2)


def expected_share(listener: Listener, hours: Sequence[int]) -> float:
    """The completed share plain shuffle should get, on average over the given pick hours."""
    tracks = listener.music.tracks
    chances = {
        h: sum(listener.completion_chance(t, h) for t in tracks) / len(tracks) for h in set(hours)
    }
    return sum(chances[h] for h in hours) / len(hours)

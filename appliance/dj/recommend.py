"""Choosing what plays next.

The library is held as numpy arrays, rebuilt only when the library changes: for each side of a
track the listener may care about (artist, album, genres, tempo, energy, loudness, era, length,
genre with tempo and with energy) every track's key as a code, so a pick over 100,000 tracks is
a handful of vector operations. A pick weighs, per side, what this listener's listening taught:
the Beta evidence of each key, read as log-odds against the listener's own average track (a key
never heard sits at that average, so when what is known disappoints, the unknown gets its turn).
Each side counts by how well it has told played-out tracks from skipped ones for this listener,
so the DJ learns which sides matter to whom; at first every side counts alike. Evidence of the
current part of the day counts in full, the rest of the day's less as that part's own evidence
grows. Then stated preferences, a stated mood (which moves the pick within the taste, not out of
it), the directions the listener asked for ("something slower", "older stuff"), what connected
friends loved, and variety (a small bonus for the unheard that fades as trust grows). Promises
are not weights: a blocked genre or artist, a disliked track and the last
:data:`REPEAT_WINDOW` tracks heard are left out unless nothing else is left (or the listener
asks for it by name).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from appliance.dj.decades import decade_starts, in_decade, nearest_decade
from appliance.dj.mood import MoodTarget
from appliance.dj.taste import (
    ALL,
    ENERGY_BINS,
    LENGTH_BINS,
    LOUDNESS_BINS,
    SAID,
    STEERABLE,
    TEMPO_BINS,
    TRACK_RULES,
    YEAR_BINS,
    Taste,
    bin_key,
    ordinal_bins,
    sides,
)
from appliance.library.genres import GenreMap
from appliance.library.track import Track

PREFERENCE_PRIOR = 8.0  # a stated preference counts like eight completed tracks, at first
PRIOR_FADE = 8.0  # events' weight after which it counts half
PRIOR_SHARE = 0.5  # the share of picks a stated genre leads (see Recommender.pick)
FUZZY_CUTOFF = 80
REPEAT_WINDOW = 50  # no track twice among this many picks: a repeat the listener would notice
SHRINK = 2.0  # a key's estimate starts at the listener's average, worth this many events
# Another part of the day's evidence counts BUCKET_SHARE / (BUCKET_SHARE + events in this part):
# fully while this part is thin, little once it has a taste of its own.
BUCKET_SHARE = 10.0
# How much each side's log-odds count in the sum.
KIND_WEIGHTS: dict[str, float] = {
    "track": 1.0,
    "artist": 2.5,
    "album": 1.5,
    "genre": 0.8,
    "genre_tempo": 0.8,
    "genre_energy": 0.4,
    "tempo": 0.4,
    "energy": 0.6,
    "loudness": 0.4,
    "year": 0.6,
    "length": 0.2,
}
TELLING_POWER = 2.0  # how sharply sides that tell less are turned down
TELLING_EVIDENCE = 20.0  # events' weight at which that sharpness is half way
MULTI = ("genre", "genre_tempo", "genre_energy")  # sides a track has several keys of
BINS = {
    "tempo": TEMPO_BINS,
    "energy": ENERGY_BINS,
    "loudness": LOUDNESS_BINS,
    "year": YEAR_BINS,
    "length": LENGTH_BINS,
}
# what a reason's direction is called, per ordered side: (lower, higher)
DIRECTIONS = {
    "tempo": ("slower", "faster"),
    "energy": ("calmer", "more intense"),
    "loudness": ("quieter", "louder"),
    "year": ("older", "newer"),
    "length": ("shorter", "longer"),
}
# A key nobody has heard is taken to be played out this often; log-odds are measured from it.
BASE_RATE = 0.3
SAME_ARTIST = 0.5  # log-odds against the artist who just played
MOOD_WEIGHT = 2.0  # how far a stated mood's energy and tempo move a pick, in log-odds
CLIP = 0.02  # estimates are kept within CLIP..1-CLIP: no one key is ever certain
# How far what the listener asked for ("something slower") moves a pick: log-odds per spread of
# the library on that side, at full conviction (one word is half of it, see taste.SAID_KEPT).
STEER_WEIGHT = 3.0
STEER_LIMIT = 2.5  # spreads from the middle beyond which a track counts no more
# Played-out evidence (three tracks heard to the end, or a like and one more) before a reason
# says the listener likes a key ("the way you like it", "you keep playing them to the end").
REASON_EVIDENCE = 3.0


@dataclass(frozen=True)
class Request:
    """What the listener asked for; it steers picks until they ask for something else."""

    genre: str | None = None
    artist: str | None = None
    title: str | None = None
    album: str | None = None
    query: str | None = None  # a name the understanding could not find in the library

    def __bool__(self) -> bool:
        return any((self.genre, self.artist, self.title, self.album, self.query))


@dataclass(frozen=True)
class Pick:
    """A chosen track and why: reasons are (kind, detail) pairs the DJ can talk about; ``top``
    is the side of the learned taste that weighed most for it, e.g. ("tempo", "slower")."""

    track: Track
    reasons: tuple[tuple[str, str], ...] = ()
    matched: bool = True  # False: nothing answered the request; this is the closest there is
    top: tuple[str, str] | None = None


@dataclass
class Listener:
    """Everything about one listener a pick depends on."""

    preferences: Sequence[str] = ()
    blocked: Sequence[str] = ()
    taste: Taste = field(default_factory=Taste)
    friends: Sequence[tuple[str, Taste]] = ()  # (name, taste) of connected listeners
    target: MoodTarget | None = None
    mood: str | None = None
    trust: float = 0.5
    played: Iterable[str] = ()  # track ids picked this session, oldest first
    recent: Iterable[str] = ()  # track ids heard lately, newest first (events may repeat one)
    last_artist: str | None = None
    part: str | None = None  # part of the day ("morning"): its evidence counts most


class Side:
    """One side of the catalog: its keys, and each track's code; a missing key has the code
    ``len(names)``. A side with several keys per track (its genres) keeps them per distinct
    combination (``groups``: codes and weights per combination, ``codes``: each track's
    combination), so scoring stays one gather per track."""

    def __init__(
        self,
        names: dict[str, int],
        codes: np.ndarray,
        groups: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.index = names
        self.codes = codes
        self.groups = groups
        if groups is not None:
            self.total = np.maximum(groups[1].sum(axis=1), 1e-9)

    def __len__(self) -> int:
        return len(self.index)

    def per_code(self, per_key: np.ndarray) -> np.ndarray:
        """Values per entry of :attr:`codes` from per-key values (several keys per track:
        their weighted mean per combination); ``result[codes]`` is each track's."""
        if self.groups is None:
            return per_key
        codes, weights = self.groups
        return (per_key[codes] * weights).sum(axis=1) / self.total


class Catalog:
    """The library as arrays for fast scoring."""

    def __init__(self, tracks: Sequence[Track], genres: GenreMap) -> None:
        self.tracks = list(tracks)
        self.genres = genres
        self.index = {track.track_id: row for row, track in enumerate(self.tracks)}
        names: dict[str, int] = {}
        own_rows: list[int] = []
        own_ids: list[int] = []
        artists: dict[str, int] = {}
        artist_idx = np.empty(len(self.tracks), dtype=np.int64)
        for row, track in enumerate(self.tracks):
            own = sorted({genres.normalise(g) for g in track.genres}) or ["unknown"]
            for name in own:
                own_rows.append(row)
                own_ids.append(names.setdefault(name, len(names)))
            artist_idx[row] = artists.setdefault(track.artist.casefold(), len(artists))
        for name in list(names):
            for ancestor in sorted(genres.ancestors(name)):
                names.setdefault(ancestor, len(names))
        self.genre_names = list(names)
        self.genre_id = names
        self.own = (np.array(own_rows, dtype=np.int64), np.array(own_ids, dtype=np.int64))
        self.artist_names = list(artists)
        self.artist_id = artists
        self.artist_idx = artist_idx
        self.energy = np.array(
            [np.nan if t.energy is None else t.energy for t in self.tracks], dtype=np.float64
        )
        self.bpm = np.array(
            [np.nan if t.bpm is None else t.bpm for t in self.tracks], dtype=np.float64
        )
        self._standard: dict[str, np.ndarray] = {}  # built when a listener first asks
        self.titles = [t.title.casefold() for t in self.tracks]
        self.albums = [t.album.casefold() for t in self.tracks]
        self.sides = self._sides(genres)
        # (id of a taste's entries, id of an index) -> (entries, codes): dies with the catalog
        self.code_cache: dict[tuple[int, int], tuple[dict, np.ndarray]] = {}

    def _sides(self, genres: GenreMap) -> dict[str, Side]:
        """Every track's keys per side, from the same function that files the evidence."""
        keys: dict[str, dict[str, int]] = {kind: {} for kind in KIND_WEIGHTS if kind != "track"}
        for kind, count in BINS.items():
            keys[kind] = {bin_key(kind, number): number for number in range(count)}
        single = {k: np.full(len(self.tracks), -1, dtype=np.int32) for k in keys if k not in MULTI}
        combos: dict[str, dict[tuple, int]] = {k: {} for k in MULTI}
        member = {k: np.zeros(len(self.tracks), dtype=np.int32) for k in MULTI}
        known: dict[tuple[str, ...], list[tuple[str, float]]] = {}
        for row, track in enumerate(self.tracks):
            found: dict[str, list[tuple[int, float]]] = {k: [] for k in MULTI}
            for kind, key, weight in sides(track, genres, known):
                code = keys[kind].setdefault(key, len(keys[kind]))
                if kind in MULTI:
                    found[kind].append((code, weight))
                else:
                    single[kind][row] = code
            for kind, pairs in found.items():
                member[kind][row] = combos[kind].setdefault(tuple(pairs), len(combos[kind]))
        result: dict[str, Side] = {}
        for kind, codes in single.items():
            codes[codes < 0] = len(keys[kind])
            result[kind] = Side(keys[kind], codes)
        for kind, found_combos in combos.items():
            width = max((len(c) for c in found_combos), default=0) or 1
            codes = np.full((max(len(found_combos), 1), width), len(keys[kind]), dtype=np.int32)
            weights = np.zeros(codes.shape)
            for number, combo in enumerate(found_combos):
                for column, (code, weight) in enumerate(combo):
                    codes[number, column] = code
                    weights[number, column] = weight
            result[kind] = Side(keys[kind], member[kind], (codes, weights))
        return result

    def __len__(self) -> int:
        return len(self.tracks)

    def standard(self, side: str) -> np.ndarray:
        """Each track's value on an ordered side (tempo, energy, loudness, year) in spreads
        of this library from its middle (0 for a track without one), within
        :data:`STEER_LIMIT`: how far a track lies in the direction a listener asks for."""
        found = self._standard.get(side)
        if found is None:
            values = {"tempo": self.bpm, "energy": self.energy}.get(side)
            if values is None:  # loudness and year: read once, not kept for every catalog
                read = (t.loudness if side == "loudness" else t.year or None for t in self.tracks)
                values = np.fromiter((np.nan if v is None else v for v in read), np.float64)
            known = values[np.isfinite(values)]
            found = np.zeros(len(self.tracks), dtype=np.float32)
            if known.size > 1:
                low, middle, high = np.percentile(known, [25, 50, 75])
                spread = (high - low) / 1.35 or float(np.std(known)) or 1.0
                scaled = np.nan_to_num((values - middle) / spread, nan=0.0)
                found = np.clip(scaled, -STEER_LIMIT, STEER_LIMIT).astype(np.float32)
            self._standard[side] = found
        return found

    def covered_by(self, wanted: Iterable[str]) -> np.ndarray:
        """Mask of tracks whose genres fall under any of ``wanted`` (a genre or one below it)."""
        ids = np.zeros(len(self.genre_names), dtype=bool)
        for name in wanted:
            canonical = self.genres.normalise(name)
            for genre in {canonical} | self.genres.descendants(canonical):
                if genre in self.genre_id:
                    ids[self.genre_id[genre]] = True
        rows, own = self.own
        mask = np.zeros(len(self.tracks), dtype=bool)
        mask[rows[ids[own]]] = True
        return mask


class Recommender:
    """Picks the next track for a listener from a catalog."""

    def __init__(self, genres: GenreMap, rng: np.random.Generator | None = None) -> None:
        self.genres = genres
        self.rng = rng or np.random.default_rng()

    # -- requests --------------------------------------------------------------------------

    def _name_match(self, wanted: str, choices: Sequence[str]) -> str | None:
        wanted = wanted.casefold()
        if wanted in choices:
            return wanted
        found = process.extractOne(wanted, choices, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF)
        return found[0] if found else None

    def request_mask(
        self, catalog: Catalog, request: Request
    ) -> tuple[np.ndarray | None, list[tuple[str, str]]]:
        """Tracks that answer the request (None: no request) and how it was understood."""
        if not request:
            return None, []
        mask = np.ones(len(catalog), dtype=bool)
        reasons: list[tuple[str, str]] = []
        if request.artist:
            name = self._name_match(request.artist, catalog.artist_names)
            mask &= catalog.artist_idx == catalog.artist_id[name] if name else False
            reasons.append(("artist", name or request.artist))
        if request.title:
            name = self._name_match(request.title, catalog.titles)
            mask &= np.array([t == name for t in catalog.titles]) if name else False
            reasons.append(("title", name or request.title))
        if request.album:
            name = self._name_match(request.album, sorted(set(catalog.albums) - {""}))
            mask &= np.array([a == name for a in catalog.albums]) if name else False
            reasons.append(("album", name or request.album))
        if request.genre:
            mask &= catalog.covered_by([request.genre])
            reasons.append(("genre", self.genres.normalise(request.genre)))
        if request.query:
            decade = decade_starts(request.query)
            if decade is not None:  # "nineties please": the tracks of those years
                mask &= in_decade(catalog.tracks, decade)
            else:
                mask &= False  # the understanding already looked for it among the names
            reasons.append(("query", request.query))
        return mask, reasons

    def closest(self, catalog: Catalog, request: Request) -> np.ndarray:
        """When nothing answers a request: the nearest there is (wider genre, similar name)."""
        mask = np.zeros(len(catalog), dtype=bool)
        if request.genre:
            # widen one level at a time: tech house -> house -> electronic
            level = {self.genres.normalise(request.genre)}
            while level and not mask.any():
                level = {parent for genre in level for parent in self.genres.parents(genre)}
                if level:
                    mask |= catalog.covered_by(level)
        decade = decade_starts(request.query) if request.query else None
        if decade is not None:  # the years nearest the decade, not a name like its word
            mask |= nearest_decade(catalog.tracks, decade)
        for text in (request.artist, request.title, request.album, request.query):
            if not text or (text == request.query and decade is not None):
                continue
            for field_values in (catalog.artist_names, catalog.titles, catalog.albums):
                found = process.extractOne(text.casefold(), field_values, scorer=fuzz.WRatio)
                if found and found[1] >= 50:
                    if field_values is catalog.artist_names:
                        mask |= catalog.artist_idx == catalog.artist_id[found[0]]
                    else:
                        mask |= np.array([value == found[0] for value in field_values])
        return mask

    # -- scoring ---------------------------------------------------------------------------

    @staticmethod
    def _codes(
        catalog: Catalog, entries: dict[str, list[float]], index: dict[str, int]
    ) -> np.ndarray:
        """The code of each entry's key (-1: not in this catalog), in the entries' order.

        Evidence only ever gains keys, at the end, so the codes found last time (kept on the
        catalog, which they belong to) are kept and only new keys are looked up: a pick does
        not walk every key it ever learned."""
        cache = catalog.code_cache
        cached = cache.get((id(entries), id(index)))
        if cached is not None and cached[0] is entries:
            codes = cached[1]
            if len(codes) == len(entries):
                return codes
        else:
            codes = np.empty(0, dtype=np.int64)
        new = itertools.islice(entries, len(codes), None)
        more = np.fromiter((index.get(key, -1) for key in new), np.int64)
        codes = np.concatenate([codes, more])
        if len(cache) > 4096:  # tastes of listeners no longer in memory
            cache.clear()
        cache[(id(entries), id(index))] = (entries, codes)
        return codes

    def _arrays(
        self, catalog: Catalog, taste: Taste, kind: str, index: dict[str, int], size: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """(for, against) weights per code from a taste's entries of one kind."""
        entries = taste.by_kind.get(kind)
        if not entries:
            return np.zeros(size), np.zeros(size)
        codes = self._codes(catalog, entries, index)
        values = taste.values(kind)
        keep = codes >= 0
        pos = np.bincount(codes[keep], weights=values[keep, 0], minlength=size)
        neg = np.bincount(codes[keep], weights=values[keep, 1], minlength=size)
        return pos, neg

    def _mixed(
        self, catalog: Catalog, taste: Taste, kind: str, index: dict[str, int], size: int,
        part: str | None, share: float,
    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Evidence for this part of the day: its own in full, the rest of the day's at
        ``share``."""
        pos, neg = self._arrays(catalog, taste, kind, index, size)
        if part is None or share >= 1.0:
            return pos, neg
        own_pos, own_neg = self._arrays(catalog, taste, f"{kind}@{part}", index, size)
        return own_pos + share * (pos - own_pos), own_neg + share * (neg - own_neg)

    @staticmethod
    def _telling(pos: np.ndarray, neg: np.ndarray, base: float) -> float:
        """How far this side's keys stand from the listener's average, weighted by evidence:
        near 0 when the side says nothing about what they play out."""
        count = pos + neg
        mean = (pos + SHRINK * base) / (count + SHRINK)
        return float((count * (mean - base) ** 2).sum() / (count.sum() + 1.0))

    @staticmethod
    def _log_odds(pos: np.ndarray, neg: np.ndarray, base: float) -> np.ndarray:
        """Per key, how likely it is played out, as log-odds against the listener's average
        (0 where nothing was learned, and for tracks without this side: the last entry)."""
        values = np.zeros(len(pos) + 1)
        seen = np.flatnonzero((pos + neg) > 0)
        if seen.size:
            a = pos[seen] + SHRINK * base
            b = neg[seen] + SHRINK * (1.0 - base)
            mean = np.clip(a / (a + b), CLIP, 1 - CLIP)
            values[seen] = np.log(mean / (1 - mean)) - np.log(base / (1 - base))
        return values

    def _taste_scores(
        self, catalog: Catalog, listener: Listener, prior: dict[str, float]
    ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray | None, np.ndarray]]]:
        """The learned taste's score per track, and each side's part of it as (each track's
        code, value per code): a track's part is ``values[codes[row]]``."""
        taste, part = listener.taste, listener.part
        here = taste.get(f"{ALL}@{part}", "") if part else (0.0, 0.0)
        share = BUCKET_SHARE / (BUCKET_SHARE + here[0] + here[1]) if part else 1.0
        base = BASE_RATE
        here_all = taste.get(f"{ALL}@{part}", "") if part else (0.0, 0.0)
        whole = taste.get(ALL, "")
        mixed_pos = here_all[0] + share * (whole[0] - here_all[0])
        mixed_neg = here_all[1] + share * (whole[1] - here_all[1])
        # what this listener plays out of an average track (but never less than BASE_RATE:
        # while they skip nearly everything, a key that did a little better is no find yet):
        # unheard keys start there, and a key counts by how much better or worse it does
        base = max(BASE_RATE, (mixed_pos + SHRINK * BASE_RATE) / (mixed_pos + mixed_neg + SHRINK))
        found: list[tuple[str, np.ndarray | None, np.ndarray, float]] = []
        for kind in KIND_WEIGHTS:
            if kind == "track":  # only heard tracks have a value: keep them alone
                entries = taste.by_kind.get(kind, {})
                if not entries:
                    continue
                rows = self._codes(catalog, entries, catalog.index)
                keep = rows >= 0
                heard = rows[keep]  # one key per track: each row once
                pos, neg = taste.values(kind)[keep].T
                values = np.zeros(len(catalog))
                values[heard] = self._log_odds(pos, neg, base)[:-1]
                found.append((kind, None, values, self._telling(pos, neg, base)))
                continue
            side = catalog.sides[kind]
            pos, neg = self._mixed(catalog, taste, kind, side.index, len(side), part, share)
            if kind in BINS:  # neighbouring bins share half their evidence
                kernel = np.array([0.5, 1.0, 0.5])
                pos = np.convolve(pos, kernel, mode="same")
                neg = np.convolve(neg, kernel, mode="same")
            telling = self._telling(pos, neg, base)  # what listening showed, not what was said
            if kind == "genre" and prior:
                # a stated genre leads at first and gives way as listening shows more
                fade = PRIOR_FADE / (PRIOR_FADE + whole[0] + whole[1])
                pos = pos.copy()
                for genre, extra in prior.items():
                    if genre in side.index:
                        pos[side.index[genre]] += extra * fade
            per_key = self._log_odds(pos, neg, base)
            if per_key.any():
                found.append((kind, side.codes, side.per_code(per_key), telling))
        # each side counts by how well it has told played-out tracks from skipped ones for this
        # listener (relative to the side that told best): the artist for someone who loves a
        # few artists, the year for someone who loves an era
        best = max((telling for *_, telling in found), default=0.0)
        # sharply only once there is evidence to tell by: at first every side counts
        events = whole[0] + whole[1]
        power = TELLING_POWER * events / (events + TELLING_EVIDENCE)
        parts: dict[str, tuple[np.ndarray | None, np.ndarray]] = {}
        total = np.zeros(len(catalog))
        for kind, codes, values, telling in found:
            weight = KIND_WEIGHTS[kind] * (telling / best if best > 0 else 1.0) ** power
            values = weight * values
            parts[kind] = (codes, values)
            if codes is None:
                total += values
            else:
                total += values[codes]
        return total, parts

    def _top_reason(
        self,
        catalog: Catalog,
        listener: Listener,
        row: int,
        parts: dict[str, tuple[np.ndarray | None, np.ndarray]],
    ) -> tuple[str, str] | None:
        """The side that weighed most for this track, in words the DJ can say."""
        weighed = {
            kind: float(values[row if codes is None else codes[row]])
            for kind, (codes, values) in parts.items()
        }
        track = catalog.tracks[row]
        genre = self.genres.normalise(track.genres[0]) if track.genres else ""
        kind = max(sorted(weighed), key=lambda k: weighed[k], default=None)
        if kind is None or weighed[kind] <= 0.05 or not self._bears(listener, track, kind):
            return None  # said only when the listening bears it out
        if kind == "track":
            return ("track", track.title)
        if kind in ("artist", "album"):
            return (kind, track.artist if kind == "artist" else track.album)
        if kind == "genre":
            return ("genre", genre)
        side = kind.removeprefix("genre_")
        number = ordinal_bins(track)[side]
        of_genre = genre if kind.startswith("genre_") else None
        word = self._direction(listener.taste, side, number, of_genre) if number is not None else ""
        return (kind, f"{word} {genre}".strip() if kind.startswith("genre_") else word)

    def _bears(self, listener: Listener, track: Track, kind: str) -> bool:
        """Whether what a reason of ``kind`` would say of ``track`` ("more Dusty Almanac, you
        keep playing them to the end", "more hip hop, the way you like it") rests on enough
        of this listener's own listening (or, for a genre, their word)."""
        taste = listener.taste
        artist = track.artist.casefold()
        if kind == "track":
            return self._shown(taste, "track", track.track_id)
        if kind == "artist":
            return self._shown(taste, "artist", artist)
        if kind == "album":
            return self._shown(taste, "album", f"{artist}|{track.album.casefold()}")
        if kind in MULTI:  # said of the track's first genre (at its tempo, its energy)
            genre = self.genres.normalise(track.genres[0]) if track.genres else ""
            if genre in {self.genres.normalise(p) for p in listener.preferences}:
                return True
            if kind == "genre":
                return self._shown(taste, "genre", genre)
            side = kind.removeprefix("genre_")
            number = ordinal_bins(track)[side]
            key = bin_key(side, number - number % 2) if number is not None else ""
            return self._shown(taste, kind, f"{genre}|{key}")
        heard = sum(p + n for p, n in taste.by_kind.get(kind, {}).values())
        return heard >= REASON_EVIDENCE  # "the way you've been listening lately"

    @staticmethod
    def _shown(taste: Taste, kind: str, key: str) -> bool:
        """Enough played-out evidence of a key, and more of it than against, to say the
        listener likes it."""
        pos, neg = taste.get(kind, key)
        return pos >= REASON_EVIDENCE and pos > neg

    @staticmethod
    def _direction(taste: Taste, side: str, number: int, genre: str | None = None) -> str:
        """Slower or faster (calmer, older, ...) than what the listener has been skipping: said
        only when their skips lie on one side of this track's bin (mostly). Without skips to
        be measured against: for tempo nothing (the DJ says "at the tempo you like"), for the
        other sides than what they heard. ``genre``: that genre's own evidence of the side."""
        kind = f"genre_{side}" if genre else side
        pos, neg = np.zeros(BINS[side]), np.zeros(BINS[side])
        index = {bin_key(side, n): n for n in range(BINS[side])}
        for key, (p, n) in taste.by_kind.get(kind, {}).items():
            if genre:
                owner, _, key = key.rpartition("|")
                if owner != genre:
                    continue
            if key in index:
                pos[index[key]] += p
                neg[index[key]] += n
        if genre:  # a genre's bins are twice as wide: this track's bin is the even one
            number -= number % 2
        lower, higher = DIRECTIONS[side]
        below, above = float(neg[:number].sum()), float(neg[number + 1 :].sum())
        if below > 0 or above > 0:
            return lower if above > below else higher
        if side == "tempo":
            return ""
        weights = pos + neg
        if weights.sum() <= 0:
            return ""
        middle = float((weights * np.arange(BINS[side])).sum() / weights.sum())
        return lower if number < middle else higher

    def _blocked(
        self, catalog: Catalog, listener: Listener, request: Request, wanted: np.ndarray | None
    ) -> np.ndarray:
        """What the listener ruled out: blocked genres and artists, tracks they disliked (an
        explicit dislike only: skips, however early, only weigh against a track). A request
        that names what was ruled out lifts the rule for the tracks it names, and only those:
        "play some metal" for a blocked metal (but not "play some rock", above it), a song or
        album by a blocked artist, a disliked track by its title. ``wanted``: the tracks that
        answer the request (None: no request, or nothing answered it)."""
        named = wanted if wanted is not None else np.zeros(len(catalog), dtype=bool)
        blocked = np.zeros(len(catalog), dtype=bool)
        asked_genre = self.genres.normalise(request.genre) if request.genre else None
        for genre in listener.blocked:
            ruled = catalog.covered_by([genre])
            if asked_genre and self.genres.covers(self.genres.normalise(genre), asked_genre):
                ruled &= ~named
            blocked |= ruled
        ids = [catalog.artist_id[a] for a in sorted(listener.taste.blocked_artists())
               if a in catalog.artist_id]  # fmt: skip
        if ids:
            ruled = np.isin(catalog.artist_idx, ids)
            if request.artist or request.title or request.album:
                ruled &= ~named
            blocked |= ruled
        disliked = np.zeros(len(catalog), dtype=bool)
        rules = listener.taste.track_rules
        if rules:
            rows = self._codes(catalog, rules, catalog.index)
            values = listener.taste.values(TRACK_RULES)
            out = (values[:, 1] > values[:, 0]) & (rows >= 0)
            disliked[rows[out]] = True
        if request.title:
            disliked &= ~named
        return blocked | disliked

    def pick(
        self, catalog: Catalog, listener: Listener, request: Request | None = None
    ) -> Pick | None:
        """The next track for ``listener`` (None only for an empty library)."""
        if not len(catalog):
            return None
        request = request or Request()
        wanted, reasons = self.request_mask(catalog, request)
        matched = True
        if wanted is not None and not wanted.any():
            matched = False
            wanted = self.closest(catalog, request)
            if not wanted.any():
                wanted = None
        exploring = 1.0 - listener.trust  # 0.5 for a newcomer, 0 for a best friend

        prior: dict[str, float] = {}
        for preference in listener.preferences:
            canonical = self.genres.normalise(preference)
            for genre in sorted({canonical} | self.genres.descendants(canonical)):
                prior[genre] = prior.get(genre, 0.0) + PREFERENCE_PRIOR
        # a stated genre leads about every other pick: the others go by what listening taught
        # (at first, nothing), so the rest of the taste is found too (a listener who names one
        # genre seldom loves that one alone: led by it every time, the DJ found their other
        # genres and artists later, and fewer of them)
        leads = bool(prior) and self.rng.random() < PRIOR_SHARE
        score, parts = self._taste_scores(catalog, listener, prior if leads else {})
        entries = listener.taste.by_kind.get("track", {})
        heard = self._codes(catalog, entries, catalog.index) if entries else np.empty(0, np.int64)
        heard = heard[heard >= 0]

        # a stated mood moves the pick within the taste: up to about two log-odds, where what
        # a listener skips weighs several on each of its sides
        target = listener.target
        if target is not None and listener.mood:
            energy_gap = np.abs(np.nan_to_num(catalog.energy, nan=0.5) - target.energy)
            tempo_gap = np.minimum(np.abs(np.nan_to_num(catalog.bpm, nan=110.0) - target.bpm), 60)
            score -= MOOD_WEIGHT * (0.8 * energy_gap + 0.4 * tempo_gap / 60)
            if target.genres:
                score += 0.1 * catalog.covered_by(target.genres)

        # what the listener asked for ("something slower") moves the pick the same way, within
        # the taste: the latest word on a side leads
        steered = self._steered(listener.taste)
        for side, conviction in steered:
            score += STEER_WEIGHT * conviction * catalog.standard(side)

        # what connected friends loved (their evidence only, never anyone else's)
        friend_of: dict[int, int] = {}
        for number, (_, taste) in enumerate(listener.friends):
            for key, (pos, neg) in taste.by_kind.get("track", {}).items():
                row = catalog.index.get(key)
                if row is not None and pos > neg:
                    score[row] += 0.15 * min(pos - neg, 3.0)
                    friend_of[row] = number

        # variety: a little for the unheard (more while still exploring), no recent repeats,
        # no artist twice in a row
        discovery = 0.02 + 0.1 * exploring
        score += discovery
        score[heard] -= discovery
        repeat = np.zeros(len(catalog), dtype=bool)
        lately = self._lately(catalog, listener)
        repeat[lately] = True
        newest = np.zeros(len(catalog), dtype=bool)
        newest[lately[:1]] = True  # on air (or the last pick): never next while others exist
        if listener.last_artist and listener.last_artist.casefold() in catalog.artist_id:
            # the same artist twice in a row only when the taste says so clearly
            last = catalog.artist_id[listener.last_artist.casefold()]
            score[catalog.artist_idx == last] -= SAME_ARTIST
        blocked = self._blocked(catalog, listener, request, wanted if matched else None)

        score += self.rng.random(len(catalog)) * 0.1  # ties go any way

        by_name = bool(request.title)
        row = self._best(score, wanted, repeat, blocked, by_name, newest)
        if wanted is not None and not wanted[row]:
            if (wanted & ~blocked).any():
                # all it answers played lately: the request has run its course, and the taste
                # chooses (with its own reasons) rather than the same few tracks again; said
                # once, on the pick after the last of it
                other = self.pick(catalog, listener, None)
                if other is None or not self._just_answered(catalog, listener, wanted):
                    return other
                asked = request.genre or request.artist or request.album or request.title or ""
                return Pick(other.track, (("ran_short", asked), *other.reasons), True, other.top)
            matched = False  # the request gave way: whatever plays is not what was asked for
        track = catalog.tracks[row]
        why = list(reasons) if matched else [("closest", ""), *reasons]
        top = None if request else self._top_reason(catalog, listener, row, parts)
        own = [self.genres.normalise(g) for g in track.genres]
        liked = [g for g in own if self._shown(listener.taste, "genre", g) or g in prior]
        if liked and not (request and matched):  # an answered request's reason is the request
            why.append(("genre", liked[0]))
        if request.genre and matched:  # said as asked for, not as a taste it never showed
            why.append(("asked", self.genres.normalise(request.genre)))
        if top is not None:
            why.append(("learned", f"{top[0]}:{top[1]}"))
        if listener.mood:
            why.append(("mood", listener.mood))
        for side, conviction in steered:
            why.append(("asked", DIRECTIONS[side][conviction > 0]))
        if row in friend_of:
            why.append(("friend", listener.friends[friend_of[row]][0]))
        if row not in heard:
            why.append(("new", ""))
        return Pick(track=track, reasons=tuple(why), matched=matched, top=top)

    @staticmethod
    def _steered(taste: Taste) -> list[tuple[str, float]]:
        """(side, conviction) of each direction the listener asked for: -1 (all of it lower:
        slower, calmer, quieter, older) .. 1 (higher); none that has faded to nothing."""
        said = taste.by_kind.get(SAID, {})
        steered = []
        for side in STEERABLE:
            higher, lower = said.get(side, (0.0, 0.0))
            conviction = (higher - lower) / (higher + lower + 1.0)
            if abs(conviction) >= 0.05:
                steered.append((side, conviction))
        return steered

    @staticmethod
    def _just_answered(catalog: Catalog, listener: Listener, wanted: np.ndarray) -> bool:
        """Whether the track picked or heard last answered the request."""
        played = list(listener.played)
        last = played[-1] if played else next(iter(listener.recent), None)
        row = catalog.index.get(last) if last is not None else None
        return row is not None and bool(wanted[row])

    @staticmethod
    def _lately(catalog: Catalog, listener: Listener) -> list[int]:
        """The rows of the last :data:`REPEAT_WINDOW` tracks: this session's picks (newest
        last; a pick the player never started counts too) and then earlier plays (newest
        first), one row per track."""
        rows: dict[int, None] = {}
        for track_id in (*reversed(list(listener.played)), *listener.recent):
            row = catalog.index.get(track_id)
            if row is not None:
                rows.setdefault(row)
                if len(rows) >= REPEAT_WINDOW:
                    break
        return list(rows)

    @staticmethod
    def _best(
        score: np.ndarray,
        wanted: np.ndarray | None,
        repeat: np.ndarray,
        blocked: np.ndarray,
        by_name: bool = False,
        newest: np.ndarray | None = None,
    ) -> int:
        """The best-scoring allowed track. When the request's tracks have all played lately,
        the request gives way before the repeat rule (a track asked for by name: the repeat
        rule first); something ruled out plays only if nothing else exists. When everything
        has played lately, the ``newest`` (the track on air) is the last choice: a skip never
        brings back the track it skips, unless a track asked for by name is that one."""
        anything = np.ones(len(score), dtype=bool)
        allowed = ~blocked
        fresh = ~newest if newest is not None and not by_name else anything
        requested = wanted if wanted is not None else anything
        order = [requested & allowed & ~repeat, allowed & ~repeat, requested & allowed & fresh]
        if by_name:
            order[1], order[2] = order[2], order[1]
        for mask in (*order, allowed & fresh, allowed, anything):
            if mask.any():
                return int(np.argmax(np.where(mask, score, -np.inf)))
        raise AssertionError("an empty catalog has no best track")

"""Choosing what plays next.

The library is held as numpy arrays (genres, artists, energy, tempo), rebuilt only when the
library changes, so a pick over 100,000 tracks is a handful of vector operations. A pick weighs:
stated preferences and blocked genres; what this listener's listening taught (Thompson samples
from the Beta evidence of genres, artists and tracks: little evidence explores, much evidence
exploits); the mood's (or time of day's) target energy and tempo; what the listener's connected
friends loved; and variety (never the same artist twice in a row, no repeat within a session, a
bonus for unheard music that grows when trust is low and the DJ is still exploring).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from appliance.dj.mood import MoodTarget
from appliance.dj.taste import ENERGY_BANDS, Taste
from appliance.library.genres import GenreMap
from appliance.library.track import Track

PREFERENCE_PRIOR = 8.0  # a stated preference counts like eight completed tracks
# Beta(1, PRIOR_AGAINST) before any evidence: the unheard starts a little below a coin toss, so
# exploring tries it, but one that is already loved is not abandoned for every untried family.
PRIOR_AGAINST = 2.0
FUZZY_CUTOFF = 80
ENERGY_LOOKUP = {str(band): band for band in range(ENERGY_BANDS)}


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
    """A chosen track and why: reasons are (kind, detail) pairs the DJ can talk about."""

    track: Track
    reasons: tuple[tuple[str, str], ...] = ()
    matched: bool = True  # False: nothing answered the request; this is the closest there is


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
    played: Iterable[str] = ()  # track ids heard this session
    recent: Iterable[str] = ()  # track ids heard lately (earlier sessions)
    last_artist: str | None = None


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
            own = {genres.normalise(g) for g in track.genres} or {"unknown"}
            for name in own:
                own_rows.append(row)
                own_ids.append(names.setdefault(name, len(names)))
            artist_idx[row] = artists.setdefault(track.artist.casefold(), len(artists))
        for name in list(names):
            for ancestor in genres.ancestors(name):
                names.setdefault(ancestor, len(names))
        self.genre_names = list(names)
        self.genre_id = names
        lineage = [
            (names[name], names[ancestor])
            for name in self.genre_names
            for ancestor in genres.ancestors(name)
        ]
        self.genre_parents = [
            [names[parent] for parent in genres.parents(name) if parent in names]
            for name in self.genre_names
        ]
        self.genre_order = sorted(
            range(len(self.genre_names)),
            key=lambda i: len(genres.ancestors(self.genre_names[i])),
        )
        self.genre_lineage = (
            np.array([c for c, _ in lineage], dtype=np.int64),
            np.array([a for _, a in lineage], dtype=np.int64),
        )
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
        # tracks of unknown energy sit in a band of their own, past the last real one
        self.energy_band = np.where(
            np.isnan(self.energy),
            ENERGY_BANDS,
            np.clip(
                (np.nan_to_num(self.energy) * ENERGY_BANDS).astype(np.int64), 0, ENERGY_BANDS - 1
            ),
        )
        self.titles = [t.title.casefold() for t in self.tracks]
        self.albums = [t.album.casefold() for t in self.tracks]

    def __len__(self) -> int:
        return len(self.tracks)

    def per_track_max(
        self, pairs: tuple[np.ndarray, np.ndarray], genre_values: np.ndarray, empty: float = 0.0
    ) -> np.ndarray:
        """For each track, the largest value among its genres (``empty`` when it has none)."""
        rows, ids = pairs
        out = np.full(len(self.tracks), -np.inf)
        if rows.size:
            np.maximum.at(out, rows, genre_values[ids])
        out[np.isneginf(out)] = empty
        return out

    def covered_by(self, wanted: Iterable[str]) -> np.ndarray:
        """Mask of tracks whose genres fall under any of ``wanted`` (a genre or one below it)."""
        ids = np.zeros(len(self.genre_names), dtype=bool)
        for name in wanted:
            canonical = self.genres.normalise(name)
            for genre in {canonical} | self.genres.descendants(canonical):
                if genre in self.genre_id:
                    ids[self.genre_id[genre]] = True
        return self.per_track_max(self.own, ids.astype(np.float64)) > 0


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
            mask &= False  # the understanding already looked for it among the library's names
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
        for text in (request.artist, request.title, request.album, request.query):
            if not text:
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

    def _evidence(
        self, names: Sequence[str], lookup: dict[str, int], taste: Taste, kind: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """(for, against) weights per name, zero where nothing was learned."""
        pos = np.zeros(len(names))
        neg = np.zeros(len(names))
        for key, (p, n) in taste.by_kind.get(kind, {}).items():
            row = lookup.get(key)
            if row is not None:
                pos[row] += p
                neg[row] += n
        return pos, neg

    def _sample(self, pos: np.ndarray, neg: np.ndarray, spread: float) -> np.ndarray:
        """Centred Thompson samples (-0.5..0.5) from Beta(1 + for, PRIOR_AGAINST + against).

        ``spread`` narrows the draw toward the mean: a DJ that knows someone well gambles less.
        """
        a = 1.0 + pos
        b = PRIOR_AGAINST + neg
        mean = a / (a + b)
        return mean + spread * (self.rng.beta(a, b) - mean) - 0.5

    def _genre_scores(
        self, catalog: Catalog, listener: Listener, prior: dict[str, float], spread: float
    ) -> np.ndarray:
        """One Thompson sample per genre family that evidence has split.

        A genre with evidence of its own is sampled from it plus half of what its ancestors
        learned. A genre with none takes its parents' sampled value: an unheard family is one
        gamble, not one per sub-genre, so exploring does not grow with the size of the genre map.
        """
        pos, neg = self._evidence(catalog.genre_names, catalog.genre_id, listener.taste, "genre")
        for genre, weight in prior.items():
            if genre in catalog.genre_id:
                pos[catalog.genre_id[genre]] += weight
        own = (pos + neg) > 0
        child, ancestor = catalog.genre_lineage
        inherited_pos, inherited_neg = pos.copy(), neg.copy()
        np.add.at(inherited_pos, child, 0.5 * pos[ancestor])
        np.add.at(inherited_neg, child, 0.5 * neg[ancestor])
        sampled = self._sample(inherited_pos, inherited_neg, spread)
        scores = np.zeros(len(catalog.genre_names))
        for genre in catalog.genre_order:  # parents before children
            parents = catalog.genre_parents[genre]
            if own[genre] or not parents:
                scores[genre] = sampled[genre]
            else:
                scores[genre] = scores[parents].mean()
        return scores

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
            for genre in {canonical} | self.genres.descendants(canonical):
                prior[genre] = prior.get(genre, 0.0) + PREFERENCE_PRIOR
        spread = 0.5 + exploring
        genre_scores = self._genre_scores(catalog, listener, prior, spread)
        score = catalog.per_track_max(catalog.own, genre_scores)
        # artists: only what was learned counts (an unknown artist is neutral, not a gamble)
        pos, neg = self._evidence(catalog.artist_names, catalog.artist_id, listener.taste, "artist")
        known = (pos + neg) > 0
        score += np.where(known, self._sample(pos, neg, spread), 0.0)[catalog.artist_idx]
        heard = np.zeros(len(catalog), dtype=bool)
        for key, (pos, neg) in listener.taste.by_kind.get("track", {}).items():
            row = catalog.index.get(key)
            if row is not None:
                heard[row] = True
                score[row] += (1.0 + pos) / (2.0 + pos + neg) - 0.5
                if neg >= 5.0 and neg > 2 * pos:  # disliked outright: not again unless asked
                    score[row] -= 10.0

        # how loud they like it, learned; then the mood (or, gently, the time of day) sets a
        # target energy and tempo
        names = [str(band) for band in range(ENERGY_BANDS)]
        pos, neg = self._evidence(names, ENERGY_LOOKUP, listener.taste, "energy")
        # neighbouring bands share half their evidence: liking 0.6 says something about 0.7
        kernel = np.array([0.5, 1.0, 0.5])
        pos = np.convolve(pos, kernel, mode="same")
        neg = np.convolve(neg, kernel, mode="same")
        bands = np.where((pos + neg) > 0, self._sample(pos, neg, spread), 0.0)
        score += np.append(bands, 0.0)[catalog.energy_band]
        target = listener.target
        if target is not None:
            weight = 1.0 if listener.mood else 0.3
            energy_gap = np.abs(np.nan_to_num(catalog.energy, nan=0.5) - target.energy)
            tempo_gap = np.minimum(np.abs(np.nan_to_num(catalog.bpm, nan=110.0) - target.bpm), 60)
            score -= weight * (0.8 * energy_gap + 0.4 * tempo_gap / 60)
            if listener.mood and target.genres:
                score += 0.1 * catalog.covered_by(target.genres)

        # what connected friends loved (their evidence only, never anyone else's)
        friend_bonus = np.zeros(len(catalog))
        friend_of = np.full(len(catalog), -1)
        for number, (_, taste) in enumerate(listener.friends):
            for key, (pos, neg) in taste.by_kind.get("track", {}).items():
                row = catalog.index.get(key)
                if row is not None and pos > neg:
                    friend_bonus[row] += 0.15 * min(pos - neg, 3.0)
                    friend_of[row] = number
        score += friend_bonus

        # variety: discovery, no repeats, no artist twice in a row
        score += (0.05 + 0.3 * exploring) * ~heard
        recent = [catalog.index[t] for t in listener.recent if t in catalog.index]
        score[recent] -= 0.3
        blocked = catalog.covered_by(listener.blocked) if listener.blocked else None
        excluded = np.zeros(len(catalog), dtype=bool)
        excluded[[catalog.index[t] for t in listener.played if t in catalog.index]] = True
        if listener.last_artist and listener.last_artist.casefold() in catalog.artist_id:
            excluded |= catalog.artist_idx == catalog.artist_id[listener.last_artist.casefold()]
        if blocked is not None and request.genre and wanted is not None:
            blocked = None  # asking for a genre by name overrides having blocked it

        score += self.rng.gumbel(size=len(catalog)) * (0.02 + 0.15 * exploring)

        row = self._best(score, wanted, excluded, blocked)
        track = catalog.tracks[row]
        why = list(reasons) if matched else [("closest", ""), *reasons]
        own = [self.genres.normalise(g) for g in track.genres]
        liked = [g for g in own if listener.taste.net("genre", g) > 0 or g in prior]
        if liked and not request.genre:
            why.append(("genre", liked[0]))
        if listener.mood:
            why.append(("mood", listener.mood))
        if friend_of[row] >= 0:
            why.append(("friend", listener.friends[friend_of[row]][0]))
        if not heard[row]:
            why.append(("new", ""))
        return Pick(track=track, reasons=tuple(why), matched=matched)

    @staticmethod
    def _best(
        score: np.ndarray,
        wanted: np.ndarray | None,
        excluded: np.ndarray,
        blocked: np.ndarray | None,
    ) -> int:
        """The best-scoring allowed track. When nothing is left, the variety rules give way
        first, then the request itself; a blocked genre plays only if nothing else exists."""
        anything = np.ones(len(score), dtype=bool)
        unblocked = ~blocked if blocked is not None else anything
        requested = wanted if wanted is not None else anything
        for allowed in (
            requested & unblocked & ~excluded,
            requested & unblocked,
            unblocked,
            anything,
        ):
            if allowed.any():
                return int(np.argmax(np.where(allowed, score, -np.inf)))
        raise AssertionError("an empty catalog has no best track")

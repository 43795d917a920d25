"""What the DJ has learned about one listener from listening: evidence for and against.

Every listening event adds evidence to each side of the track the listener could be reacting to:
the track, its artist and album, its genres (and, at half weight, the genres above them: liking
bebop says a little about jazz), its tempo, energy, loudness, era and length, and the
combinations of genre with tempo and with energy (fast rock but slow jazz). Each side is also
kept per part of the day, so mornings and evenings are learned apart. An early skip says more
than a late one.
The evidence is a pair of weights (for, against) per (kind, key); the recommender reads it as a
Beta distribution, so a little evidence leaves room to explore and a lot settles the question.

Evidence stored before energy was kept in twenty bins ("0.00".."0.95") has its energy under the
old keys "0".."7" (eight bands) and no "all" rows (the base rate). It is read as it would be
kept now (:func:`_from_old_energy`): each band's weights spread over the bins it covers, and
their sum (one row per event of a track with an energy, at the weights "all" takes) added to the
base rate; the rows stored stay as they are, so reading them again gives the same taste. A
dislike stored before dislikes became rules weighs against its track but does not rule it out.

What the listener says to refine the picks ("something slower", "more like this", "less of
that") is evidence too (:func:`refinement`): a direction on an ordered side is kept under
:data:`SAID` (each new word on a side halves what was said before), "more like this" as a few
likes of the track's sides, "less of that" as evidence against its artist and genres that
outweighs what was loved of them before.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator

import numpy as np

from appliance.library.genres import GenreMap
from appliance.library.track import Track

EVENTS = ("completed", "skipped", "liked", "disliked", "replayed")

# event -> (track, artist, every other side) weights as (for, against).
_WEIGHTS: dict[str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]] = {
    "completed": ((1.0, 0.0), (1.0, 0.0), (1.0, 0.0)),
    "liked": ((3.0, 0.0), (2.0, 0.0), (2.0, 0.0)),
    "replayed": ((2.0, 0.0), (1.0, 0.0), (1.0, 0.0)),
    "disliked": ((0.0, 5.0), (0.0, 2.0), (0.0, 1.5)),
    "skipped": ((0.0, 2.0), (0.0, 1.5), (0.0, 1.5)),
}

# Ordered sides: the number of bins, and how a track's value falls in one (None: untagged).
TEMPO_BINS, ENERGY_BINS, YEAR_BINS, LENGTH_BINS = 24, 20, 32, 13
LOUDNESS_BINS, LOUDNESS_LOW, LOUDNESS_STEP = 14, -30.0, 2.0  # -30 dB and under .. -4 dB and over
ORDINAL = ("tempo", "energy", "loudness", "year", "length")
SAID = "said"  # directions the listener asked for on an ordered side: (higher, lower)
STEERABLE = ("tempo", "energy", "loudness", "year")  # the sides a listener can ask to move
SAID_KEPT = 0.5  # a new word on a side keeps this share of what was said before
LESS_OF_THAT = 2.0  # "less of that": against its artist and genres, beyond what they had won
MORE_LIKE_THIS = 3.0  # "more like this": as much as this many likes of the track
ALL = "all"  # every event, whatever the track: the listener's base rate
# rows that rule out an artist ("artist:<name>") or a disliked track ("track:<id>")
BLOCKED = "blocked"
TRACK_RULES = "blocked track"  # the arrays of the rules on tracks, by track id

Evidence = tuple[str, str, float, float]


def _bin(value: float | None, low: float, width: float, count: int) -> int | None:
    """The bin of ``value`` among ``count`` bins of ``width`` from ``low`` (the ends take
    everything beyond them); None for a missing or non-finite value."""
    if value is None or not math.isfinite(value):
        return None
    return int(min(count - 1, max(0, (value - low) // width)))


def tempo_bin(bpm: float | None) -> int | None:
    return None if bpm is None or bpm <= 0 else _bin(bpm, 0, 10, TEMPO_BINS)


def energy_bin(energy: float | None) -> int | None:
    if energy is None or not math.isfinite(energy):
        return None
    return int(min(ENERGY_BINS - 1, max(0, energy * ENERGY_BINS)))


def loudness_bin(loudness: float | None) -> int | None:
    return _bin(loudness, LOUDNESS_LOW, LOUDNESS_STEP, LOUDNESS_BINS)


def year_bin(year: int | None) -> int | None:
    return None if not year else _bin(year, 1900, 5, YEAR_BINS)


def length_bin(seconds: float | None) -> int | None:
    return None if not seconds or seconds <= 0 else _bin(seconds, 0, 60, LENGTH_BINS)


def bin_key(kind: str, number: int) -> str:
    """The key a bin's evidence is kept under, readable in an export: "120" bpm, "0.35"
    energy, "-14" dB, "1995", "4" minutes."""
    if kind == "tempo":
        return str(number * 10)
    if kind == "energy":
        return f"{number / ENERGY_BINS:.2f}"
    if kind == "loudness":
        return str(int(LOUDNESS_LOW + LOUDNESS_STEP * number))
    if kind == "year":
        return str(1900 + 5 * number)
    return str(number)


def ordinal_bins(track: Track) -> dict[str, int | None]:
    return {
        "tempo": tempo_bin(track.bpm),
        "energy": energy_bin(track.energy),
        "loudness": loudness_bin(track.loudness),
        "year": year_bin(track.year),
        "length": length_bin(track.duration),
    }


def weighted_genres(names: Iterable[str], genres: GenreMap) -> list[tuple[str, float]]:
    """A track's own genres at weight 1 and the genres above them at 0.5, in a fixed order."""
    own = sorted({genres.normalise(g) for g in names}) or ["unknown"]
    above = sorted(set().union(*(genres.ancestors(g) for g in own)) - set(own))
    return [(g, 1.0) for g in own] + [(g, 0.5) for g in above]


def sides(
    track: Track,
    genres: GenreMap,
    known: dict[tuple[str, ...], list[tuple[str, float]]] | None = None,
) -> list[tuple[str, str, float]]:
    """(kind, key, weight) of every side of a track but the track itself; the recommender
    scores a track by the same keys, so what is learned and what is scored always agree.
    ``known`` caches :func:`weighted_genres` per tag tuple (a catalog reuses it)."""
    rows: list[tuple[str, str, float]] = []
    if not (track.artist or track.genres or track.path):
        return rows  # a track the library does not know: nothing to learn but the track
    if track.artist:
        artist = track.artist.casefold()
        rows.append(("artist", artist, 1.0))
        if track.album:
            rows.append(("album", f"{artist}|{track.album.casefold()}", 1.0))
    weighted = known.get(track.genres) if known is not None else None
    if weighted is None:
        weighted = weighted_genres(track.genres, genres)
        if known is not None:
            known[track.genres] = weighted
    bins = ordinal_bins(track)
    rows += [("genre", g, w) for g, w in weighted]
    for kind in ("tempo", "energy"):
        number = bins[kind]
        if number is not None:
            key = bin_key(kind, number - number % 2)  # twice as wide: a genre's share is thin
            rows += [(f"genre_{kind}", f"{g}|{key}", w) for g, w in weighted]
    for kind in ORDINAL:
        number = bins[kind]
        if number is not None:
            rows.append((kind, bin_key(kind, number), 1.0))
    return rows


def skip_weight(position: float | None, duration: float | None) -> float:
    """How much a skip says against a track: 1 for an instant skip, falling to 0 at the end."""
    if position is None or not duration or duration <= 0:
        return 1.0
    return max(0.0, min(1.0, 1.0 - position / duration))


def evidence_for(
    track: Track,
    event: str,
    genres: GenreMap,
    position: float | None = None,
    duration: float | None = None,
    part: str | None = None,
) -> list[Evidence]:
    """The (kind, key, for, against) rows one listening event adds; with ``part`` (of the
    day) every side is also kept under "<kind>@<part>"."""
    if event not in _WEIGHTS:
        raise ValueError(f"unknown listening event {event!r}; expected one of {', '.join(EVENTS)}")
    scale = skip_weight(position, duration or track.duration) if event == "skipped" else 1.0
    if event == "skipped" and scale < 0.1:
        # skipped in the last seconds: as good as heard to the end
        return evidence_for(track, "completed", genres, part=part)
    (t_pos, t_neg), (a_pos, a_neg), (g_pos, g_neg) = _WEIGHTS[event]
    rows: list[Evidence] = [("track", track.track_id, t_pos * scale, t_neg * scale)]
    known = sides(track, genres)
    shared: list[Evidence] = [(ALL, "", g_pos * scale, g_neg * scale)] if known else []
    for kind, key, weight in known:
        pos, neg = (a_pos, a_neg) if kind == "artist" else (g_pos, g_neg)
        shared.append((kind, key, pos * scale * weight, neg * scale * weight))
    rows += shared
    if part:
        rows += [(f"{kind}@{part}", key, pos, neg) for kind, key, pos, neg in shared]
    return rows


def block_artist(artist: str, blocked: bool = True) -> Evidence:
    """A row towards ruling an artist out (or, ``blocked=False``, back in); prefer
    :meth:`Taste.block_artist`, which gives the rows that reach that state whatever came
    before."""
    return (
        BLOCKED,
        f"artist:{artist.casefold()}",
        0.0 if blocked else 1.0,
        1.0 if blocked else 0.0,
    )


_OLD_ENERGY_BANDS = 8  # energy was kept in eight bands, under keys "0".."7", before the bins


def _from_old_energy(
    rows: Iterable[tuple[tuple[str, str], tuple[float, float]]],
) -> Iterator[Evidence]:
    """Stored rows as evidence, those of the old energy bands read as today's bins and base
    rate (see the module docstring); every other row as it is."""
    width = ENERGY_BINS / _OLD_ENERGY_BANDS  # bins per old band (2.5)
    old_total = [0.0, 0.0]
    for (kind, key), (pos, neg) in rows:
        if kind != "energy" or key not in _OLD_ENERGY_KEYS:
            yield kind, key, pos, neg
            continue
        low = int(key) * width
        for number in range(int(low), min(ENERGY_BINS, math.ceil(low + width))):
            share = (min(number + 1, low + width) - max(number, low)) / width
            if share > 0:
                yield "energy", bin_key("energy", number), pos * share, neg * share
        old_total[0] += pos
        old_total[1] += neg
    if old_total[0] or old_total[1]:
        yield ALL, "", old_total[0], old_total[1]


_OLD_ENERGY_KEYS = frozenset(str(band) for band in range(_OLD_ENERGY_BANDS))

REFINEMENTS = {
    **{side: ("lower", "higher") for side in STEERABLE},
    "track": ("less", "more"),  # less of that (its artist and genres), more like this
}


def refinement(
    taste: Taste,
    side: str,
    direction: str,
    track: Track | None,
    genres: GenreMap,
    part: str | None = None,
) -> list[Evidence]:
    """The rows that remember a spoken refinement of the picks.

    ``side`` "tempo", "energy", "loudness" or "year" with ``direction`` "lower" or "higher"
    (slower, calmer, quieter, older: lower): kept under :data:`SAID`, what was said before on
    that side halved, so the latest word leads. ``side`` "track": "more" like ``track`` (learned
    as a like of it, every side), or "less" of it (against its artist and genres, not a
    dislike: nothing is ruled out). Nothing when there is no track to refer to."""
    if direction not in REFINEMENTS.get(side, ()):
        wanted = ", ".join(f"{s} {'/'.join(d)}" for s, d in REFINEMENTS.items())
        raise ValueError(f"unknown refinement {side!r} {direction!r}; expected one of {wanted}")
    if side != "track":
        pos, neg = taste.get(SAID, side)
        up, down = (1.0, 0.0) if direction == "higher" else (0.0, 1.0)
        kept_pos, kept_neg = pos * SAID_KEPT + up, neg * SAID_KEPT + down
        return [(SAID, side, kept_pos - pos, kept_neg - neg)]
    if track is None or not (track.artist or track.genres or track.path):
        return []
    if direction == "more":  # the listener's base rate (ALL) is left as it was: no event
        liked = evidence_for(track, "liked", genres, part=part)
        return [
            (kind, key, pos * MORE_LIKE_THIS, neg * MORE_LIKE_THIS)
            for kind, key, pos, neg in liked
            if kind.partition("@")[0] != ALL
        ]
    # less of it now, whatever was loved before: its artist falls just under even, its genres
    # lose half their lead and a little more
    rows: list[Evidence] = []
    if track.artist:
        artist = track.artist.casefold()
        lead = max(0.0, taste.net("artist", artist))
        rows.append(("artist", artist, 0.0, lead + LESS_OF_THAT))
    if track.genres:
        for genre, weight in weighted_genres(track.genres, genres):
            lead = max(0.0, taste.net("genre", genre))
            rows.append(("genre", genre, 0.0, weight * (lead / 2 + LESS_OF_THAT)))
    return rows


class Taste:
    """One listener's evidence in memory: kind -> key -> [for, against].

    Each kind's weights are mirrored in a numpy array (row i: the i-th key in insertion order),
    so a pick reads them without walking every key; the tracks ruled out are kept as a set."""

    def __init__(self, rows: dict[tuple[str, str], tuple[float, float]] | None = None) -> None:
        self.by_kind: dict[str, dict[str, list[float]]] = defaultdict(dict)
        self._values: dict[str, np.ndarray] = {}
        self._slots: dict[str, dict[str, int]] = {}
        self._blocked_artists: set[str] = set()
        # the rules on tracks by plain track id (the same [for, against] lists as under
        # BLOCKED), so a pick finds them in a catalog as it finds the tracks themselves
        self.track_rules: dict[str, list[float]] = {}
        self.add(_from_old_energy(sorted((rows or {}).items())))

    def add(self, rows: Iterable[Evidence]) -> None:
        for kind, key, pos, neg in rows:
            entries = self.by_kind[kind]
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = [0.0, 0.0]
            entry[0] += pos
            entry[1] += neg
            self._mirror(kind, key, entry)
            if kind != BLOCKED:
                continue
            subject, _, name = key.partition(":")
            if subject == "track":
                self.track_rules[name] = entry
                self._mirror(TRACK_RULES, name, entry)
            elif subject == "artist" and entry[1] > entry[0]:
                self._blocked_artists.add(name)
            elif subject == "artist":
                self._blocked_artists.discard(name)

    def _mirror(self, kind: str, key: str, entry: list[float]) -> None:
        """Copy an entry's weights into its kind's array, growing it when it is full."""
        slots = self._slots.setdefault(kind, {})
        slot = slots.setdefault(key, len(slots))
        values = self._values.get(kind)
        if values is None or len(values) < len(slots):
            grown = np.zeros((max(16, 2 * len(slots)), 2))
            if values is not None:
                grown[: len(values)] = values
            values = self._values[kind] = grown
        values[slot] = entry

    def values(self, kind: str) -> np.ndarray:
        """(for, against) of each key of ``kind``, in the order of ``by_kind[kind]`` (or, for
        :data:`TRACK_RULES`, of :attr:`track_rules`)."""
        count = len(self._slots.get(kind, ()))
        values = self._values.get(kind)
        return values[:count] if values is not None else np.zeros((0, 2))

    def get(self, kind: str, key: str) -> tuple[float, float]:
        entry = self.by_kind.get(kind, {}).get(key)
        return (entry[0], entry[1]) if entry else (0.0, 0.0)

    def net(self, kind: str, key: str) -> float:
        pos, neg = self.get(kind, key)
        return pos - neg

    def blocked_artists(self) -> set[str]:
        """Artists the listener ruled out (casefolded), until they ask for them again."""
        return set(self._blocked_artists)

    def blocked_tracks(self) -> set[str]:
        """Tracks the listener disliked outright, until they say they love them."""
        return {track_id for track_id, (pos, neg) in self.track_rules.items() if neg > pos}

    def _state(self, key: str, blocked: bool) -> list[Evidence]:
        """The rows that leave ``key`` ruled out (or in) by exactly one, whatever was said
        before: saying it twice adds nothing, and saying the opposite once undoes it. Nothing
        when it is already so."""
        pos, neg = self.get(BLOCKED, key)
        if (neg > pos) == blocked:
            return []
        if blocked:
            return [(BLOCKED, key, 0.0, pos - neg + 1.0)]
        return [(BLOCKED, key, neg - pos + 1.0, 0.0)]

    def block_artist(self, artist: str, blocked: bool = True) -> list[Evidence]:
        """The rows that rule an artist out ("i don't like <artist>") or back in."""
        return self._state(f"artist:{artist.casefold()}", blocked)

    def verdict(self, track_id: str, event: str) -> list[Evidence]:
        """The rows a listening event adds to the rules: a dislike rules the track out for good
        (completions and replays do not outweigh it); a like lifts that."""
        if event == "disliked":
            return self._state(f"track:{track_id}", True)
        if event == "liked":
            return self._state(f"track:{track_id}", False)
        return []

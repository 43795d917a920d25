"""What the DJ has learned about one listener from listening: evidence for and against.

Every listening event adds evidence to the track, its artist, its genres and, at half weight, the
genres above them (liking bebop says a little about jazz), and to its energy band (some like it
loud, some quiet, whatever the genre). An early skip says more than a late one.
The evidence is a pair of weights (for, against) per (kind, key); the recommender reads it as a
Beta distribution, so a little evidence leaves room to explore and a lot settles the question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from appliance.library.genres import GenreMap
from appliance.library.track import Track

EVENTS = ("completed", "skipped", "liked", "disliked", "replayed")

# event -> (track, artist, genre) weights as (for, against); ancestors get half of the genre's.
_WEIGHTS: dict[str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]] = {
    "completed": ((1.0, 0.0), (1.0, 0.0), (1.0, 0.0)),
    "liked": ((3.0, 0.0), (2.0, 0.0), (2.0, 0.0)),
    "replayed": ((2.0, 0.0), (1.0, 0.0), (1.0, 0.0)),
    "disliked": ((0.0, 5.0), (0.0, 2.0), (0.0, 1.5)),
    "skipped": ((0.0, 2.0), (0.0, 1.5), (0.0, 1.5)),
}

Evidence = tuple[str, str, float, float]


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
) -> list[Evidence]:
    """The (kind, key, for, against) rows one listening event adds."""
    if event not in _WEIGHTS:
        raise ValueError(f"unknown listening event {event!r}; expected one of {', '.join(EVENTS)}")
    scale = skip_weight(position, duration or track.duration) if event == "skipped" else 1.0
    if event == "skipped" and scale < 0.1:
        # skipped in the last seconds: as good as heard to the end
        return evidence_for(track, "completed", genres)
    (t_pos, t_neg), (a_pos, a_neg), (g_pos, g_neg) = _WEIGHTS[event]
    rows: list[Evidence] = [("track", track.track_id, t_pos * scale, t_neg * scale)]
    if track.artist:
        rows.append(("artist", track.artist.casefold(), a_pos * scale, a_neg * scale))
    own = {genres.normalise(g) for g in track.genres}
    above = set().union(*(genres.ancestors(g) for g in own)) - own if own else set()
    rows += [("genre", g, g_pos * scale, g_neg * scale) for g in sorted(own)]
    rows += [("genre", g, g_pos * scale / 2, g_neg * scale / 2) for g in sorted(above)]
    if track.energy is not None:
        rows.append(("energy", energy_band(track.energy), g_pos * scale, g_neg * scale))
    return rows


ENERGY_BANDS = 8


def energy_band(energy: float) -> str:
    """Energy 0..1 in one of :data:`ENERGY_BANDS` bands, the key its evidence is kept under."""
    return str(min(ENERGY_BANDS - 1, max(0, int(energy * ENERGY_BANDS))))


class Taste:
    """One listener's evidence in memory: kind -> key -> [for, against]."""

    def __init__(self, rows: dict[tuple[str, str], tuple[float, float]] | None = None) -> None:
        self.by_kind: dict[str, dict[str, list[float]]] = defaultdict(dict)
        for (kind, key), (pos, neg) in (rows or {}).items():
            self.by_kind[kind][key] = [pos, neg]

    def add(self, rows: Iterable[Evidence]) -> None:
        for kind, key, pos, neg in rows:
            entry = self.by_kind[kind].setdefault(key, [0.0, 0.0])
            entry[0] += pos
            entry[1] += neg

    def get(self, kind: str, key: str) -> tuple[float, float]:
        entry = self.by_kind.get(kind, {}).get(key)
        return (entry[0], entry[1]) if entry else (0.0, 0.0)

    def net(self, kind: str, key: str) -> float:
        pos, neg = self.get(kind, key)
        return pos - neg

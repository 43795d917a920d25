"""A decade asked for by name ("nineties please") as the years it covers, so the DJ plays the
tracks tagged with those years instead of searching names for the word."""

from __future__ import annotations

import numpy as np

from appliance.library.track import Track

_STARTS = {
    "twenties": (1920, 2020),  # the roaring twenties, or these
    "thirties": (1930,),
    "forties": (1940,),
    "fifties": (1950,),
    "sixties": (1960,),
    "seventies": (1970,),
    "eighties": (1980,),
    "nineties": (1990,),
    "noughties": (2000,),
}


def decade_starts(word: str) -> tuple[int, ...] | None:
    """The first years of the decades ``word`` names (the understanding's decade values), or
    None when it names none."""
    return _STARTS.get(" ".join(word.casefold().split()))


def in_decade(tracks: list[Track], starts: tuple[int, ...]) -> np.ndarray:
    """Which tracks were released in one of the decades beginning at ``starts``."""
    return np.array(
        [t.year is not None and any(s <= t.year < s + 10 for s in starts) for t in tracks],
        dtype=bool,
    )


def nearest_decade(tracks: list[Track], starts: tuple[int, ...]) -> np.ndarray:
    """The tracks released nearest to those decades (none when no track has a year)."""
    far = np.array(
        [
            min(max(s - t.year, t.year - (s + 9), 0) for s in starts)
            if t.year is not None
            else np.iinfo(np.int64).max
            for t in tracks
        ],
        dtype=np.int64,
    )
    known = far < np.iinfo(np.int64).max
    return known & (far == far[known].min()) if known.any() else known

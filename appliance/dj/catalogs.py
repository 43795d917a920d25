"""The library as a :class:`Catalog`, kept up to date without stalling the DJ.

Building the catalog of 100,000 tracks takes seconds, and the library's generation moves every few
seconds while tempo and energy are being measured. So the DJ asks for its catalog before it takes
its lock (a turn never waits on another's build: while one is being built the last one serves),
and a catalog slow
to build is rebuilt at most once per ``took / BUSY_SHARE`` seconds (about a minute for three
seconds' work), the last one serving meanwhile: a track added or gone in that time is picked up
at the next rebuild (a file gone meanwhile is skipped by the player, as any missing file is). A
catalog quick to build is rebuilt whenever the library changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from appliance.dj.recommend import Catalog
from appliance.library.genres import GenreMap
from appliance.library.track import Track

SLOW_BUILD = 0.25  # seconds: a catalog built quicker than this follows every change at once
BUSY_SHARE = 0.05  # otherwise rebuilding takes at most this share of the time


class Tracks(Protocol):
    """The side of a library a catalog is built from."""

    @property
    def generation(self) -> int: ...

    def tracks(self) -> list[Track]: ...


class Catalogs:
    """The current catalog of one library, rebuilt when it changed (see the module's notes)."""

    def __init__(self, genres: GenreMap, clock: Callable[[], float] = time.monotonic) -> None:
        self._genres = genres
        self._clock = clock
        self._building = threading.Lock()  # one build at a time, and never the DJ's lock
        self._current: tuple[Catalog, int, Tracks] | None = None
        self._built_at = 0.0
        self._took = 0.0
        self.builds = 0

    def current(self) -> Catalog | None:
        """The catalog in use, without looking at the library."""
        current = self._current
        return current[0] if current else None

    def _fresh_enough(self, library: Tracks, generation: int) -> bool:
        current = self._current
        if current is None or current[2] is not library:
            return False
        if current[1] == generation:
            return True
        waited = self._clock() - self._built_at
        return self._took >= SLOW_BUILD and waited < self._took / BUSY_SHARE

    def get(self, library: Tracks) -> Catalog:
        """The catalog for ``library``: the current one while it is fresh enough or another
        thread is building its successor, else a new one."""
        if self._fresh_enough(library, library.generation):
            return self._current[0]  # type: ignore[index]
        current = self._current
        if not self._building.acquire(blocking=current is None or current[2] is not library):
            return self._current[0]  # type: ignore[index]  # being rebuilt: the last one serves
        try:
            generation = library.generation  # read first: a change during the build shows next
            if self._fresh_enough(library, generation):  # built by another thread meanwhile
                return self._current[0]  # type: ignore[index]
            started = self._clock()
            catalog = Catalog(library.tracks(), self._genres)
            self._built_at = self._clock()
            self._took = self._built_at - started
            self._current = (catalog, generation, library)
            self.builds += 1
            return catalog
        finally:
            self._building.release()

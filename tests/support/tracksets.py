"""A list of tracks with the reading side of the Library API, the only side the DJ uses: the
tests and benchmarks hand the DJ a library without scanning files."""

from __future__ import annotations

from collections.abc import Sequence

from appliance.library.track import Track


class TrackSet:
    """The tracks, looked up by id; ``generation`` moves when the tracks change, as a
    library's does."""

    def __init__(self, tracks: Sequence[Track]) -> None:
        self._tracks = list(tracks)
        self._by_id = {t.track_id: t for t in self._tracks}
        self.generation = 1

    def tracks(self) -> list[Track]:
        return list(self._tracks)

    def get(self, track_id: str) -> Track | None:
        return self._by_id.get(track_id)

    def artists(self) -> list[str]:
        return sorted({t.artist for t in self._tracks})

    def albums(self) -> list[str]:
        return sorted({t.album for t in self._tracks})

    def titles(self) -> list[str]:
        return sorted({t.title for t in self._tracks})

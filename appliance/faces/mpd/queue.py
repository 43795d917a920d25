"""The station's queue as MPD's play queue: the track on air first, then "up next".

MPD clients keep their own copy of the queue and ask only for what changed since the version they
saw (``plchanges``), by song ids that stay with a song while it moves. The station's state has
tracks, not ids, so each new state is matched against the last one: a track still queued keeps
its id (the first unmatched entry of the same track), a new one gets the next id, and every entry
whose id or position changed is stamped with the new version.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from appliance.library.track import Track
from appliance.state import StationState

MAX_LENGTH = 16384  # MPD's default max_playlist_length


@dataclass(frozen=True, slots=True)
class Entry:
    track: Track
    id: int
    version: int  # the queue version at which this entry last got its id or position


class PlayQueue:
    """MPD's view of the queue; :meth:`update` with each new state."""

    def __init__(self) -> None:
        self.version = 1
        self.entries: list[Entry] = []
        self.on_air = False  # entry 0 is the track on air (else nothing is)
        self._next_id = 1

    def update(self, state: StationState) -> bool:
        """Follow ``state``; True when the queue (its ids or order) changed."""
        tracks = ([state.now_playing.track] if state.now_playing else []) + list(state.up_next)
        self.on_air = state.now_playing is not None
        if [entry.track.track_id for entry in self.entries] == [t.track_id for t in tracks]:
            self.entries = [  # same ids and order; tags may have been re-read
                Entry(track, entry.id, entry.version)
                for entry, track in zip(self.entries, tracks, strict=True)
            ]
            return False
        old: dict[str, deque[tuple[int, Entry]]] = defaultdict(deque)
        for position, entry in enumerate(self.entries):
            old[entry.track.track_id].append((position, entry))
        version = self.version + 1
        entries = []
        for position, track in enumerate(tracks):
            kept = old.get(track.track_id)
            if kept:
                was, entry = kept.popleft()
                stamp = entry.version if was == position else version
                entries.append(Entry(track, entry.id, stamp))
            else:
                entries.append(Entry(track, self._next_id, version))
                self._next_id += 1
        self.entries = entries
        self.version = version
        return True

    def __len__(self) -> int:
        return len(self.entries)

    def position_of(self, song_id: int) -> int | None:
        for position, entry in enumerate(self.entries):
            if entry.id == song_id:
                return position
        return None

    def changed_since(self, version: int) -> list[tuple[int, Entry]]:
        """(position, entry) of every entry stamped after ``version``."""
        return [(pos, entry) for pos, entry in enumerate(self.entries) if entry.version > version]

    def up_next_index(self, position: int) -> int:
        """The index in the station's "up next" of queue ``position`` (not the track on air)."""
        return position - 1 if self.on_air else position

"""The Track: what the library knows about one music file, shared by the DJ and the player."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Track:
    """One music file of the library.

    Each file is one track, copies too. ``track_id`` is derived from the file's content (for a
    further copy, with its path), so a file that is moved or renamed keeps its id (and with it its
    listening history). ``path`` is the file's name as the disk has it (``os.fsencode`` gives
    its bytes back; show it with :func:`appliance.library.filenames.shown`). ``genres`` are
    canonical names from the genre map. ``bpm``, ``energy`` (0..1, loudness-based) and
    ``loudness`` (dB, LUFS-like: a ReplayGain tag's or measured) are None until tags or
    analysis supply them.
    """

    track_id: str
    path: str
    title: str
    artist: str
    album: str = ""
    album_artist: str = ""
    genres: tuple[str, ...] = ()
    year: int | None = None
    track_number: int | None = None
    duration: float = 0.0
    bpm: float | None = None
    energy: float | None = None
    loudness: float | None = None

    def describe(self) -> str:
        """How the DJ names the track: 'So What' by Miles Davis."""
        return f"'{self.title}' by {self.artist}" if self.artist else f"'{self.title}'"

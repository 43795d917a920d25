"""StationState: the one truth about the appliance, as a frozen snapshot.

The station builds a new snapshot whenever anything a listener could notice changes, and hands
the same object to every face (the console, the web page, Home Assistant, MPD clients). Nothing
else keeps its own copy of "what is playing": a face that wants to know reads the snapshot.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from appliance.library.track import Track


class PlayState(enum.StrEnum):
    """What the music is doing."""

    PLAYING = "playing"
    PAUSED = "paused"
    STOPPED = "stopped"


class VoiceActivity(enum.StrEnum):
    """What the appliance's voice side is doing."""

    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


@dataclass(frozen=True, slots=True)
class NowPlaying:
    """The track on air: where it is, when it began, who or what chose it and why.

    ``chosen_by`` is a listener id for a request, "dj" for the DJ's own pick, or the face that
    sent it ("web", "mpd", "home_assistant") when no listener is known. ``why`` is the DJ's reason
    in words ("because you liked Sade"); for a track a face named, who asked and where ("asked
    for on the web page"); empty for a track a listener asked for by name in words.
    """

    track: Track
    position: float = 0.0  # seconds in, as of the last start, pause or seek
    duration: float = 0.0
    # time.time() when it would have begun, played straight through (moved on by a pause or a
    # seek): while playing, a face shows time.time() - started_at; while paused, ``position``
    started_at: float = 0.0
    chosen_by: str = "dj"
    why: str = ""


@dataclass(frozen=True, slots=True)
class Room:
    """A place the programme plays (the local speaker, or a Snapcast client)."""

    id: str
    name: str
    on: bool = True
    volume: int = 100
    muted: bool = False
    latency_ms: int = 0
    connected: bool = True


@dataclass(frozen=True, slots=True)
class Said:
    """One line the DJ said (or was asked), for the faces' "recent lines"."""

    text: str
    user_id: str
    at: float  # time.time()


@dataclass(frozen=True, slots=True)
class StationState:
    """Everything a face shows, at one moment. ``version`` grows by one with each change."""

    version: int = 0
    now_playing: NowPlaying | None = None
    up_next: tuple[Track, ...] = ()
    last_played: Track | None = None  # the track before the one on air
    play_state: PlayState = PlayState.STOPPED
    volume: int = 70
    muted: bool = False
    ducked: bool = False
    listener: str = ""  # the current listener's id
    listener_name: str = ""
    mood: str | None = None
    voice: VoiceActivity = VoiceActivity.IDLE
    microphone_muted: bool = False
    commentary: bool = True
    dj_lines: tuple[Said, ...] = ()  # newest last, a few at most
    rooms: tuple[Room, ...] = ()
    listeners: tuple[tuple[str, str], ...] = field(default=())  # (id, name) of known listeners

    @property
    def track(self) -> Track | None:
        """The track on air, if any."""
        return self.now_playing.track if self.now_playing else None

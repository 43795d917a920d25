"""The pipeline's vocabulary: small frozen dataclasses passed between the stages.

The ears' events become an ``Ask`` for the station; the player's (a track started or ended) go
to the DJ as listening events and out to the faces on the station's event stream. Times are
``time.monotonic()`` seconds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from appliance.library.track import Track


@dataclass(frozen=True, slots=True)
class WakeDetected:
    """The wake word (or phrase, or push-to-talk) fired."""

    source: str
    at: float


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """Voice activity began after the wake word."""

    at: float


@dataclass(frozen=True, slots=True)
class PartialTranscript:
    """What the recogniser has heard so far; may still change."""

    text: str
    at: float


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """End-pointing decided the person stopped talking (or the utterance hit its maximum)."""

    at: float
    last_voice_at: float
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class Transcript:
    """The recogniser's final text for one utterance (empty when nothing was understood)."""

    text: str
    at: float
    confidence: float = 1.0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TrackStarted:
    """The player began a track."""

    track: Track
    at: float


class EndReason(enum.StrEnum):
    """Why the player left a track."""

    EOF = "eof"  # played to its end
    SKIPPED = "skipped"  # the listener moved on from it: the DJ learns from that
    REPLACED = "replaced"  # another request took its place (no verdict on it)
    STOPPED = "stopped"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class TrackEnded:
    """The player left a track, for ``reason``."""

    track: Track
    position: float
    duration: float
    reason: EndReason
    at: float
    error: str | None = None

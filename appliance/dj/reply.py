"""The DJ's answer to one turn: what it says, and what the player should do.

The DJ never touches audio; it hands back actions that the station applies to the player.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.events import EndReason
from appliance.library.track import Track


@dataclass(frozen=True)
class PlayTrack:
    """Start this track now (replacing whatever plays)."""

    track: Track


@dataclass(frozen=True)
class Skip:
    """Move on to the next track (the DJ has already chosen it when ``then`` is set).

    ``reason`` is how the player reports the track left behind: "skipped" (listening teaches
    the DJ from it), or "replaced" when the DJ already learned what it needed (a dislike)."""

    then: Track | None = None
    reason: EndReason = EndReason.SKIPPED


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class SetVolume:
    """An absolute level 0..100, or a relative ``step`` when ``level`` is None."""

    level: int | None = None
    step: int = 0


@dataclass(frozen=True)
class ChangeRoom:
    """Change one of the station's rooms (its id): whether it plays (``on``), its ``volume``
    0..100, ``muted``; None leaves that as it is. The station applies it as a SetRoom."""

    room: str
    on: bool | None = None
    volume: int | None = None
    muted: bool | None = None


Action = PlayTrack | Skip | Pause | Resume | Stop | SetVolume | ChangeRoom


@dataclass(frozen=True)
class Reply:
    """What the DJ says (``text``), the intent it heard, actions for the player, and the listener
    the conversation continues with (changes after "this is alex").

    Several requests in one utterance make one reply: their words in order, their actions in
    order; ``intent`` and ``slots`` are the first request's, ``intents`` names them all. A
    ``question`` asks whether to carry out ``intent`` (nothing was done yet)."""

    text: str
    intent: str
    user_id: str
    slots: dict[str, str | int | tuple[str, ...]] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    negative_feedback: bool = False
    intents: tuple[str, ...] = ()
    question: bool = False

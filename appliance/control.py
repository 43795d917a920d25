"""Commands: the one way anything asks the station to act.

The voice, the console and every network face build one of these and hand it to
``QFZZStation.execute``; the station carries it out in one place, so a skip from a phone teaches
the DJ exactly as a spoken "skip" does. ``by`` is the listener the command is attributed to
(None: whoever is listening now); ``source`` names the face it came from, for the log and for
``NowPlaying.chosen_by``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from appliance.bus import EventBus
from appliance.state import StationState


@dataclass(frozen=True, kw_only=True)
class Command:
    """What every command carries: who asked and through which face."""

    by: str | None = None
    source: str = "console"


@dataclass(frozen=True, kw_only=True)
class Choice:
    """What to play, as :class:`Play` and :class:`Enqueue` name it: exactly one of
    ``track_id``; ``query`` (words, as a listener would ask: "something by sade");
    ``artist``/``album``/``genre`` (all that match, an album in order). Not a command itself."""

    track_id: str | None = None
    query: str | None = None
    artist: str | None = None
    album: str | None = None
    genre: str | None = None


@dataclass(frozen=True, kw_only=True)
class Play(Choice, Command):
    """Play now what the :class:`Choice` names."""


@dataclass(frozen=True, kw_only=True)
class Enqueue(Choice, Command):
    """Add to the end of "up next" (or at ``position``), chosen as for :class:`Play`."""

    position: int | None = None


@dataclass(frozen=True, kw_only=True)
class PlayUrl(Command):
    """Play a stream or file another system sends (Home Assistant, Music Assistant).
    ``announce``: an announcement, said over ducked music, after which the music comes back."""

    url: str
    announce: bool = False


@dataclass(frozen=True, kw_only=True)
class Skip(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class Previous(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class Like(Command):
    """The listener likes what is playing (or ``track_id``)."""

    track_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Dislike(Command):
    """The listener dislikes what is playing (or ``track_id``); the DJ moves on from it."""

    track_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Pause(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class Resume(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class Stop(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class SetVolume(Command):
    """An absolute ``level`` 0..100, or a relative ``step`` when ``level`` is None."""

    level: int | None = None
    step: int = 0


@dataclass(frozen=True, kw_only=True)
class Mute(Command):
    """Mute (True), unmute (False) or toggle (None) the music."""

    on: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Seek(Command):
    """Go to ``seconds`` into the track (or that far from here when ``relative``)."""

    seconds: float
    relative: bool = False


@dataclass(frozen=True, kw_only=True)
class RemoveQueued(Command):
    """Take the track at ``index`` (0: the next one) out of "up next"."""

    index: int


@dataclass(frozen=True, kw_only=True)
class MoveQueued(Command):
    """Move the queued track at ``index`` to ``to``."""

    index: int
    to: int


@dataclass(frozen=True, kw_only=True)
class ClearQueue(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class SwitchListener(Command):
    """Make ``user_id`` the current listener (a new one is registered with ``name``)."""

    user_id: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class SetMood(Command):
    """Set the current (or ``by``) listener's mood; None clears it."""

    mood: str | None


@dataclass(frozen=True, kw_only=True)
class Announce(Command):
    """Say ``text`` in the DJ's voice over ducked music (not a reply: nothing is learned).

    ``private``: said only, never recorded (no DJSaid event, not among the DJ's lines other
    faces show, not in the log): for a secret such as a pairing code."""

    text: str
    private: bool = False


@dataclass(frozen=True, kw_only=True)
class Ask(Command):
    """Words for the DJ, typed or heard: the same dialogue as speech ("play something by sade").

    The voice sends what it heard with the recogniser's ``confidence`` (0..1) and ``timings``,
    and does not ``wait`` for the answer (it goes back to listening at once)."""

    text: str
    confidence: float = 1.0
    wait: bool = True
    timings: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class SetCommentary(Command):
    """Turn the DJ's talk between tracks on or off."""

    on: bool


@dataclass(frozen=True, kw_only=True)
class MuteMicrophone(Command):
    """Stop (True) or resume (False) listening for the wake word."""

    on: bool


@dataclass(frozen=True, kw_only=True)
class Rescan(Command):
    """Scan the music folders again, on a thread of the station's own (one scan at a time): the
    progress comes as ``Notice("library-scan", ...)`` events, the outcome at once."""


@dataclass(frozen=True, kw_only=True)
class SetRoom(Command):
    """Change one Snapcast room (its id or name, as in ``StationState.rooms``): whether it plays
    the DJ (``on``), its ``volume`` 0..100, ``muted``, ``latency_ms``; None leaves it as it is."""

    room: str
    on: bool | None = None
    volume: int | None = None
    muted: bool | None = None
    latency_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of a command: ``ok``; what the DJ said (``text``, may be empty); ``error`` in
    words a listener can act on when it was refused ("nothing is playing")."""

    ok: bool
    text: str = ""
    error: str = ""


class Station(Protocol):
    """What a face may use: read the state, send commands, follow the events."""

    @property
    def events(self) -> EventBus: ...

    def snapshot(self) -> StationState: ...

    def execute(self, command: Command) -> Outcome: ...

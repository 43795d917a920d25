"""The DJ's side of the conversation: what was heard or typed becomes an answer and actions.

One thread takes turns in order (a request, or the DJ's own commentary between tracks), so the DJ
never talks over itself. For each request: the DJ thinks (appliance.dj), the music dips and the
answer is spoken, then the player does what was asked. Commands that should take effect at once
(pause, stop, volume) are applied before the DJ says so; those that change the music (play, skip,
resume) after, so the new music follows the DJ's words, radio style.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from appliance.dj.recommend import Pick
from appliance.dj.reply import Action, Pause, PlayTrack, Reply, Resume, SetVolume, Skip, Stop
from appliance.events import EndReason
from appliance.library.track import Track

if TYPE_CHECKING:
    from appliance.dj import PersonalizedDJ

log = logging.getLogger(__name__)

BEFORE_SPEAKING = (Pause, Stop, SetVolume)


class Controls(Protocol):
    """What the dialogue needs of the music player."""

    def play(self, track: Track, end_reason: str = ...) -> None: ...
    def skip(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self, fade: float = ...) -> None: ...
    def set_volume(self, level: int) -> None: ...
    @property
    def volume(self) -> int: ...


# say(text, cancel, on_start) -> True when said to the end, False when interrupted; on_start is
# called with the time the first sample reached the output
Say = Callable[[str, threading.Event, Callable[[float], None] | None], bool]
# apply(action, user_id): carry out one of the DJ's actions for that listener (the station's way)
Apply = Callable[[Action, str], None]


@dataclass(frozen=True)
class _Private:
    """An announcement that is spoken and never recorded (see :meth:`Dialogue.announce`)."""

    text: str


@dataclass
class _Job:
    """A queued request (a Turn), commentary ((previous track, next pick)) or an announcement
    (its text); ``done`` is set when it has been dealt with."""

    payload: Turn | tuple[Track | None, Pick] | str | _Private | None  # None: a barrier
    done: threading.Event = field(default_factory=threading.Event)


@dataclass
class Turn:
    """How one request went, with the time of each stage (``time.monotonic()``)."""

    text: str
    user_id: str
    reply: Reply | None = None
    heard_at: float | None = None  # when the words were final (or typed)
    thought_at: float | None = None  # when the DJ had its answer
    first_audio_at: float | None = None  # when the first sample of the answer reached the output
    interrupted: bool = False
    spoken: bool = False  # heard through the microphone (not typed)
    timings: dict[str, float] = field(default_factory=dict)  # the recogniser's own, if any
    confidence: float = 1.0  # the recogniser's, 0..1 (below 0.5: more likely misheard); typed: 1
    # set once the DJ's words are decided (and in the lines), before they are spoken: a face
    # waiting for the answer need not wait for the voice
    decided: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)


class Dialogue:
    """Answers requests one at a time; see the module docstring."""

    def __init__(
        self,
        dj: PersonalizedDJ,
        user_id: str,
        player: Controls | None = None,
        say: Say | None = None,
        on_turn: Callable[[Turn], None] | None = None,
        apply: Apply | None = None,
        on_said: Callable[[str, str], None] | None = None,
    ) -> None:
        """``apply``, when given, carries out the DJ's actions instead of ``player``;
        ``on_said(text, user_id)`` hears every line the DJ says (a reply, commentary, an
        announcement), whether or not there is a voice to say it."""
        self.dj = dj
        self.user_id = user_id
        self.player = player
        self._say = say
        self.on_turn = on_turn
        self._apply_action = apply
        self.on_said = on_said
        # the talk between tracks is part of the programme: told True before it, False after
        # (the rooms send it to every room; a reply stays on this speaker)
        self.on_air: Callable[[bool], None] | None = None
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._cancel = threading.Event()
        self._speaking = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the worker ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="dialogue", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop talking, drop what is still queued, end the worker."""
        self._stopping.set()
        self.barge_in()
        self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._stopping.is_set():
                job.done.set()
                continue
            try:
                if job.payload is None:
                    pass  # a barrier: everything queued before it is done
                elif isinstance(job.payload, Turn):
                    self.handle(job.payload)
                elif isinstance(job.payload, _Private):
                    self._speak(job.payload.text)
                elif isinstance(job.payload, str):
                    self._said(job.payload, self.user_id)
                    self._speak(job.payload)
                else:
                    self._comment(*job.payload)
            except Exception:
                log.exception("could not handle %r", job.payload)
            finally:
                if isinstance(job.payload, Turn):
                    job.payload.decided.set()
                job.done.set()

    def submit(
        self,
        text: str,
        timings: dict[str, float] | None = None,
        spoken: bool = False,
        confidence: float = 1.0,
        user_id: str | None = None,
    ) -> Turn:
        """Queue a request (from the recogniser, with its confidence, or typed; from ``user_id``,
        else the current listener); the Turn fills in when answered."""
        turn = Turn(
            text=text,
            user_id=user_id or self.user_id,
            spoken=spoken,
            timings=timings or {},
            confidence=confidence,
        )
        self._jobs.put(_Job(turn))
        return turn

    def announce(self, text: str, private: bool = False) -> None:
        """Queue a line the DJ says of its own accord (music gone from a folder, and back);
        a ``private`` one (a pairing code) is spoken only: ``on_said`` never hears it."""
        self._jobs.put(_Job(_Private(text) if private else text))

    def ask(
        self,
        text: str,
        timeout: float = 120.0,
        user_id: str | None = None,
        confidence: float = 1.0,
        spoken: bool = False,
        decided: bool = False,
    ) -> Turn:
        """Queue a request (from ``user_id``, else the current listener) and wait for its
        answer, in order with everything else: until it has been said and done, or
        (``decided``) only until the DJ's words are decided, while they are still being spoken."""
        turn = Turn(
            text=text, user_id=user_id or self.user_id, confidence=confidence, spoken=spoken
        )
        job = _Job(turn)
        self._jobs.put(job)
        (turn.decided if decided else job.done).wait(timeout)
        return turn

    def drain(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Wait until everything queued so far has been answered and said; True when it has.
        Waits in short slices so that ``stop`` being set (a signal) ends the wait at once."""
        job = _Job(None)
        self._jobs.put(job)
        deadline = time.monotonic() + timeout
        while not job.done.wait(min(0.2, max(0.0, deadline - time.monotonic()))):
            if (stop is not None and stop.is_set()) or time.monotonic() >= deadline:
                return False
        return True

    def submit_commentary(self, previous: Track | None, pick: Pick) -> None:
        """Queue the DJ's talk over the next track's intro."""
        self._jobs.put(_Job((previous, pick)))

    # -- speaking --------------------------------------------------------------------------

    @property
    def speaking(self) -> bool:
        return self._speaking.is_set()

    def barge_in(self) -> None:
        """Stop the DJ's current sentence (the listener heard the wake word)."""
        if self._speaking.is_set():
            self._cancel.set()

    def _speak(self, text: str, on_start: Callable[[float], None] | None = None) -> bool:
        if self._say is None or not text:
            return True
        self._cancel.clear()
        self._speaking.set()
        try:
            return self._say(text, self._cancel, on_start)
        except Exception as error:
            log.warning("could not speak: %s", error)
            return False
        finally:
            self._speaking.clear()

    # -- one request -----------------------------------------------------------------------

    def handle(self, turn: Turn | str) -> Turn:
        """Answer one request now, in this thread (the worker's way; tests may call it too).
        Whatever happens, ``on_turn`` hears about the turn."""
        if isinstance(turn, str):
            turn = Turn(text=turn, user_id=self.user_id)
        turn.heard_at = turn.heard_at or time.monotonic()
        try:
            if turn.text.strip():
                self._answer(turn)
        finally:
            turn.decided.set()
            if self.on_turn is not None:
                try:
                    self.on_turn(turn)
                except Exception:
                    log.exception("turn listener failed")
        return turn

    def _answer(self, turn: Turn) -> None:
        reply = self.dj.respond(turn.user_id, turn.text, confidence=turn.confidence)
        turn.reply = reply
        turn.thought_at = time.monotonic()
        if reply.user_id != turn.user_id:  # "this is sam"
            log.info("now listening to %s", reply.user_id)
            self.user_id = reply.user_id
        self._apply((a for a in reply.actions if isinstance(a, BEFORE_SPEAKING)), reply.user_id)
        self._said(reply.text, reply.user_id)
        turn.decided.set()
        turn.interrupted = not self._speak_turn(turn, reply.text)
        self._apply((a for a in reply.actions if not isinstance(a, BEFORE_SPEAKING)), reply.user_id)

    def _said(self, text: str, user_id: str) -> None:
        if self.on_said is None or not text:
            return
        try:
            self.on_said(text, user_id)
        except Exception:
            log.exception("on_said failed")

    def _speak_turn(self, turn: Turn, text: str) -> bool:
        def first_audio(at: float) -> None:
            if turn.first_audio_at is None:
                turn.first_audio_at = at

        return self._speak(text, first_audio)

    def _apply(self, actions: Iterable[Action], user_id: str) -> None:
        player = self.player
        for action in actions:
            if self._apply_action is not None:
                try:
                    self._apply_action(action, user_id)
                except Exception as error:
                    log.warning("could not %s: %s", type(action).__name__.lower(), error)
                continue
            if player is None:
                log.debug("no player for %s", action)
                continue
            try:
                self._apply_one(player, action)
            except Exception as error:
                log.warning("the player could not %s: %s", type(action).__name__.lower(), error)

    @staticmethod
    def _apply_one(player: Controls, action: Action) -> None:
        if isinstance(action, PlayTrack):
            # a new request is not a verdict on what played before it
            player.play(action.track, end_reason=EndReason.REPLACED)
        elif isinstance(action, Skip):
            if action.then is not None:
                player.play(action.then, end_reason=action.reason)
            else:
                player.skip()
        elif isinstance(action, Pause):
            player.pause()
        elif isinstance(action, Resume):
            player.resume()
        elif isinstance(action, Stop):
            player.stop()
        elif isinstance(action, SetVolume):
            level = action.level if action.level is not None else player.volume + action.step
            player.set_volume(max(0, min(100, level)))

    # -- between tracks --------------------------------------------------------------------

    def _comment(self, previous: Track | None, pick: Pick) -> None:
        if self.dj.now_playing is not None and self.dj.now_playing != pick.track:
            return  # a request changed the music since: this would talk about the wrong track
        text = self.dj.commentary(self.user_id, previous, pick)
        log.info("commentary: %s", text)
        self._said(text, self.user_id)
        self._tell_on_air(True)
        try:
            self._speak(text)
        finally:
            self._tell_on_air(False)

    def _tell_on_air(self, talking: bool) -> None:
        if self.on_air is None:
            return
        try:
            self.on_air(talking)
        except Exception:
            log.exception("sending the DJ's talk to the programme failed")

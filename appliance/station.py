"""QFZZStation: the appliance built from its configuration, started, supervised and stopped.

This is the one place that knows every part: the library, the DJ, the player, the voice (Piper and
the speech output) and the ears (microphone or file, wake word, end-pointing, recogniser). Every
face (the ears, the keyboard, the network faces) uses it the same three ways: ``snapshot()``, the
one state (the player owns the track; the DJ reads it from there); ``execute(command)``, the one
control path (:mod:`appliance.command_path`: what was heard is an ``Ask`` too); and ``events``,
the one event stream. What the player observes comes back as listening events the DJ learns from.

``start()`` never fails for a missing microphone or speaker: the station runs without them (the
capture process retries, mpv falls back to silence, speech falls back to the log) and picks them
up when they appear. A supervisor thread starts the listener again when it stops, keeps the
recogniser's vocabulary in step with the library, and pings systemd's watchdog only while every
stage is alive and moving.
"""

from __future__ import annotations

import collections
import enum
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from appliance import sdnotify
from appliance.bus import EventBus, Heard, Notice
from appliance.command_path import CommandPath, Handler
from appliance.commentary import CommentaryPolicy
from appliance.config import Config
from appliance.control import Ask, Command, Outcome
from appliance.dialogue import Dialogue, Turn
from appliance.dj import PersonalizedDJ, understand_verdict
from appliance.errors import ApplianceError, AudioError, LibraryError, StoreError
from appliance.events import (
    EndReason,
    PartialTranscript,
    TrackEnded,
    TrackStarted,
    Transcript,
    WakeDetected,
)
from appliance.grammar import Grammar
from appliance.keeper import StateKeeper
from appliance.library.filenames import readable, shown
from appliance.library.presence import Change
from appliance.library.track import Track
from appliance.parts import Parts
from appliance.paths import dj_db_path, keep_caches_in, library_db_path
from appliance.state import NowPlaying, PlayState, Room, StationState, VoiceActivity
from appliance.voice.whisper_prompt import prompt_vocabulary

if TYPE_CHECKING:
    from appliance.faces.host import FaceHost
    from appliance.ledger import Ledger
    from appliance.library import Library
    from appliance.library.scan import ScanReport
    from appliance.models.plan import ModelChoice
    from appliance.player import Player
    from appliance.voice.button import GpioButton
    from appliance.voice.capture import AudioSource
    from appliance.voice.listener import Listener
    from appliance.voice.speaker import SpeechOutput
    from appliance.voice.tts_piper import PiperSpeech

log = logging.getLogger("appliance.station")

T = TypeVar("T")
SUPERVISE_EVERY = 0.5  # seconds between health checks
RESTART_PAUSE = 2.0  # seconds before a failed stage is started again
STALLED_AFTER = 15.0  # seconds without audio before the ears count as hung
EARLY_END_MS = 200  # silence that ends a request already whole ("skip"; see dj/complete.py)
NEXT_TRACK_GRACE = 3.0  # seconds a track that ended stays "now playing" while the next one starts
SPEAKER_RETRY = 30.0  # seconds between attempts to reach a missing speaker
LEVEL_FRAMES = 10  # the microphone's last frames a level meter reads (100 ms)
WARM_UP_STOP_WAIT = 10.0
"""Seconds a stop waits for the voice's warm-up to finish the sentence it is making (a thread
killed inside onnxruntime aborts the process). It runs at the lowest priority: on two busy cores
one sentence took over 3 s, and a small board is slower; the service's TimeoutStopSec (20 s)
leaves room for it and the other parts' waits."""


class ListenMode(enum.StrEnum):
    """Where requests come from (see :class:`StationConfig`)."""

    AUTO = "auto"
    MICROPHONE = "microphone"
    KEYBOARD = "keyboard"
    FILE = "file"
    NONE = "none"


@dataclass
class StationConfig:
    """How to build a station: the product guide's fields, then the appliance's own.

    ``listen``: where requests come from. "microphone" (wake word, then speech), "keyboard" (the
    caller submits typed text), "file" (speech from ``input_file``), "none" (only the API), or
    "auto": the microphone when one exists, else the keyboard when this is a terminal, else the
    microphone anyway (it is picked up when it is plugged in). ``speak``: answer aloud with the
    Piper voice. ``play``: play music with mpv. ``enable_personalization``: remember listeners
    across restarts and learn from their listening (off: a fresh, forgetful DJ each start).
    ``blockchain_enabled``: keep community and trust events in a hash-chained, tamper-evident
    log on this device (no network, no mining). ``enable_6g`` is accepted for the guide's API and
    changes nothing on a board without a 6G modem.
    """

    station_name: str = "QFZZ"
    edge_mode: bool = True
    enable_personalization: bool = True
    blockchain_enabled: bool = False
    enable_6g: bool = False
    settings: Config = field(default_factory=Config)
    listen: str = "auto"
    input_file: Path | None = None
    speak: bool = True
    play: bool = True
    audio_output: str = "auto"
    data_dir: Path | None = None
    parts: Parts = field(default_factory=Parts)  # the engines; tests/fakes.py has stand-ins
    faces: bool = False  # start the network faces the config turns on (the web page, ...)

    @classmethod
    def from_settings(cls, settings: Config, **changes: Any) -> StationConfig:
        """A station as the config file describes it (``changes`` override single fields)."""
        base = cls(
            station_name=settings.station.name,
            blockchain_enabled=settings.station.ledger,
            settings=settings,
        )
        return replace(base, **changes)


class Ducking:
    """Keeps the music down while anything needs it down.

    Reasons overlap: the appliance listens (from the wake word to the end of the request), it is
    about to answer, it speaks. The music dips when the first reason comes and rises when the last
    one goes, so a barge-in (the wake word while the DJ talks) keeps it down through the new
    request instead of letting it swell between the two. Telling the player never waits for its
    thread (``Player.duck`` hands the change over and returns), so the lock is only ever held
    for a moment, and the listener never stalls behind a fade.
    """

    def __init__(self, player: Player | None, db: float) -> None:
        self.player = player
        self._db = db
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()
        self.on_change: Callable[[bool], None] | None = None  # told True (down) / False (up)
        # a part that ducks the music another way (the rooms, lowering only this board's room
        # while the player feeds every room): told True/False, returns True when it took it
        self.instead: Callable[[bool], bool] | None = None

    def hold(self, reason: str, fade: float = 0.25) -> None:
        with self._lock:  # the player is told in order, under the lock
            first = not self._held
            self._held[reason] = self._held.get(reason, 0) + 1
            if first:
                if not self._ask_instead(True):
                    self._tell(lambda player: player.duck(self._db, fade))
                if self.on_change is not None:
                    self.on_change(True)

    def release(self, reason: str, fade: float = 0.5) -> None:
        with self._lock:
            if reason not in self._held:
                return
            self._held[reason] -= 1
            if self._held[reason] <= 0:
                del self._held[reason]
            if not self._held:
                self._ask_instead(False)
                self._tell(lambda player: player.unduck(fade))  # harmless when not down
                if self.on_change is not None:
                    self.on_change(False)

    @property
    def held(self) -> bool:
        """The music is down (some reason holds it)."""
        return bool(self._held)

    def _ask_instead(self, down: bool) -> bool:
        try:
            return self.instead is not None and self.instead(down)
        except Exception:
            log.exception("ducking the music another way failed")
            return False

    def _tell(self, action: Callable[[Player], None]) -> None:
        if self.player is None:
            return
        try:
            action(self.player)
        except ApplianceError as error:
            log.warning("could not change the music's volume: %s", error)

    def speaking(self) -> _SpeakingDuck:
        """What the speech output ducks with."""
        return _SpeakingDuck(self)


class _SpeakingDuck:
    def __init__(self, ducking: Ducking) -> None:
        self._ducking = ducking

    def duck(self, db: float | None = None, fade: float = 0.25) -> None:
        self._ducking.hold("speaking", fade)

    def unduck(self, fade: float = 0.5) -> None:
        self._ducking.release("speaking", fade)


class _Stamped:
    """An audio source that notes when it last delivered, so a hung listener can be told, and
    keeps its last frames for a level meter (measured only when asked)."""

    def __init__(self, source: AudioSource, clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self._clock = clock
        self.last_read = clock()
        self.last_frame_at: float | None = None
        self.recent: collections.deque[bytes] = collections.deque(maxlen=LEVEL_FRAMES)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)

    def read(self, timeout: float | None = None) -> bytes | None:
        self.last_read = self._clock()
        frame = self.source.read(timeout)
        if frame is not None:
            self.recent.append(frame)
            self.last_frame_at = self._clock()
        return frame

    def level(self) -> float | None:
        """The loudness of the last frames in dBFS (-96: silence), or None when none came in
        the last second (no sound reaches the listener)."""
        if self.last_frame_at is None or self._clock() - self.last_frame_at > 1.0:
            return None
        import numpy as np

        for _ in range(3):
            try:
                frames = b"".join(self.recent)
                break
            except RuntimeError:  # the listener's thread added one meanwhile: read again
                continue
        else:
            return None
        samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
        if not samples.size:
            return None
        rms = float(np.sqrt(np.mean(samples * samples)))
        return round(max(-96.0, 20 * math.log10(max(rms, 1e-9) / 32768)), 1)


class QFZZStation:
    """The appliance. ``start()``, ``get_dj()``, ``stop()``; see the module docstring."""

    def __init__(self, config: StationConfig | None = None) -> None:
        self.config = config or StationConfig()
        if self.config.listen not in tuple(ListenMode):
            raise ValueError(f"listen must be one of {', '.join(ListenMode)}")
        self.data_dir: Path | None = None
        self.library: Library | None = None
        self.dj: PersonalizedDJ | None = None
        self.player: Player | None = None
        self.voice: PiperSpeech | None = None
        self.speech_output: SpeechOutput | None = None
        self.dialogue: Dialogue | None = None
        self.listener: Listener | None = None
        self.ledger: Ledger | None = None
        self.button: GpioButton | None = None
        self._scanner: threading.Thread | None = None
        self._scan_lock = threading.Lock()  # one library scan at a time
        self._music_roots: list[Path] = []  # the music folders a scan walks
        self.listen_mode = ListenMode.NONE
        self.models: dict[str, Any] = {}
        self.turn_listeners: list[Callable[[Turn], None]] = []
        self.started_at: float | None = None
        self.ready_at: float | None = None
        self._source: _Stamped | None = None
        self._listener_thread: threading.Thread | None = None
        self._warm_up: threading.Thread | None = None  # the voice making its first words ahead
        self._listener_stop = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stopped = threading.Event()  # clear while stop() closes the parts
        self._stopped.set()
        self._lock = threading.RLock()  # start() and stop()'s bookkeeping, never held to wait
        self._listening = False  # from the wake word to the end of the request
        self.ducking = Ducking(None, self.config.settings.audio.duck_db)
        self._names_version = -1
        self._choices: dict[str, ModelChoice] | None = None
        self._stt_engine = ""
        self._speaker_down_at: float | None = None
        # a track that ended, and until when it may stay now_playing (see _settle_ended)
        self._ended_pending: tuple[Track, float] | None = None
        self._ended_lock = threading.Lock()
        # one refresh of "up next" at a time, from its read of the player's queue to its write:
        # a track's start and an Enqueue both refresh, and an older read must never land last
        self._queue_lock = threading.Lock()
        self.events = EventBus()
        self.keeper = StateKeeper(
            self.events,
            StationState(
                volume=self.config.settings.audio.volume,
                listener=self.config.settings.dj.default_user,
                commentary=self.config.settings.dj.commentary > 0,
            ),
        )
        self.commands = CommandPath(self)
        self.ducking.on_change = self._ducked
        self.faces: FaceHost | None = None
        self._commentary = CommentaryPolicy(
            self.config.settings.dj.commentary,
            self.config.settings.dj.quiet_hours,
            rng=self.config.parts.random(),
        )

    # -- the documented API ----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.started_at is not None and not self._stopping.is_set()

    def get_dj(self) -> PersonalizedDJ:
        """The station's DJ (the station must have been started)."""
        if self.dj is None:
            raise RuntimeError("start() the station before asking for its DJ")
        return self.dj

    def start(self) -> None:
        """Build every part and start it. Missing audio devices are not an error."""
        self._stopped.wait()  # a stop under way finishes first
        with self._lock:
            if self.started_at is not None:
                return
            self.started_at = time.monotonic()
            self._stopping.clear()
            settings = self.config.settings
            self.data_dir = self.config.data_dir or settings.data_dir()
            keep_caches_in(self.data_dir)
            from appliance.models.store import clean_leftovers

            for leftover in clean_leftovers(self.data_dir):
                log.info("removed what an interrupted model install left: %s", leftover)
            sdnotify.status("opening the library and the DJ")
            self._open_ledger()
            self._open_library()
            self._open_dj()
            if self.config.play:
                self._open_player()
            self.listen_mode = self._listen_mode()
            self._load_voice()
            self.dialogue = Dialogue(
                self.get_dj(),
                settings.dj.default_user,
                say=self._say if (self.voice and self.speech_output) else None,
                on_turn=self._turn_done,
                apply=self.commands.apply,
                on_said=self._dj_said,
            )
            self.dialogue.start()
            self.refresh_listener()
            if self.listen_mode in (ListenMode.MICROPHONE, ListenMode.FILE):
                self._open_ears()
            if self.config.faces:
                self._open_faces()
            self._supervisor = threading.Thread(
                target=self._supervise, name="supervisor", daemon=True
            )
            self._supervisor.start()
            self.ready_at = time.monotonic()
            summary = ", ".join(f"{kind} {name}" for kind, name in self.models.items())
            log.info(
                "%s is on air in %.1f s (listening: %s; %s)",
                self.config.station_name,
                self.ready_at - self.started_at,
                self.listen_mode,
                summary or "no speech models",
            )
            sdnotify.ready(f"on air, listening: {self.listen_mode}")
            if self.voice is not None:  # after READY: the commonest first words, made ahead
                from appliance.dj.lines import fixed_openings
                from appliance.voice.tts_piper import warm_in_background

                self._warm_up = warm_in_background(self.voice, fixed_openings(), self._stopping)

    def stop(self) -> None:
        """Fade the music, flush the DJ's memory, release every device. Takes under 2 s, and up
        to 3 s more when the voice is making a sentence ahead, which is let finish."""
        with self._lock:
            if self.started_at is None:
                return
            another = self._stopping.is_set()
            if not another:
                self._stopping.set()
                self._stopped.clear()
                sdnotify.stopping("fading out")
                self._listener_stop.set()
                steps = self._stop_steps()
        if another:  # stopping on another thread: done when it is
            self._stopped.wait()
            return
        # the steps join threads: run outside the lock, so nothing waits on it meanwhile (a
        # start() asked now waits for _stopped instead). Each step runs whatever the one before
        # it did: a failing part never keeps the rest (the DJ's memory above all) from closing
        try:
            for name, step in steps:
                try:
                    step()
                except Exception:
                    log.exception("stopping the %s failed", name)
        finally:
            with self._lock:
                self.started_at = None
                self._stopped.set()
            keep_caches_in(None)  # no longer the running station's folder
        log.info("%s is off air", self.config.station_name)

    def _stop_steps(self) -> list[tuple[str, Callable[[], object]]]:
        """How each part that runs is stopped, in the order stop() goes through them."""
        steps: list[tuple[str, Callable[[], object]]] = []

        def add(name: str, part: T | None, stop: Callable[[T], object]) -> None:
            if part is not None:
                steps.append((name, lambda: stop(part)))

        add("faces", self.faces, lambda faces: faces.stop())
        add("supervisor", self._supervisor, lambda thread: thread.join(1.0))
        add("dialogue", self.dialogue, lambda dialogue: dialogue.stop(timeout=1.0))
        add("voice warm-up", self._warm_up, lambda thread: thread.join(WARM_UP_STOP_WAIT))
        add("music", self.player, lambda player: player.stop(fade=0.4))
        add("player", self.player, lambda player: player.close())
        add("listener", self._listener_thread, lambda thread: thread.join(0.5))
        add("microphone", self._source, lambda source: source.stop())
        add("button", self.button, lambda button: button.close())
        add("speech output", self.speech_output, lambda output: output.close())
        add("library scan", self._scanner, lambda thread: thread.join(0.5))
        add("analysis", self.library, lambda library: library.stop_analysis(timeout=0.5))
        add("library", self.library, lambda library: library.close())
        add("DJ", self.dj, lambda dj: dj.close())
        return steps

    def verify_ledger(self) -> int | None:
        """The index of the first tampered ledger entry, or None when the log is intact."""
        if self.ledger is None:
            raise RuntimeError("the ledger is off: set blockchain_enabled (station.ledger)")
        return self.ledger.verify()

    def __enter__(self) -> QFZZStation:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the faces' API: one state, one control path, one event stream ----------------------

    def snapshot(self) -> StationState:
        """The station's state now (a frozen snapshot; cheap, from any thread)."""
        return self.keeper.state

    def execute(self, command: Command) -> Outcome:
        """Carry out ``command`` (from any thread; may wait for a DJ turn)."""
        return self.commands.execute(command)

    def microphone_level(self) -> float | None:
        """The microphone's loudness over its last 100 ms in dBFS, for a level meter (None:
        no microphone, or no sound from it in the last second). Read-only, from any thread."""
        source = self._source
        if source is None or self.listen_mode != ListenMode.MICROPHONE:
            return None
        return source.level()

    def register(self, kind: type[Command], handler: Handler) -> None:
        """Let a part carry out a command type the station does not handle itself."""
        self.commands.register(kind, handler)

    def set_rooms(self, rooms: tuple[Room, ...]) -> None:
        """The places the programme plays, as a part (Snapcast) knows them."""
        self.keeper.update(rooms=tuple(rooms))

    # -- requests from outside (keyboard, tests) -------------------------------------------

    def handle(self, text: str) -> Turn:
        """Answer typed words and wait for the answer: the keyboard's way in. Requests are
        answered one at a time, in order, whether typed or said."""
        return self.ask(text, None, "console")

    def ask(
        self,
        text: str,
        user_id: str | None,
        source: str,
        confidence: float = 1.0,
        timings: dict[str, float] | None = None,
        wait: bool = True,
        decided: bool = False,
    ) -> Turn:
        """Words for the DJ from ``source`` (as ``user_id``, else the current listener), in
        order with everything else: the answered turn, or (``wait`` False) the turn that fills
        in once answered; ``decided``: wait only until the DJ's words are decided (a face's
        answer, while the voice still says them). Words from the voice come with the
        recogniser's ``confidence``."""
        if self.dialogue is None:
            raise RuntimeError("start() the station first")
        self.events.publish(Heard(text, user_id or self.user_id, source, time.time()))
        self._voice(VoiceActivity.THINKING)
        spoken = source == "voice"
        if wait:
            return self.dialogue.ask(
                text, user_id=user_id, confidence=confidence, spoken=spoken, decided=decided
            )
        return self.dialogue.submit(text, timings, spoken, confidence, user_id=user_id)

    def announce(self, text: str, private: bool = False) -> None:
        """Say ``text`` in the DJ's voice over the ducked music, in turn with everything else
        (``private``: said, never recorded)."""
        if self.dialogue is None:
            raise RuntimeError("start() the station first")
        self.dialogue.announce(text, private=private)

    def switch_listener(self, user_id: str) -> None:
        """Make ``user_id`` (a known listener) the one the station plays for."""
        if self.dialogue is not None:
            self.dialogue.user_id = user_id
        self.refresh_listener()

    def refresh_listener(self) -> None:
        """Bring the state's listener, their mood and the known listeners up to date."""
        dj = self.dj
        if dj is None:
            return
        user = self.user_id
        profile = dj.user_profiles.get(user)
        ids = tuple(dj.user_profiles)
        known = self.keeper.state.listeners
        if tuple(uid for uid, _ in known) != ids:  # names are read only when someone is new
            known = tuple((uid, found.name) for uid in ids if (found := dj.user_profiles.get(uid)))
        self.keeper.update(
            listener=user,
            listener_name=profile.name if profile else user,
            mood=dj.current_mood(user),
            listeners=known,
        )

    def refresh_queue(self) -> None:
        """Bring the state's "up next" up to date with the player's queue. Read and write hold
        one lock (the player answers reads in order and never takes it), so a refresh that read
        the queue before a change cannot write after the change's own refresh."""
        player = self.player
        if player is None or self._stopping.is_set():  # closing: its thread may not answer
            return
        with self._queue_lock:
            try:
                queue = tuple(player.queue)
            except (ApplianceError, TimeoutError):  # closing, or busy: the next event catches up
                return
            self.keeper.update(up_next=queue)

    def _open_faces(self) -> None:
        from appliance.faces.host import FaceHost

        assert self.data_dir is not None
        self.faces = FaceHost(self, self.config.settings, self.data_dir)
        self.faces.start()

    def _playing(self) -> Track | None:
        return self.keeper.state.track

    def _ducked(self, down: bool) -> None:
        self.keeper.update(ducked=down)

    def _voice(self, activity: VoiceActivity) -> None:
        self.keeper.update(voice=activity)

    def _dj_said(self, text: str, user_id: str) -> None:
        self.keeper.said(text, user_id)

    def said(self, text: str, user_id: str) -> None:
        """The DJ's words in answer to a command (a like, a play by artist, a new listener):
        published and kept in the lines like an Ask's, but not spoken. A radio DJ does not talk
        over the music to acknowledge a button pressed on a phone; the one who pressed it reads
        the answer, and the room hears only what was asked of the voice."""
        if text:
            self.keeper.said(text, user_id)

    @property
    def user_id(self) -> str:
        return self.dialogue.user_id if self.dialogue else self.config.settings.dj.default_user

    # -- building the parts ----------------------------------------------------------------

    @staticmethod
    def _reopen(kind: type[T], path: Path, errors: tuple[type[Exception], ...]) -> T:
        """Open a store; one that was damaged is moved aside by the first attempt (reported)
        and the second attempt starts a fresh one."""
        try:
            return kind(path)  # type: ignore[call-arg]
        except errors as error:
            if "moved" not in str(error):
                raise
            log.error("%s", error)
            return kind(path)  # type: ignore[call-arg]

    def _open_ledger(self) -> None:
        if not self.config.blockchain_enabled:
            return
        from appliance.ledger import Ledger

        assert self.data_dir is not None
        self.ledger = Ledger(self.data_dir / "ledger.jsonl")
        tampered = self.ledger.verify()
        if tampered is not None:
            kept = self.ledger.repair()  # only a last line cut short by a power cut
            if kept is not None:
                log.warning("the ledger's last entry was cut short; a copy is kept at %s", kept)
                tampered = self.ledger.verify()
        if tampered is not None:
            log.error(
                "the ledger does not verify from entry %d on: it was changed outside the "
                "appliance; keep the file for inspection",
                tampered,
            )

    def _open_library(self) -> None:
        from appliance.library import Library, ensure_demo_library

        assert self.data_dir is not None
        self.library = self._reopen(Library, library_db_path(self.data_dir), (LibraryError,))
        folders = [p.expanduser() for p in self.config.settings.library.music_folders]
        found = [p for p in folders if _has_music(p)]  # never raises: EACCES, ENAMETOOLONG
        demo = not found
        if demo:
            if folders:
                log.info("no music in %s: playing the demo library", _names(folders))
            try:
                found = [ensure_demo_library(self.data_dir)]
            except LibraryError as error:  # a full disk: on air anyway, with an empty library
                log.error("%s (%s)", error.message, error.hint)
                found = []
        library = self.library
        self._music_roots = found
        if not library.tracks() and demo:
            library.scan(found, progress=False)  # the demo library: small, and needed at once
            library.start_analysis()
        else:  # a real library may take a while: the DJ plays what is indexed so far
            self.rescan()
        if folders:  # a folder that goes away (a USB stick pulled) is noticed, and its return
            library.watch(folders, on_change=self._music_changed)

    def _music_changed(self, change: Change) -> None:
        """The library found music gone (it hides it: the DJ picks what is still there) or back
        (it plays from the index at once and is scanned again): the DJ says so once per folder,
        and the radio starts again if it had fallen silent for want of it."""
        if change.folder and self.dialogue is not None and self.voice is not None:
            name = readable(Path(change.path).name) or "your music folder"
            if change.first:
                line = f"I found music in {name}."
            elif not change.gone:
                line = f"The music in {name} is back."
            elif self.library is not None and self.library.tracks():
                line = f"The music in {name} has gone away; I'll play what's still here."
            else:
                line = f"The music in {name} has gone away; I'll start again when it's back."
            self.dialogue.announce(line)
        if not change.gone and self.player is not None:
            try:
                self.player.wake_radio()
            except ApplianceError as error:
                log.warning("could not start the music again: %s", error)

    def rescan(self) -> Outcome:
        """Scan the music folders again on a thread of its own, one scan at a time (the
        ``Rescan`` command). Its progress goes out as ``Notice("library-scan", ...)``; the
        recogniser learns the new names when the supervisor next sees the library changed."""
        if self.library is None:
            return Outcome(False, error="the library is not open")
        with self._scan_lock:
            if self._scanner is not None and self._scanner.is_alive():
                return Outcome(False, error="a library scan is already running")
            self._scanner = threading.Thread(
                target=self._rescan, args=(self._music_roots,), name="library-scan", daemon=True
            )
            self._scanner.start()
        return Outcome(True, text="Scanning the music folders.")

    def _rescan(self, folders: Sequence[Path]) -> None:
        assert self.library is not None
        files = [0]  # found by the walk

        def tell(seen: int, report: ScanReport, done: bool = False) -> None:
            files[0] = seen
            detail: dict[str, object] = {
                "seen": seen,
                "added": report.added,
                "changed": report.updated + report.moved,
                "removed": report.removed,
                "not_indexed": len(report.errors),
                "done": done,
            }
            self.events.publish(Notice("library-scan", detail, time.time()))

        try:
            report = self.library.scan(folders, progress=False, on_progress=tell)
            tell(files[0], report, done=True)
            log.info("library: %s", report.summary())
            self.library.start_analysis()
        except Exception as error:
            failed = {"done": True, "error": str(error)}
            self.events.publish(Notice("library-scan", failed, time.time()))
            if not self._stopping.is_set():  # closing the library ends a scan abruptly
                log.error("library scan failed: %s", error)

    def _open_dj(self) -> None:
        settings = self.config.settings
        assert self.data_dir is not None
        db = dj_db_path(self.data_dir) if self.config.enable_personalization else None

        def make(path: Path | None) -> PersonalizedDJ:
            return PersonalizedDJ(
                name=settings.dj.name,
                edge_mode=self.config.edge_mode,
                db_path=path,
                library=self.library,
                station_name=self.config.station_name,
                seed=self.config.parts.random().getrandbits(32),
            )

        self.dj = self._reopen(make, db, (StoreError,)) if db else make(None)  # type: ignore[arg-type]
        if self.config.play:  # "this" is what the player plays, as the state tells it
            self.dj.now_playing_from = self._playing
            self.dj.state_from = self.snapshot  # questions about the music read the state
        if self.ledger is not None:
            self.dj.journal = self.ledger.append
        for user in settings.users:
            self.dj.register_user(user.id, user.name or user.id)

    def _open_player(self) -> None:
        from appliance.player import Player

        audio = self.config.settings.audio
        try:
            self.player = Player(
                audio_output=self.config.audio_output,
                audio_device=audio.output_device,
                volume=audio.volume,
                on_event=self._player_event,
                next_track=self._next_track,
                deck=self.config.parts.deck,
                clock=self.config.parts.clock,
            )
        except ApplianceError as error:
            log.error("no music playback: %s", error)
            self.player = None
        self.ducking.player = self.player

    def _listen_mode(self) -> ListenMode:
        mode = ListenMode(self.config.listen)
        if mode == ListenMode.FILE or self.config.input_file is not None:
            return ListenMode.FILE
        if mode != ListenMode.AUTO:
            return mode
        if _has_input_device():
            return ListenMode.MICROPHONE
        if sys.stdin is not None and sys.stdin.isatty():
            return ListenMode.KEYBOARD
        return ListenMode.MICROPHONE

    def _models(self) -> dict[str, ModelChoice]:
        """The models for this board and config (chosen once per start)."""
        if self._choices is None:
            from appliance.models.plan import select_models

            self._choices = select_models(self.config.settings, data_dir=self.data_dir)
        return self._choices

    def _load_voice(self) -> None:
        if not self.config.speak:
            return
        parts = self.config.parts
        settings = self.config.settings
        tts = self._models()["tts"]
        if tts.note:
            log.info("voice: %s", tts.note)
        try:
            self.voice = parts.voice(tts.location)  # type: ignore[assignment]
            if tts.address:  # a Wyoming server speaks; the local voice stands by
                from appliance.voice.tts_wyoming import with_server as voice_server

                self.voice = voice_server(tts.address, self.voice)  # type: ignore[assignment,arg-type]
            self.models["tts"] = tts.name
        except ApplianceError as error:
            log.error("the DJ cannot speak: %s", error)
            return
        output = settings.audio.output_device
        device = output if output and "/" not in output else None
        if output and device is None:
            # "alsa/plughw:1" names a device the mpv way; the voice goes through PortAudio
            log.info("the DJ's voice uses the default sound device; the music uses %s", output)
        try:
            self.speech_output = parts.speech_output(device, True)  # type: ignore[assignment]
        except ApplianceError as error:
            log.warning("no speaker yet (%s); the DJ's words go to the log until there is", error)
            self.speech_output = parts.speech_output(device, False)  # type: ignore[assignment]

    def _open_ears(self) -> None:
        from appliance.voice.listener import Listener
        from appliance.voice.vad import Endpointer

        parts = self.config.parts
        settings = self.config.settings
        choices = self._models()
        wake = []
        if settings.voice.wake_word == "phrase":
            wake.append(parts.wake(settings.voice.wake_phrase))
        elif settings.voice.wake_word != "none":
            wake.append(parts.wake(settings.voice.wake_word))
        self.models["wake"] = ", ".join(w.name for w in wake) or "push-to-talk"
        stt = choices["stt"]
        if stt.note:
            log.info("speech recognition: %s", stt.note)
        if stt.why:
            log.info("%s", stt.why)  # which recogniser tier, and why
        self._stt_engine = stt.engine
        phrases, words, grammar = self._vocabulary(stt.engine)
        model = stt.location if stt.engine in ("vosk", "whisper") else None
        recognizer = parts.recognizer(
            stt.engine, model, phrases, words, grammar, [w.phrase for w in wake if w.phrase]
        )
        if hasattr(recognizer, "judge"):  # Whisper, pocketsphinx: readings weighed by the DJ
            recognizer.judge = self._judge
        if hasattr(recognizer, "meaning"):  # and readings that mean the same agree
            recognizer.meaning = self._meaning
        if stt.address:  # a Wyoming server hears the commands; the local engine stands by
            from appliance.voice.stt_wyoming import with_server

            recognizer = with_server(stt.address, recognizer)
        self.models["stt"] = stt.name
        vad_choice = choices.get("vad")
        vad = parts.vad("micro" if vad_choice and vad_choice.engine == "microvad" else "silero")
        if self.listen_mode == "file":
            assert self.config.input_file is not None
            source = parts.sound_file(self.config.input_file)
        else:
            source = parts.microphone(settings.audio.input_device)
        self._source = _Stamped(source, parts.clock)
        self.listener = Listener(
            self._source,
            wake,
            recognizer,
            self._voice_event,
            vad=vad,
            endpointer=Endpointer(
                trailing_silence_ms=settings.voice.trailing_silence_ms,
                max_utterance_s=settings.voice.max_utterance_s,
                early_silence_ms=EARLY_END_MS,
            ),
            is_complete=self._is_complete,
        )
        self._source.start()
        self._start_listener()
        if self.listen_mode == "file":
            self.listener.trigger("file")
        if settings.voice.push_to_talk:
            self._open_button()

    def _open_button(self) -> None:
        from appliance.boards import detect_profile
        from appliance.voice.button import GpioButton

        profile = detect_profile().profile
        pin = profile.push_to_talk_gpio
        if pin is None:
            log.warning(
                "push-to-talk is on, but the %s profile names no GPIO pin: add "
                "`[gpio] push_to_talk = <pin>` to its file in hardware/, or set "
                "voice.push_to_talk = false",
                profile.name,
            )
            return
        listener = self.listener
        assert listener is not None
        try:
            self.button = GpioButton(pin, lambda: listener.trigger("button"))
        except ApplianceError as error:
            log.warning("no push-to-talk button: %s", error)

    def _vocabulary(self, engine: str) -> tuple[list[str], list[str], Grammar]:
        """What the recogniser should expect: the DJ's command grammar (with the library's
        names and the listeners' names), and for Vosk example sentences and words as well."""
        dj = self.get_dj()
        understanding = dj.understanding
        understanding.warm()  # the model, built now rather than on the listener's thread
        self._names_version = dj.names_version
        names = [dj.user_profiles[user].name for user in dj.user_profiles]
        grammar = understanding.grammar(names=names)
        if engine == "vosk":
            return understanding.sentences(), understanding.vocabulary_words(), grammar
        if engine == "whisper":  # a prompt: the commonest commands, listeners' names, artists
            library = [] if self.library is None else [*self.library.artists()]
            phrases, words = prompt_vocabulary(names, library)
            return phrases, words, grammar
        return [], [], grammar

    def _start_listener(self) -> None:
        assert self.listener is not None
        self._listener_stop = threading.Event()
        self._listener_thread = threading.Thread(
            target=self.listener.run, args=(self._listener_stop,), name="listener", daemon=True
        )
        self._listener_thread.start()

    # -- speaking --------------------------------------------------------------------------

    def _say(
        self, text: str, cancel: threading.Event, on_start: Callable[[float], None] | None
    ) -> bool:
        from appliance.voice.speaker import speak

        assert self.voice is not None and self.speech_output is not None
        now = time.monotonic()
        if self._speaker_down_at is not None and now - self._speaker_down_at < SPEAKER_RETRY:
            log.info("(no speaker) %s", text)
            return True
        listener = self.listener
        if listener is not None:
            listener.set_speaking(True)
        self._voice(VoiceActivity.SPEAKING)
        try:
            said = speak(
                self.speech_output, self.voice, text, self.ducking.speaking(), cancel, on_start
            )
        except AudioError as error:
            if self._speaker_down_at is None:
                log.warning(
                    "no speaker for the DJ's voice (%s); its words go to the log until one is",
                    error,
                )
            self._speaker_down_at = now
            log.info("(no speaker) %s", text)
            return True
        except ApplianceError as error:
            log.warning("could not say %r: %s", text, error)
            return False
        finally:
            if listener is not None:
                listener.set_speaking(False)
            self._voice(VoiceActivity.LISTENING if self._listening else VoiceActivity.IDLE)
        if self._speaker_down_at is not None:
            log.info("the speaker is back")
            self._speaker_down_at = None
        return said

    def _turn_done(self, turn: Turn) -> None:
        if turn.spoken:
            self.ducking.release("answering")
        if turn.reply is not None:
            cut = " (interrupted)" if turn.interrupted else ""
            log.info("%s: %r ->%s %s", turn.user_id, turn.text, cut, turn.reply.text)
        self.refresh_listener()
        self._voice(VoiceActivity.LISTENING if self._listening else VoiceActivity.IDLE)
        for listener in list(self.turn_listeners):
            try:
                listener(turn)
            except Exception:
                log.exception("turn listener failed")

    # -- events ----------------------------------------------------------------------------

    def _voice_event(self, event: object) -> None:
        if self.keeper.state.microphone_muted and isinstance(event, WakeDetected | Transcript):
            return  # the microphone is muted: nothing it hears is acted on
        if isinstance(event, WakeDetected):
            log.info("wake: %s", event.source)
            self._listening = True
            self.ducking.hold("listening", fade=0.15)
            self._voice(VoiceActivity.LISTENING)
            # which woke it: the web page's wake-word test passes on the wake word alone
            words = {w.name for w in self.listener.wake} if self.listener is not None else set()
            said = {"source": event.source, "wake_word": event.source in words}
            self.events.publish(Notice("wake", said, time.time()))
            if self.dialogue is not None and self.dialogue.speaking:
                log.info("barge-in: the DJ stops talking and listens")
                self.dialogue.barge_in()
        elif isinstance(event, PartialTranscript):
            if self.dj is not None:
                self.dj.prepare(event.text)  # start thinking early
        elif isinstance(event, Transcript):
            log.info("heard %r", event.text)
            self._listening = False
            if event.text.strip() and self.dialogue is not None:
                self.ducking.hold("answering")  # released when the answer has been said
                heard = Ask(
                    text=event.text,
                    source="voice",
                    confidence=event.confidence,
                    timings=dict(event.timings),
                    wait=False,
                )
                if not self.execute(heard).ok:
                    self.ducking.release("answering")
            else:
                self._voice(VoiceActivity.IDLE)
            self.ducking.release("listening")

    def _judge(self, text: str) -> float:
        """How sure the DJ's understanding is that ``text`` is a request it can act on
        (appliance/dj/understand_verdict.py; the listener's thread, no lock)."""
        return understand_verdict.verdict(None if self.dj is None else self.dj.prepare(text))

    def _meaning(self, text: str) -> understand_verdict.Meaning | None:
        """What ``text`` asks for, as the DJ reads it: readings that mean the same agree."""
        return understand_verdict.meaning(None if self.dj is None else self.dj.prepare(text))

    def _is_complete(self, partial: str) -> bool:
        """The listener's early end: is this partial already a whole command? (Parsed on the
        listener's thread without the DJ's lock; a cache hit when the PartialTranscript just
        prepared it, a fresh parse for Whisper's trial final.)"""
        from appliance.dj.complete import is_complete

        intent = None if self.dj is None else self.dj.prepare(partial)
        return intent is not None and is_complete(intent)

    def _next_track(self) -> Track | None:
        dj = self.dj
        if dj is None or self._stopping.is_set():
            return None
        track = dj.next_track(self.user_id)
        if track is not None:
            self.commands.note_origin(track, "dj")
        return track

    def _player_event(self, event: object) -> None:
        dj = self.dj
        if dj is None:
            return
        if isinstance(event, TrackStarted):
            self._track_started(dj, event)
        elif isinstance(event, TrackEnded):
            self._track_ended(dj, event)
        self.events.publish(event)  # after the state moved: a face reading it sees the change

    def _track_started(self, dj: PersonalizedDJ, event: TrackStarted) -> None:
        chosen_by, why = self.commands.origin(event.track) or ("", "")
        log.info("on air: %s (chosen by %s)", shown(event.track.describe()), chosen_by or "dj")
        playing = NowPlaying(
            track=event.track,
            duration=event.track.duration,
            started_at=time.time(),
            chosen_by=chosen_by or "dj",
            why=why,
        )
        paused = self.player is not None and self.player.paused

        def started(state: StationState) -> dict[str, object]:
            before = state.track  # still there while it fades out under this one
            previous = before if before not in (None, event.track) else state.last_played
            return {
                "now_playing": playing,
                "play_state": PlayState.PAUSED if paused else PlayState.PLAYING,
                "last_played": previous,
            }

        with self._ended_lock:
            self._ended_pending = None  # the next track is here: nothing to clear
        previous = self.keeper.change(started).last_played
        dj.track_started(event.track)  # what was asked for has begun: "this" is what plays
        self.refresh_queue()
        if chosen_by != "dj" or self.dialogue is None or self.voice is None:
            return
        if not self.keeper.state.commentary:
            return
        trust = dj.get_trust_score(self.user_id)
        pick = dj.last_pick(self.user_id)
        if (
            pick is not None
            and pick.track.track_id == event.track.track_id
            and self._commentary.should_talk(datetime.now(), trust)
        ):
            self.dialogue.submit_commentary(previous, pick)

    def _track_ended(self, dj: PersonalizedDJ, event: TrackEnded) -> None:
        user = self.commands.ended_by(event.track) or self.user_id
        outcome = {EndReason.EOF: "completed", EndReason.SKIPPED: "skipped"}.get(event.reason)
        if outcome and self.config.enable_personalization:
            dj.record_event(user, event.track.track_id, outcome, event.position, event.duration)
        stream = event.track.path.startswith(("http://", "https://"))
        if event.reason == EndReason.ERROR and not (  # music gone is said once, by the library
            not stream and self.library is not None and self.library.check_gone(event.track.path)
        ):
            log.warning("could not play %s: %s", shown(event.track.path), event.error)

        if event.reason == EndReason.STOPPED:
            self._clear_ended(event.track, PlayState.STOPPED)
        else:  # the next track is usually on its way: no "nothing playing" between the two
            with self._ended_lock:
                self._ended_pending = (event.track, time.monotonic() + NEXT_TRACK_GRACE)

    def _clear_ended(self, track: Track, play_state: PlayState | None = None) -> None:
        """Take ``track`` out of now_playing if it is still there (nothing followed it)."""

        def ended(state: StationState) -> dict[str, object]:
            fields: dict[str, object] = {}
            if state.track is not None and state.track.track_id == track.track_id:
                fields["now_playing"] = None
                fields["last_played"] = track
            if play_state is not None:
                fields["play_state"] = play_state
            return fields

        self.keeper.change(ended)

    def _settle_ended(self) -> None:
        """The supervisor's part: a track that ended with nothing after it within
        :data:`NEXT_TRACK_GRACE` leaves now_playing."""
        with self._ended_lock:
            pending = self._ended_pending
            if pending is None or time.monotonic() < pending[1]:
                return
            self._ended_pending = None
        self._clear_ended(pending[0])

    # -- supervision -----------------------------------------------------------------------

    def health(self) -> dict[str, bool]:
        """Each running stage and whether it is alive and moving."""
        stages: dict[str, bool] = {}
        if self.dialogue is not None:
            stages["dialogue"] = self.dialogue.alive
        if self.player is not None:
            stages["player"] = self.player.alive
        if self.listener is not None and not self._source_finished():
            alive = self._listener_thread is not None and self._listener_thread.is_alive()
            moving = (
                self._source is not None
                and self.config.parts.clock() - self._source.last_read < STALLED_AFTER
            )
            stages["listener"] = alive and moving
        return stages

    def _source_finished(self) -> bool:
        return self._source is not None and bool(getattr(self._source.source, "exhausted", False))

    def input_finished(self) -> bool:
        """True once a sound file given as input has been heard to its end and the listener has
        handed on what it heard; never for a microphone."""
        thread = self._listener_thread
        return self._source_finished() and (thread is None or not thread.is_alive())

    def _supervise(self) -> None:
        """Every half second: keep the recogniser's vocabulary in step with the library, start
        a listener that died again after :data:`RESTART_PAUSE`, and ping systemd's watchdog
        only while every stage is alive and moving. The listener is the one stage restarted
        here: the player re-creates its own mpv cores, and the dialogue's worker outlives any
        failing turn."""
        clock = self.config.parts.clock
        interval = sdnotify.watchdog_interval()
        last_ping = 0.0
        dead_since: dict[str, float] = {}
        while not self._stopping.wait(SUPERVISE_EVERY):
            try:
                self._settle_ended()
                self._refresh_vocabulary()
                health = self.health()
                now = clock()
                for stage, ok in health.items():
                    if ok:
                        dead_since.pop(stage, None)
                        continue
                    first = dead_since.setdefault(stage, now)
                    if stage == "listener" and now - first >= RESTART_PAUSE:
                        thread = self._listener_thread
                        if thread is None or not thread.is_alive():
                            log.warning("the listener stopped; starting it again")
                            self._start_listener()
                            dead_since.pop(stage, None)
                if interval and all(health.values()) and now - last_ping >= interval:
                    sdnotify.watchdog()
                    last_ping = now
            except Exception:
                log.exception("supervisor check failed")

    def _refresh_vocabulary(self) -> None:
        """Keep the DJ's arrays and the recogniser's names in step with the library, here on
        the supervisor's thread rather than while someone is speaking."""
        dj = self.dj
        if dj is None or self.library is None:
            return
        dj.catalog()
        dj.understanding  # noqa: B018 - brings the DJ's names up to date
        if self.listener is not None and dj.names_version != self._names_version:
            phrases, words, grammar = self._vocabulary(self._stt_engine)
            self.listener.set_phrases(phrases, words, grammar)
            log.info("the recogniser now knows %d words", len(grammar.words()))


def _has_music(folder: Path) -> bool:
    """True when ``folder`` holds at least one audio file (stops at the first)."""
    from appliance.library.scan import AUDIO_SUFFIXES

    try:
        return any(p.suffix.lower() in AUDIO_SUFFIXES for p in folder.rglob("*"))
    except OSError:
        return False


def _has_input_device() -> bool:
    try:
        import sounddevice

        return any(d["max_input_channels"] > 0 for d in sounddevice.query_devices())
    except Exception:
        return False


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(str(p) for p in paths)

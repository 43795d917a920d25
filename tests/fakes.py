"""Stand-ins for every part of a station (see appliance/parts.py), for the fast tier.

Each fake does its part's job in memory and records what it was asked, so a test runs the whole
station (its real library, DJ, SQLite, dialogue, listener, player and supervisor) in process and
in seconds: a deck that "plays" on a clock the test moves and reports each end as mpv would, a
wake word that fires on cue, a recogniser that returns the words the test scripted, a voice that
"speaks" at once and remembers what it said, and a microphone the test feeds.
"""

from __future__ import annotations

import collections
import itertools
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any

from appliance.events import Transcript
from appliance.grammar import Grammar
from appliance.library.track import Track
from appliance.parts import Parts
from appliance.player.deck import Post
from appliance.voice.stt import Vocabulary
from appliance.voice.tts_piper import SpeechAudio

FRAME_BYTES = 320  # 10 ms of 16 kHz s16le mono, as the listener reads it
SILENCE = b"\0" * FRAME_BYTES
SPEECH = b"\x00\x10" * (FRAME_BYTES // 2)  # anything not silent is speech to FakeVad
WAKE = b"\x01\x7f" * (FRAME_BYTES // 2)  # the frame FakeWake fires on


class FakeClock:
    """Monotonic time that runs at ``rate`` times real time and jumps when told to.

    ``rate=1`` lets fades finish on their own while ``advance`` carries a track to its end at
    once; ``rate=0`` stops time between jumps. Whoever wants to hear of a jump registers with
    :meth:`on_advance` (the fake decks do, to end their tracks).
    """

    def __init__(self, start: float = 1000.0, rate: float = 1.0) -> None:
        self._base = start
        self._rate = rate
        self._real = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def __call__(self) -> float:
        with self._lock:
            return self._base + self._offset + (time.monotonic() - self._real) * self._rate

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        """From now on run at ``rate`` times real time (0: stopped)."""
        with self._lock:
            real = time.monotonic()
            self._base += self._offset + (real - self._real) * self._rate
            self._offset, self._real, self._rate = 0.0, real, rate

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def on_advance(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.append(listener)


@dataclass
class _Playing:
    entry_id: int
    track: Track
    length: float
    played: float = 0.0  # seconds heard before ``since``
    since: float | None = None  # clock time it last started or resumed (None: paused/waiting)


class FakeDeck:
    """One "mpv core": plays its file on the clock and posts mpv's events (start-file,
    playback-restart, end-file with eof/stop/error) to the player, as the real deck does."""

    def __init__(
        self,
        name: str,
        options: Any,
        post: Post,
        clock: FakeClock,
        length: Callable[[Track], float],
        stall: threading.Event,
    ) -> None:
        self.name = name
        self.options = dict(options)
        self.post = post
        self.generation = 0
        self.playing_id: int | None = None
        self.output: str | None = None
        self.forced_null_until: float | None = None
        self.volume: float | None = None
        self.volumes: list[tuple[float, float]] = []  # (clock, volume) each time it was set
        self._clock = clock
        self._length = length
        self._stall = stall
        self._alive = False
        self._paused = False
        self._ids = itertools.count(1)
        self._playlist: list[_Playing] = []  # [0] sounds, the rest wait (gapless)
        self._lock = threading.RLock()
        clock.on_advance(self._check)

    # -- what the player calls -------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return self._alive

    def start(self) -> None:
        self.generation += 1
        self._alive = True
        self._playlist = []
        self.playing_id = None
        self.output = "fake"

    def terminate(self) -> None:
        self._alive = False

    def load(self, track: Track, append: bool = False) -> int | None:
        if not self._alive:
            return None
        with self._lock:
            entry = _Playing(next(self._ids), track, self._length(track))
            if append and self._playlist:
                self._playlist.append(entry)
                return entry.entry_id
            if self._playlist:
                self._end(self._playlist[0], "stop")
            self._playlist = [entry]
            self._begin(entry)
            return entry.entry_id

    def forget_played(self) -> None:
        with self._lock:
            self._playlist = self._playlist[:1]

    def drop_queued(self) -> None:
        self.forget_played()

    def stop(self) -> None:
        with self._lock:
            if self._playlist:
                self._end(self._playlist[0], "stop")
            self._playlist = []

    def seek_start(self) -> None:
        with self._lock:
            if self._playlist:
                head = self._playlist[0]
                head.played, head.since = 0.0, None if self._paused else self._clock()

    def reload_output(self) -> None:
        pass

    def get(self, name: str) -> Any:
        self._stall.wait()  # a test may hold every deck, as an mpv that stopped answering
        self._check()
        with self._lock:
            head = self._playlist[0] if self._playlist else None
            if name == "time-pos":
                return None if head is None else self._position(head)
            if name == "duration":
                return None if head is None else head.length
            if name == "idle-active":
                return head is None
            if name == "current-ao":
                return self.output
            if name == "pause":
                return self._paused
        return None

    def set(self, name: str, value: Any) -> None:
        if name != "pause":
            return
        with self._lock:
            now = self._clock()
            for entry in self._playlist[:1]:
                if value and entry.since is not None:
                    entry.played += now - entry.since
                    entry.since = None
                elif not value and entry.since is None:
                    entry.since = now
            self._paused = bool(value)

    def set_volume(self, volume: float) -> None:
        self.volume = volume
        self.volumes.append((self._clock(), volume))

    # -- what the test looks at ------------------------------------------------------------

    @property
    def track(self) -> Track | None:
        """What this deck is sounding now."""
        with self._lock:
            return self._playlist[0].track if self._playlist else None

    # -- the clock -------------------------------------------------------------------------

    def _position(self, entry: _Playing) -> float:
        running = 0.0 if entry.since is None else self._clock() - entry.since
        return min(entry.length, entry.played + running)

    def _begin(self, entry: _Playing) -> None:
        if not os.path.isfile(entry.track.path):
            self._playlist.remove(entry)
            self._post("end-file", entry, reason="error", file_error="loading failed")
            return
        entry.since = None if self._paused else self._clock()
        self.playing_id = entry.entry_id
        self._post("start-file", entry)
        self._post("playback-restart", entry)

    def _end(self, entry: _Playing, reason: str) -> None:
        self._post("end-file", entry, reason=reason)

    def _check(self) -> None:
        """End what has played to its end; the next queued file follows without a gap."""
        with self._lock:
            while self._playlist and self._position(self._playlist[0]) >= self._playlist[0].length:
                done = self._playlist.pop(0)
                self._end(done, "eof")
                if self._playlist:
                    self._begin(self._playlist[0])

    def _post(self, kind: str, entry: _Playing, **fields: Any) -> None:
        self.post(self, self.generation, {"event": kind, "playlist_entry_id": entry.entry_id,
                                          **fields})  # fmt: skip


class FakeDecks:
    """The player's deck factory: every deck it made, all on one clock.

    ``length``: how long each track "plays" (default: two minutes, so nothing ends unless the
    test moves the clock). :meth:`hold` makes every deck stop answering, as a hung mpv would.
    """

    def __init__(self, clock: FakeClock, length: float | Callable[[Track], float] = 120.0) -> None:
        self.clock = clock
        if callable(length):
            self.length = length
        else:
            seconds = float(length)
            self.length = lambda _track: seconds
        self.made: list[FakeDeck] = []
        self._answering = threading.Event()
        self._answering.set()

    def __call__(self, name: str, options: Any, post: Post) -> FakeDeck:
        deck = FakeDeck(name, options, post, self.clock, self.length, self._answering)
        self.made.append(deck)
        return deck

    def sounding(self) -> list[Track]:
        return [track for deck in self.made if (track := deck.track) is not None]

    def hold(self) -> None:
        self._answering.clear()

    def release(self) -> None:
        self._answering.set()


class FakeMicrophone:
    """An audio source the test feeds: frames come out in order, as fast as they are read; with
    nothing fed, a read waits ``timeout`` and returns None, as a quiet microphone would."""

    sample_rate = 16000
    block_bytes = FRAME_BYTES

    def __init__(self) -> None:
        self._frames: collections.deque[bytes] = collections.deque()
        self._cond = threading.Condition()
        self._fail: BaseException | None = None
        self._flowing = threading.Event()  # cleared: reads hang, as a stuck capture's would
        self._flowing.set()
        self.reads = 0
        self.starts = 0

    def feed(self, *frames: bytes) -> None:
        with self._cond:
            self._frames.extend(frames)
            self._cond.notify_all()

    def fail(self, error: BaseException) -> None:
        """The next read raises ``error`` (a capture that breaks under the listener)."""
        with self._cond:
            self._fail = error
            self._cond.notify_all()

    def hang(self) -> None:
        """Reads block until :meth:`flow` (a capture that stopped delivering)."""
        self._flowing.clear()

    def flow(self) -> None:
        self._flowing.set()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._frames)

    def start(self) -> None:
        self.starts += 1

    def read(self, timeout: float | None = None) -> bytes | None:
        self.reads += 1
        self._flowing.wait()
        with self._cond:
            if not self._frames and self._fail is None:
                self._cond.wait(timeout)
            if self._fail is not None:
                error, self._fail = self._fail, None
                raise error
            return self._frames.popleft() if self._frames else None

    @property
    def available(self) -> bool:
        return True

    @property
    def exhausted(self) -> bool:
        return False

    def stop(self) -> None:
        pass


class FakeWake:
    """A wake word that fires on the WAKE frame; remembers when it was made strict."""

    def __init__(self, name: str = "hey_fake") -> None:
        self.name = name
        self.phrase = name.replace("_", " ")
        self.strict = False
        self.strict_changes: list[bool] = []

    def process(self, frame: bytes) -> bool:
        return frame == WAKE

    def reset(self) -> None:
        pass

    def set_strict(self, strict: bool) -> None:
        self.strict = strict
        self.strict_changes.append(strict)


class FakeVad:
    """Speech is any frame that is not silent."""

    def is_speech(self, frame: bytes) -> bool:
        return frame != SILENCE

    def reset(self) -> None:
        pass


class FakeRecognizer:
    """Returns the scripted transcripts in order, one per utterance (empty when none is left).
    ``partials``: each utterance's text is also given as a partial as soon as speech arrives."""

    name = "fake"
    partials = True

    def __init__(self, script: collections.deque[tuple[str, float]]) -> None:
        self.script = script
        self.vocabulary = Vocabulary()
        self.vocabularies: list[Vocabulary] = []
        self.utterances = 0
        self.fail_next: BaseException | None = None  # raised by the next accept()
        self._gave_partial = False

    def adapt(self, pcm: bytes) -> None:
        pass

    def start(self) -> None:
        self._gave_partial = False

    def accept(self, pcm: bytes) -> str | None:
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if self._gave_partial or not self.script or pcm.strip(b"\0") == b"":
            return None
        self._gave_partial = True
        return self.script[0][0] or None

    def finish(self) -> Transcript:
        self.utterances += 1
        text, confidence = self.script.popleft() if self.script else ("", 0.0)
        return Transcript(text=text, at=time.monotonic(), confidence=confidence)

    def set_vocabulary(
        self,
        phrases: Sequence[str],
        words: Sequence[str],
        wake_phrases: Sequence[str] = (),
        grammar: Grammar | None = None,
    ) -> None:
        self.vocabulary = Vocabulary.build(phrases, words, wake_phrases, grammar)
        self.vocabularies.append(self.vocabulary)


class FakeVoice:
    """Speaks at once: one chunk of silence per sentence; remembers every text it was given."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesize(self, text: str) -> Iterator[SpeechAudio]:
        self.texts.append(text)
        yield SpeechAudio(pcm=b"\0\0" * 220, sample_rate=22050, text=text)


class FakeSpeechOutput:
    """Plays speech in ``seconds`` of real time (0: at once), or until cancelled (barge-in);
    remembers what was said to the end and what was cut off."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.said: list[str] = []
        self.cut: list[str] = []
        self.speaking = threading.Event()
        self.closed = False

    def say(
        self,
        chunks: Iterable[SpeechAudio],
        on_start: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> bool:
        text = " ".join(chunk.text for chunk in chunks)
        if on_start is not None:
            on_start(time.monotonic())
        self.speaking.set()
        try:
            interrupted = cancel is not None and cancel.wait(self.seconds)
        finally:
            self.speaking.clear()
        (self.cut if interrupted else self.said).append(text)
        return not interrupted

    def stop(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeParts:
    """One set of fakes, and the :class:`Parts` that build a station from them."""

    # ten times real time: fades and pauses pass quickly; a two-minute track lasts 12 s
    clock: FakeClock = field(default_factory=lambda: FakeClock(rate=10.0))
    microphone: FakeMicrophone = field(default_factory=FakeMicrophone)
    wake: FakeWake = field(default_factory=FakeWake)
    vad: FakeVad = field(default_factory=FakeVad)
    script: collections.deque[tuple[str, float]] = field(default_factory=collections.deque)
    voice: FakeVoice = field(default_factory=FakeVoice)
    output: FakeSpeechOutput = field(default_factory=FakeSpeechOutput)
    seed: int = 7
    decks: FakeDecks = field(init=False)
    recognizers: list[FakeRecognizer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.decks = FakeDecks(self.clock)

    @property
    def recognizer(self) -> FakeRecognizer:
        return self.recognizers[-1]

    def parts(self) -> Parts:
        def recognizer(*_args: Any) -> FakeRecognizer:
            made = FakeRecognizer(self.script)
            self.recognizers.append(made)
            return made

        return Parts(
            microphone=lambda _device: self.microphone,
            sound_file=lambda _path: self.microphone,
            wake=lambda _name: self.wake,
            vad=lambda _name: self.vad,
            recognizer=recognizer,
            voice=lambda _model: self.voice,
            speech_output=lambda _device, _open_now: self.output,
            deck=self.decks,
            clock=self.clock,
            random=lambda: Random(self.seed),
        )

    def say(self, text: str, confidence: float = 0.95, speech_ms: int = 400) -> None:
        """Someone says the wake word and then ``text`` ("" : nothing the recogniser could
        place), then falls silent long enough for the end of speech."""
        self.script.append((text, confidence))
        frames = [WAKE, *[SPEECH] * (speech_ms // 10), *[SILENCE] * 150]
        self.microphone.feed(*frames)

    def wake_word(self) -> None:
        """Only the wake word, then speech that goes on (the request is still being said)."""
        self.microphone.feed(WAKE, *[SPEECH] * 40)

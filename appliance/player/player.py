"""The music player: a queue of tracks played through mpv, with crossfades, ducking and recovery.

How it is built, and why:

* **Two mpv cores ("decks") alternate** so that one track can fade in while the other fades out:
  mpv plays one file at a time and cannot overlap two, but two cores are two streams that the
  sound server (PulseAudio/PipeWire, ALSA dmix) mixes. Where nothing mixes (a raw ALSA ``hw``
  device, or ``pcm`` files) a single deck is used and tracks follow each other gaplessly.
* **Gapless where crossfading would be wrong or impossible**: consecutive tracks of one album (a
  live album or a DJ mix must not dip in the middle), tracks too short to fade, crossfade 0. The
  next file is then queued in the same mpv core, which joins them without a gap (gapless-audio).
* **One thread owns all state.** Public methods, mpv's events and the fade clock all become
  messages handled in order by the player thread, so nothing races; ``on_event`` is called from
  a second thread, so a slow or failing listener never stalls a fade.
* **Nothing waits on the player, and the player waits on nothing.** Ducking and volume are
  handed over without waiting for the player thread (the voice never stalls behind a fade), and
  the radio's next pick is asked for ahead of time on a thread of its own
  (:mod:`appliance.player.radio`): the DJ's lock and its database never run in a fade's tick.
* **Volume** is the user's volume times the duck factor times the deck's fade, one number per
  mpv core (see :mod:`appliance.player.gain`). Crossfades follow the tracks' playback positions,
  not the clock, so they freeze with pause and stay in step with what is heard.
* **Failures keep the radio going**: a missing or undecodable file ends with reason "error" and
  the next track plays; a missing audio server makes mpv fall back to its null output (one log
  line) and the player asks mpv to reopen the real one every ``output_retry`` seconds; an mpv core
  that shuts down is re-created and the queue continues.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from appliance.errors import PlayerError
from appliance.events import EndReason, TrackEnded, TrackStarted
from appliance.library.filenames import shown
from appliance.library.track import Track
from appliance.player.deck import Deck, DeckFactory, MusicDeck
from appliance.player.gain import Ramp, db_to_amplitude, equal_power, mpv_volume
from appliance.player.radio import Radio

log = logging.getLogger(__name__)

T = TypeVar("T")
PlayerEvent = TrackStarted | TrackEnded

SKIP_FADE = 0.3  # seconds a skipped track takes to fade out under the next one
GAPLESS_LEAD = 1.5  # seconds before the end at which the next file is queued in mpv
ERRORS_BEFORE_PAUSE = 5  # tracks failing in a row before the player waits before the next one
ERROR_PAUSE = 5.0
CALL_TIMEOUT = 10.0
PICK_AHEAD = 5.0  # seconds before a transition at which the radio is asked for what follows:
# slack for a DJ held up by a long turn, yet late enough that what the listener said during
# the track (a like, a mood) still shapes the pick
_NOT_MIXING_OUTPUTS = {"pcm"}  # outputs that cannot take two streams at once
_MIXING_ALSA_DEVICES = ("default", "dmix", "pulse", "pipewire", "sysdefault")


@dataclass(eq=False)
class _Entry:
    """One track on a deck, from loading until the player lets go of it."""

    track: Track
    deck: MusicDeck
    entry_id: int | None
    started_at: float | None = None  # when its sound began (TrackStarted sent)
    reported: bool = False  # TrackEnded sent
    position: float = 0.0  # last position read from mpv
    duration: float | None = None
    fade_in: float = 0.0  # crossfade length while it fades in (by its position)
    fade_out: float = 0.0  # crossfade length while it fades out (by what is left of it)
    fade: Ramp | None = None  # fade-out after skip/stop (by the clock); the deck stops after it
    gain: float = 1.0
    radio_asked: bool = False  # the radio was asked for what follows this track
    radio_ticket: int | None = None  # the ask its pick will come back with
    radio_ready: bool = False  # the pick has come (radio_pick; None: the radio had nothing)
    radio_pick: Track | None = None
    picked: bool = False  # queued gaplessly as the radio's pick (a track queued since goes first)


def resolve_output(audio_output: str) -> str:
    """mpv's ``ao`` list for a configured output: "auto" tries PulseAudio, then ALSA."""
    return "pulse,alsa" if audio_output == "auto" else audio_output


def output_mixes(audio_output: str, audio_device: str | None) -> bool:
    """Whether the output can play two streams at once (needed to overlap tracks)."""
    if audio_output in _NOT_MIXING_OUTPUTS:
        return False
    if audio_output == "alsa" and audio_device:
        name = audio_device.removeprefix("alsa/")
        return name.startswith(_MIXING_ALSA_DEVICES)
    return True


def _playable(path: str) -> bool:
    """A file that is there, or a stream another system sends (Home Assistant's URLs)."""
    return path.startswith(("http://", "https://")) or os.path.isfile(path)


def continues_album(before: Track, after: Track) -> bool:
    """True when ``after`` is the next track of the same album (played gaplessly, not faded)."""
    if not before.album or before.album != after.album:
        return False
    if (before.album_artist or before.artist) != (after.album_artist or after.artist):
        return False
    return before.track_number is not None and after.track_number == before.track_number + 1


class Player:
    """Plays tracks through mpv; see the module docstring. Every method is thread-safe."""

    def __init__(
        self,
        *,
        audio_output: str = "auto",
        audio_device: str | None = None,
        volume: int = 70,
        crossfade: float = 2.0,
        on_event: Callable[[PlayerEvent], None] | None = None,
        next_track: Callable[[], Track | None] | None = None,
        output_retry: float = 10.0,
        mpv_options: Mapping[str, str | bool | int | float] | None = None,
        deck: DeckFactory = Deck,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``audio_output``: "auto" (PulseAudio if a server answers, else ALSA, else silence), or
        an mpv ``ao`` name; ``audio_device``: mpv's ``audio-device``. ``next_track`` is asked,
        once per track, when the queue is empty as the current track nears its end (in time to
        crossfade or join it gaplessly); None means silence until play(). ``output_retry``:
        seconds between attempts to reopen the real output after a fallback to null.
        ``mpv_options``: extra mpv options for both cores (e.g. ``ao_null_untimed``).
        ``deck`` builds each mpv core and ``clock`` tells the time of fades and events: a test
        passes fakes that play on a clock it moves itself."""
        self._wanted_output = audio_output
        self._crossfade = max(0.0, crossfade)
        self._on_event = on_event
        self._clock = clock
        self._output_retry = output_retry
        self._volume = self._clamp_volume(volume)
        self._asked_volume = self._volume  # what set_volume() last asked, before it is applied
        self._duck = Ramp(0.0, 0.0, 0.0, 0.0)  # in dB
        self._queue: list[Track] = []
        self._history: deque[Track] = deque(maxlen=100)
        self._current: _Entry | None = None
        self._queued_next: _Entry | None = None  # gaplessly queued in the current deck
        self._outgoing: list[_Entry] = []
        self._paused = False
        self._errors_in_row = 0
        self._advance_at: float | None = None  # a delayed advance after many errors
        self._starved = False  # silent because the queue and the radio had nothing to play
        self._tickets = 0  # asks of the radio so far
        self._awaiting: int | None = None  # silent until this ask of the radio is answered
        self._spare: Track | None = None  # a pick that came while paused: plays on resume
        self._stop_waiters: list[threading.Event] = []
        self._on_null = False
        self._next_output_retry = 0.0
        self._closed = False
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._events: queue.SimpleQueue[PlayerEvent | None] = queue.SimpleQueue()

        options: dict[str, str | bool | int | float] = {
            "ao": resolve_output(audio_output),
            "audio_fallback_to_null": True,
            "video": False,
            "idle": True,
            "config": False,
            "input_default_bindings": False,
            "gapless_audio": "weak",
            "ytdl": False,
            "access_references": False,  # a playlist's entries were never checked: not followed
            "audio_client_name": "qfzz",
            "volume": 0,
            "volume_max": 100,
        }
        if audio_device:
            options["audio_device"] = audio_device
        options.update(mpv_options or {})
        count = 2 if output_mixes(audio_output, audio_device) else 1
        self._decks = [deck(f"deck{n}", options, self._post_mpv) for n in range(count)]
        try:
            for made in self._decks:
                made.start()
        except PlayerError:
            for made in self._decks:
                made.terminate()
            raise

        self._radio = None if next_track is None else Radio(next_track, self._post_pick)
        self._thread = threading.Thread(target=self._run, name="player", daemon=True)
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="player-events", daemon=True
        )
        self._thread.start()
        self._dispatcher.start()

    # -- public API (each call runs on the player thread) ----------------------------------------

    def play(self, track: Track, end_reason: str = "skipped") -> None:
        """Play ``track`` now; the current track ends with ``end_reason``: "skipped" when the
        listener moved on from it, "replaced" when another request simply took its place."""
        self._call(self._play, track, end_reason)

    def enqueue(self, track: Track, position: int | None = None) -> None:
        """Add ``track`` to the queue (at ``position``, else at the end); it starts at once if
        nothing is playing."""
        self._call(self._enqueue, track, position)

    def edit_queue(self, edit: Callable[[list[Track]], T]) -> T:
        """Change the waiting tracks in place with ``edit`` (on the player thread); its result."""
        return self._call(self._edit_queue, edit)

    def seek(self, seconds: float) -> bool:
        """Go to ``seconds`` into the current track; False when nothing is playing."""
        return self._call(self._seek, seconds)

    @property
    def queue(self) -> list[Track]:
        """The tracks waiting, in order (a copy)."""
        return self._call(self._queue_view)

    def skip(self) -> None:
        """End the current track ("skipped") and play the next one."""
        self._call(self._skip)

    def previous(self) -> None:
        """Play the previous track again; the current one goes back to the front of the queue."""
        self._call(self._previous)

    def wake_radio(self) -> None:
        """Start again if the music stopped for want of a track (music that was gone is back);
        a player that was stopped or paused stays so."""
        self._call(self._wake_radio)

    def pause(self) -> None:
        self._call(self._set_paused, True)

    def resume(self) -> None:
        """Continue after pause(), or start the queue (or the radio) after stop()."""
        self._call(self._resume)

    def stop(self, fade: float = 0.5) -> None:
        """Fade out over ``fade`` seconds and end the current track ("stopped"); keeps the queue.

        Returns when the music is silent.
        """
        done = self._call(self._stop, fade)
        done.wait(fade + 2.0)

    def set_volume(self, level: int) -> None:
        """The user's volume, 0..100 (returns at once; applied in order with the rest)."""
        self._asked_volume = self._clamp_volume(level)
        self._post(self._set_volume, level)

    @property
    def volume(self) -> int:
        return self._asked_volume

    def duck(self, db: float = -15.0, fade: float = 0.25) -> None:
        """Lower the music by ``db`` over ``fade`` seconds, e.g. for the voice. Returns at once,
        without waiting for the player's thread (which may be busy with a fade)."""
        self._post(self._set_duck, min(0.0, db), fade)

    def unduck(self, fade: float = 0.5) -> None:
        """Bring the music back to full volume over ``fade`` seconds (returns at once)."""
        self._post(self._set_duck, 0.0, fade)

    @property
    def now_playing(self) -> Track | None:
        current = self._current
        return current.track if current else None

    @property
    def position(self) -> float | None:
        """Seconds into the current track, or None when nothing is playing."""
        return self._call(self._position)

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def audio_output(self) -> str | None:
        """The output mpv is using now ("pulse", "alsa", "null" after a fallback, ...)."""
        return self._call(self._current_output)

    @property
    def alive(self) -> bool:
        """The player's threads are running (the station's watchdog asks)."""
        radio = self._radio is None or self._radio.alive
        return self._thread.is_alive() and self._dispatcher.is_alive() and radio

    def close(self) -> None:
        """End the current track ("stopped"), shut mpv down and stop the player's threads."""
        if self._closed:
            return
        with contextlib.suppress(PlayerError):
            self._call(self._shutdown)
        self._closed = True
        self._inbox.put(("quit",))
        if threading.current_thread() is not self._thread:
            self._thread.join(CALL_TIMEOUT)
        self._events.put(None)
        if threading.current_thread() is not self._dispatcher:
            self._dispatcher.join(CALL_TIMEOUT)
        if self._radio is not None:
            self._radio.close()

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------------

    @staticmethod
    def _clamp_volume(level: int | float) -> int:
        return max(0, min(100, round(level)))

    def _call(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func`` on the player thread and return its result."""
        if threading.current_thread() is self._thread:
            return func(*args)
        if self._closed or not self._thread.is_alive():
            raise PlayerError("the player is closed", hint="create a new Player")
        future: Future[T] = Future()
        self._inbox.put(("call", func, args, future))
        return future.result(CALL_TIMEOUT)

    def _post(self, func: Callable[..., object], *args: Any) -> None:
        """Hand ``func`` to the player thread and return at once (it runs in order)."""
        if self._closed or not self._thread.is_alive():
            raise PlayerError("the player is closed", hint="create a new Player")
        self._inbox.put(("call", func, args, None))

    def _post_mpv(self, deck: MusicDeck, generation: int, event: dict[str, Any]) -> None:
        self._inbox.put(("mpv", deck, generation, event))

    def _post_pick(self, ticket: int, track: Track | None) -> None:
        self._inbox.put(("radio", ticket, track))

    def _emit(self, event: PlayerEvent) -> None:
        self._events.put(event)

    def _dispatch(self) -> None:
        """Deliver events to ``on_event`` in order; a listener that raises is logged, not fatal."""
        while (event := self._events.get()) is not None:
            if self._on_event is None:
                continue
            try:
                self._on_event(event)
            except Exception:
                log.exception("the player's event listener failed on %s", type(event).__name__)

    def _run(self) -> None:
        while True:
            try:
                message = self._inbox.get(timeout=self._tick_interval())
            except queue.Empty:
                message = None
            if message is not None:
                if message[0] == "quit":
                    return
                self._handle(message)
            try:
                self._tick()
            except Exception:
                log.exception("player tick failed")

    def _handle(self, message: tuple[Any, ...]) -> None:
        if message[0] == "call":
            _, func, args, future = message
            try:
                result = func(*args)
            except BaseException as error:
                if future is None:
                    log.warning("the player could not %s: %s", func.__name__.strip("_"), error)
                else:
                    future.set_exception(error)
                return
            if future is not None:
                future.set_result(result)
            return
        if message[0] == "radio":
            self._on_pick(message[1], message[2])
            return
        _, deck, generation, event = message
        if generation != deck.generation:
            return  # from a core that has been replaced
        try:
            self._on_mpv(deck, event)
        except Exception:
            log.exception("handling mpv event %s failed", event.get("event"))

    def _tick_interval(self) -> float:
        if self._closed:
            return 1.0
        now = self._clock()
        if not self._duck.done(now) or self._outgoing or (self._current and self._current.fade_in):
            return 0.02
        return 0.05 if self._current else 0.5

    # -- commands ------------------------------------------------------------------------------

    def _queue_view(self) -> list[Track]:
        """The waiting tracks as edit_queue() sees them: one of them already joined on in mpv
        (gaplessly, in a track's last moments) is still waiting, at the front."""
        upcoming = self._queued_next
        if upcoming is not None and not upcoming.picked:
            return [upcoming.track, *self._queue]
        return list(self._queue)

    def _play(self, track: Track, end_reason: str = "skipped") -> None:
        if self._queued_next:
            self._queue.insert(0, self._unqueue_next())
        self._end_current(end_reason, fade=SKIP_FADE)  # cut at once when paused: no blip
        self._set_paused(False)
        self._start(track)

    def _enqueue(self, track: Track, position: int | None = None) -> None:
        if position is None:
            if self._queued_next is not None and self._queued_next.picked:
                self._unqueue_next()  # the radio's pick gives way: the queue plays before it
            self._queue.append(track)
        else:
            if self._queued_next:
                self._queue.insert(0, self._unqueue_next())
            self._queue.insert(max(0, position), track)
        if self._current is None and not self._paused and self._advance_at is None:
            self._advance()

    def _edit_queue(self, edit: Callable[[list[Track]], T]) -> T:
        if self._queued_next:
            self._queue.insert(0, self._unqueue_next())
        return edit(self._queue)

    def _seek(self, seconds: float) -> bool:
        current = self._current
        if current is None:
            return False
        current.deck.set("time-pos", max(0.0, seconds))
        return True

    def _skip(self) -> None:
        upcoming = self._unqueue_next() if self._queued_next else None
        skipped = self._current
        self._end_current("skipped", fade=SKIP_FADE)
        self._set_paused(False)
        if upcoming is not None:
            self._start(upcoming)
        else:
            self._advance(after=skipped)  # the radio's pick for it, if it was asked already

    def _previous(self) -> None:
        if not self._history:
            self._set_paused(False)
            if self._current is not None:
                self._current.deck.seek_start()
            return
        track = self._history.pop()
        if self._queued_next:
            self._queue.insert(0, self._unqueue_next())
        if self._current is not None:
            self._queue.insert(0, self._current.track)
            self._end_current("skipped", fade=SKIP_FADE, remember=False)
        self._set_paused(False)
        self._start(track)

    def _set_paused(self, paused: bool) -> None:
        self._paused = paused
        for deck in self._decks:
            deck.set("pause", paused)

    def _resume(self) -> None:
        self._set_paused(False)
        if self._current is None:
            self._advance_at = None
            self._advance()

    def _wake_radio(self) -> None:
        if self._starved and self._current is None and not self._paused:
            self._advance()

    def _stop(self, fade: float) -> threading.Event:
        done = threading.Event()
        self._starved = False
        if self._queued_next:
            self._queue.insert(0, self._unqueue_next())
        self._end_current("stopped", fade=fade)
        self._advance_at = None
        self._awaiting = self._spare = None  # a pick still on its way starts nothing
        now = self._clock()
        for entry in self._outgoing:  # tracks still fading out go too, no slower than this
            if entry.fade is None or entry.fade.begin + entry.fade.span > now + fade:
                entry.fade = Ramp(entry.gain, 0.0, now, fade)
        if self._outgoing:
            self._stop_waiters.append(done)
        else:
            done.set()
        return done

    def _set_volume(self, level: int) -> None:
        self._volume = self._clamp_volume(level)
        self._apply_volumes(self._clock())

    def _set_duck(self, db: float, fade: float) -> None:
        now = self._clock()
        self._duck = Ramp(self._duck.value(now), db, now, max(0.0, fade))
        self._apply_volumes(now)

    def _position(self) -> float | None:
        current = self._current
        if current is None:
            return None
        if current.started_at is None:
            return 0.0
        value = current.deck.get("time-pos")
        return float(value) if value is not None else current.position

    def _current_output(self) -> str | None:
        for deck in self._decks:
            output = deck.get("current-ao")
            if output:
                return str(output)
        return None

    def _shutdown(self) -> None:
        if self._queued_next:
            self._queue.insert(0, self._unqueue_next())
        self._end_current("stopped", fade=0.0)
        self._closed = True
        for deck in self._decks:
            deck.terminate()
        for waiter in self._stop_waiters:
            waiter.set()

    # -- starting and ending tracks -------------------------------------------------------------

    def _free_deck(self) -> MusicDeck:
        """A deck with nothing sounding on it; cuts the oldest fading track if there is none."""
        busy = {entry.deck for entry in self._outgoing}
        if self._current:
            busy.add(self._current.deck)
        for deck in self._decks:
            if deck not in busy:
                return deck
        deck = self._decks[0] if len(self._decks) == 1 else self._outgoing[0].deck
        for entry in [e for e in self._outgoing if e.deck is deck]:
            self._outgoing.remove(entry)
            entry.deck.stop()
        return deck

    def _start(self, track: Track, fade_in: float = 0.0) -> None:
        """Start ``track`` now on a free deck (skipping it with an error if its file is gone)."""
        if not _playable(track.path):
            self._track_failed(track, f"file not found: {shown(track.path)}")
            return
        deck = self._free_deck()
        if not deck.alive:
            self._restart_deck(deck)
        if self._queued_next is not None and self._queued_next.deck is deck:
            self._queue.insert(0, self._unqueue_next())  # replacing the file drops it in mpv
        if deck.forced_null_until is not None and self._clock() >= deck.forced_null_until:
            deck.forced_null_until = None
            deck.set("ao", deck.options["ao"])  # try the real output again
        self._advance_at = self._awaiting = None  # a pick still on its way is not needed now
        entry = _Entry(track, deck, None, fade_in=fade_in, gain=0.0 if fade_in else 1.0)
        entry.duration = track.duration or None
        self._current = entry
        deck.set("pause", self._paused)
        deck.set_volume(mpv_volume(self._volume, self._duck_amplitude() * entry.gain))
        entry.entry_id = deck.load(track)
        if entry.entry_id is None:
            self._current = None
            self._track_failed(track, "mpv did not accept the file")

    def _track_failed(self, track: Track, error: str) -> None:
        """Report a track that could not play and go on with the next one."""
        # a file that is gone is the library's to notice and say, once for its whole folder
        level = logging.WARNING if os.path.exists(track.path) else logging.DEBUG
        log.log(level, "skipping %s: %s", shown(track.path), error)
        self._emit(TrackEnded(track, 0.0, track.duration, EndReason.ERROR, self._clock(), error))
        self._errors_in_row += 1
        if self._errors_in_row >= ERRORS_BEFORE_PAUSE:
            log.warning(
                "%d tracks in a row could not be played; waiting %.0f s before the next one",
                self._errors_in_row, ERROR_PAUSE,
            )  # fmt: skip
            self._errors_in_row = 0
            self._advance_at = self._clock() + ERROR_PAUSE
            return
        self._advance()

    def _report_end(self, entry: _Entry, reason: str, error: str | None = None) -> None:
        if entry.reported:
            return
        entry.reported = True
        position = (entry.duration or entry.position) if reason == "eof" else entry.position
        duration = entry.duration or entry.track.duration
        ended = EndReason(reason)
        self._emit(TrackEnded(entry.track, position, duration, ended, self._clock(), error))

    def _refresh_position(self, entry: _Entry) -> None:
        if entry.started_at is None:
            return
        value = entry.deck.get("time-pos")
        if value is not None:
            entry.position = float(value)
        duration = entry.deck.get("duration")
        if duration:
            entry.duration = float(duration)

    def _end_current(self, reason: str, fade: float, remember: bool = True) -> None:
        """Let go of the current track now: report it and fade it out (or cut it)."""
        entry = self._current
        if entry is None:
            return
        self._current = None
        self._refresh_position(entry)
        self._report_end(entry, reason)
        if remember and entry.started_at is not None:
            self._history.append(entry.track)
        if fade > 0 and entry.deck.alive and entry.started_at is not None and not self._paused:
            entry.fade = Ramp(entry.gain, 0.0, self._clock(), fade)
            entry.fade_in = 0.0
            self._outgoing.append(entry)
        else:
            entry.deck.stop()

    def _unqueue_next(self) -> Track:
        """Take back the track queued gaplessly in mpv (it has not started)."""
        entry = self._queued_next
        assert entry is not None
        self._queued_next = None
        entry.deck.drop_queued()
        return entry.track

    def _take_next(self, entry: _Entry) -> Track | None:
        """Take what follows ``entry`` if it is known now: the queue's head, else the radio's
        pick once it has come (None until then, or when the radio had nothing)."""
        if self._queue:
            return self._queue.pop(0)
        if not entry.radio_ready:
            return None
        pick, entry.radio_pick = entry.radio_pick, None
        entry.radio_ready, entry.radio_ticket = False, None
        return pick

    def _peek_next(self, entry: _Entry) -> Track | None:
        if self._queue:
            return self._queue[0]
        self._ask_radio(entry)
        return entry.radio_pick if entry.radio_ready else None

    def _ask_radio(self, entry: _Entry | None) -> int | None:
        """Ask the radio (once per track) for what follows ``entry``, or for the silence now
        when None; the ticket its answer comes back with. Returns at once."""
        if entry is not None:
            if entry.radio_asked:
                return entry.radio_ticket
            entry.radio_asked = True
        if self._radio is None:
            if entry is not None:
                entry.radio_ready = True  # no radio: nothing follows
            return None
        self._tickets += 1
        if entry is not None:
            entry.radio_ticket = self._tickets
        self._radio.ask(self._tickets)
        return self._tickets

    def _on_pick(self, ticket: int, track: Track | None) -> None:
        """The radio's answer: for the silence waiting on it, or kept by the track it follows."""
        if ticket == self._awaiting:
            self._awaiting = None
            if self._closed or self._current is not None:
                return
            if track is None:
                self._starved = True
            elif self._paused:
                self._spare = track
            else:
                self._start(track)
            return
        for entry in (self._current, self._queued_next, *self._outgoing):
            if entry is not None and entry.radio_ticket == ticket and not entry.radio_ready:
                entry.radio_pick, entry.radio_ready = track, True
                return

    def _advance(self, after: _Entry | None = None) -> None:
        """Start the next track: the queue's, else the radio's pick for ``after`` (or one kept
        from a pause). When the radio has not answered yet, the player waits for it without
        waiting (see :meth:`_on_pick`); when it had nothing, the music falls silent."""
        if self._closed:
            return
        self._starved = False
        if self._queue:
            self._start(self._queue.pop(0))
            return
        if after is not None and after.radio_ready:
            track = self._take_next(after)
            if track is None:
                self._starved = True
            else:
                self._start(track)
            return
        if self._spare is not None:
            track, self._spare = self._spare, None
            self._start(track)
            return
        if self._radio is None:
            self._starved = True
        elif self._awaiting is None:
            if after is not None and after.radio_asked and after.radio_ticket is not None:
                self._awaiting = after.radio_ticket  # asked ahead: its answer is on its way
            else:
                self._awaiting = self._ask_radio(None)

    # -- mpv events ------------------------------------------------------------------------------

    def _entry_for(self, deck: MusicDeck, entry_id: int | None) -> _Entry | None:
        for entry in (self._current, self._queued_next, *self._outgoing):
            if entry is not None and entry.deck is deck and entry.entry_id == entry_id:
                return entry
        return None

    def _on_mpv(self, deck: MusicDeck, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "start-file":
            deck.playing_id = event.get("playlist_entry_id")
            deck.forget_played()
        elif kind == "playback-restart":
            entry = self._entry_for(deck, deck.playing_id)
            if entry is not None and entry.started_at is None and entry is self._current:
                self._track_started(entry)
        elif kind == "end-file":
            self._on_end_file(deck, event)
        elif kind == "shutdown":
            self._on_core_died(deck)
        elif kind == "property-change":
            self._on_property(deck, event["name"], event["value"])

    def _track_started(self, entry: _Entry) -> None:
        entry.started_at = self._clock()
        self._errors_in_row = 0
        duration = entry.deck.get("duration")
        if duration:
            entry.duration = float(duration)
        self._emit(TrackStarted(entry.track, entry.started_at))

    def _on_end_file(self, deck: MusicDeck, event: dict[str, Any]) -> None:
        entry = self._entry_for(deck, event.get("playlist_entry_id"))
        if entry is None:
            return
        reason = event.get("reason")
        if reason == "quit":
            return  # the core is going down: its shutdown event takes care of the track
        if entry in self._outgoing:
            self._outgoing.remove(entry)
            self._wake_stop_waiters()
            return
        if entry is self._queued_next:  # failed before it was reached
            self._queued_next = None
            self._track_failed(entry.track, str(event.get("file_error") or reason))
            return
        if entry is not self._current:
            return
        self._current = None
        if reason == "eof":
            self._report_end(entry, "eof")
            self._history.append(entry.track)
            upcoming = self._queued_next
            if upcoming is not None and upcoming.deck is deck:
                self._queued_next = None
                self._current = upcoming  # mpv goes on with it gaplessly
            else:
                self._advance(after=entry)
        elif reason == "error":
            error = str(event.get("file_error") or "mpv could not play the file")
            if "audio output" in error and self._wanted_output != "null":
                self._replay_silently(entry)
                return
            self._report_end(entry, "error", error)
            if entry.started_at is None:
                self._errors_in_row += 1
            level = logging.WARNING if os.path.exists(entry.track.path) else logging.DEBUG
            log.log(level, "skipping %s: %s", shown(entry.track.path), error)
            self._after_error(entry)
        else:  # stopped by something other than this player
            self._report_end(entry, "error", f"mpv stopped the track ({reason})")
            self._after_error(entry)

    def _replay_silently(self, entry: _Entry) -> None:
        """The audio output failed (mpv did not fall back by itself): play on to null.

        The deck is switched to mpv's null output and the track starts again there, so the
        queue and the events go on; the real output is tried again at the next track once
        ``output_retry`` seconds have passed.
        """
        deck = entry.deck
        deck.set("ao", "null")
        deck.forced_null_until = self._clock() + self._output_retry
        deck.output = "null"
        self._check_output("null")
        self._start(entry.track)
        if self._current is not None and self._current.track is entry.track:
            self._current.started_at = entry.started_at  # the same track: no second start event

    def _after_error(self, entry: _Entry) -> None:
        if self._errors_in_row >= ERRORS_BEFORE_PAUSE:
            self._errors_in_row = 0
            log.warning("several tracks in a row failed; waiting %.0f s", ERROR_PAUSE)
            self._advance_at = self._clock() + ERROR_PAUSE
        else:
            self._advance(after=entry)

    def _on_core_died(self, deck: MusicDeck) -> None:
        if self._closed:
            return
        log.warning("mpv (%s) shut down unexpectedly; restarting it", deck.name)
        if self._queued_next and self._queued_next.deck is deck:
            self._queue.insert(0, self._queued_next.track)  # never started: play it later
            self._queued_next = None
        for entry in [e for e in self._outgoing if e.deck is deck]:
            self._outgoing.remove(entry)
        lost = self._current if self._current and self._current.deck is deck else None
        self._restart_deck(deck)
        self._wake_stop_waiters()
        if lost is not None:
            self._current = None
            self._report_end(lost, "error", "mpv shut down while playing")
            self._advance(after=lost)

    def _restart_deck(self, deck: MusicDeck) -> None:
        deck.terminate()
        try:
            deck.start()
        except PlayerError as error:
            log.error("mpv could not be restarted: %s", error)
            return
        deck.set("pause", self._paused)

    def _on_property(self, deck: MusicDeck, name: str, value: Any) -> None:
        if name == "current-ao" and value is not None:
            deck.output = str(value)
            self._check_output(deck.output)

    def _check_output(self, output: str) -> None:
        """Log once when the music falls back to mpv's null output, and once when it is back."""
        if self._wanted_output == "null":
            return
        if output == "null" and not self._on_null:
            self._on_null = True
            self._next_output_retry = self._clock() + self._output_retry
            log.warning(
                "audio output %r is not available; playing silently, retrying every %g s",
                self._wanted_output, self._output_retry,
            )  # fmt: skip
        elif output != "null" and self._on_null:
            self._on_null = False
            log.warning("audio output is back (%s)", output)

    def _wake_stop_waiters(self) -> None:
        if not self._outgoing:
            for waiter in self._stop_waiters:
                waiter.set()
            self._stop_waiters.clear()

    # -- the clock: fades, crossfades, retries ---------------------------------------------------

    def _duck_amplitude(self, now: float | None = None) -> float:
        return db_to_amplitude(self._duck.value(self._clock() if now is None else now))

    def _apply_volumes(self, now: float) -> None:
        duck = self._duck_amplitude(now)
        gains: dict[MusicDeck, float] = {}
        for entry in (*self._outgoing, self._current):
            if entry is not None:
                gains[entry.deck] = entry.gain
        for deck, gain in gains.items():
            deck.set_volume(mpv_volume(self._volume, duck * gain))

    def _tick(self) -> None:
        if self._closed:
            return
        now = self._clock()
        if self._advance_at is not None and now >= self._advance_at and self._current is None:
            self._advance_at = None
            self._advance()
        current = self._current
        if current is not None and current.started_at is not None and not self._paused:
            self._refresh_position(current)
            if current.fade_in:
                current.gain = equal_power(current.position / current.fade_in)
                if current.position >= current.fade_in:
                    current.fade_in, current.gain = 0.0, 1.0
            self._plan_transition(current)
        for entry in list(self._outgoing):
            if entry.fade is not None:
                entry.gain = entry.fade.value(now)
                if entry.fade.done(now):
                    entry.fade = None
                    entry.deck.stop()  # its end-file event removes it
            elif entry.fade_out and not self._paused:
                self._refresh_position(entry)
                left = (entry.duration or entry.position) - entry.position
                entry.gain = equal_power(left / entry.fade_out)
        self._apply_volumes(now)
        if self._wanted_output != "null" and now >= self._next_output_retry:
            self._next_output_retry = now + self._output_retry
            for deck in self._decks:
                forced = deck.forced_null_until is not None
                if deck.output == "null" and not forced and deck.get("idle-active") is False:
                    deck.reload_output()

    def _plan_transition(self, current: _Entry) -> None:
        """Near the end of the current track, queue the next one gaplessly or crossfade into it."""
        if self._queued_next is not None or not current.duration:
            return
        if current.deck.playing_id != current.entry_id:
            return  # mpv has not begun the file yet: appending now would race its playlist-clear
        left = current.duration - current.position
        can_fade = len(self._decks) > 1 and self._crossfade > 0
        lead = max(GAPLESS_LEAD, self._crossfade if can_fade else 0.0)
        if left <= lead + PICK_AHEAD and not self._queue:
            self._ask_radio(current)  # ahead of time: the pick is made off this thread
        if left > lead:
            return
        upcoming = self._peek_next(current)
        if upcoming is None:
            return
        length = min(self._crossfade, current.duration / 3)
        if upcoming.duration:
            length = min(length, upcoming.duration / 3)
        if can_fade and not continues_album(current.track, upcoming) and length >= 0.2:
            if left <= length:
                self._crossfade_into(current, self._take_next(current), length)
        elif left <= GAPLESS_LEAD:
            picked = not self._queue
            track = self._take_next(current)
            if track is None:
                return
            if not _playable(track.path):
                self._track_failed_quietly(track, current)
                return
            entry_id = current.deck.load(track, append=True)
            if entry_id is not None:
                self._queued_next = _Entry(track, current.deck, entry_id, picked=picked)
                self._queued_next.duration = track.duration or None

    def _track_failed_quietly(self, track: Track, current: _Entry) -> None:
        """A file to be queued ahead that is gone: report it without interrupting what plays."""
        log.debug("skipping %s: file not found", shown(track.path))
        error = f"file not found: {shown(track.path)}"
        self._emit(TrackEnded(track, 0.0, track.duration, EndReason.ERROR, self._clock(), error))
        self._errors_in_row += 1
        if self._errors_in_row < ERRORS_BEFORE_PAUSE:
            current.radio_asked = False  # the radio may offer another one
            current.radio_ticket = None

    def _crossfade_into(self, current: _Entry, track: Track | None, length: float) -> None:
        if track is None:
            return
        self._current = None
        self._report_end(current, "eof")
        self._history.append(current.track)
        current.fade_out = length
        self._outgoing.append(current)
        self._start(track, fade_in=length)

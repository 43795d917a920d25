"""Speech out: the DJ's sentences played through a sounddevice output stream, the music ducked.

Why a sounddevice (PortAudio) stream for speech while the music goes through mpv: speech wants
low latency, writes chunk by chunk as Piper makes each sentence, exact knowledge of when the
first sample went to the device (to time replies and barge-in), and an immediate stop when the
person talks over it. mpv gives none of these for a stream that is still being produced. The
sound server (PulseAudio/PipeWire, or ALSA's dmix) mixes the speech with mpv's music.

Output-side quirks this module works around:

* A freshly opened stream may sit for up to two seconds before the server starts taking samples
  (seen with PulseAudio's null sink). So the stream is opened once and kept running, playing
  silence between utterances; only the first utterance after start-up can pay that price.
* ``stop()`` (and leaving a ``with`` block) waits for PortAudio to drain and can hang when the
  device stops taking samples; the stream is only ever aborted and closed.
* A server that goes away leaves a stream whose callback is never called again: if no samples
  are taken for :data:`STALL_TIMEOUT` seconds, the stream is dropped, :class:`AudioError` raised,
  and the next utterance opens a new one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import numpy as np

from appliance.errors import AudioError, PlayerError
from appliance.voice.tts_piper import SpeechAudio

log = logging.getLogger(__name__)

BLOCK = 512  # samples per callback: 23 ms at 22050 Hz, the longest a barge-in stop can take
STALL_TIMEOUT = 3.0
LATENCY = 0.1  # seconds of device buffer: low enough to answer quickly, enough not to underrun
DEVICE_HINT = (
    "check that the sound server is running (`pactl info`) or set the speech output device; "
    "`python -m sounddevice` lists the devices"
)


REFRESH_INTERVAL = 5.0  # seconds between two device-list refreshes
_refresh_lock = threading.Lock()
_refreshed_at: float | None = None


def refresh_devices() -> bool:
    """Make PortAudio list the devices again (sounddevice has no public call for it); False
    when it did so less than :data:`REFRESH_INTERVAL` ago. While PortAudio initialises, the
    process's stderr goes to /dev/null (sounddevice hides ALSA's chatter): hence not often."""
    global _refreshed_at
    import sounddevice

    with _refresh_lock:
        now = time.monotonic()
        if _refreshed_at is not None and now - _refreshed_at < REFRESH_INTERVAL:
            return False
        _refreshed_at = now
        with contextlib.suppress(Exception):
            sounddevice._terminate()
        sounddevice._initialize()
        return True


class _Utterance:
    """What the audio callback needs to know about the utterance being played."""

    def __init__(self, cancel: threading.Event | None) -> None:
        self.cancel = cancel
        self.stopped = threading.Event()  # stop() from another thread
        self.blocks: deque[np.ndarray] = deque()
        self.offset = 0  # samples already taken from blocks[0]
        self.queued = 0  # samples handed to the output so far
        self.played = 0  # samples the callback has passed to the device
        self.first_at: float | None = None
        self.producing = True
        self.error: BaseException | None = None

    def cancelled(self) -> bool:
        return self.stopped.is_set() or (self.cancel is not None and self.cancel.is_set())


class SpeechOutput:
    """A running output stream that plays :class:`SpeechAudio` chunks as they arrive."""

    def __init__(self, device: str | int | None = None, open_now: bool = True) -> None:
        """``device``: a sounddevice device name or index (None: the default output).

        With ``open_now`` the stream starts at once (a failure is logged and retried on the first
        utterance), so the first reply does not wait for the output to settle.
        """
        self._device = device
        self._lock = threading.Condition()
        self._say_lock = threading.Lock()
        self._stream_lock = threading.RLock()  # opening, closing and refreshing PortAudio
        self._stream: Any = None
        self._rate: int | None = None
        self._latency = 0.0
        self._last_callback = 0.0
        self._utterance: _Utterance | None = None
        self._producer: threading.Thread | None = None
        if open_now:
            try:
                self._open(22050)
            except AudioError as error:
                log.warning("speech output not ready yet: %s", error)

    # -- the stream ------------------------------------------------------------------------------

    def _open(self, rate: int) -> None:
        import sounddevice

        with self._stream_lock:
            self._close_stream()
            try:
                stream = self._start_stream(rate)
            except (sounddevice.PortAudioError, ValueError) as first:
                # PortAudio lists the devices once, when it initialises: a sound server that
                # came up after the daemon, or a speaker plugged in since, is only seen by a
                # fresh list. This stream is PortAudio's only user in the daemon once it runs
                # (capture runs in a child process), and the stream lock keeps our own
                # closing out of the way.
                try:
                    if not refresh_devices():
                        raise first
                    stream = self._start_stream(rate)
                except (sounddevice.PortAudioError, ValueError) as error:
                    name = self._device or "default"
                    message = f"speech output device {name} cannot be opened: {error}"
                    raise AudioError(message, DEVICE_HINT) from error
            self._stream, self._rate = stream, rate
            self._latency = float(stream.latency)
            self._last_callback = time.monotonic()
        log.debug("speech output open at %d Hz, latency %.0f ms", rate, self._latency * 1000)

    def _start_stream(self, rate: int) -> Any:
        import sounddevice

        stream = sounddevice.OutputStream(
            samplerate=rate, channels=1, dtype="int16", blocksize=BLOCK,
            device=self._device, latency=LATENCY, callback=self._callback,
        )  # fmt: skip
        try:
            stream.start()
        except BaseException:
            stream.close()
            raise
        return stream

    def _close_stream(self) -> None:
        # the audio callback never takes the stream lock, so abort() cannot wait on it
        with self._stream_lock:
            stream, self._stream, self._rate = self._stream, None, None
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.abort()  # never stop(): it waits for a drain that may not come
                with contextlib.suppress(Exception):
                    stream.close()

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        out = outdata[:, 0]
        filled = 0
        with self._lock:
            self._last_callback = time.monotonic()
            utterance = self._utterance
            if utterance is not None:
                if utterance.cancelled():
                    utterance.blocks.clear()
                while filled < frames and utterance.blocks:
                    head = utterance.blocks[0]
                    take = min(frames - filled, head.size - utterance.offset)
                    out[filled : filled + take] = head[utterance.offset : utterance.offset + take]
                    filled += take
                    utterance.offset += take
                    if utterance.offset >= head.size:
                        utterance.blocks.popleft()
                        utterance.offset = 0
                if filled and utterance.first_at is None:
                    utterance.first_at = self._last_callback
                utterance.played += filled
            self._lock.notify_all()
        out[filled:] = 0

    # -- speaking --------------------------------------------------------------------------------

    def say(
        self,
        chunks: Iterable[SpeechAudio],
        on_start: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> bool:
        """Play ``chunks`` as they arrive and block until they are heard; False when cancelled.

        ``on_start`` gets the ``time.monotonic()`` at which the first sample went to the device.
        Setting ``cancel`` (or calling :meth:`stop`) silences the speech within one block.
        """
        with self._say_lock:
            # one synthesis at a time: a cancelled one ends its sentence. Waited for with the
            # lock let go, so close() (or stop) is not held up by a sentence being synthesised
            while (previous := self._producer) is not None and previous.is_alive():
                self._say_lock.release()
                try:
                    previous.join()
                finally:
                    self._say_lock.acquire()
            utterance = _Utterance(cancel)
            with self._lock:
                self._utterance = utterance
            self._producer = threading.Thread(
                target=self._produce, args=(chunks, utterance), name="speech-producer", daemon=True
            )
            self._producer.start()
            try:
                return self._follow(utterance, on_start)
            finally:
                with self._lock:
                    utterance.stopped.set()  # a producer still synthesising stops after it
                    utterance.blocks.clear()
                    self._utterance = None

    def _produce(self, chunks: Iterable[SpeechAudio], utterance: _Utterance) -> None:
        """Synthesis runs here, so the caller can react to cancel and to the first sample."""
        try:
            for chunk in chunks:
                if utterance.cancelled():
                    break
                samples = np.frombuffer(chunk.pcm, dtype="<i2")
                if chunk.sample_rate != self._rate or self._stream is None:
                    self._drain(utterance)
                    self._open(chunk.sample_rate)
                with self._lock:
                    if utterance.cancelled():
                        break
                    utterance.blocks.append(samples)
                    utterance.queued += samples.size
                    self._lock.notify_all()
        except BaseException as error:
            utterance.error = error
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:  # a generator's clean-up runs here, now, not at collection
                with contextlib.suppress(Exception):
                    close()
            with self._lock:
                utterance.producing = False
                self._lock.notify_all()

    def _drain(self, utterance: _Utterance) -> None:
        """Wait until what is queued has gone to the device (before reopening the stream)."""
        with self._lock:
            while self._stream is not None and utterance.played < utterance.queued:
                if utterance.cancelled() or not self._lock.wait(STALL_TIMEOUT):
                    return

    def _follow(self, utterance: _Utterance, on_start: Callable[[float], None] | None) -> bool:
        """Wait for the utterance to play out, calling ``on_start`` once; False if cancelled."""
        started = stalled = False
        with self._lock:
            while True:
                if utterance.first_at is not None and not started:
                    started = True
                    if on_start is not None:
                        self._lock.release()
                        try:
                            on_start(utterance.first_at)
                        finally:
                            self._lock.acquire()
                if utterance.cancelled():
                    return False
                if utterance.error is not None:
                    raise utterance.error
                if not utterance.producing and utterance.played >= utterance.queued:
                    break
                pending = utterance.played < utterance.queued
                if pending and time.monotonic() - self._last_callback > STALL_TIMEOUT:
                    stalled = True
                    break
                self._lock.wait(0.05)
        if stalled:  # closed outside the lock: abort() waits for a callback that may need it
            self._close_stream()
            raise AudioError(
                "the speech output stopped taking samples (sound server gone?)", DEVICE_HINT
            )
        # the last samples are in the device's buffer: wait until they have been heard
        deadline = time.monotonic() + self._latency
        while (left := deadline - time.monotonic()) > 0:
            if utterance.cancelled():
                return False
            time.sleep(min(left, 0.01))
        return True

    def stop(self) -> None:
        """Silence the current utterance at once (its say() returns False)."""
        with self._lock:
            if self._utterance is not None:
                self._utterance.stopped.set()
                self._utterance.blocks.clear()

    def close(self) -> None:
        self.stop()
        with self._say_lock:
            self._close_stream()

    def __enter__(self) -> SpeechOutput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Duckable(Protocol):
    """What speaking needs of the music player."""

    def duck(self, db: float = ..., fade: float = ...) -> None: ...
    def unduck(self, fade: float = ...) -> None: ...


class Voice(Protocol):
    def synthesize(self, text: str) -> Iterable[SpeechAudio]: ...


def speak(
    output: SpeechOutput,
    voice: Voice,
    text: str,
    player: Duckable | None = None,
    cancel: threading.Event | None = None,
    on_start: Callable[[float], None] | None = None,
) -> bool:
    """Duck the music, say ``text`` (streamed sentence by sentence), bring the music back.

    The duck starts before synthesis, so the music is down by the time the first sentence is
    ready. Returns False when cancelled (barge-in). A player that fails to duck does not stop the
    speech.
    """
    ducked = _try(player.duck) if player is not None else False
    try:
        return output.say(voice.synthesize(text), on_start=on_start, cancel=cancel)
    finally:
        if ducked and player is not None:
            _try(player.unduck)


def _try(action: Callable[[], None]) -> bool:
    try:
        action()
    except PlayerError as error:
        log.warning("could not change the music's volume: %s", error)
        return False
    return True

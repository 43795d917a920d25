"""Where the listener's audio comes from: the microphone, or a WAV file standing in for it.

Both deliver blocks of 16-bit little-endian mono PCM through the same ``read(timeout)``.

The microphone is captured by a child process (:mod:`appliance.voice.capture_worker`) running a
sounddevice input stream. A missing microphone or audio server never stops the appliance:
:class:`Microphone` keeps retrying with backoff in the background, says so once in the log (and
once again when the microphone is back), and a stream that stops delivering is reopened. A fresh
process is a fresh PortAudio, whose device list is frozen at initialisation; re-initialising
PortAudio inside the daemon instead would tear down every other stream it has open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Protocol

import numpy as np

from appliance.audio_format import RATE, WIDTH, bytes_for, seconds
from appliance.errors import AudioError

log = logging.getLogger("appliance.voice.capture")


class AudioSource(Protocol):
    """Blocks of s16le mono audio, one ``read`` at a time."""

    sample_rate: int
    block_bytes: int

    def start(self) -> None: ...

    def read(self, timeout: float | None = None) -> bytes | None: ...

    @property
    def available(self) -> bool: ...

    @property
    def exhausted(self) -> bool:
        """True once a finite source (a file) has delivered everything it will ever deliver."""
        ...

    def stop(self) -> None: ...


def block_bytes_for(sample_rate: int, block_ms: int) -> int:
    """The size in bytes of one block of ``block_ms`` milliseconds."""
    if block_ms <= 0 or sample_rate <= 0:
        raise ValueError("sample rate and block length must be positive")
    return bytes_for(block_ms, sample_rate)


class Microphone:
    """A sounddevice input stream (16 kHz mono int16 by default) that survives unplugging.

    ``device`` is a device name (or part of one), an index, or None for the system default.
    ``read`` returns one block of ``block_ms`` milliseconds, or None when none came in time.
    """

    def __init__(
        self,
        device: str | int | None = None,
        sample_rate: int = RATE,
        block_ms: int = 10,
        *,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 10.0,
        stall_s: float = 2.0,
        buffer_s: float = 10.0,
    ) -> None:
        self.device = device
        self.sample_rate = sample_rate
        self.block_ms = block_ms
        self.block_bytes = block_bytes_for(sample_rate, block_ms)
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.stall_s = stall_s
        self._blocks: queue.Queue[bytes] = queue.Queue(
            maxsize=max(1, int(buffer_s * 1000 / block_ms))
        )
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._proc_lock = threading.Lock()
        self._delivering = False
        self._down_reported = False
        self._dropped = 0
        self.failures = 0
        """How many times opening or keeping the stream failed (for the daemon's status)."""

    @property
    def label(self) -> str:
        return "the default microphone" if self.device is None else f"microphone {self.device!r}"

    @property
    def available(self) -> bool:
        """A stream is open and delivering audio."""
        return self._delivering

    @property
    def exhausted(self) -> bool:
        """A microphone never runs out."""
        return False

    def start(self) -> None:
        """Start capturing in the background; never raises for a missing device."""
        if self._thread and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._supervise, name="microphone", daemon=True)
        self._thread.start()

    def read(self, timeout: float | None = None) -> bytes | None:
        """The next block, or None when no audio came within ``timeout`` seconds."""
        try:
            return self._blocks.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop(self) -> None:
        """Stop capturing and end the capture process."""
        self._stopping.set()
        self._kill()
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None
        self._delivering = False

    # -- the supervisor ---------------------------------------------------------------------

    def _command(self) -> list[str]:
        device = "" if self.device is None else str(self.device)
        samples = self.block_bytes // WIDTH
        return [
            sys.executable, "-m", "appliance.voice.capture_worker",
            "--device", device, "--rate", str(self.sample_rate), "--block", str(samples),
        ]  # fmt: skip

    def _supervise(self) -> None:
        delay = self.retry_initial_s
        while not self._stopping.is_set():
            reason = self._capture_once()
            self._delivering = False
            if self._stopping.is_set():
                break
            self.failures += 1
            if reason.delivered:
                delay = self.retry_initial_s
            if not self._down_reported:
                log.warning(
                    "%s is unavailable (%s); retrying in the background", self.label, reason.text
                )
                self._down_reported = True
            else:
                log.debug(
                    "%s still unavailable (%s); next try in %.1f s", self.label, reason.text, delay
                )
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, self.retry_max_s)

    def _capture_once(self) -> _Ended:
        """Run one capture process until it fails, stalls or the microphone is stopped."""
        # the worker's messages go to a file, not a pipe: chatty audio libraries could fill a
        # pipe nobody reads while capturing, and block the worker
        with tempfile.TemporaryFile() as errors:
            try:
                proc = subprocess.Popen(
                    self._command(),
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    stdin=subprocess.DEVNULL,
                )
            except OSError as error:
                return _Ended(f"cannot start the capture process: {error}", delivered=False)
            with self._proc_lock:
                self._proc = proc
            if self._stopping.is_set():
                self._kill()
            assert proc.stdout is not None
            with proc.stdout:
                delivered, reason = self._pump(proc.stdout.fileno())
                self._kill()
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
        if not reason:
            reason = lines[-1] if lines else f"the capture process ended ({proc.returncode})"
        return _Ended(reason, delivered)

    def _pump(self, fd: int) -> tuple[bool, str]:
        """Blocks from the worker into the queue: (whether audio came, why it stopped)."""
        pending = bytearray()
        delivered = False
        while not self._stopping.is_set():
            ready, _, _ = select.select([fd], [], [], self.stall_s)
            if not ready:
                return delivered, f"no audio for {self.stall_s:g} s"
            chunk = os.read(fd, 65536)
            if not chunk:
                return delivered, ""
            if not delivered:
                delivered = True
                self._delivering = True
                if self._down_reported:
                    log.info("%s is back", self.label)
                    self._down_reported = False
                else:
                    log.info("%s open at %d Hz", self.label, self.sample_rate)
            pending += chunk
            while len(pending) >= self.block_bytes:
                self._put(bytes(pending[: self.block_bytes]))
                del pending[: self.block_bytes]
        return delivered, ""

    def _put(self, block: bytes) -> None:
        try:
            self._blocks.put_nowait(block)
            if self._dropped:
                log.warning("the listener fell behind: %d audio blocks were dropped", self._dropped)
                self._dropped = 0
        except queue.Full:
            # keep the newest audio: drop the oldest block
            with contextlib.suppress(queue.Empty):
                self._blocks.get_nowait()
            self._dropped += 1
            self._blocks.put_nowait(block)

    def _kill(self) -> None:
        with self._proc_lock:
            proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5.0)


class _Ended:
    """Why one capture process ended, and whether it delivered audio before."""

    def __init__(self, text: str, delivered: bool) -> None:
        self.text = text
        self.delivered = delivered


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Band-limited resampling of a whole float signal (FFT), for files read at once."""
    if rate == target or samples.size == 0:
        return samples
    count = round(samples.size * target / rate)
    spectrum = np.fft.rfft(samples)
    bins = count // 2 + 1
    if bins <= spectrum.size:
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins - spectrum.size, spectrum.dtype)])
    return np.fft.irfft(spectrum, count) * (count / samples.size)


def load_pcm(path: Path, sample_rate: int = RATE) -> bytes:
    """Any file soundfile reads (WAV, FLAC, Ogg), as s16le mono at ``sample_rate``."""
    import soundfile

    try:
        audio, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
        raise AudioError(
            f"{path}: cannot read this audio file ({error})",
            hint="give a WAV file (16 kHz mono is best), e.g. made with `sox in.mp3 -r 16000 "
            "-c 1 out.wav`",
        ) from error
    mono = audio.mean(axis=1)
    mono = resample(mono, rate, sample_rate)
    return (np.clip(mono, -1.0, 1.0) * 32767).round().astype("<i2").tobytes()


class PcmSource:
    """Audio already in memory (s16le mono at ``sample_rate``) in place of the microphone.

    Delivers the audio and then ``tail_s`` seconds of silence (so end-of-speech can decide),
    then reports ``exhausted``. With ``realtime`` the blocks are paced like a microphone's;
    without, they come as fast as they are read.
    """

    def __init__(
        self,
        pcm: bytes,
        sample_rate: int = RATE,
        block_ms: int = 10,
        realtime: bool = False,
        tail_s: float = 1.0,
    ) -> None:
        self.sample_rate = sample_rate
        self.block_ms = block_ms
        self.block_bytes = block_bytes_for(sample_rate, block_ms)
        self.realtime = realtime
        pcm = pcm + b"\0" * (-len(pcm) % self.block_bytes)
        tail = int(sample_rate * tail_s) * WIDTH
        self._pcm = pcm + b"\0" * (tail + -tail % self.block_bytes)
        self._offset = 0
        self._started_at: float | None = None

    @property
    def available(self) -> bool:
        return not self.exhausted

    @property
    def exhausted(self) -> bool:
        return self._offset >= len(self._pcm)

    def start(self) -> None:
        self._started_at = time.monotonic()

    def read(self, timeout: float | None = None) -> bytes | None:
        if self.exhausted:
            return None
        if self.realtime:
            if self._started_at is None:
                self.start()
            assert self._started_at is not None
            due = self._started_at + seconds(self._offset, self.sample_rate)
            wait = due - time.monotonic()
            if wait > 0:
                if timeout is not None and wait > timeout:
                    time.sleep(timeout)
                    return None
                time.sleep(wait)
        block = self._pcm[self._offset : self._offset + self.block_bytes]
        self._offset += self.block_bytes
        return block

    def stop(self) -> None:
        self._offset = len(self._pcm)


class WavSource(PcmSource):
    """A WAV (or FLAC, Ogg) file in place of the microphone: ``appliance run --input FILE.wav``.

    Any rate and channel count: the audio is mixed to mono and resampled to ``sample_rate``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        sample_rate: int = RATE,
        block_ms: int = 10,
        realtime: bool = False,
        tail_s: float = 1.0,
    ) -> None:
        self.path = Path(path)
        super().__init__(load_pcm(self.path, sample_rate), sample_rate, block_ms, realtime, tail_s)

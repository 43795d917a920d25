"""What the daemon benchmarks run the appliance with: a microphone that knows when each word
was said, a recorder that knows when each sample was played, a fast speaker, and `appliance run`
in a child process that can be typed at, measured and always ended.

Times are ``time.monotonic()`` seconds, as in the appliance's own events, so the two compare.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import pty
import queue
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from appliance.dialogue import Turn
from appliance.events import SpeechEnded, Transcript
from tests.support.pulse import MIC_RATE, SINK_RATE, PulseServer, Recorder
from tests.support.sound import as_float, find

F_SETPIPE_SZ = 1031  # fcntl: resize a pipe (Linux)
IN_OPEN = 0x20  # inotify: a watched file was opened


# -- the microphone --------------------------------------------------------------------------


def last_voice_sample(pcm: bytes, below_peak_db: float = 40.0, frame: int = 160) -> int:
    """The index just after the last 10 ms frame within ``below_peak_db`` of the loudest one:
    where the speech in ``pcm`` (16 kHz s16le) ends, its quiet tail left out."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    count = samples.size // frame
    rms = np.sqrt(np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1) + 1e-9)
    loud = np.nonzero(rms >= rms.max() * 10 ** (-below_peak_db / 20))[0]
    return int(loud[-1] + 1) * frame


@dataclass
class Utterance:
    """Speech queued on the microphone; ``ended_at`` is when its last voiced sample was said."""

    pcm: bytes
    voice_end: int  # sample index just after the last voiced frame
    written: list[float] = field(default_factory=list)  # when each chunk went in
    done: threading.Event = field(default_factory=threading.Event)
    ended_at: float | None = None


class FifoMicrophone:
    """Feeds the private PulseAudio's FIFO microphone, silence between utterances.

    Each 10 ms chunk is written when its last sample is due, as a sound card delivers it; the
    pipe source passes it on at once. The moment an utterance's speech ended is taken from the
    write times, so lateness of this thread is accounted for.
    """

    CHUNK = MIC_RATE // 100  # samples: 10 ms

    def __init__(self, pulse: PulseServer) -> None:
        self.pulse = pulse
        self._pending: deque[Utterance] = deque()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fifo-mic", daemon=True)
        self.late_s = 0.0  # the worst lateness of a write

    def start(self) -> FifoMicrophone:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def say(self, pcm: bytes) -> Utterance:
        utterance = Utterance(pcm, last_voice_sample(pcm))
        self._pending.append(utterance)
        return utterance

    def _run(self) -> None:
        fd = os.open(self.pulse.fifo, os.O_WRONLY)
        step = self.CHUNK * 2
        silence = b"\0" * step
        started = time.monotonic()
        sent = 0
        current: Utterance | None = None
        offset = 0
        try:
            while not self._stop.is_set():
                if current is None and self._pending:
                    current, offset = self._pending.popleft(), 0
                if current is not None:
                    chunk = current.pcm[offset : offset + step].ljust(step, b"\0")
                else:
                    chunk = silence
                sent += self.CHUNK
                due = started + sent / MIC_RATE
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                else:
                    self.late_s = max(self.late_s, -wait)
                os.write(fd, chunk)
                if current is not None:
                    current.written.append(time.monotonic())
                    offset += step
                    if offset >= len(current.pcm):
                        self._finish(current)
                        current = None
        finally:
            os.close(fd)

    def _finish(self, utterance: Utterance) -> None:
        index = (utterance.voice_end - 1) // self.CHUNK
        chunk_end = (index + 1) * self.CHUNK
        early = (chunk_end - utterance.voice_end) / MIC_RATE
        utterance.ended_at = utterance.written[index] - early
        utterance.done.set()


# -- the speaker's recording -----------------------------------------------------------------


class ClockedRecorder(Recorder):
    """A :class:`Recorder` that also notes when each piece of the recording arrived, so a
    sample's position tells when it was played (see :meth:`played_at`)."""

    def __init__(self, server: PulseServer) -> None:
        super().__init__(server)
        self._arrivals: list[tuple[float, int]] = []  # (arrival time, bytes recorded by then)

    def _read(self) -> None:
        assert self._proc and self._proc.stdout
        total = 0
        while chunk := self._proc.stdout.read1(4096):
            now = time.monotonic()
            total += len(chunk)
            with self._lock:
                self._chunks.append(chunk)
                self._arrivals.append((now, total))
            self._first.set()

    def played_at(self, sample: int, window_s: float = 3.0) -> float:
        """When recorded ``sample`` went through the sink: every piece arrives after its last
        sample was played, so the earliest arrival less its length, over the pieces near
        ``sample``, places the sample on the clock (the sink plays in real time)."""
        with self._lock:
            arrivals = list(self._arrivals)
        near = [
            (at, end // 2) for at, end in arrivals if abs(end // 2 - sample) <= window_s * SINK_RATE
        ]
        if not near:
            raise ValueError(f"sample {sample} is not in the recording")
        origin = min(at - end / SINK_RATE for at, end in near)
        return origin + sample / SINK_RATE


# -- what the station heard and said ----------------------------------------------------------


class StampedVoice:
    """The station's Piper voice, noting when each synthesis began and its first chunk came."""

    def __init__(self, voice: Any) -> None:
        self.voice = voice
        self.marks: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.voice, name)

    def synthesize(self, text: str) -> Iterator[Any]:
        mark: dict[str, Any] = {"text": text}
        self.marks.append(mark)

        def chunks() -> Iterator[Any]:
            mark["started_at"] = time.monotonic()
            for chunk in self.voice.synthesize(text):
                if "first_at" not in mark:
                    mark["first_at"] = time.monotonic()
                    mark["first_pcm"] = chunk.pcm
                yield chunk

        return chunks()

    def mark_for(self, text: str, after: float) -> dict[str, Any]:
        """The last synthesis of ``text`` that began at or after ``after``."""
        return next(
            m
            for m in reversed(self.marks)
            if m["text"] == text and "first_at" in m and m["started_at"] >= after
        )


class Heard:
    """Keeps the listener's SpeechEnded and Transcript events, passing every event on."""

    def __init__(self, forward: Callable[[object], None]) -> None:
        self.forward = forward
        self.ended: list[SpeechEnded] = []
        self.finals: list[Transcript] = []

    def __call__(self, event: object) -> None:
        if isinstance(event, SpeechEnded):
            self.ended.append(event)
        elif isinstance(event, Transcript):
            self.finals.append(event)
        self.forward(event)

    def for_turn(self, turn: Turn) -> tuple[SpeechEnded, Transcript]:
        """The end of speech and the transcript that led to ``turn``."""
        assert turn.heard_at is not None
        final = max((t for t in self.finals if t.at <= turn.heard_at), key=lambda t: t.at)
        ended = max((e for e in self.ended if e.at <= final.at), key=lambda e: e.at)
        return ended, final


@dataclass
class StationRig:
    """A running station wired for measuring: the microphone it hears, what it heard, its turns,
    and (when it speaks) its voice stamped and the sink recorded."""

    mic: FifoMicrophone
    heard: Heard
    turns: queue.Queue[Turn]
    voice: StampedVoice | None = None
    recorder: ClockedRecorder | None = None


@contextlib.contextmanager
def station_rig(station: Any, pulse: PulseServer, speaking: bool) -> Iterator[StationRig]:
    """Wire ``station`` (a started QFZZStation) for a benchmark and unwire it afterwards."""
    listener = station.listener
    assert listener is not None and (station.voice is not None or not speaking)
    voice = StampedVoice(station.voice) if speaking else None
    if voice is not None:
        station.voice = voice
    heard = Heard(listener.on_event)
    listener.on_event = heard
    turns: queue.Queue[Turn] = queue.Queue()
    station.turn_listeners.append(turns.put)
    recorder = ClockedRecorder(pulse).start() if speaking else None
    mic = FifoMicrophone(pulse).start()
    try:
        time.sleep(1.0)  # the capture process opens the microphone
        yield StationRig(mic, heard, turns, voice, recorder)
    finally:
        mic.stop()
        if recorder is not None:
            recorder.stop()
        station.turn_listeners.remove(turns.put)
        listener.on_event = heard.forward


def sink_delay(
    recorder: ClockedRecorder, turn: Turn, clip: bytes, start: int
) -> tuple[float, float]:
    """(ms from Turn.first_audio_at to the answer's first sample passing through the sink, the
    correlation that found it); the recording may lag on a busy machine: wait for it."""
    assert turn.first_audio_at is not None
    deadline = time.monotonic() + 5.0
    while True:
        lag, score = find(as_float(recorder.audio())[start:], as_float(clip))
        at = start + lag
        if score > 0.5 or time.monotonic() > deadline:
            return (recorder.played_at(at) - turn.first_audio_at) * 1000, score
        time.sleep(0.2)


# -- a speaker faster than real time -----------------------------------------------------------


class FastSpeaker:
    """An ALSA device ``name`` (in ``home``/.asoundrc) that takes audio ``speed`` times faster
    than real time: ALSA's file plugin writes it into a FIFO that a thread here drains at that
    pace. The DJ's answers then take a fraction of their length, so an hour of conversation fits
    in minutes while the whole speech path (Piper, PortAudio, the output callback) still runs.
    """

    def __init__(self, home: Path, name: str = "fastspeech", speed: float = 10.0) -> None:
        self.name = name
        self.speed = speed
        self.fifo = home / f"{name}.fifo"
        self.rc = home / ".asoundrc"
        self.bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name=name, daemon=True)

    def start(self) -> FastSpeaker:
        os.mkfifo(self.fifo)
        self.rc.write_text(
            f'pcm.{self.name} {{\n  type file\n  slave.pcm "null"\n'
            f'  file "{self.fifo}"\n  format "raw"\n}}\n'
        )
        self._fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
        fcntl.fcntl(self._fd, F_SETPIPE_SZ, 4096)  # little buffering: the pace is the reader's
        self._thread.start()
        return self

    def _drain(self) -> None:
        rate = SINK_RATE * 2 * self.speed  # bytes per second, 16-bit mono at the voice's rate
        started = time.monotonic()
        while not self._stop.is_set():
            wait = started + self.bytes / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                data = os.read(self._fd, 4096)
            except BlockingIOError:
                data = b""
            if data:
                self.bytes += len(data)
            else:  # nobody writing: keep the clock from running ahead
                time.sleep(0.005)
                started = time.monotonic() - self.bytes / rate

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            os.close(self._fd)


# -- the music player's track starts ----------------------------------------------------------


class FileOpens:
    """Counts how often any process opens ``files`` (Linux inotify): seen from outside, every
    track the player starts is one open of its file. inotify merges an open with the previous
    one while both are unread, so a file opened twice in a row between two :meth:`poll` calls
    (a player probing and then opening it) counts once."""

    def __init__(self, files: Iterable[Path]) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        for path in files:
            if self._libc.inotify_add_watch(self._fd, os.fsencode(path), IN_OPEN) < 0:
                raise OSError(ctypes.get_errno(), f"cannot watch {path}")
        self.count = 0

    def poll(self) -> int:
        """The number of opens so far."""
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return self.count
            offset = 0
            while offset < len(data):
                _, mask, _, length = struct.unpack_from("iIII", data, offset)
                self.count += bool(mask & IN_OPEN)
                offset += 16 + length

    def close(self) -> None:
        os.close(self._fd)


# -- the daemon ------------------------------------------------------------------------------


@dataclass
class Line:
    at: float
    text: str


class DaemonProcess:
    """`appliance run` in a child process: READY=1 on its own notify socket, its log and its
    console lines with their arrival times, its memory; with ``typed`` its stdin is a terminal
    (so it reads typed requests even while it listens to the microphone)."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        notify_path: Path,
        typed: bool = False,
        python_options: tuple[str, ...] = (),
    ) -> None:
        self.notify_path = notify_path
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        with contextlib.suppress(FileNotFoundError):
            notify_path.unlink()
        self.notify.bind(str(notify_path))
        self.log: list[Line] = []
        self.out: list[Line] = []
        self._keyboard: int | None = None
        stdin: int | IO[bytes] = subprocess.DEVNULL
        terminal = None
        if typed:
            self._keyboard, terminal = pty.openpty()
            attrs = termios.tcgetattr(terminal)
            attrs[3] &= ~termios.ECHO  # nobody reads the echo: do not let it fill the terminal
            termios.tcsetattr(terminal, termios.TCSANOW, attrs)
            stdin = terminal
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, *python_options, "-m", "appliance", *args],
            env={**env, "NOTIFY_SOCKET": str(notify_path), "PYTHONUNBUFFERED": "1"},
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if terminal is not None:
            os.close(terminal)
        self._readers = [
            threading.Thread(target=self._collect, args=(self.proc.stderr, self.log), daemon=True),
            threading.Thread(target=self._collect, args=(self.proc.stdout, self.out), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _collect(stream: IO[str] | None, into: list[Line]) -> None:
        assert stream is not None
        for text in stream:
            into.append(Line(time.monotonic(), text.rstrip("\n")))

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float) -> float:
        """Seconds from the process start to READY=1."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self.proc.poll() is not None:
                raise AssertionError("the daemon died:\n" + self.tail())
            self.notify.settimeout(min(left, 0.5))
            try:
                message = self.notify.recv(4096).decode()
            except TimeoutError:
                continue
            if "READY=1" in message.split("\n"):
                return time.monotonic() - self.started_at
        raise AssertionError("the daemon never said READY=1:\n" + self.tail())

    def type(self, text: str) -> None:
        assert self._keyboard is not None, "start the daemon with typed=True"
        os.write(self._keyboard, text.encode() + b"\n")

    def wait_output(self, marker: str, count: int, timeout: float) -> None:
        """Wait until ``count`` console lines hold ``marker``."""
        deadline = time.monotonic() + timeout
        while sum(marker in line.text for line in list(self.out)) < count:
            if self.proc.poll() is not None:
                raise AssertionError("the daemon died:\n" + self.tail())
            if time.monotonic() > deadline:
                raise AssertionError(f"no {marker!r} line #{count} in time:\n" + self.tail())
            time.sleep(0.01)

    def wait_log(self, text: str, timeout: float) -> Line:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.log):
                if text in line.text:
                    return line
            if self.proc.poll() is not None:
                raise AssertionError("the daemon died:\n" + self.tail())
            time.sleep(0.02)
        raise AssertionError(f"the daemon never logged {text!r}:\n" + self.tail())

    def memory_kb(self) -> dict[str, int]:
        """VmRSS, RssAnon, RssFile, VmHWM (kB) from /proc/<pid>/status."""
        return proc_memory(self.pid)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(line.text for line in self.log[-lines:])

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then SIGKILL when it does not end in ``timeout``; the exit code."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            for reader in self._readers:
                reader.join(timeout=5)
            return self.proc.returncode
        finally:
            self.notify.close()
            with contextlib.suppress(FileNotFoundError):
                self.notify_path.unlink()
            if self._keyboard is not None:
                os.close(self._keyboard)
                self._keyboard = None


def proc_memory(pid: int) -> dict[str, int]:
    """The memory figures of a process (kB) from /proc/<pid>/status."""
    wanted = ("VmRSS", "RssAnon", "RssFile", "VmHWM")
    figures = {}
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = row.partition(":")
        if key in wanted:
            figures[key] = int(value.split()[0])
    return figures


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (the capture worker, ...), from /proc/*/stat."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # the command name may hold spaces: the fields after its closing parenthesis
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found

"""The appliance as a person meets it, for tests: `appliance run` in a child process, a voice
speaking into its microphone, and what its speaker played, told apart into voice and music."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tests.support.pulse import MIC_RATE, SINK_RATE, PulseServer

FRAME = SINK_RATE // 10  # 100 ms frames: 10 Hz bins


class Microphone:
    """Feeds the FIFO microphone in real time: silence, or speech when there is some."""

    def __init__(self, pulse: PulseServer) -> None:
        self.pulse = pulse
        self.queue: deque[bytes] = deque()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        fd = os.open(self.pulse.fifo, os.O_WRONLY)
        chunk = MIC_RATE * 2 // 50  # 20 ms
        started = time.monotonic()
        sent = 0
        try:
            while not self.stop.is_set():
                data = self.queue.popleft() if self.queue else b"\0" * chunk
                os.write(fd, data)
                sent += len(data)
                delay = started + sent / (MIC_RATE * 2) - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        finally:
            os.close(fd)

    def say(self, pcm: bytes) -> float:
        """Queue speech; returns how long it lasts."""
        chunk = MIC_RATE * 2 // 50
        for offset in range(0, len(pcm), chunk):
            self.queue.append(pcm[offset : offset + chunk].ljust(chunk, b"\0"))
        return len(pcm) / (MIC_RATE * 2)


def run_appliance(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    **options: object,
) -> subprocess.CompletedProcess:
    """`appliance ARGS...` as a person runs it, in a child process, to its end: its output
    captured (text unless ``text=False``), no terminal on stdin unless ``input`` or ``stdin``
    is given, the environment plus ``env``; a hang fails at ``timeout`` instead of freezing."""
    if "input" not in options:
        options.setdefault("stdin", subprocess.DEVNULL)
    if "stdout" not in options and "stderr" not in options:
        options["capture_output"] = True
    options.setdefault("text", True)
    return subprocess.run(
        [sys.executable, "-m", "appliance", *args],
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,  # the caller judges the exit code
        **options,  # type: ignore[arg-type]
    )


def as_nobody(job: Callable[[], object]) -> str:
    """Run ``job`` in a forked child as the user nobody (root reads every folder: a person
    does not); returns what it returned, or the exception that escaped it, as text. Import
    what ``job`` needs first: the interpreter's own files may be closed to nobody."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(reader)
            os.setgid(65534)
            os.setuid(65534)
            try:
                said = repr(job())
            except BaseException as error:
                said = f"escaped: {type(error).__name__}: {error}"
            os.write(writer, said.encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as stream:
        said = stream.read().decode()
    os.waitpid(pid, 0)
    return said


class Daemon:
    """`appliance run` in a child process, its log collected line by line."""

    def __init__(
        self, config: Path, env: dict[str, str], *args: str, stdin: int = subprocess.DEVNULL
    ) -> None:
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify_path = Path(env["APPLIANCE_DATA_DIR"]).parent / "notify.sock"
        self.notify.bind(str(notify_path))
        self.notify.settimeout(1.0)
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", "run", "--config", str(config), *args],
            env={**env, "NOTIFY_SOCKET": str(notify_path), "PYTHONUNBUFFERED": "1"},
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip())

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the daemon died:\n" + self.log()
            try:
                message = self.notify.recv(4096).decode()
            except TimeoutError:
                continue
            if "READY=1" in message.split("\n"):
                return
        raise AssertionError("the daemon never said READY=1:\n" + self.log())

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            assert self.proc.poll() is None, "the daemon died:\n" + self.log()
            time.sleep(0.05)
        raise AssertionError(f"the daemon never logged {text!r}:\n" + self.log())

    def log(self) -> str:
        return "\n".join(self.lines[-60:])

    def terminate(self) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # a hung daemon fails the test, never outlives it
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise
        finally:
            self.notify.close()
        return code, time.monotonic() - started


def frames(pcm: bytes) -> np.ndarray:
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    count = samples.size // FRAME
    return samples[: count * FRAME].reshape(count, FRAME)


def tone_power(spectrum: np.ndarray, hz: float) -> float:
    """Power in the bins around ``hz`` of a frame's power spectrum."""
    centre = round(hz * FRAME / SINK_RATE)
    return float(spectrum[centre - 2 : centre + 3].sum())


def analyse(pcm: bytes, tones: dict[str, float]) -> list[dict[str, float]]:
    """Per 100 ms frame of a recording of the speaker: for each named tone (the music of
    :func:`tests.support.music.tone_library`) its level in dB and its share of the frame's
    power; the frame's level; and the share of everything else, which is large for a voice and
    near 0 for the pure-tone music."""
    out = []
    window = np.hanning(FRAME)
    for block in frames(pcm):
        spectrum = np.abs(np.fft.rfft(block * window)) ** 2
        total = float(spectrum.sum()) + 1e-9
        powers = {name: tone_power(spectrum, hz) for name, hz in tones.items()}
        frame = {
            "level": 10 * np.log10(total),
            "voice_share": max(total - sum(powers.values()), 0.0) / total,
        }
        for name, power in powers.items():
            frame[name] = 10 * np.log10(power + 1e-9)
            frame[f"{name}_share"] = power / total
        out.append(frame)
    return out


def where(part: list[dict[str, float]], floor: float, **shares: float) -> list[int]:
    """Frames above the silence floor (+30 dB) whose shares exceed the given minimums."""
    return [
        i
        for i, f in enumerate(part)
        if f["level"] > floor + 30 and all(f[key] > low for key, low in shares.items())
    ]


def first(indexes: list[int]) -> int:
    assert indexes, "not found"
    return indexes[0]

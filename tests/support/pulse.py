"""A private PulseAudio server: a speaker the test can record and a microphone it can feed.

The server has a null sink ``vsink`` (whatever plays there can be recorded from
``vsink.monitor``) and a pipe source ``vmic`` reading raw s16le 16 kHz mono from a FIFO. Clients
reach it through ``env`` (``PULSE_SERVER`` and ``XDG_RUNTIME_DIR``): mpv with ``ao=pulse`` and
sounddevice through ALSA's pulse plugin.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

SINK_RATE = 22050
MIC_RATE = 16000


class PulseServer:
    """Start with :meth:`start`, stop with :meth:`stop`; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runtime = root / "xdg"
        self.home = root / "home"
        self.socket = root / "pulse.sock"
        self.fifo = root / "mic.fifo"
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket}",
            "XDG_RUNTIME_DIR": str(self.runtime),
        }
        self._fifo_fd: int | None = None

    @staticmethod
    def available() -> bool:
        """True when the pulseaudio and pactl programs are installed."""
        return bool(shutil.which("pulseaudio") and shutil.which("pactl"))

    def _run_env(self) -> dict[str, str]:
        return {**os.environ, **self.env, "HOME": str(self.home)}

    def start(self) -> PulseServer:
        self.runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        pid_file = self.runtime / "pulse" / "pid"
        with contextlib.suppress(OSError, ValueError):
            if not _running(int(pid_file.read_text().strip())):
                # an earlier server of this test has exited but is not reaped yet: pulseaudio
                # would take the zombie for a running daemon and refuse to start
                pid_file.unlink()
        started = subprocess.run(
            [
                "pulseaudio", "--daemonize=yes", "-n", "--exit-idle-time=-1",
                "--use-pid-file=yes", "--disallow-exit", "--log-target=stderr",
                "-L", f"module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
                "-L", f"module-null-sink sink_name=vsink rate={SINK_RATE} channels=1 format=s16le",
                "-L", (
                    f"module-pipe-source source_name=vmic file={self.fifo} "
                    f"format=s16le rate={MIC_RATE} channels=1"
                ),
            ],
            env=self._run_env(), capture_output=True, text=True, timeout=20,
        )  # fmt: skip
        if started.returncode:
            raise RuntimeError(
                f"pulseaudio did not start (exit {started.returncode}): {started.stderr.strip()}"
            )
        deadline = time.monotonic() + 10
        while subprocess.run(
            ["pactl", "info"], env=self._run_env(), capture_output=True
        ).returncode:
            if time.monotonic() > deadline:
                raise RuntimeError("the private PulseAudio server did not come up")
            time.sleep(0.02)
        self.pactl("set-default-sink", "vsink")
        self.pactl("set-default-source", "vmic")
        # module-pipe-source makes the FIFO itself (an existing one makes it fail to load)
        if not stat.S_ISFIFO(os.stat(self.fifo).st_mode):
            raise RuntimeError(f"{self.fifo} is not a FIFO")
        return self

    def pactl(self, *args: str) -> str:
        return subprocess.run(
            ["pactl", *args], env=self._run_env(), check=True, capture_output=True, text=True
        ).stdout

    def _fifo(self) -> int:
        if self._fifo_fd is None:
            self._fifo_fd = os.open(self.fifo, os.O_WRONLY)
        return self._fifo_fd

    def recorder(self) -> Recorder:
        """A recorder of everything played to the null sink, started and ready."""
        return Recorder(self).start()

    def stop(self) -> None:
        if self._fifo_fd is not None:
            os.close(self._fifo_fd)
            self._fifo_fd = None
        pid_file = self.runtime / "pulse" / "pid"
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if not _running(pid):
                return
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether ``pid`` is still running. A daemon that has exited stays a zombie until init
    reaps it, which some containers' init does only every second or two: that counts as gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat_file:
            state = stat_file.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


class Recorder:
    """Records the sink's monitor with parec (raw s16le, :data:`SINK_RATE`, mono)."""

    def __init__(self, server: PulseServer) -> None:
        self.server = server
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._first = threading.Event()

    def start(self, timeout: float = 10.0) -> Recorder:
        """Start parec and wait for its first bytes (which come 0.3-2 s after it starts)."""
        self._proc = subprocess.Popen(
            [
                "parec", "--raw", "--device=vsink.monitor", "--latency-msec=20",
                "--format=s16le", f"--rate={SINK_RATE}", "--channels=1",
            ],
            stdout=subprocess.PIPE, env=self.server._run_env(),
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        if not self._first.wait(timeout):
            raise RuntimeError("parec produced no audio from the sink monitor")
        return self

    def _read(self) -> None:
        assert self._proc and isinstance(self._proc.stdout, io.BufferedReader)
        while chunk := self._proc.stdout.read1(4096):
            with self._lock:
                self._chunks.append(chunk)
            self._first.set()

    def mark(self) -> int:
        """The number of bytes recorded so far: a position to slice :meth:`audio` from."""
        with self._lock:
            return sum(len(chunk) for chunk in self._chunks)

    def audio(self) -> bytes:
        with self._lock:
            return b"".join(self._chunks)

    def wait_for(
        self,
        condition: Callable[[bytes], bool],
        start: int = 0,
        timeout: float = 10.0,
        what: str = "the recording",
    ) -> bytes:
        """The recording from ``start`` on, as soon as ``condition`` holds for it.

        What was played reaches the recording a little later (more so on a busy machine), so
        a test waits for what it needs to be there; it fails after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            audio = self.audio()[start:]
            if condition(audio):
                return audio
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.05)

    def stop(self) -> bytes:
        if self._proc:
            self._proc.terminate()
            self._proc.wait(timeout=5)
        if self._thread:
            self._thread.join(timeout=5)
        return self.audio()

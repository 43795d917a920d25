"""A real Snapcast server and clients for the tests, on 127.0.0.1 only.

The server reads the appliance's stream from a FIFO in the test's folder (plus an idle stream,
where rooms that do not play the DJ go), listens for clients and JSON-RPC on free loopback ports,
and publishes nothing: its avahi client is pointed at a D-Bus that does not exist. Each client
writes what its room hears to a raw file (48 kHz s16le stereo).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

NO_DBUS = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/qfzz-test"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def available() -> bool:
    return bool(shutil.which("snapserver") and shutil.which("snapclient"))


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class SnapServer:
    """``start()``, ``stop()`` (SIGKILL with ``kill=True``), ``start()`` again on the same ports."""

    def __init__(
        self, root: Path, stream: str = "QFZZ", buffer_ms: int = 400, tcp_source: bool = False
    ) -> None:
        """``tcp_source``: the appliance's stream comes over TCP (``source_port``), as from a
        DJ on another board, instead of from the FIFO."""
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.fifo = root / "snapfifo"
        self.stream = stream
        self.control_port = free_port()
        self.stream_port = free_port()
        self.source_port = free_port() if tcp_source else 0
        source = (
            f"tcp://127.0.0.1:{self.source_port}?name={stream}&mode=server"
            if tcp_source
            else f"pipe://{self.fifo}?name={stream}&mode=create"
        )
        self.config = root / "snapserver.conf"
        self.log = root / "snapserver.log"
        (root / "data").mkdir(exist_ok=True)
        self.config.write_text(
            f"[server]\ndatadir = {root / 'data'}\nthreads = 2\n"
            "[http]\nenabled = false\n"
            f"[tcp]\nenabled = true\nbind_to_address = 127.0.0.1\nport = {self.control_port}\n"
            f"[stream]\nbind_to_address = 127.0.0.1\nport = {self.stream_port}\n"
            f"source = {source}&sampleformat=48000:16:2\n"
            f"source = pipe://{root / 'idle.fifo'}?name=Idle&sampleformat=48000:16:2&mode=create\n"
            f"buffer = {buffer_ms}\ncodec = pcm\n"
            "[logging]\nfilter = *:info\n"  # "Hello from <room>" shows when a room joined
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> SnapServer:
        log = self.log.open("ab")
        self.proc = subprocess.Popen(
            ["snapserver", "-c", str(self.config), "--logging.sink=stderr"],
            stdout=log, stderr=log, env={**os.environ, **NO_DBUS},
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while not _answers(self.control_port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"snapserver exited: {self.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("snapserver did not open its control port")
            time.sleep(0.02)
        return self

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            (self.proc.kill if kill else self.proc.terminate)()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


class SnapClient:
    """One room: ``snapclient --hostID <room>`` writing what it hears to ``<room>.raw``."""

    def __init__(self, server: SnapServer, room: str, root: Path, sink: str | None = None) -> None:
        """``sink``: play to this PulseAudio sink instead of writing ``<room>.raw``."""
        self.server = server
        self.room = room
        self.sink = sink
        self.output = root / f"{room}.raw"
        self.log = root / f"{room}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SnapClient:
        log = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                "snapclient", "--host", "127.0.0.1", "--port", str(self.server.stream_port),
                "--hostID", self.room, *self._player(),
                "--logsink", "stderr", "--logfilter", "*:notice",
            ],
            stdout=log, stderr=log, env={**os.environ, **NO_DBUS},
        )  # fmt: skip
        log.close()
        return self

    def _player(self) -> list[str]:
        if self.sink is None:
            return ["--player", f"file:filename={self.output}"]
        return ["--player", "pulse", "--soundcard", self.sink]

    def heard(self) -> bytes:
        with contextlib.suppress(FileNotFoundError):
            return self.output.read_bytes()
        return b""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

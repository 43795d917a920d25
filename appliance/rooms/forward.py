"""The programme to a snapserver on another machine: the pipe read here and sent over TCP to the
server's ``tcp://`` source (``mode=server``, port 4953 by default).

A snapserver on this board reads the pipe itself; one on a home server cannot, so this thread
does: it reads the pipe sink's FIFO and writes what it reads to the server. While the server is
away it keeps reading (and drops the audio: the rooms are not listening, and stale audio must not
reach them later) and connects again after a pause that doubles up to :data:`MAX_BACKOFF`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
from pathlib import Path

from appliance.faces.lan import allowed
from appliance.rooms.rpc import RoomsError

log = logging.getLogger("appliance.rooms")

CHUNK = 4096
MIN_BACKOFF = 0.5
MAX_BACKOFF = 10.0
CONNECT_TIMEOUT = 3.0


def lan_address(host: str, port: int) -> str:
    """The address of ``host`` when it is on this device or the LAN; else a RoomsError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise RoomsError(f"the Snapcast server {host!r} cannot be found ({error})") from error
    for info in infos:
        if allowed(str(info[4][0]), "lan"):
            return str(info[4][0])
    raise RoomsError(f"the Snapcast server {host!r} is not on this network")


class Forwarder:
    """``start()``, ``stop()``; ``connected`` and ``sent`` (bytes) say how it goes."""

    def __init__(
        self,
        fifo: Path,
        host: str,
        port: int,
        *,
        min_backoff: float = MIN_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
    ) -> None:
        self.fifo = fifo
        self.host = host
        self.port = port
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.sent = 0
        self.connected = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="snapcast-forward", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(CONNECT_TIMEOUT + 1)
            self._thread = None

    def _run(self) -> None:
        try:
            # O_RDWR: the open never waits for a writer, and reading never sees end-of-file
            # when the sound server closes and reopens its end
            pipe = os.open(self.fifo, os.O_RDWR | os.O_NONBLOCK)
        except OSError as error:
            log.error("cannot read the programme's pipe %s: %s", self.fifo, error.strerror)
            return
        sock: socket.socket | None = None
        retry_at = 0.0
        delay = self.min_backoff
        said_down = False
        try:
            while not self._stop.is_set():
                if sock is None and time.monotonic() >= retry_at:
                    sock = self._connect()
                    if sock is None:
                        retry_at = time.monotonic() + delay
                        delay = min(delay * 2, self.max_backoff)
                        if not said_down:
                            log.warning(
                                "the Snapcast server %s:%d does not take the programme; "
                                "trying again", self.host, self.port,
                            )  # fmt: skip
                            said_down = True
                    else:
                        delay, said_down = self.min_backoff, False
                ready, _, _ = select.select([pipe], [], [], 0.2)
                if not ready:
                    continue
                try:
                    data = os.read(pipe, CHUNK)
                except BlockingIOError:
                    continue
                if sock is None or not data:
                    continue  # the rooms are away: drop it
                try:
                    sock.sendall(data)
                    self.sent += len(data)
                except OSError:
                    sock.close()
                    sock = None
                    self.connected = False
                    retry_at = time.monotonic() + delay
        finally:
            os.close(pipe)
            if sock is not None:
                sock.close()
            self.connected = False

    def _connect(self) -> socket.socket | None:
        try:
            address = lan_address(self.host, self.port)
            sock = socket.create_connection((address, self.port), timeout=CONNECT_TIMEOUT)
        except (OSError, RoomsError):
            return None
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(CONNECT_TIMEOUT)
        self.connected = True
        log.info("the programme goes to %s:%d", self.host, self.port)
        return sock

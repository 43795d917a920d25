"""HTTP servers on the loopback for tests: one that answers every request with the same bytes
(however it asked, so a test can answer a redirect or a playlist, or count what reached it), and
one that serves a folder's files or a test's own handler.

Both serve on a thread of their own and stop when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def response(body: bytes = b"ok", kind: str | None = None) -> bytes:
    """A whole ``200 OK`` answer carrying ``body`` (of Content-Type ``kind``, when given)."""
    head = "HTTP/1.1 200 OK\r\n" + (f"Content-Type: {kind}\r\n" if kind else "")
    return f"{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


class Canned:
    """A server on ``host`` (a loopback address) answering each connection with ``answer``,
    which a test may change between requests; it counts the connections and keeps each
    request's head as it arrived."""

    def __init__(self, host: str = "127.0.0.1", answer: bytes = response()) -> None:
        self.host = host
        self.listening = socket.create_server((host, 0))
        self.port: int = self.listening.getsockname()[1]
        self.answer = answer
        self.connections = 0
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listening.accept()
            except OSError:  # closed
                return
            self.connections += 1
            with connection, contextlib.suppress(OSError):
                connection.settimeout(5)
                head = b""
                while b"\r\n\r\n" not in head and (more := connection.recv(65536)):
                    head += more
                self.requests.append(head)
                connection.sendall(self.answer)

    def close(self) -> None:
        self.listening.close()

    def __enter__(self) -> Canned:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class QuietFiles(SimpleHTTPRequestHandler):
    """A folder's files, without a log line per request."""

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(
    handler: Callable[..., BaseHTTPRequestHandler], host: str = "127.0.0.1"
) -> Iterator[str]:
    """``handler`` (a request handler class, or a factory of one) on ``host``; yields the base
    URL ("http://127.0.0.1:PORT")."""
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serving_folder(
    folder: Path, handler: type[SimpleHTTPRequestHandler] = QuietFiles
) -> contextlib.AbstractContextManager[str]:
    """The files of ``folder`` over HTTP on 127.0.0.1 (``handler``: a subclass of
    :class:`QuietFiles` that does more); yields the base URL."""
    return serving(partial(handler, directory=str(folder)))

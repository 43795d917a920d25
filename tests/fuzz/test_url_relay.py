"""Fuzz tier for the relay mpv fetches URLs through (appliance/player/relay.py): any bytes sent to
it end in an answer or a closed connection, reach no server unless they name a pinned URL, and
leave it serving; any redirect a server answers is followed only to an address that passed the
check, else refused."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.player.relay import RELAY

pytestmark = pytest.mark.fuzz

LOCATIONS = st.one_of(
    st.text(max_size=80).map(lambda text: "".join(c for c in text if c not in "\r\n")),
    st.sampled_from(["/ok", "http://127.0.0.1:1/x", "http://203.0.113.9/x", "//203.0.113.9/",
                     "https://[::1]/x", "http://user@10.0.0.1/", "ftp://127.0.0.1/"]),
)  # fmt: skip


class Upstream:
    """A server on 127.0.0.1 that counts connections and answers each with ``answer``."""

    def __init__(self) -> None:
        self.listening = socket.create_server(("127.0.0.1", 0))
        self.port = self.listening.getsockname()[1]
        self.connections = 0
        self.answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listening.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                connection.settimeout(5)
                try:
                    connection.recv(65536)
                    connection.sendall(self.answer)
                except OSError:
                    pass


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.listening.close()


def ask(data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", RELAY.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def recheck(url: str) -> tuple[str, ...]:
    """The check, as the command path gives it: only 127.0.0.1 over http(s) passes here."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname != "127.0.0.1":
        raise ValueError("not on this network")
    return ("127.0.0.1",)


@given(st.binary(max_size=2000))
def test_any_bytes_get_an_answer_or_a_close_and_reach_no_server(
    upstream: Upstream, data: bytes
) -> None:
    before = upstream.connections
    answer = ask(data)
    assert answer == b"" or answer.startswith((b"HTTP/1.1 404", b"HTTP/1.1 405", b"HTTP/1.1 502"))
    assert upstream.connections == before  # nothing named a pinned URL


@given(LOCATIONS)
def test_a_redirect_goes_only_where_the_check_allows(upstream: Upstream, location: str) -> None:
    upstream.answer = f"HTTP/1.1 302 Found\r\nLocation: {location}\r\n\r\n".encode()
    url = f"http://127.0.0.1:{upstream.port}/start"
    path = urlsplit(RELAY.pin(url, ("127.0.0.1",), recheck)).path
    answer = ask(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    if head.startswith("HTTP/1.1 302"):  # followed: through the relay, to a checked URL only
        moved = next(line for line in head.split("\r\n") if line.startswith("Location: "))
        assert moved.startswith(f"Location: http://127.0.0.1:{RELAY.port}/")
    else:
        assert head.startswith("HTTP/1.1 502")
    upstream.answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    assert ask(f"GET {path} HTTP/1.1\r\n\r\n".encode()).endswith(b"ok")  # still serving

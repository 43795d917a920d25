"""Fuzz tier for the relay mpv fetches URLs through (appliance/player/relay.py): any bytes sent to
it end in a 404, 405 or 502 or a closed connection, and leave it serving; a request with a real
token, whatever else it says (path, Host, method, headers), reaches the pinned server only, for
the pinned URL's own path and Host; any redirect a server answers is followed only to an address
that passed the check, else refused."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.player.relay import RELAY
from tests.support.http_server import Canned, response

pytestmark = pytest.mark.fuzz

LOCATIONS = st.one_of(
    st.text(max_size=80).map(lambda text: "".join(c for c in text if c not in "\r\n")),
    st.sampled_from(["/ok", "http://127.0.0.1:1/x", "http://203.0.113.9/x", "//203.0.113.9/",
                     "https://[::1]/x", "http://user@10.0.0.1/", "ftp://127.0.0.1/"]),
)  # fmt: skip


@pytest.fixture(scope="module")
def upstream() -> Iterator[Canned]:
    with Canned() as server:
        yield server


@pytest.fixture(scope="module")
def decoy() -> Iterator[Canned]:
    """Another server on the loopback, which hostile requests name: nothing may reach it."""
    with Canned() as server:
        yield server


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
def test_any_bytes_get_an_answer_or_a_close(upstream: Canned, data: bytes) -> None:
    answer = ask(data)
    assert answer == b"" or answer.startswith((b"HTTP/1.1 404", b"HTTP/1.1 405", b"HTTP/1.1 502"))
    upstream.answer = response()
    path = urlsplit(RELAY.pin(f"http://127.0.0.1:{upstream.port}/a", ("127.0.0.1",), recheck)).path
    assert ask(f"GET {path} HTTP/1.1\r\n\r\n".encode()).endswith(b"ok")  # still serving


LINE = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)  # no CR or LF
NAMES = st.one_of(st.sampled_from(["Host", "host", " Host", "HOST ", "X-Forwarded-Host",
                                   "Forwarded", "Connection", "Authorization", "Via"]),
                  LINE.filter(lambda name: ":" not in name))  # fmt: skip
METHODS = st.one_of(st.sampled_from(["GET", "HEAD", "POST", "CONNECT", "get", "TRACE"]),
                    LINE.filter(lambda method: " " not in method))  # fmt: skip
SUFFIXES = st.one_of(st.sampled_from(["", "/stream", "/../../etc/passwd", "/%2e%2e/x",
                                      "@127.0.0.1:{decoy}/", "/http://127.0.0.1:{decoy}/",
                                      "?url=http://127.0.0.1:{decoy}/", "#x", "//127.0.0.1"]),
                     LINE.map(lambda text: text.replace(" ", "")))  # fmt: skip
HOSTS = st.one_of(st.sampled_from(["127.0.0.1:{decoy}", "203.0.113.9", "[::1]:{decoy}", ""]),
                  LINE)  # fmt: skip


@given(
    method=METHODS,
    suffix=SUFFIXES,
    host=HOSTS,
    headers=st.lists(st.tuples(NAMES, LINE), max_size=4),
)
def test_a_pinned_token_reaches_the_pinned_url_only(
    upstream: Canned,
    decoy: Canned,
    method: str,
    suffix: str,
    host: str,
    headers: list[tuple[str, str]],
) -> None:
    """Whatever the rest of a request with a real token says, the relay connects to the pinned
    address alone and asks it for the pinned URL's path with its Host, or answers 405/502."""
    upstream.answer = response()
    url = f"http://127.0.0.1:{upstream.port}/pinned/song.ogg?q=1"
    token = urlsplit(RELAY.pin(url, ("127.0.0.1",), recheck)).path.split("/")[1]
    named = str(decoy.port)
    lines = [f"{method} /{token}{suffix.replace('{decoy}', named)} HTTP/1.1",
             f"Host: {host.replace('{decoy}', named)}",
             *(f"{name}: {value}" for name, value in headers)]  # fmt: skip
    reached, decoyed = upstream.connections, decoy.connections
    answer = ask(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    assert decoy.connections == decoyed
    if upstream.connections == reached:  # refused before any connection
        assert answer.startswith((b"HTTP/1.1 404", b"HTTP/1.1 405", b"HTTP/1.1 502"))
        assert method not in ("GET", "HEAD") or not answer.startswith(b"HTTP/1.1 405")
        return
    assert upstream.connections == reached + 1 and method in ("GET", "HEAD")
    assert answer.startswith(b"HTTP/1.1 200")
    asked = upstream.requests[-1].split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    assert asked[0] == f"{method} /pinned/song.ogg?q=1 HTTP/1.1"
    hosts = [line for line in asked[1:] if line.partition(":")[0].strip().lower() == "host"]
    assert hosts == [f"Host: 127.0.0.1:{upstream.port}"]


@given(LOCATIONS)
def test_a_redirect_goes_only_where_the_check_allows(upstream: Canned, location: str) -> None:
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
    upstream.answer = response()
    assert ask(f"GET {path} HTTP/1.1\r\n\r\n".encode()).endswith(b"ok")  # still serving

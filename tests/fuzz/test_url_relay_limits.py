"""The URL relay's limits and its pins' life (appliance/player/relay.py): slow or many clients
cannot hold it, the URL mpv opens is the one pin() gave, and a URL track played again after its
pin was dropped is checked and pinned anew (or refused plainly)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from appliance.player import relay
from appliance.player.relay import Relay
from tests.support.http_server import Canned

pytestmark = pytest.mark.fuzz


@pytest.fixture
def upstream() -> Iterator[Canned]:
    with Canned() as server:
        yield server


def here(_url: str) -> tuple[str, ...]:
    return ("127.0.0.1",)


def get(url: str) -> bytes:
    """What the relay answers to a GET of its ``url``."""
    rest = url.removeprefix("http://127.0.0.1:")
    port, _, path = rest.partition("/")
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as sock:
        sock.sendall(f"GET /{path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_trickling_client_is_cut_off_at_the_head_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relay, "HEAD_DEADLINE", 1.0)
    server = Relay()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        began = time.monotonic()
        closed = False
        while time.monotonic() - began < 4:  # a byte every 0.2 s: each recv is quick
            try:
                sock.sendall(b"G")
            except OSError:
                closed = True
                break
            sock.settimeout(0.2)
            try:
                if sock.recv(100) is not None:  # an answer (502) or the close
                    closed = True
                    break
            except TimeoutError:
                continue
    assert closed and time.monotonic() - began < 2.5


def test_connections_past_the_cap_get_a_503_and_the_relay_serves_again_after(
    upstream: Canned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay, "HEAD_DEADLINE", 3.0)
    server = Relay()
    url = server.pin(f"http://127.0.0.1:{upstream.port}/a.ogg", ("127.0.0.1",), here)
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(relay.SLOTS)]
    try:
        time.sleep(0.3)  # all accepted and waiting for their heads
        began = time.monotonic()
        assert get(url).startswith(b"HTTP/1.1 503")
        assert time.monotonic() - began < 1.0 and upstream.connections == 0
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)  # their slots are given back as they close
    assert get(url).endswith(b"ok") and upstream.connections == 1


def test_the_url_mpv_opens_is_the_one_pin_gave(upstream: Canned) -> None:
    server = Relay()
    url = f"http://127.0.0.1:{upstream.port}/music/Blue%20Train.flac?x=1"
    given = server.pin(url, ("127.0.0.1",), here)
    assert server.local(url) == given and given.endswith("/Blue%20Train.flac")
    assert get(server.local(url)).endswith(b"ok")


def test_a_url_whose_pin_was_dropped_is_checked_and_pinned_again(upstream: Canned) -> None:
    server = Relay()
    checked: list[str] = []

    def check(url: str) -> tuple[str, ...]:
        checked.append(url)
        return ("127.0.0.1",)

    first = f"http://127.0.0.1:{upstream.port}/first.ogg"
    server.pin(first, ("127.0.0.1",), check)
    for n in range(relay.KEEP):
        server.pin(f"http://127.0.0.1:{upstream.port}/{n}.ogg", ("127.0.0.1",), check)
    assert get(server.local(first)).endswith(b"ok")
    assert checked == [first]


def test_a_dropped_pin_that_fails_its_check_now_or_has_none_is_refused_plainly(
    upstream: Canned, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{upstream.port}/gone.ogg"
    fresh = Relay()  # as after a restart: nothing was checked yet
    assert get(fresh.local(url)).startswith(b"HTTP/1.1 404")
    assert "send the URL again" in caplog.text

    def refuse(_url: str) -> tuple[str, ...]:
        raise ValueError("not on this network")

    server = Relay()
    server.pin(f"http://127.0.0.1:{upstream.port}/other.ogg", ("127.0.0.1",), refuse)
    assert get(server.local(url)).startswith(b"HTTP/1.1 404")
    assert "not on this network" in caplog.text and upstream.connections == 0

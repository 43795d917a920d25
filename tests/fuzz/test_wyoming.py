"""A Wyoming server is another machine: whatever it sends, and whatever an address setting holds,
the appliance gets a WyomingError (its local engine answers) or a ValueError (a config problem)
within its deadline, never another exception and never a wait without end."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.wyoming_link import Address, Connection, WyomingError, parse_address
from tests.fuzz.conftest import fuzz_rounds

pytestmark = pytest.mark.fuzz


@settings(max_examples=fuzz_rounds(200, 20000))
@given(text=st.one_of(st.text(max_size=60), st.text(max_size=40).map(lambda t: "tcp://" + t)))
def test_any_address_setting_parses_or_says_why_not(text: str) -> None:
    try:
        address = parse_address(text)
    except ValueError as error:
        assert str(error)
        return
    assert 1 <= address.port <= 65535 and address.host
    assert parse_address(str(address)) == address


def _frame(kind: str, data: dict[str, object], payload: bytes) -> bytes:
    header: dict[str, object] = {"type": kind}
    body = json.dumps(data).encode() if data else b""
    if body:
        header["data_length"] = len(body)
    if payload:
        header["payload_length"] = len(payload)
    return json.dumps(header).encode() + b"\n" + body + payload


REPLY = st.one_of(
    st.binary(max_size=2048),
    st.builds(
        _frame,
        st.sampled_from(["info", "transcript", "audio-chunk", "error", "x"]),
        st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=3),
        st.binary(max_size=64),
    ),
    st.builds(lambda n: b'{"type": "x", "payload_length": %d}\n' % n, st.integers(-5, 2**40)),
    st.builds(lambda n: b'{"type": "x", "data_length": %d}\nnot json' % n, st.integers(1, 9)),
    st.just(b"x" * 70000),
    st.just(b'{"type": "x", "payload_length": Infinity}\n'),
    st.just(b'{"type": "x", "data_length": 1e400}\n'),
)


@settings(
    max_examples=fuzz_rounds(20, 3000),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(replies=st.lists(REPLY, min_size=1, max_size=3), close=st.booleans())
def test_whatever_a_server_sends_is_a_message_or_a_wyoming_error_in_time(
    replies: list[bytes], close: bool
) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        server.settimeout(2)
        try:
            peer, _ = server.accept()
        except OSError:
            return
        with peer:
            for reply in replies:
                try:
                    peer.sendall(reply)
                except OSError:
                    return
            if not close:
                time.sleep(0.25)  # a server that stops talking but keeps the line open

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with Connection.open(Address("127.0.0.1", port), 1.0) as connection:
            started = time.monotonic()
            deadline = started + 0.2
            for _ in range(10):
                try:
                    connection.receive(deadline)
                except WyomingError:
                    break
            assert time.monotonic() - started < 1.0
    finally:
        thread.join(3)
        server.close()

"""Fuzz tier for the MPD face: any file name becomes a one-line UTF-8 URI that turns back into
the same bytes; any request line is a word list or an ACK; any filter, however nested, is parsed
or refused; any bytes sent to a live face get an answer or a closed connection, and the face goes
on serving everyone else."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.faces.mpd.commands import COMMANDS
from appliance.faces.mpd.filters import parse
from appliance.faces.mpd.protocol import Ack, split
from appliance.faces.mpd.tree import from_uri, to_uri
from appliance.library.track import Track
from tests.faces.mpd_station import PASSWORD, DoubleStation, Served, make_music, mpd_settings

pytestmark = pytest.mark.fuzz

NAME_PART = st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\0" not in b)


@given(st.lists(NAME_PART, min_size=1, max_size=4))
def test_any_file_name_round_trips_as_a_uri(parts: list[bytes]) -> None:
    name = b"/".join(parts)
    uri = to_uri(os.fsdecode(name))
    assert "\n" not in uri and "\r" not in uri
    uri.encode("utf-8")  # strict: what MPD clients read
    assert os.fsencode(from_uri(uri)) == name


@given(st.text(max_size=200))
def test_any_line_splits_or_is_refused(line: str) -> None:
    try:
        words = split(line)
    except Ack as error:
        assert error.line(0, "").startswith(b"ACK [2@0] {} ")
        return
    assert all(isinstance(word, str) for word in words)


WORDS = st.lists(
    st.one_of(
        st.sampled_from(["artist", "any", "file", "base", "sort", "window", "group", "AND",
                         "(", ")", "==", "contains", "=~", "!"]),
        st.text(max_size=30),
    ),
    max_size=8,
)  # fmt: skip


@given(WORDS, st.booleans())
def test_any_filter_is_parsed_or_refused(words: list[str], exact: bool) -> None:
    try:
        query = parse(words, exact)
    except Ack:
        return
    query.apply([])


@given(st.sampled_from(["(", "(!", "( ", "(!("]), st.integers(0, 1300), st.booleans())
def test_any_nesting_is_parsed_or_refused(opening: str, depth: int, exact: bool) -> None:
    """Nested as deep as a 4 KB line allows: an answer or an ACK, never Python's stack."""
    text = opening * depth + "(artist == 'Sade')" + ")" * (opening.count("(") * depth)
    try:
        query = parse([text], exact)
    except Ack:
        return
    query.apply([("Sade/a.wav", Track("a", "/m/Sade/a.wav", "A", "Sade"))])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("mpd-fuzz")
    music = make_music(root / "music")
    station = DoubleStation(music, root)
    served = Served(station, mpd_settings(music), root)
    served.face.password_delay = 0.0
    yield served
    served.stop()
    station.close()


def _answer(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith((b"OK\n",)) and b"ACK [" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _request(name: str, args: list[str]) -> bytes:
    return " ".join([name, *(f'"{arg}"' for arg in args)]).encode("utf-8", "surrogatepass")


REQUEST = st.one_of(
    st.binary(max_size=300),
    st.builds(
        _request,
        st.sampled_from(sorted(COMMANDS)),
        st.lists(st.one_of(st.text(max_size=20), st.integers(-5, 99).map(str)), max_size=3),
    ),
)


@given(st.lists(REQUEST, min_size=1, max_size=6))
def test_any_bytes_get_an_answer_or_a_close(live: Served, lines: list[bytes]) -> None:
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=5)
    try:
        assert sock.recv(100) == b"OK MPD 0.23.5\n"
        sock.sendall(f'password "{PASSWORD}"\n'.encode())
        assert sock.recv(100) == b"OK\n"
        for line in lines:
            body = line.replace(b"\n", b" ").replace(b"idle", b"ping")  # idle would wait
            if body.strip().startswith(b"command_list"):
                body = b"ping"
            sock.sendall(body + b"\n")
            answer = _answer(sock)
            if not answer:
                break  # closed (e.g. "close"): allowed
            assert answer.endswith(b"OK\n") or answer.rstrip(b"\n").split(b"\n")[-1].startswith(
                b"ACK ["
            ), answer[-200:]
    finally:
        sock.close()
    check = socket.create_connection(("127.0.0.1", live.port), timeout=5)
    try:
        assert check.recv(100) == b"OK MPD 0.23.5\n"  # the face serves the next client
    finally:
        check.close()


def test_nothing_outside_the_music_folder_is_listed(live: Served) -> None:
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=5)
    sock.recv(100)
    sock.sendall(f'password "{PASSWORD}"\n'.encode())
    sock.recv(100)
    for uri in ("..", "../..", "/etc", "Sade/../..", "Sade/../../music", "~"):
        sock.sendall(f'lsinfo "{uri}"\n'.encode())
        assert _answer(sock) == b"ACK [50@0] {lsinfo} No such directory\n"
    sock.sendall(b'lsinfo "/"\n')
    assert _answer(sock) == b"directory: Miles Davis\ndirectory: Odd\ndirectory: Sade\nOK\n"
    sock.close()

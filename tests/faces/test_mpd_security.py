"""The MPD face against a hostile client on this network: nothing outside the music folders is
read or queued, a client costs bounded memory (its command list, its unread replies), and
password guesses are slowed for the whole face, not per connection."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance import control
from tests.faces.mpd_station import PASSWORD, DoubleStation, Served, mpd_settings, png
from tests.faces.test_mpd import Raw, wait_until
from tests.support import music

SECRET = b"the station's key: do not show"
COVERS = {"Red": "red", "Blue": "blue", "Yellow": "yellow"}  # folder: its cover's colour


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """music/ with two albums whose cover files lie, and outside/ with what they point at."""
    base = tmp_path_factory.mktemp("mpd-hostile")
    music_folder, outside = base / "music", base / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(png("green"))  # a picture, but not in the music
    (outside / "key.txt").write_bytes(SECRET)
    for album in ("Linked", "Text"):
        music.make_track(
            music_folder / "Band" / album / "01 Tune.wav", seconds=0.5, freq=440.0,
            title=f"{album} Tune", artist="Band", album=album,
        )  # fmt: skip
    os.symlink(outside / "secret.png", music_folder / "Band/Linked/cover.jpg")
    os.symlink(outside / "key.txt", music_folder / "Band/Linked/cover.png")
    (music_folder / "Band/Text/cover.jpg").write_bytes(SECRET)  # inside, but not a picture
    for name, colour in COVERS.items():
        folder = music_folder / name
        music.make_track(folder / "t.wav", seconds=0.5, freq=500.0, title=name, artist="Band")
        (folder / "cover.png").write_bytes(png(colour))
    return base


@pytest.fixture
def served(layout: Path, tmp_path: Path) -> Iterator[Served]:
    station = DoubleStation(layout / "music", tmp_path)
    face = Served(station, mpd_settings(layout / "music"), tmp_path)
    yield face
    face.stop()
    station.close()


class Hostile(Raw):
    """A raw client that reads whatever comes back, pictures included."""

    def line(self) -> str:
        return self.file.readline().decode("utf-8", "replace")


def logged_in(served: Served) -> Hostile:
    raw = Hostile(served)
    assert raw.ask(f'password "{PASSWORD}"') == ["OK"]
    return raw


def test_cover_files_that_link_outside_or_are_not_pictures_are_never_sent(
    served: Served,
) -> None:
    raw = logged_in(served)
    for uri in ("Band/Linked/01 Tune.wav", "Band/Text/01 Tune.wav"):
        raw.send(f'albumart "{uri}" 0\n'.encode())
        answer = raw.line()  # "size: ..." when a cover is sent
        assert answer.startswith("ACK [50@0] {albumart}"), (uri, answer)
    raw.close()


def test_paths_that_leave_the_music_folder_reach_nothing(served: Served, layout: Path) -> None:
    station: DoubleStation = served.face.station  # type: ignore[assignment]
    raw = logged_in(served)
    outside = layout / "outside"
    hostile = [
        "..", "../outside/secret.png", "Band/../../outside/key.txt", str(outside / "key.txt"),
        str(layout / "music/Band/Text/01 Tune.wav"), "file://" + str(outside / "key.txt"),
        "Band/Linked/cover.jpg", "Band\x00/Text", "Band/Text/01 Tune.wav\x00.png", "x" * 3000,
    ]  # fmt: skip
    for uri in hostile:
        quoted = uri.replace('"', '\\"')
        for request in (
            f'lsinfo "{quoted}"', f'add "{quoted}"', f'addid "{quoted}"',
            f'listallinfo "{quoted}"', f'albumart "{quoted}" 0', f'readpicture "{quoted}" 0',
            f'findadd file "{quoted}"',
        ):  # fmt: skip
            answer = raw.ask(request)
            assert not any("secret" in line or "do not show" in line for line in answer)
            if not request.startswith("findadd"):
                assert answer[-1].startswith("ACK"), (request, answer)
    assert not [c for c in station.executed if isinstance(c, control.Enqueue)]
    assert raw.ask("ping") == ["OK"]  # still served
    raw.close()


def test_password_guesses_are_slowed_for_the_whole_face(served: Served) -> None:
    delay = served.face.password_delay = 0.2
    guessers = [Raw(served) for _ in range(8)]
    answers: list[list[str]] = []
    started = time.monotonic()
    threads = [
        threading.Thread(target=lambda r=raw: answers.append(r.ask('password "guess"')))
        for raw in guessers
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    right = Raw(served)  # the right password does not wait behind the guesses
    assert right.ask(f'password "{PASSWORD}"') == ["OK"]
    assert len(answers) < len(guessers)
    for thread in threads:
        thread.join(10)
    elapsed = time.monotonic() - started
    assert len(answers) == len(guessers)
    assert all(answer[-1].startswith("ACK [3@0] {password}") for answer in answers)
    assert elapsed >= len(guessers) * delay * 0.9  # one guess at a time across all connections
    for raw in [*guessers, right]:
        raw.close()


def test_a_command_list_is_bounded_in_bytes(served: Served) -> None:
    raw = logged_in(served)
    raw.send(b"command_list_begin\n")
    line = b'ping "' + b"x" * 3000 + b'"\n'
    try:
        for _ in range(200):  # 600 KB: far fewer lines than the count limit
            raw.send(line)
        raw.send(b"command_list_end\n")
    except OSError:
        pass  # closed while sending: what the face should do
    try:
        answer = raw.line()
    except ConnectionResetError:  # closed with the rest of the list unread: the ACK may be lost
        answer = "ACK (reset) too long"
    assert answer.startswith("ACK") and "too long" in answer, answer
    wait_until(lambda: not served.face.sessions)
    raw.close()


def test_a_client_that_never_reads_its_replies_is_cut_off(served: Served) -> None:
    served.face.timeout = 1.0
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", served.port))
    sock.settimeout(0.2)
    sock.sendall(f'password "{PASSWORD}"\n'.encode())
    wait_until(lambda: len(served.face.sessions) == 1)
    request = b"listallinfo\n" * 1000
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:  # until the face stops taking requests
            sock.sendall(request)
    except OSError:
        pass
    wait_until(lambda: not served.face.sessions, timeout=8.0)
    sock.close()


def test_pictures_read_in_pieces_are_kept_within_one_budget_for_all_clients(
    served: Served,
) -> None:
    """A hundred clients each reading a large cover must not each hold their own copy."""
    covers = {f"{name}/t.wav": png(colour) for name, colour in COVERS.items()}
    budget = len(max(covers.values(), key=len)) + 10  # room for one picture at a time
    served.face.pictures.budget = budget
    clients = [logged_in(served) for _ in covers]
    for raw in clients:
        assert raw.ask("binarylimit 64") == ["OK"]
    received = dict.fromkeys(covers, b"")
    while any(len(received[uri]) < len(data) for uri, data in covers.items()):
        for raw, uri in zip(clients, covers, strict=True):  # interleaved: each evicts the last
            if len(received[uri]) == len(covers[uri]):
                continue
            raw.send(f'albumart "{uri}" {len(received[uri])}\n'.encode())
            assert raw.file.readline().startswith(b"size: ")
            size = int(raw.file.readline().split(b": ")[1])
            received[uri] += raw.file.read(size)
            assert raw.file.read(4) == b"\nOK\n"
            assert served.face.pictures.size <= budget
    assert received == covers
    for raw in clients:
        raw.close()


@pytest.mark.parametrize("opening", ["(", "(!"])
def test_a_filter_nested_too_deeply_is_refused_and_the_client_served_on(
    served: Served, opening: str
) -> None:
    raw = logged_in(served)
    depth = 1000  # the line stays under 4 KB
    expression = opening * depth + "(artist == 'Band')" + ")" * depth
    answer = raw.ask(f'find "{expression}"')
    assert answer[-1].startswith("ACK [2@0] {find}") and "nested" in answer[-1], answer
    assert raw.ask("ping") == ["OK"]
    raw.close()


def test_list_takes_a_few_groups_not_a_product_of_every_tag(served: Served) -> None:
    raw = logged_in(served)
    groups = " ".join(["group genre"] * 5)
    answer = raw.ask(f"list album {groups}")
    assert answer[-1].startswith("ACK [2@0] {list}") and "group" in answer[-1], answer
    assert raw.ask("list album group artist group genre")[-1] == "OK"
    raw.close()

"""The MPD face, driven by real clients no one here wrote: python-mpd2 (what Home Assistant's MPD
integration uses) and Debian's `mpc`, and a raw socket for what a client should never send."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import mpd
import pytest

from appliance import control
from appliance.faces import lan
from appliance.faces.mpd.tree import from_uri, to_uri
from appliance.state import PlayState
from tests.faces.mpd_station import (
    ODD_NAME,
    PASSWORD,
    DoubleStation,
    Served,
    make_music,
    mpd_settings,
    png,
)

TIMEOUT = 5.0


@pytest.fixture(scope="module")
def music_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_music(tmp_path_factory.mktemp("mpd-music"))


@pytest.fixture
def station(music_folder: Path, tmp_path: Path) -> Iterator[DoubleStation]:
    double = DoubleStation(music_folder, tmp_path)
    yield double
    double.close()


@pytest.fixture
def served(station: DoubleStation, music_folder: Path, tmp_path: Path) -> Iterator[Served]:
    face = Served(station, mpd_settings(music_folder), tmp_path)
    yield face
    face.stop()


def client(served: Served, password: str | None = PASSWORD) -> mpd.MPDClient:
    made = mpd.MPDClient()
    made.timeout = TIMEOUT
    made.connect("127.0.0.1", served.port)
    if password is not None:
        made.password(password)
    return made


def mpc(served: Served, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["mpc", "-h", f"{password}@127.0.0.1", "-p", str(served.port), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


class Raw:
    """A bare socket speaking the protocol line by line."""

    def __init__(self, served: Served) -> None:
        self.sock = socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT)
        self.file = self.sock.makefile("rb")
        self.greeting = self.line()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> str:
        return self.file.readline().decode()

    def ask(self, request: str) -> list[str]:
        """Send one request; the lines of its answer up to OK or ACK."""
        self.send(request.encode() + b"\n")
        lines: list[str] = []
        while True:
            line = self.line()
            if not line:
                return [*lines, "<closed>"]
            lines.append(line.rstrip("\n"))
            if line.startswith(("OK", "ACK")):
                return lines

    def closed(self) -> bool:
        return self.file.readline() == b""

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def wait_until(condition: Callable[[], object], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def mpd_commands(station: DoubleStation) -> list[control.Command]:
    return [c for c in station.executed if c.source == "mpd"]


# -- Home Assistant's MPD integration, step by step ------------------------------------------


def test_home_assistant_sequence(served: Served, station: DoubleStation) -> None:
    ha = client(served, password=None)
    assert ha.mpd_version == "0.23.5"
    with pytest.raises(mpd.CommandError) as refused:
        ha.status()
    assert refused.value.errno == mpd.FailureResponseCode.PERMISSION
    with pytest.raises(mpd.CommandError) as wrong:
        ha.password("guess")
    assert wrong.value.errno == mpd.FailureResponseCode.PASSWORD
    ha.password(PASSWORD)
    commands = ha.commands()
    assert {"albumart", "readpicture", "idle", "plchanges"} <= set(commands)
    assert "config" not in commands and "config" in ha.notcommands()
    status = ha.status()
    assert status["state"] == "play" and status["volume"] == "70"
    assert (status["random"], status["repeat"], status["single"], status["consume"]) == (
        "0", "0", "0", "1",
    )  # fmt: skip
    song = ha.currentsong()
    assert song["file"] == "Miles Davis/Kind of Blue/01 So What.wav"
    assert song["title"] == "So What" and song["artist"] == "Miles Davis"
    assert song["comment"].startswith("the DJ's pick")  # the DJ chose it: shown as such
    assert ha.listplaylists() == []
    assert ha.outputs()[0]["outputenabled"] == "1"

    ha.setvol(30)
    assert station.snapshot().volume == 30 and ha.status()["volume"] == "30"
    ha.pause(1)
    assert station.snapshot().play_state == PlayState.PAUSED
    assert ha.status()["state"] == "pause"
    ha.pause(0)
    assert station.snapshot().play_state == PlayState.PLAYING
    ha.next()
    assert ha.currentsong()["title"] == "Freddie Freeloader"
    ha.seekcur(0.5)
    ha.repeat(0)
    with pytest.raises(mpd.CommandError, match="random stays off"):
        ha.random(1)
    ha.clear()
    ha.add("Sade/Love Deluxe/01 No Ordinary Love.wav")
    ha.play()
    assert ha.currentsong()["title"] == "No Ordinary Love"
    assert station.snapshot().play_state == PlayState.PLAYING

    embedded = ha.readpicture("Miles Davis/Kind of Blue/01 So What.wav")
    assert bytes(embedded["binary"]) == png("blue") and embedded["type"] == "image/png"
    ha.binarylimit(64)  # the cover comes in 64-byte pieces; python-mpd2 joins them
    cover = ha.albumart("Sade/Love Deluxe/01 No Ordinary Love.wav")
    assert bytes(cover["binary"]) == png("red")
    with pytest.raises(mpd.CommandError) as none:
        ha.albumart("Miles Davis/Kind of Blue/01 So What.wav")  # no cover file there
    assert none.value.errno == mpd.FailureResponseCode.NO_EXIST
    ha.disconnect()

    sent = mpd_commands(station)
    assert all(command.by is None for command in sent)  # the listener being served
    kinds = [type(command) for command in sent]
    for kind in (control.SetVolume, control.Pause, control.Resume, control.Skip, control.Seek,
                 control.ClearQueue, control.Enqueue):  # fmt: skip
        assert kind in kinds


def test_password_comes_first(served: Served, station: DoubleStation) -> None:
    raw = Raw(served)
    assert raw.greeting == "OK MPD 0.23.5\n"
    listed = raw.ask("commands")
    assert listed[-1] == "OK"
    assert {line.split(": ")[1] for line in listed[:-1]} == {
        "password", "ping", "close", "commands", "notcommands", "tagtypes",
    }  # fmt: skip
    for request in ("status", "next", "lsinfo", "idle", "setvol 0"):
        answer = raw.ask(request)
        name = request.split()[0]
        assert answer == [f'ACK [4@0] {{{name}}} you don\'t have permission for "{name}"']
    assert raw.ask("ping") == ["OK"]
    assert raw.ask('password "wrong"') == ["ACK [3@0] {password} incorrect password"]
    assert station.executed == []  # nothing reached the station
    assert raw.ask(f'password "{PASSWORD}"') == ["OK"]
    assert raw.ask("setvol 12") == ["OK"]
    assert station.snapshot().volume == 12
    raw.close()


# -- Debian's mpc ------------------------------------------------------------------------------


def test_muted_the_real_level_shows_and_a_step_starts_from_it(
    served: Served, station: DoubleStation
) -> None:
    """MPD has no mute: like MPD on a PulseAudio mixer, the level stays what it is while muted,
    and ``mpc volume +5`` from 33 goes to 38 (and is heard), not to 5."""
    station.update(volume=33, muted=True)
    ha = client(served)
    deadline = time.monotonic() + 3
    while ha.status()["volume"] != "33" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ha.status()["volume"] == "33" and "volume: 33%" in mpc(served, "volume").stdout
    assert "volume: 38%" in mpc(served, "volume", "+5").stdout
    assert station.snapshot().volume == 38 and not station.snapshot().muted
    station.update(muted=True)
    ha.volume(-10)
    assert station.snapshot().volume == 28 and not station.snapshot().muted
    ha.disconnect()


def test_mpc(served: Served, station: DoubleStation) -> None:
    status = mpc(served, "status")
    assert status.returncode == 0, status.stderr
    assert "Miles Davis - So What" in status.stdout and "[playing]" in status.stdout
    assert "consume: on" in status.stdout

    skipped = mpc(served, "next")
    assert skipped.returncode == 0 and "Freddie Freeloader" in skipped.stdout
    assert isinstance(mpd_commands(station)[-1], control.Skip)
    assert mpd_commands(station)[-1].by is None

    assert "volume: 30%" in mpc(served, "volume", "30").stdout
    assert station.snapshot().volume == 30
    assert "volume: 35%" in mpc(served, "volume", "+5").stdout

    found = mpc(served, "search", "title", "so what")
    assert found.stdout.split("\n")[0] == "Miles Davis/Kind of Blue/01 So What.wav"
    assert mpc(served, "search", "(artist == 'Sade')").stdout.strip() == (
        "Sade/Love Deluxe/01 No Ordinary Love.wav"
    )
    assert mpc(served, "add", "Sade/Love Deluxe/01 No Ordinary Love.wav").returncode == 0
    assert [t.title for t in station.snapshot().up_next] == ["No Ordinary Love"]
    playlist = mpc(served, "playlist").stdout.splitlines()
    assert playlist == ["Miles Davis - Freddie Freeloader", "Sade - No Ordinary Love"]

    refused = mpc(served, "status", password="wrong")
    assert refused.returncode != 0 and "incorrect password" in refused.stderr


def test_mpc_idle_wakes_on_a_track_change(served: Served, station: DoubleStation) -> None:
    waiting = subprocess.Popen(
        ["mpc", "-h", f"{PASSWORD}@127.0.0.1", "-p", str(served.port), "idle", "player"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: any(s.waiting for s in served.face.sessions))
        assert waiting.poll() is None  # nothing changed yet: still waiting
        station.skip()  # the track ends; the next one starts
        out, _ = waiting.communicate(timeout=TIMEOUT)
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()
    assert out.strip() == "player"


# -- idle with python-mpd2 ---------------------------------------------------------------------


def test_idle_wakes_within_a_moment(served: Served, station: DoubleStation) -> None:
    listener = client(served)
    result: list[list[str]] = []
    waiting = threading.Thread(target=lambda: result.append(listener.idle("player", "playlist")))
    waiting.start()
    wait_until(lambda: any(s.waiting for s in served.face.sessions))
    started = time.monotonic()
    station.skip()
    waiting.join(TIMEOUT)
    latency = time.monotonic() - started
    assert set(result[0]) == {"player", "playlist"}
    assert latency < 1.0, latency
    listener.disconnect()

    raw = Raw(served)
    raw.ask(f'password "{PASSWORD}"')
    raw.send(b"idle mixer\n")  # a change it did not ask for keeps it waiting...
    station.skip()
    time.sleep(0.2)
    assert raw.ask("noidle") == ["OK"]
    assert set(raw.ask("idle")) == {"changed: player", "changed: playlist", "OK"}  # ...kept
    station.execute(control.SetVolume(level=10, source="test"))
    assert raw.ask("idle mixer player") == ["changed: mixer", "OK"]
    assert raw.ask("idle bogus") == ["ACK [2@0] {idle} Unrecognized idle event: bogus"]
    raw.close()


def test_lagged_events_wake_every_subsystem(served: Served, station: DoubleStation) -> None:
    listener = client(served)
    listener.status()
    blocked, released = threading.Event(), threading.Event()

    def busy() -> None:  # the faces' loop held up, as by a slow step, until all are sent
        blocked.set()
        released.wait(TIMEOUT)

    served.loop.call_soon_threadsafe(busy)
    blocked.wait(TIMEOUT)
    for level in range(300):  # more than the face's queue holds: it falls behind
        station.update(volume=level % 100)
    released.set()
    changed = listener.idle()
    assert {"player", "mixer", "playlist", "options", "output"} <= set(changed)
    assert listener.status()["volume"] == str(299 % 100)  # resynced from a snapshot
    listener.disconnect()


# -- file names that are not UTF-8 ---------------------------------------------------------------


def test_a_name_that_is_not_utf8_round_trips(served: Served, station: DoubleStation) -> None:
    app = client(served)
    listed = app.lsinfo("Odd")
    assert len(listed) == 1
    uri = listed[0]["file"]
    assert uri == "Odd/caf\\xe9 \\\\x41 tune.wav"  # printable, one line, and exact
    app.add(uri)
    assert app.playlistinfo()[-1]["file"] == uri
    app.next()  # the queued track goes on air
    current = app.currentsong()
    assert current["file"] == uri and current["title"] == "Cafe Tune"
    played = station.snapshot().track
    assert played is not None and os.fsencode(played.path).endswith(ODD_NAME)
    assert app.find("file", uri)[0]["file"] == uri
    assert os.fsencode(from_uri(uri)) == ODD_NAME
    app.disconnect()


def test_uri_escaping() -> None:
    for name in (b"plain.mp3", b"caf\xe9.mp3", b"a\\b", b"\\x41", b"line\nbreak", b"\x7f\x01"):
        uri = to_uri(os.fsdecode(name))
        assert uri.isprintable() and uri.encode("utf-8")
        assert os.fsencode(from_uri(uri)) == name
    assert to_uri("caf\u00e9") == "caf\u00e9"  # UTF-8 names stay as they are


# -- the queue: ids, versions, positions ----------------------------------------------------------


def test_queue_ids_and_versions(served: Served, station: DoubleStation) -> None:
    app = client(served)
    first = int(app.status()["playlist"])
    a = app.addid("Sade/Love Deluxe/01 No Ordinary Love.wav")
    b = app.addid("Miles Davis/Kind of Blue/02 Freddie Freeloader.wav")
    version = int(app.status()["playlist"])
    assert version > first
    assert [s["id"] for s in app.playlistinfo()][1:] == [a, b]
    assert app.plchanges(version) == []
    changed = app.plchangesposid(first)
    assert [(c["cpos"], c["id"]) for c in changed] == [("1", a), ("2", b)]

    app.next()  # the first queued track goes on air and keeps its id
    status = app.status()
    assert status["songid"] == a and status["song"] == "0" and status["nextsongid"] == b
    app.addid("Odd/caf\\xe9 \\\\x41 tune.wav", "1")  # at position 1: straight after this one
    titles = [s["title"] for s in app.playlistinfo()]
    assert titles == ["No Ordinary Love", "Cafe Tune", "Freddie Freeloader"]
    app.moveid(b, 1)
    assert [s["id"] for s in app.playlistinfo()][1] == b
    app.deleteid(b)
    assert [s["title"] for s in app.playlistinfo()] == ["No Ordinary Love", "Cafe Tune"]
    with pytest.raises(mpd.CommandError) as refused:
        app.move(0, 1)  # the track on air stays first
    assert refused.value.errno == mpd.FailureResponseCode.ARG
    with pytest.raises(mpd.CommandError) as missing:
        app.playid(999)
    assert missing.value.errno == mpd.FailureResponseCode.NO_EXIST
    app.delete(0)  # taking the track on air out is a skip
    assert isinstance(mpd_commands(station)[-1], control.Skip)
    assert app.currentsong()["title"] == "Cafe Tune"
    app.next()  # the queue has run out: the DJ picks, and says so
    assert app.currentsong()["comment"].startswith("the DJ's pick")
    app.disconnect()


# -- the database ------------------------------------------------------------------------------


def test_database_queries(served: Served, station: DoubleStation) -> None:
    app = client(served)
    assert app.lsinfo() == [{"directory": "Miles Davis"}, {"directory": "Odd"},
                            {"directory": "Sade"}]  # fmt: skip
    assert app.lsinfo("Miles Davis") == [{"directory": "Miles Davis/Kind of Blue"}]
    assert [s["title"] for s in app.lsinfo("Miles Davis/Kind of Blue")] == [
        "So What", "Freddie Freeloader",
    ]  # fmt: skip
    everything = app.listallinfo()
    assert sum("file" in item for item in everything) == 4
    assert sum("directory" in item for item in everything) == 5
    assert app.listall("Sade") == [
        {"directory": "Sade/Love Deluxe"}, {"file": "Sade/Love Deluxe/01 No Ordinary Love.wav"},
    ]  # fmt: skip
    with pytest.raises(mpd.CommandError) as missing:
        app.lsinfo("Nobody")
    assert missing.value.errno == mpd.FailureResponseCode.NO_EXIST

    assert [s["title"] for s in app.find("artist", "Miles Davis", "sort", "-title")] == [
        "So What", "Freddie Freeloader",
    ]  # fmt: skip
    assert app.find("artist", "miles davis") == []  # find is exact
    assert len(app.search("artist", "miles davis")) == 2  # search ignores case
    assert len(app.search("any", "deluxe")) == 1
    assert len(app.find("(genre == 'Jazz')", "window", "0:1")) == 1  # as `list genre` shows it
    assert app.list("genre") == [{"genre": "Jazz"}, {"genre": "Soul"}]
    assert len(app.search("((artist contains 'MILES') AND (!(title == 'so what')))")) == 1
    assert len(app.find("(base 'Sade')")) == 1
    with pytest.raises(mpd.CommandError, match="Regular expressions"):
        app.search("(title =~ '(a+)+$')")
    assert [item["artist"] for item in app.list("artist")] == ["Miles Davis", "Odd One", "Sade"]
    grouped = app.list("album", "group", "albumartist")
    assert {"albumartist": "Sade", "album": "Love Deluxe"} in grouped
    assert app.list("title", "artist", "Sade") == [{"title": "No Ordinary Love"}]
    assert app.count("artist", "Miles Davis") == {"songs": "2", "playtime": "2"}
    stats = app.stats()
    assert (stats["songs"], stats["artists"], stats["albums"]) == ("4", "3", "3")

    app.findadd("artist", "Miles Davis")
    assert [t.title for t in station.snapshot().up_next] == ["So What", "Freddie Freeloader"]
    app.searchadd("title", "ordinary")
    assert station.snapshot().up_next[-1].title == "No Ordinary Love"
    with pytest.raises(mpd.CommandError) as scheme:
        app.add("http://example.invalid/stream.mp3")  # a music app cannot make it fetch
    assert scheme.value.errno == mpd.FailureResponseCode.ARG
    app.disconnect()


def test_cover_art_only_for_library_tracks(served: Served, music_folder: Path) -> None:
    app = client(served)
    for kind in (app.albumart, app.readpicture):
        with pytest.raises(mpd.CommandError) as refused:
            kind("../../../etc/passwd")
        assert refused.value.errno == mpd.FailureResponseCode.NO_EXIST
        with pytest.raises(mpd.CommandError):
            kind("Sade/Love Deluxe/cover.png")  # a file in the folder, but not a track
    assert app.readpicture("Sade/Love Deluxe/01 No Ordinary Love.wav") == {}  # none embedded
    app.disconnect()


# -- what a client should never send ---------------------------------------------------------------


def test_malformed_requests_and_command_lists(served: Served, station: DoubleStation) -> None:
    raw = Raw(served)
    assert raw.ask(f"password {PASSWORD.replace(' ', '_')}")[0].startswith("ACK [3@0]")
    raw.ask(f'password "{PASSWORD}"')
    assert raw.ask("frobnicate") == ['ACK [5@0] {frobnicate} unknown command "frobnicate"']
    assert raw.ask('find "artist') == ["ACK [2@0] {} Missing closing '\"'"]
    assert raw.ask("play 1 2") == ['ACK [2@0] {play} wrong number of arguments for "play"']
    assert raw.ask("setvol loud") == ["ACK [2@0] {setvol} Integer expected: loud"]
    assert raw.ask("setvol 101") == ["ACK [2@0] {setvol} Number out of range: 101"]
    assert raw.ask("config") == ["ACK [4@0] {config} Command only permitted to local clients"]
    assert raw.ask("") == ["ACK [5@0] {} No command given"]
    volume = station.snapshot().volume

    raw.send(b"command_list_ok_begin\nping\nsetvol 40\nbogus\nsetvol 50\ncommand_list_end\n")
    assert [raw.line() for _ in range(3)] == [
        "list_OK\n", "list_OK\n", 'ACK [5@2] {bogus} unknown command "bogus"\n',
    ]  # fmt: skip
    assert station.snapshot().volume == 40  # the list stopped at its error
    assert volume != 40
    raw.send(b"command_list_begin\nsetvol 45\ngetvol\ncommand_list_end\n")
    assert [raw.line() for _ in range(2)] == ["volume: 45\n", "OK\n"]

    raw.send(b"noidle\n")  # outside idle: ignored, no answer
    assert raw.ask("ping") == ["OK"]
    raw.send(b"status \xff\xfe\n")
    assert raw.line().startswith("ACK [2@0]")
    assert raw.ask("idle") == ["changed: mixer", "OK"]  # what changed since it last asked
    raw.send(b"idle\n")
    raw.send(b"status\n")  # anything but noidle during idle closes the client, as in MPD
    assert raw.closed()
    raw.close()


def test_an_overlong_line_is_refused(served: Served, station: DoubleStation) -> None:
    raw = Raw(served)
    raw.ask(f'password "{PASSWORD}"')
    raw.send(b"find artist " + b"x" * 10_000 + b"\n")
    answer = raw.line()
    assert answer.startswith("ACK [2@0]") and "line too long" in answer
    assert raw.closed()
    raw.close()
    other = Raw(served)  # the face itself is fine
    other.ask(f'password "{PASSWORD}"')
    assert other.ask("ping") == ["OK"]
    other.close()


def test_many_clients_at_once(served: Served, station: DoubleStation) -> None:
    clients = [Raw(served) for _ in range(30)]
    for raw in clients:
        raw.send(f'password "{PASSWORD}"\nstatus\n'.encode())
    for raw in clients:
        assert raw.line() == "OK\n"
        lines = []
        while not (line := raw.line()).startswith("OK"):
            lines.append(line)
        assert "state: play\n" in lines
    for raw in clients:
        raw.close()
    wait_until(lambda: not served.face.sessions)

    served.face.max_clients = 2
    held = [Raw(served) for _ in range(2)]
    extra = socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT)
    refusal = extra.makefile("rb").readline()
    assert refusal.startswith(b"ACK [52@0]") and b"too many clients" in refusal
    extra.close()
    for raw in held:
        raw.close()


def test_a_silent_client_is_closed(served: Served) -> None:
    served.face.timeout = 0.3
    silent = Raw(served)
    idle = Raw(served)
    idle.ask(f'password "{PASSWORD}"')
    idle.send(b"idle\n")  # waiting in idle is not silence
    assert silent.closed()
    time.sleep(0.4)
    idle.send(b"noidle\n")
    assert idle.line() == "OK\n"
    silent.close()
    idle.close()


def test_a_peer_outside_this_network_gets_no_greeting(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str | None, str]] = []

    def public(address: str | None, bind: str = "lan") -> bool:
        asked.append((address, bind))
        return False  # as lan.allowed answers for a public address

    assert not lan.allowed("203.0.113.9") and lan.allowed("192.168.1.20")
    monkeypatch.setattr(lan, "allowed", public)
    sock = socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT)
    assert sock.recv(100) == b""  # closed before a byte was sent
    sock.close()
    assert asked == [("127.0.0.1", "localhost")]


def test_a_client_gone_mid_command_leaves_the_face_serving(
    served: Served, station: DoubleStation
) -> None:
    for _ in range(5):
        raw = Raw(served)
        raw.send(f'password "{PASSWORD}"\ncommand_list_begin\nsetvol 20\n'.encode())
        raw.close()  # vanishes inside a command list: nothing of it was run
    time.sleep(0.2)
    assert not any(isinstance(c, control.SetVolume) for c in station.executed)
    app = client(served)
    assert app.ping() is None
    app.disconnect()
    wait_until(lambda: len(served.face.sessions) == 0)


def test_new_music_wakes_database_clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from appliance.faces.mpd import face as face_module
    from tests.support import music

    monkeypatch.setattr(face_module, "LIBRARY_CHECK", 0.05)
    folder = make_music(tmp_path / "music")
    station = DoubleStation(folder, tmp_path)
    served = Served(station, mpd_settings(folder), tmp_path)
    try:
        app = client(served)
        assert len(app.listall()) == 9
        raw = Raw(served)
        raw.ask(f'password "{PASSWORD}"')
        raw.send(b"idle database\n")
        music.make_track(tmp_path / "elsewhere.wav", seconds=1.0, freq=1500.0, title="Away")
        station.library.scan([folder, tmp_path / "elsewhere.wav"], progress=False)
        time.sleep(0.3)  # a change outside the music folder is nothing a client lists
        raw.send(b"noidle\n")
        assert raw.line() == "OK\n"
        raw.send(b"idle database\n")
        music.make_track(folder / "New" / "new.wav", seconds=1.0, freq=1200.0, title="Brand New")
        station.library.scan([folder], progress=False)
        assert raw.line() == "changed: database\n" and raw.line() == "OK\n"
        raw.close()
        assert len(app.listall()) == 11
        assert [song["title"] for song in app.search("title", "brand new")] == ["Brand New"]
        app.disconnect()
    finally:
        served.stop()
        station.close()


def test_home_assistants_asyncio_client(served: Served, station: DoubleStation) -> None:
    """mpd.asyncio's client (the one Home Assistant runs) idles between commands by itself and
    sends noidle before each one."""
    from mpd.asyncio import MPDClient

    async def run() -> tuple[list[str], str, str]:
        ha = MPDClient()
        ha.timeout = TIMEOUT
        await ha.connect("127.0.0.1", served.port)
        await ha.password(PASSWORD)
        commands = list(await ha.commands())
        await ha.status()
        await ha.currentsong()
        await ha.listplaylists()
        changes = ha.idle(["player"])
        await asyncio.sleep(0.2)  # it idles in the background meanwhile
        await ha.setvol(25)
        await ha.next()
        changed = await asyncio.wait_for(changes.__anext__(), TIMEOUT)
        title = (await ha.currentsong())["title"]
        volume = (await ha.status())["volume"]
        ha.disconnect()
        return commands + list(changed), title, volume

    seen, title, volume = asyncio.run(asyncio.wait_for(run(), 30))
    assert "readpicture" in seen and "player" in seen
    assert title == "Freddie Freeloader" and volume == "25"
    assert station.snapshot().volume == 25


def test_status_and_currentsong_polls_ask_the_library_nothing(
    served: Served, station: DoubleStation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Apps poll ``status`` and ``currentsong`` every second: answered from the state as it is,
    with no library query and no worker thread per poll, yet every change shows at once."""
    app = client(served)
    first = app.currentsong()  # the music tree is built once
    asked: list[object] = []
    run = served.face.run

    async def counted(work: Callable[..., object], *args: object) -> object:
        asked.append(work)
        return await run(work, *args)

    library = type(station.library)
    generation: Any = vars(library)["generation"]  # the property itself

    def read_generation(self: object) -> int:
        asked.append("db")
        return int(generation.fget(self))

    monkeypatch.setattr(served.face, "run", counted)
    monkeypatch.setattr(library, "generation", property(read_generation))
    for _ in range(50):
        status, song = app.status(), app.currentsong()
    assert asked == []
    assert song == first and status["volume"] == str(station.snapshot().volume)
    elapsed = float(status["elapsed"])
    time.sleep(0.3)
    assert float(app.status()["elapsed"]) >= elapsed + 0.25  # the clock is never kept
    station.update(volume=41)
    wait_until(lambda: app.status()["volume"] == "41", 2)
    station.skip()
    wait_until(lambda: app.currentsong()["title"] != first["title"], 2)
    assert app.status()["songid"] == app.currentsong()["id"]
    app.disconnect()


def test_a_change_wakes_only_the_clients_idling_for_it(
    served: Served, station: DoubleStation
) -> None:
    """5 apps in ``idle player``: a volume change is not theirs to hear and wakes none of
    them (the faces' loop does no work per app for it); a track change wakes each once."""
    raws = []
    for _ in range(5):
        raw = Raw(served)
        raw.ask(f'password "{PASSWORD}"')
        raw.send(b"idle player\n")
        raws.append(raw)
    wait_until(lambda: sum(s.waiting for s in served.face.sessions) == 5)
    woken: list[object] = []

    def counting(session: Any) -> Callable[[], None]:
        real = session.wake.set

        def wake() -> None:
            woken.append(session)
            real()

        return wake

    for session in served.face.sessions:
        session.wake.set = counting(session)  # type: ignore[method-assign]
    # A sixth client idling for the mixer hears the change in the same step that tells the
    # five: once it has heard, every client has been told.
    probe = Raw(served)
    probe.ask(f'password "{PASSWORD}"')
    probe.send(b"idle mixer\n")
    wait_until(lambda: sum(s.waiting for s in served.face.sessions) == 6)
    station.update(volume=17)
    assert probe.line() == "changed: mixer\n" and probe.line() == "OK\n"
    probe.close()
    assert woken == []
    station.skip()
    for raw in raws:
        assert raw.line() == "changed: player\n" and raw.line() == "OK\n"
        raw.close()
    assert len(woken) == 5 == len(set(woken))

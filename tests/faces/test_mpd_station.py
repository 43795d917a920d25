"""The MPD face on a real started QFZZStation, as the daemon runs it (the FaceHost starts it):
a skip from a music app teaches the real DJ, a queue added from `mpc` plays on the real player,
and when it runs out the DJ picks again."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mpd
import pytest

from appliance.faces.mpd import MpdFace
from tests.faces.mpd_station import PASSWORD, started_station
from tests.support import music
from tests.support.waiting import wait_until

TIMEOUT = 10.0
STATION = f"Kitchen {secrets.token_hex(4)}"  # announced on the loopback: no other has this name


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = music.tone_library(tmp_path_factory.mktemp("tones"), music.TONES, 2, seconds=20.0)
    odd = os.fsencode(str(folder)) + b"/Odd/caf\xe9.flac"  # a Latin-1 name, not UTF-8
    os.makedirs(os.path.dirname(odd))
    shutil.copy(os.fsencode(folder / "Jazz Artist 0" / "Jazz 0.flac"), odd)
    return folder


@pytest.fixture
def station(tones: Path) -> Iterator[tuple[Any, MpdFace]]:
    made, face = started_station(tones, name=STATION)
    yield made, face
    made.stop()


def connect(face: MpdFace) -> mpd.MPDClient:
    app = mpd.MPDClient()
    app.timeout = TIMEOUT
    app.connect("127.0.0.1", face.port)
    app.password(PASSWORD)
    return app


def mpc(face: MpdFace, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["mpc", "-h", f"{PASSWORD}@127.0.0.1", "-p", str(face.port), *args],
        capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip


def test_a_skip_from_a_music_app_teaches_the_real_dj(station: tuple[Any, MpdFace]) -> None:
    real, face = station
    app = connect(face)
    app.play()  # nothing on air yet: the DJ picks
    wait_until(lambda: real.snapshot().track is not None, TIMEOUT, "the DJ's first pick")
    first = real.snapshot().track
    assert app.currentsong()["title"] == first.title
    listener = real.snapshot().listener

    waiting: list[list[str]] = []
    other = connect(face)
    idle = threading.Thread(target=lambda: waiting.append(other.idle("player")))
    idle.start()
    wait_until(lambda: any(s.waiting for s in face.sessions), TIMEOUT, "idle")
    started = time.monotonic()
    app.next()
    wait_until(lambda: real.snapshot().track not in (None, first), TIMEOUT, "the next track")
    idle.join(TIMEOUT)
    assert waiting == [["player"]]
    assert time.monotonic() - started < 2.0
    heard = real.get_dj().export_profile(listener)["listening"]
    assert any(row["track_id"] == first.track_id and row["event"] == "skipped" for row in heard)

    app.setvol(35)
    assert real.snapshot().volume == 35 and app.status()["volume"] == "35"
    app.pause(1)
    wait_until(lambda: real.snapshot().play_state == "paused", 5, "the pause")
    assert app.status()["state"] == "pause"
    app.pause(0)
    wait_until(lambda: real.snapshot().play_state == "playing", 5, "playing again")
    app.disconnect()
    other.disconnect()


def test_a_queue_from_mpc_plays_then_the_dj_takes_over(station: tuple[Any, MpdFace]) -> None:
    real, face = station
    listed = mpc(face, "listall")
    assert listed.returncode == 0, listed.stderr
    files = listed.stdout.splitlines()
    assert len(files) == 5 and all(name.endswith(".flac") for name in files)
    rock = [name for name in files if name.startswith("Rock")]
    assert mpc(face, "add", rock[0]).returncode == 0  # nothing on air: it starts at once
    wait_until(lambda: real.snapshot().track is not None, TIMEOUT, "the first track")
    assert mpc(face, "add", rock[1]).returncode == 0
    playlist = mpc(face, "-f", "%file%", "playlist").stdout.splitlines()
    assert playlist == rock
    current = mpc(face, "-f", "%file%", "current").stdout.strip()
    assert current == rock[0]
    assert mpc(face, "next").returncode == 0
    wait_until(
        lambda: mpc(face, "-f", "%file%", "current").stdout.strip() == rock[1],
        TIMEOUT,
        "the queued track",
    )
    assert mpc(face, "-f", "%file%", "playlist").stdout.splitlines() == [rock[1]]
    skipped = next(t for t in real.library.tracks() if t.path.endswith(rock[0]))
    heard = real.get_dj().export_profile(real.snapshot().listener)["listening"]
    assert any(row["track_id"] == skipped.track_id and row["event"] == "skipped" for row in heard)
    queued = real.snapshot().track
    assert mpc(face, "next").returncode == 0  # the queue has run out: the DJ picks
    wait_until(lambda: real.snapshot().track not in (None, queued), TIMEOUT, "the DJ's pick")
    app = connect(face)
    assert app.currentsong()["comment"].startswith("the DJ's pick")
    app.disconnect()


def test_a_name_that_is_not_utf8_plays_from_mpc(station: tuple[Any, MpdFace]) -> None:
    real, face = station
    assert "Odd/caf\\xe9.flac" in mpc(face, "listall", "Odd").stdout.splitlines()
    assert mpc(face, "add", "Odd/caf\\xe9.flac").returncode == 0  # nothing on air: it plays
    wait_until(lambda: real.snapshot().track is not None, TIMEOUT, "the track")
    assert os.fsencode(real.snapshot().track.path).endswith(b"/Odd/caf\xe9.flac")
    assert mpc(face, "-f", "%file%", "current").stdout.strip() == "Odd/caf\\xe9.flac"


def test_the_face_is_announced_on_the_loopback(station: tuple[Any, MpdFace]) -> None:
    from zeroconf import Zeroconf

    _, face = station
    browser = Zeroconf(interfaces=["127.0.0.1"])
    try:
        info = browser.get_service_info("_mpd._tcp.local.", f"{STATION}._mpd._tcp.local.", 3000)
        assert info is not None and info.port == face.port
    finally:
        browser.close()
    assert face.addresses() == [f"mpd://127.0.0.1:{face.port}"]


def test_update_scans_again_and_muted_volume_steps_from_the_real_level(tmp_path: Path) -> None:
    from appliance.control import Mute, SetVolume

    songs = tmp_path / "songs"
    music.make_track(songs / "Old" / "old.flac", 2.0, bpm=100, freq=440.0, noise=0.01,
                     title="Old", artist="Known", genre="Jazz")  # fmt: skip
    real, face = started_station(songs)
    app, waiter = connect(face), connect(face)
    try:
        assert real.execute(SetVolume(level=33, source="test")).ok
        assert real.execute(Mute(on=True, source="test")).ok
        assert "volume: 38%" in mpc(face, "volume", "+5").stdout
        assert real.snapshot().volume == 38 and not real.snapshot().muted

        music.make_track(songs / "New" / "fresh.flac", 2.0, bpm=100, freq=550.0, noise=0.02,
                         title="Fresh", artist="Newcomer", genre="Rock")  # fmt: skip
        told: list[list[str]] = []
        idle = threading.Thread(target=lambda: told.append(waiter.idle("database")))
        idle.start()
        time.sleep(0.2)  # the idle is in before the update
        assert int(app.update()) >= 1
        idle.join(TIMEOUT)
        assert told == [["database"]]  # when the scan is done
        assert [song["title"] for song in app.search("title", "fresh")] == ["Fresh"]
        assert "updating_db" not in app.status()
    finally:
        app.disconnect()
        waiter.disconnect()
        real.stop()

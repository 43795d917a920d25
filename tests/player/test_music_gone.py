"""Music that goes away while it plays (a folder renamed away, a USB stick pulled) and comes
back: the station says so once, plays what is still there, and picks the folder up again."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import appliance.library.index
from appliance.config import parse_config
from appliance.events import TrackEnded, TrackStarted
from appliance.library import Library
from appliance.library.presence import Change, Presence
from appliance.station import QFZZStation, StationConfig
from tests.fuzz.conftest import fuzz_rounds
from tests.support import music
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def two_folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``stick`` (jazz) and ``home`` (rock): real FLAC files of one second."""
    root = tmp_path_factory.mktemp("gone")
    music.tone_library(root / "stick", {"Jazz": 660.0}, per_genre=3, seconds=1.0)
    music.tone_library(root / "home", {"Rock": 990.0}, per_genre=3, seconds=1.0)
    return root


class Played:
    """What the station's player reported, in order, with the time of each event."""

    def __init__(self) -> None:
        self.events: list[tuple[float, object]] = []
        self.lock = threading.Lock()

    def add(self, event: object) -> None:
        with self.lock:
            self.events.append((time.monotonic(), event))

    def started(self, since: float, folder: str) -> list[TrackStarted]:
        with self.lock:
            return [
                e for at, e in self.events
                if at >= since and isinstance(e, TrackStarted) and f"/{folder}/" in e.track.path
            ]  # fmt: skip

    def errors(self, since: float) -> int:
        with self.lock:
            return sum(
                1 for at, e in self.events
                if at >= since and isinstance(e, TrackEnded) and e.reason == "error"
            )  # fmt: skip


@pytest.fixture
def station_on(
    two_folders: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., tuple[QFZZStation, Played]]]:
    """A station playing the given folders of ``two_folders`` to mpv's null output, as fast
    as mpv decodes, with the folders looked at every 0.2 s."""
    monkeypatch.setattr(appliance.library.index, "WATCH_SECONDS", 0.2)
    made: list[QFZZStation] = []

    def make(folders: list[str], speak: bool = False) -> tuple[QFZZStation, Played]:
        listed = ", ".join(f'"{two_folders / name}"' for name in folders)
        config = StationConfig.from_settings(
            parse_config(f"[library]\nmusic_folders = [{listed}]\n"),
            listen="none", speak=speak, audio_output="null",
        )  # fmt: skip
        station = QFZZStation(config)
        played = Played()
        forward = station._player_event

        def observe(event: object) -> None:
            played.add(event)
            forward(event)

        station._player_event = observe  # type: ignore[method-assign]
        station.start()
        made.append(station)
        assert station.library is not None and station.player is not None
        wait_until(lambda: len(station.library.tracks()) == 3 * len(folders), what="the scan")
        station.player.resume()
        return station, played

    yield make
    for station in made:
        station.stop()


def gone_lines(caplog: pytest.LogCaptureFixture, since: int) -> list[str]:
    """The library's warnings since record ``since`` (music gone or back)."""
    return [
        r.getMessage() for r in caplog.records[since:]
        if r.levelno >= logging.WARNING and r.name == "appliance.library.index"
    ]  # fmt: skip


def said(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the DJ said about music gone or back (with no speaker it goes to the log)."""
    return [r.getMessage() for r in caplog.records if "The music in" in r.getMessage()]


def pull(folder: Path, caplog: pytest.LogCaptureFixture, mark: int) -> float:
    """Rename ``folder`` away (a stick pulled) and wait for the library's one line about it;
    the moment it was seen."""
    folder.rename(folder.with_name(f"{folder.name}.away"))
    wait_until(lambda: gone_lines(caplog, mark), what="the folder to be found gone")
    return time.monotonic()


def plug_back(folder: Path) -> float:
    folder.with_name(f"{folder.name}.away").rename(folder)
    return time.monotonic()


def test_a_folder_renamed_away_is_said_once_and_the_rest_plays(
    station_on: Callable[..., tuple[QFZZStation, Played]],
    two_folders: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    station, played = station_on(["stick", "home"])
    wait_until(lambda: played.started(0, "stick") and played.started(0, "home"), timeout=20,
               what="both folders to play")  # fmt: skip
    caplog.set_level(logging.WARNING)
    mark = len(caplog.records)
    stick = two_folders / "stick"
    try:
        seen = pull(stick, caplog, mark)
        wait_until(lambda: len(played.started(seen, "home")) >= 2, what="the rest to play on")
        settled = time.monotonic()
        time.sleep(0.3)  # nothing more may come
        assert gone_lines(caplog, mark) == [
            f"music folder gone: {stick}; playing what is still there"
        ]
        assert not played.started(settled - 0.3, "stick")
        assert played.errors(seen - 1.0) <= 2  # what was playing or queued as it went, no more
        assert all("/stick/" not in t.path for t in station.get_dj().catalog().tracks)
    finally:
        back = plug_back(stick)
    dj = station.get_dj()
    wait_until(
        lambda: any("/stick/" in t.path for t in dj.catalog().tracks),
        timeout=20,
        what="the stick's tracks to be the DJ's to pick again",
    )
    # the tracks are the DJ's as the watcher sees the folder, and it tells of it just after
    wait_until(
        lambda: gone_lines(caplog, mark)[1:] == [f"music folder back: {stick}"],
        timeout=5,
        what="the folder told back, once",
    )
    # whether the DJ picks the stick next is its taste's business (three rock tracks played
    # to the end while it was away); asked for, a track from it plays again
    assert station.player is not None
    track = next(t for t in dj.catalog().tracks if "/stick/" in t.path)
    station.player.play(track)
    wait_until(lambda: played.started(back, "stick"), timeout=20, what="the stick to play again")


def test_when_all_music_is_gone_the_radio_waits_and_starts_again(
    station_on: Callable[..., tuple[QFZZStation, Played]],
    two_folders: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    station, played = station_on(["home"], speak=True)
    wait_until(lambda: played.started(0, "home"), timeout=20, what="the music to play")
    mark = len(caplog.records)
    home = two_folders / "home"
    assert station.player is not None
    try:
        seen = pull(home, caplog, mark)
        wait_until(lambda: station.player.now_playing is None, what="the radio to fall silent")
        time.sleep(1.0)  # nothing more may come: no retrying every few seconds
        assert played.errors(seen - 1.0) <= 2  # what was playing or queued as it went
        assert station.player.now_playing is None
        wait_until(lambda: said(caplog), what="the DJ to say it")
        assert said(caplog) == [
            "(no speaker) The music in home has gone away; I'll start again when it's back."
        ]
    finally:
        back = plug_back(home)
    wait_until(lambda: played.started(back, "home"), timeout=20, what="the music to start again")
    assert gone_lines(caplog, mark) == [
        f"music folder gone: {home}; playing what is still there",
        f"music folder back: {home}",
    ]


def test_the_dj_says_it_once_per_folder(
    station_on: Callable[..., tuple[QFZZStation, Played]],
    two_folders: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    station, played = station_on(["stick", "home"], speak=True)
    assert station.voice is not None
    wait_until(lambda: played.started(0, "stick"), timeout=20, what="the stick to play")
    stick = two_folders / "stick"
    try:
        pull(stick, caplog, len(caplog.records))
        wait_until(lambda: said(caplog), what="the DJ to say it is gone")
    finally:
        back = plug_back(stick)
    wait_until(lambda: played.started(back, "stick"), timeout=20, what="the stick to play again")
    wait_until(lambda: len(said(caplog)) >= 2, what="the DJ to say it is back")
    assert said(caplog) == [
        "(no speaker) The music in stick has gone away; I'll play what's still here.",
        "(no speaker) The music in stick is back.",
    ]


def test_an_emptied_mount_point_counts_as_gone(tmp_path: Path, two_folders: Path) -> None:
    """A pulled USB stick leaves its mount point behind, empty."""
    mount = tmp_path / "usb"
    (mount / "music").mkdir(parents=True)
    for path in (two_folders / "home").rglob("*.flac"):
        target = mount / "music" / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    changes = []
    with Library(tmp_path / "library.db") as library:
        library.scan([mount], progress=False)
        library.watch([mount], on_change=changes.append, interval=0.1)
        (mount / "music").rename(tmp_path / "elsewhere")
        wait_until(lambda: changes, what="the watch to notice")
        assert [(c.path, c.gone) for c in changes] == [(str(mount), True)]
        assert library.tracks() == []
        (tmp_path / "elsewhere").rename(mount / "music")
        wait_until(lambda: len(changes) == 2, what="the watch to see it back")
        assert [(c.path, c.gone) for c in changes][1] == (str(mount), False)
        assert len(library.tracks()) == 3


def test_a_track_that_fails_is_looked_at_on_disk(tmp_path: Path, two_folders: Path) -> None:
    folder = tmp_path / "m"
    for path in (two_folders / "home").rglob("*.flac"):
        target = folder / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    changes = []
    with Library(tmp_path / "library.db") as library:
        library.scan([folder], progress=False)
        library.watch([folder], on_change=changes.append, interval=60)  # only the notice acts
        first, *rest = library.tracks()
        assert not library.check_gone(first.path)  # there: a decoding problem, not gone
        artist_folder = Path(first.path).parent
        artist_folder.rename(tmp_path / "moved")
        assert library.check_gone(first.path)
        assert library.check_gone(first.path)  # known: no second change
        assert [(c.path, c.gone, c.folder) for c in changes] == [(str(artist_folder), True, True)]
        assert first not in library.tracks() and len(library.tracks()) == len(rest)


def test_a_folder_missing_from_the_start_is_no_news_until_it_comes(
    tmp_path: Path, two_folders: Path
) -> None:
    stick = tmp_path / "stick"
    changes = []
    with Library(tmp_path / "library.db") as library:
        library.watch([stick], on_change=changes.append, interval=0.05)
        wait_until(lambda: library.watch_cycles >= 3, what="the watch to look")
        assert changes == []
        staging = tmp_path / "staging"
        (staging / "songs").mkdir(parents=True)
        for path in (two_folders / "home").rglob("*.flac"):
            (staging / "songs" / path.name).write_bytes(path.read_bytes())
        staging.rename(stick)  # plugged in: all there at once
        wait_until(lambda: changes, what="the folder to be seen")
        assert [(c.path, c.gone, c.first) for c in changes] == [(str(stick), False, True)]
        wait_until(lambda: len(library.tracks()) == 3, what="the scan")  # scanned as it came


def test_a_folder_found_gone_twice_at_once_is_one_change(tmp_path: Path) -> None:
    """The watch and a failed track may look at the same moment, from two threads."""
    root = tmp_path / "stick"
    roots = [str(root)]
    for _ in range(fuzz_rounds(20, 500)):
        presence = Presence()
        (root / "a").mkdir(parents=True)
        (root / "a" / "x.flac").write_bytes(b"x")
        path = str(root / "a" / "x.flac")
        shutil.rmtree(root)
        found: list[object] = []
        threads = [
            threading.Thread(target=lambda p=presence, f=found: f.extend(p.check(roots))),
            threading.Thread(
                target=lambda p=presence, f=found, x=path: f.append(p.notice(x, roots))
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [c for c in found if c is not None] == [Change(str(root), gone=True, folder=True)]
        assert presence.hides(path)

"""Music that goes and comes back while the index cannot be written, or before it is measured:
nothing is lost for good, and a folder that is back is always told."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from appliance.errors import LibraryError
from appliance.library import Library
from appliance.library.presence import Change
from tests.support import music
from tests.support.disks import fill, make_read_only, mounted_tmpfs
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three real FLAC files of two seconds (long enough to be measured)."""
    root = tmp_path_factory.mktemp("songs")
    music.tone_library(root / "m", {"Rock": 990.0}, per_genre=3, seconds=2.0)
    return root / "m"


def _copy(songs: Path, target: Path) -> Path:
    shutil.copytree(songs, target)
    return target


def test_a_folder_back_while_the_index_is_read_only_is_told_and_plays(
    tmp_path: Path, songs: Path
) -> None:
    folder = _copy(songs, tmp_path / "stick")
    with mounted_tmpfs(tmp_path / "data", "4m") as data:
        changes: list[Change] = []
        with Library(data / "library.db") as library:
            library.scan([folder], progress=False)
        make_read_only(data)  # a worn SD card remounts itself so
        library = Library(data / "library.db")
        try:
            library.watch([folder], on_change=changes.append, interval=0.05)
            for _ in range(2):  # the watch survives the failed rescan and sees the next change
                folder.rename(tmp_path / "away")
                wait_until(lambda: changes and changes[-1].gone, what="the folder to go")
                assert library.tracks() == []
                (tmp_path / "away").rename(folder)
                wait_until(lambda: not changes[-1].gone, what="the folder to be told back")
                assert len(library.tracks()) == 3
            assert [c.gone for c in changes] == [True, False, True, False]
        finally:
            library.close()


def test_measuring_skips_a_hidden_folder_and_measures_it_when_back(
    tmp_path: Path, songs: Path
) -> None:
    folder = _copy(songs, tmp_path / "stick")
    changes: list[Change] = []
    with Library(tmp_path / "library.db") as library:
        library.scan([folder], progress=False)
        library.watch([folder], on_change=changes.append, interval=0.05)
        folder.rename(tmp_path / "away")
        wait_until(lambda: changes, what="the folder to go")
        assert library.analyse() == 0
        assert library.stats().errors == 0 and library.problems() == []
        (tmp_path / "away").rename(folder)
        wait_until(lambda: len(changes) == 2, what="the folder back")
        assert library.analyse() == 3
        assert library.stats().errors == 0 and library.stats().analysed == 3


def test_a_file_missing_when_measured_is_tried_again_not_failed(
    tmp_path: Path, songs: Path
) -> None:
    folder = _copy(songs, tmp_path / "m")
    with Library(tmp_path / "library.db") as library:
        library.scan([folder], progress=False)
        first = sorted(folder.rglob("*.flac"))[0]
        first.rename(tmp_path / "aside.flac")
        assert library.analyse() == 2
        assert library.stats().errors == 0 and library.stats().pending == 1
        (tmp_path / "aside.flac").rename(first)
        assert library.analyse() == 1
        assert library.stats().analysed == 3


def test_a_folder_back_retries_what_could_not_be_measured(tmp_path: Path, songs: Path) -> None:
    """An index from before: a pulled stick's tracks were marked as failed."""
    folder = _copy(songs, tmp_path / "stick")
    changes: list[Change] = []
    db = tmp_path / "library.db"
    with Library(db) as library:
        library.scan([folder], progress=False)
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE files SET analysis = -1, analysis_error = 'System error.'")
    with Library(db) as library:
        assert library.stats().errors == 3
        library.watch([folder], on_change=changes.append, interval=0.05)
        folder.rename(tmp_path / "away")
        wait_until(lambda: changes, what="the folder to go")
        (tmp_path / "away").rename(folder)
        wait_until(lambda: library.stats().pending == 3, what="the failures to be reset")
        assert library.stats().errors == 0


def test_a_measuring_error_names_the_file_in_words(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A file name cannot forge log lines, nor show as a bytes repr."""
    caplog.set_level(logging.INFO, logger="appliance.library")
    folder = tmp_path / "m"
    folder.mkdir()
    name = folder / "bad\nline.flac"
    music.write(name, music.signal(440.0, 2.0))
    with Library(tmp_path / "library.db") as library:
        library.scan([folder], progress=False)
        name.write_bytes(b"fLaC" + b"\0" * 64)  # same size and time are not needed: no rescan
        assert library.analyse() == 1
        [(path, reason)] = library.problems()
        assert path == str(name)
        assert "b'" not in reason and "\n" not in reason
        logged = [r.getMessage() for r in caplog.records if "cannot measure" in r.getMessage()]
        assert len(logged) == 1 and "\n" not in logged[0] and "b'" not in logged[0]


def test_the_v1_upgrade_on_a_full_disk_says_no_space(tmp_path: Path) -> None:
    from tests.library.test_filenames import _VERSION_1

    with mounted_tmpfs(tmp_path / "data", "1m") as data:
        db = data / "library.db"
        old = sqlite3.connect(db)
        old.executescript(_VERSION_1)
        old.executemany(
            "INSERT INTO files (path, track_id, size, mtime_ns, title, artist, album, "
            "album_artist, genres, duration) VALUES (?, ?, 1, 1, 't', 'a', '', '', '', 1.0)",
            ((f"/m/{n:05d}.mp3", f"{n:020x}") for n in range(3000)),
        )
        old.commit()
        old.close()
        fill(data)  # then room for the WAL to start, not for the upgrade
        filler = data / ".filler"
        os.truncate(filler, filler.stat().st_size - 64 * 1024)
        with pytest.raises(LibraryError) as raised:
            Library(db).close()
        assert "no space left" in str(raised.value), str(raised.value)
        assert "rollback" not in str(raised.value)


def test_a_scan_of_an_empty_mount_point_keeps_its_tracks(tmp_path: Path, songs: Path) -> None:
    mount = tmp_path / "usb"
    _copy(songs, mount / "music")
    with Library(tmp_path / "library.db") as library:
        library.scan([mount], progress=False)
        library.analyse()
        (mount / "music").rename(tmp_path / "elsewhere")  # the drive pulled: the mount is empty
        report = library.scan([mount], progress=False)
        assert report.removed == 0
        assert [(path, "empty" in why) for path, why in report.errors] == [(str(mount), True)]
        assert len(library.tracks()) == 3 and library.stats().analysed == 3


def test_a_folder_that_cannot_be_listed_is_not_gone(tmp_path: Path) -> None:
    """Too many open files (or no permission, or a failing card) says nothing about the stick."""
    import resource

    from appliance.library.presence import present

    (tmp_path / "stick").mkdir()
    (tmp_path / "stick" / "a.flac").write_bytes(b"x")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    held: list[int] = []
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        with pytest.raises(OSError):
            while True:
                held.append(os.open(os.devnull, os.O_RDONLY))
        assert present(str(tmp_path / "stick"))
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert present(str(tmp_path / "stick"))
    assert not present(str(tmp_path / "nothing"))
    assert not present(str(tmp_path / "stick" / "a.flac"))  # not a folder

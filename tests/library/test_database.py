"""The index file: created in WAL mode, never overwritten when it is not ours, survives kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appliance.errors import LibraryError
from appliance.library import Library
from appliance.library.database import APPLICATION_ID
from tests.library.conftest import Samples
from tests.support.music import signal as tone
from tests.support.music import write

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_index_is_ours_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "library.db"
    Library(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    Library(path).close()  # and it opens again


def test_the_index_keeps_what_was_scanned(samples: Samples, tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    samples.copy(samples.tagged("flac"), tmp_path / "music" / "a.flac")
    with Library(path) as library:
        library.scan([tmp_path / "music"], progress=False)
        tracks = library.tracks()
    with Library(path) as library:
        assert library.tracks() == tracks
        assert library.scan([tmp_path / "music"], progress=False).unchanged == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"definitely not a database" * 100, "is not a readable SQLite database"),
        (None, "is a SQLite database of another program"),
    ],
)
def test_a_file_that_is_not_our_index_is_moved_aside(
    tmp_path: Path, content: bytes | None, problem: str
) -> None:
    path = tmp_path / "library.db"
    if content is None:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE songs (name TEXT)")
            db.execute("INSERT INTO songs VALUES ('precious')")
    else:
        path.write_bytes(content)
    original = path.read_bytes()

    with pytest.raises(LibraryError) as raised:
        Library(path)

    error = raised.value
    assert str(path) in error.message and problem in error.message
    assert error.hint and "appliance library scan" in error.hint
    [aside] = tmp_path.glob("library.db.broken-*")
    assert aside.read_bytes() == original  # kept as it was, never overwritten
    assert str(aside) in error.message
    with Library(path) as library:  # the next open starts a fresh index
        assert library.tracks() == []


def test_a_damaged_index_is_moved_aside(samples: Samples, tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    for index in range(40):
        samples.copy(samples.tagged("ogg"), tmp_path / "music" / f"{index:02d}.ogg")
    with Library(path) as library:
        library.scan([tmp_path / "music"], progress=False)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data), page):  # scribble over every page but the first
        data[offset + 16 : offset + 400] = os.urandom(384)
    path.write_bytes(bytes(data))

    with pytest.raises(LibraryError) as raised:
        Library(path)
    assert "moved aside" in raised.value.message
    moved = {path.name.rsplit("-", 1)[-1] for path in tmp_path.glob("library.db.broken-*")}
    assert moved - {"wal", "shm"}, "the database file itself was moved aside"
    assert not path.exists()
    Library(path).close()


def test_an_index_from_a_newer_version_is_refused_but_kept(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    Library(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(LibraryError, match="newer version"):
        Library(path)
    assert path.exists() and not list(tmp_path.glob("*.broken-*"))


def test_kill_during_a_scan_leaves_a_usable_index(tmp_path: Path) -> None:
    """kill -9 halfway through: what was committed stays, the next scan finishes the job."""
    music = tmp_path / "music"
    music.mkdir()
    template = write(tmp_path / "short.wav", tone(0.1)).read_bytes()
    count = 1500
    for index in range(count):  # distinct audio in each file: patch a few samples
        data = bytearray(template)
        data[-8:-4] = index.to_bytes(4, "little")
        (music / f"{index:04d}.wav").write_bytes(data)
    db_path = Path(os.environ["APPLIANCE_DATA_DIR"]) / "library.db"
    errors = (tmp_path / "scan.err").open("w+b")
    scan = subprocess.Popen(
        [sys.executable, "-m", "appliance", "library", "scan", str(music)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    # The whole scan takes well under a second, so polling alone may look too late on a busy
    # machine. It runs in slices of a few milliseconds instead, and the index is read while the
    # scan is stopped: the kill lands right after the first batch is committed (or in the middle
    # of writing the next one), never after the last.
    indexed_at_kill = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and scan.poll() is None:
            scan.send_signal(signal.SIGCONT)
            time.sleep(0.005)
            scan.send_signal(signal.SIGSTOP)
            indexed_at_kill = _count(db_path)
            if indexed_at_kill > 0:
                scan.send_signal(signal.SIGKILL)
                break
        scan.wait(timeout=30)
    finally:
        if scan.poll() is None:
            scan.kill()
            scan.wait(timeout=30)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
        errors.close()
    assert scan.returncode == -signal.SIGKILL, f"the scan ended before it could be killed: {stderr}"
    assert 0 < indexed_at_kill < count

    with Library(db_path) as library:  # opens cleanly: passes quick_check, no error
        survived = len(library.tracks())
        assert survived >= indexed_at_kill
        report = library.scan([music], progress=False)
        assert report.unchanged == survived
        assert report.added == count - survived
        assert report.errors == []
        assert len(library.tracks()) == count


def _count(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.1) as db:
            return db.execute("SELECT count(*) FROM files").fetchone()[0]
    except sqlite3.Error:
        return 0

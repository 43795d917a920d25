"""The index on a read-only disk: read as it stands (its WAL too), an older index upgraded in
memory for the run, nothing written, and no copy left behind."""

from __future__ import annotations

import glob
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from appliance.errors import LibraryError
from appliance.library import Library
from tests.support import music
from tests.support.disks import make_read_only, mounted_tmpfs


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("songs")
    music.tone_library(root / "m", {"Rock": 990.0}, per_genre=3, seconds=1.0)
    return root / "m"


def _copies() -> set[str]:
    return set(glob.glob(f"{tempfile.gettempdir()}/qfzz-read-*"))


def test_an_index_never_closed_is_read_with_its_wal(tmp_path: Path, songs: Path) -> None:
    before = _copies()
    with mounted_tmpfs(tmp_path / "data", "4m") as data:
        db = data / "library.db"
        with Library(db):
            pass  # the index exists, empty, closed
        running = Library(tmp_path / "running.db")
        try:
            running.scan([songs], progress=False)  # the power fails with this in the WAL
            wal = Path(f"{running.path}-wal")
            assert wal.stat().st_size > 0
            shutil.copyfile(tmp_path / "running.db", db)
            shutil.copyfile(wal, f"{db}-wal")
        finally:
            running.close()
        make_read_only(data)
        with Library(db) as library:
            assert len(library.tracks()) == 3
            assert _copies() - before  # read from a private copy
            with pytest.raises(LibraryError, match="read-only"):
                library.scan([songs], progress=False)
        assert _copies() == before  # and the copy is gone


def test_an_older_index_on_a_read_only_disk_plays_upgraded_in_memory(
    tmp_path: Path, songs: Path
) -> None:
    from tests.library.test_filenames import _VERSION_1

    with mounted_tmpfs(tmp_path / "data", "4m") as data:
        db = data / "library.db"
        old = sqlite3.connect(db)
        old.executescript(_VERSION_1)
        for number, path in enumerate(sorted(songs.rglob("*.flac"))):
            info = path.stat()
            old.execute(
                "INSERT INTO files (path, track_id, size, mtime_ns, title, artist, album, "
                "album_artist, genres, duration) VALUES (?, ?, ?, ?, ?, 'X', '', '', 'rock', 1.0)",
                (str(path), f"{number:020x}", info.st_size, info.st_mtime_ns, f"T{number}"),
            )
        old.commit()
        old.close()
        make_read_only(data)
        with Library(db) as library:
            assert sorted(t.title for t in library.tracks()) == ["T0", "T1", "T2"]
            with pytest.raises(LibraryError, match="read-only"):
                library.scan([songs], progress=False)
        raw = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1  # untouched on disk
        raw.close()

"""Version 2 of the index (no loudness) is upgraded in one transaction: a kill in the middle of
it leaves version 2 whole, and the next start upgrades it."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from appliance.library import Library
from appliance.library.database import SCHEMA_VERSION

_VERSION_2 = """
CREATE TABLE files (
    path BLOB PRIMARY KEY, track_id TEXT NOT NULL UNIQUE, content_id TEXT NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, title TEXT NOT NULL, artist TEXT NOT NULL,
    album TEXT NOT NULL, album_artist TEXT NOT NULL, genres TEXT NOT NULL, year INTEGER,
    track_number INTEGER, duration REAL NOT NULL, bpm REAL,
    bpm_from_tag INTEGER NOT NULL DEFAULT 0, energy REAL,
    analysis INTEGER NOT NULL DEFAULT 0, analysis_error TEXT
);
CREATE INDEX files_by_content_id ON files (content_id);
CREATE INDEX files_pending ON files (analysis) WHERE analysis = 0;
CREATE TABLE scan_errors (path BLOB PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('generation', 5);
PRAGMA application_id = 1363565132;
PRAGMA user_version = 2;
"""

ROWS = 3000


def _version_2(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(_VERSION_2)
    db.executemany(
        "INSERT INTO files (path, track_id, content_id, size, mtime_ns, title, artist, album, "
        "album_artist, genres, duration, bpm, energy, analysis, analysis_error) "
        "VALUES (?, ?, ?, 1, 1, ?, 'A', '', '', 'rock', 60.0, ?, ?, ?, ?)",
        (
            (
                f"/m/{n:05d}.flac".encode(), f"id{n}", f"c{n}", f"T{n}",
                120.0 if n % 3 == 0 else None, 0.5 if n % 3 == 0 else None,
                (1, 0, -1)[n % 3], "broken" if n % 3 == 2 else None,
            )
            for n in range(ROWS)
        ),
    )  # fmt: skip
    db.commit()
    db.close()


def _version(path: Path) -> tuple[int, list[str]]:
    raw = sqlite3.connect(path)  # what a power cut leaves: the file and its WAL
    try:
        version = raw.execute("PRAGMA user_version").fetchone()[0]
        columns = [row[1] for row in raw.execute("PRAGMA table_info(files)")]
    finally:
        raw.close()
    return version, columns


def _check_upgraded(path: Path) -> None:
    with Library(path) as library:
        tracks = {t.track_id: t for t in library.tracks()}
        assert len(tracks) == ROWS
        assert (tracks["id0"].bpm, tracks["id0"].energy, tracks["id0"].loudness) == (
            120.0,
            0.5,
            None,
        )
        stats = library.stats()
        # measured before: measured again for their loudness; failures stay failures
        assert (stats.pending, stats.analysed, stats.errors) == (2 * ROWS // 3, 0, ROWS // 3)
    version, columns = _version(path)
    assert version == SCHEMA_VERSION and "loudness" in columns


def test_a_version_2_index_gains_loudness_and_is_measured_again(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    _version_2(db)
    _check_upgraded(db)
    _check_upgraded(db)  # opening it again changes nothing more


_KILLED_CHILD = """
import sys, time
import appliance.library.database as database
upgrade = database._migrate_from_2
def migrate(connection):
    upgrade(connection)
    print("upgrading", flush=True)  # done, not committed: the kill lands here
    time.sleep(60)
database._migrate_from_2 = migrate
from appliance.library import Library
Library(sys.argv[1])
"""

_DONE_CHILD = """
import sys, time
from appliance.library import Library
library = Library(sys.argv[1])
print("upgraded", flush=True)
time.sleep(60)
"""


def _kill_after(child_code: str, db: Path, word: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", child_code, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == word
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL


def test_a_kill_during_the_upgrade_leaves_version_2_whole(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    _version_2(db)
    _kill_after(_KILLED_CHILD, db, "upgrading")
    version, columns = _version(db)
    assert version == 2 and "loudness" not in columns  # the old index, untouched
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT count(*) FROM files WHERE analysis = 1").fetchone()[0] == ROWS // 3
    raw.close()
    _check_upgraded(db)  # the next start upgrades it


def test_a_kill_after_the_upgrade_keeps_it(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    _version_2(db)
    _kill_after(_DONE_CHILD, db, "upgraded")
    assert _version(db)[0] == SCHEMA_VERSION
    _check_upgraded(db)

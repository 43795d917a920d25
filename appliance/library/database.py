"""Opening the library index: SQLite in WAL mode, checked before use, never overwritten.

The index can always be rebuilt by scanning again, so it commits with ``synchronous=NORMAL`` (WAL
keeps it consistent across a power cut; at worst the last batch is scanned again). A file that is
not a SQLite database, belongs to another program, or fails ``quick_check`` is moved aside with a
timestamp (it may be someone's data) and reported; the next open starts a fresh index.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from contextlib import suppress
from pathlib import Path

from appliance.diskspace import read_only_disk
from appliance.errors import LibraryError
from appliance.sqlite_files import is_damage, open_read_only, set_aside

APPLICATION_ID = 0x51465A4C  # "QFZL": marks the file as this appliance's library index
SCHEMA_VERSION = 3  # 2: paths as bytes, one track per file (content_id links copies); 3: loudness
BUSY_TIMEOUT_MS = 10000
_LOW_SPACE = 1 << 20  # an I/O error with less free space than this is the disk being full

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path BLOB PRIMARY KEY,          -- absolute path, the bytes the file system has (any name)
    track_id TEXT NOT NULL UNIQUE,  -- one per file, kept when it moves (its history hangs on it)
    content_id TEXT NOT NULL,       -- hash of the audio: copies share it, a moved file is found
    size INTEGER NOT NULL,          -- with mtime_ns: unchanged files are not read again
    mtime_ns INTEGER NOT NULL,
    title TEXT NOT NULL,
    artist TEXT NOT NULL,
    album TEXT NOT NULL,
    album_artist TEXT NOT NULL,
    genres TEXT NOT NULL,           -- canonical genre names, separated by |
    year INTEGER,
    track_number INTEGER,
    duration REAL NOT NULL,
    bpm REAL,
    bpm_from_tag INTEGER NOT NULL DEFAULT 0,
    energy REAL,
    loudness REAL,                  -- dB (LUFS-like), from a ReplayGain tag or measured
    analysis INTEGER NOT NULL DEFAULT 0,  -- 0 pending, 1 measured, -1 failed (see analysis_error)
    analysis_error TEXT
);
CREATE INDEX IF NOT EXISTS files_by_content_id ON files (content_id);
CREATE INDEX IF NOT EXISTS files_pending ON files (analysis) WHERE analysis = 0;
CREATE TABLE IF NOT EXISTS scan_errors (
    path BLOB PRIMARY KEY,          -- a file the last scan of its folder could not index
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0);
"""

log = logging.getLogger(__name__)

_REBUILD_HINT = "the next `appliance library scan` builds a new index from the music folders"


def open_index(path: Path | None) -> sqlite3.Connection:
    """A connection to the index at ``path`` (None: in memory), created or checked."""
    if path is None:
        connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        _create(connection)
        return connection
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LibraryError(
            f"{path.parent}: cannot create the folder for the library index: {error.strerror}",
            hint="check the data directory's owner and permissions (APPLIANCE_DATA_DIR)",
        ) from error
    existed = path.exists() and path.stat().st_size > 0
    if read_only_disk(path.parent):
        return _open_read_only(path, existed)
    try:
        connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
        )
    except sqlite3.Error as error:
        raise _cannot_open(path, error) from error
    try:
        problem = _check(connection) if existed else None
    except sqlite3.DatabaseError as error:
        connection.close()
        if is_damage(error):
            raise _moved_aside(path, f"is not a readable SQLite database ({error})") from error
        raise _cannot_open(path, error) from error
    if problem:
        connection.close()
        raise _moved_aside(path, problem)
    try:
        user_version = connection.execute("PRAGMA user_version").fetchone()[0]
        if user_version > SCHEMA_VERSION:
            connection.close()
            raise LibraryError(
                f"{path}: the library index was written by a newer version of the appliance",
                hint="update the appliance, or move the file away to build a new index",
            )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _create(connection)
    except sqlite3.DatabaseError as error:
        connection.close()
        raise _cannot_open(path, error) from error
    return connection


def _open_read_only(path: Path, existed: bool) -> sqlite3.Connection:
    """The index on a read-only disk (a worn SD card remounts itself so): it can be read as it
    stands, with what its WAL holds (see :func:`open_read_only`), never changed. An older
    index (version 1 or 2) is upgraded in memory for this run: the music plays, and the
    upgrade is written once the disk can be written again."""
    hint = "remount the disk read-write, or set APPLIANCE_DATA_DIR to a writable folder"
    if not existed:
        raise LibraryError(
            f"{path.parent} is on a read-only disk: no library index can be made there", hint=hint
        )
    try:
        connection = open_read_only(path, check_same_thread=False, isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise LibraryError(f"{path}: cannot read the library index: {error}", hint=hint) from error
    try:
        problem = _check(connection)
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if not problem and version in (1, 2):
            upgraded = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            connection.backup(upgraded)
            connection.close()
            connection = upgraded
            _create(connection)
            connection.execute("PRAGMA query_only=1")
            log.warning(
                "%s is an older library index, upgraded in memory for now: the disk holding it "
                "is read-only; once it can be written the upgrade is kept",
                path,
            )
            version = SCHEMA_VERSION
    except sqlite3.DatabaseError as error:
        connection.close()
        raise LibraryError(f"{path}: cannot read the library index: {error}", hint=hint) from error
    if problem or version != SCHEMA_VERSION:
        connection.close()
        why = problem or f"is of another version of the appliance ({version})"
        raise LibraryError(f"{path} {why}, and the disk holding it is read-only", hint=hint)
    return connection


def read_only_error(path: Path | None) -> LibraryError:
    return LibraryError(
        f"{path}: the library index is on a read-only disk: it can be read, not changed",
        hint="remount the disk read-write (or move the data directory) to scan or measure",
    )


def _create(connection: sqlite3.Connection) -> None:
    """Create the schema, or upgrade an older one, in one transaction: a kill or a power cut
    leaves the old index or the new one, never half of it."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == 1:
            _migrate_from_1(connection)
        if version in (1, 2):
            _migrate_from_2(connection)
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        # a full disk may have rolled it back already: the original error is what to report
        if connection.in_transaction:
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        raise


def _migrate_from_1(connection: sqlite3.Connection) -> None:
    """Version 1 kept paths as text (a name that is not UTF-8 could not be stored) and one id
    per content (copies with different tags were one track). Paths become their bytes; the
    first copy of each content keeps its id (and its listening history), later copies get
    their own."""
    from appliance.library.identity import track_id_for

    connection.execute("ALTER TABLE files RENAME TO files_v1")
    connection.execute("ALTER TABLE scan_errors RENAME TO scan_errors_v1")
    connection.execute("DROP INDEX IF EXISTS files_by_track_id")
    connection.execute("DROP INDEX IF EXISTS files_pending")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)
    columns = (
        "size, mtime_ns, title, artist, album, album_artist, genres, year, track_number, "
        "duration, bpm, bpm_from_tag, energy, analysis, analysis_error"
    )
    taken: set[str] = set()
    rows = connection.execute(  # read as it goes: a big index never sits in memory twice
        f"SELECT CAST(path AS BLOB), track_id, {columns} FROM files_v1 ORDER BY rowid"
    )
    for path, content, *rest in rows:
        track_id = track_id_for(content, path, taken.__contains__)
        taken.add(track_id)
        connection.execute(
            f"INSERT INTO files (path, track_id, content_id, {columns}) "
            f"VALUES ({', '.join('?' * (3 + len(rest)))})",
            (path, track_id, content, *rest),
        )
    connection.execute(
        "INSERT INTO scan_errors (path, reason) "
        "SELECT CAST(path AS BLOB), reason FROM scan_errors_v1"
    )
    connection.execute("DROP TABLE files_v1")
    connection.execute("DROP TABLE scan_errors_v1")
    connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")


def _migrate_from_2(connection: sqlite3.Connection) -> None:
    """Version 2 kept no loudness: the column is added, and tracks measured before are
    measured again in the background (their tempo and energy stay meanwhile)."""
    columns = [row[1] for row in connection.execute("PRAGMA table_info(files)")]
    if "loudness" not in columns:  # an index rebuilt from version 1 has it already
        connection.execute("ALTER TABLE files ADD COLUMN loudness REAL")
    connection.execute("UPDATE files SET analysis = 0 WHERE analysis = 1 AND loudness IS NULL")
    connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")


def _check(connection: sqlite3.Connection) -> str | None:
    """Why an existing file is not a usable index of ours (None: it is)."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
    if application_id != APPLICATION_ID and (application_id != 0 or tables):
        return "is a SQLite database of another program, not the library index"
    result = connection.execute("PRAGMA quick_check").fetchall()
    if [row[0] for row in result] != ["ok"]:
        return f"is damaged (quick_check: {'; '.join(str(row[0]) for row in result[:3])})"
    return None


def out_of_space(path: Path, error: sqlite3.Error) -> bool:
    """True when ``error`` (a full database, or an I/O error writing its journal) comes from
    the disk holding ``path`` being full."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return True
    try:
        return code == sqlite3.SQLITE_IOERR and shutil.disk_usage(path.parent).free < _LOW_SPACE
    except OSError:
        return False


def no_space(path: Path, error: sqlite3.Error) -> LibraryError:
    return LibraryError(
        f"{path}: no space left on the disk for the library index ({error})",
        hint="free some space in the data directory and scan again: what was indexed so far "
        "is kept, and the scan carries on from there",
    )


def _cannot_open(path: Path, error: sqlite3.Error) -> LibraryError:
    if out_of_space(path, error):
        return no_space(path, error)
    return LibraryError(
        f"{path}: cannot open the library index: {error}",
        hint="check the file's owner and permissions and the free space in the data directory",
    )


def _moved_aside(path: Path, problem: str) -> LibraryError:
    """Move the file (and its WAL companions) to ``<name>.broken-<timestamp>``; say so."""
    try:
        aside = set_aside(path, "broken")
    except OSError as error:
        return LibraryError(
            f"{path} {problem}, and it cannot be moved aside: {error.strerror}",
            hint=f"move or delete {path} yourself; {_REBUILD_HINT}",
        )
    return LibraryError(
        f"{path} {problem}; it was moved aside to {aside}",
        hint=_REBUILD_HINT,
    )

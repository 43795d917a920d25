"""Where the DJ keeps what it knows: profiles, history, community, listening events and taste.

One SQLite file (or an in-memory database), written so that a power cut or ``kill -9`` never loses
a committed change nor leaves a half-written one: WAL journal, ``synchronous=FULL`` (SD cards lose
power), one transaction per conversation turn. A file that is not ours is refused and left
untouched; one that is ours but damaged is moved aside with a timestamp and reported, never
overwritten: the rows that can still be read go into a new file that takes its place once whole.
Deleting a listener overwrites their data on disk (``secure_delete``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from appliance.diskspace import free_bytes, is_no_space, read_only_disk
from appliance.errors import StoreError
from appliance.sqlite_files import (
    SQLITE_MAGIC,
    Salvaged,
    finish_rebuild,
    is_damage,
    rebuild,
    set_aside,
)

log = logging.getLogger(__name__)

APPLICATION_ID = 0x51465A5A  # "QFZZ": marks the file as a DJ store
SCHEMA_VERSION = 1
# how long a write waits for another process's lock before the turn is answered unsaved
BUSY_TIMEOUT_MS = 3000
SCRATCH_MESSAGES = 20  # of a listener's history copied for a turn that cannot be saved
SCRATCH_PLAYS = 200  # of their listening events: more than a pick looks back on
FULL_DISK_BYTES = 256 * 1024  # free space below which a failure to open is put down to it
USER_TABLES = ("users", "history", "community", "plays", "taste")

SCHEMA = """
CREATE TABLE users (
    user_id     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    trust       REAL NOT NULL,
    created_at  TEXT NOT NULL,
    last_seen   TEXT,
    sessions    INTEGER NOT NULL DEFAULT 0,
    mood        TEXT,
    mood_at     TEXT,
    preferences TEXT NOT NULL DEFAULT '[]',
    blocked     TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE history (
    id      INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    ts      TEXT NOT NULL,
    type    TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX history_by_user ON history (user_id, id);
CREATE TABLE community (
    user_id   TEXT NOT NULL,
    friend_id TEXT NOT NULL,
    since     TEXT NOT NULL,
    PRIMARY KEY (user_id, friend_id)
) WITHOUT ROWID;
CREATE TABLE plays (
    id       INTEGER PRIMARY KEY,
    user_id  TEXT NOT NULL,
    track_id TEXT NOT NULL,
    event    TEXT NOT NULL,
    position REAL,
    duration REAL,
    ts       TEXT NOT NULL
);
CREATE INDEX plays_by_user ON plays (user_id, id);
CREATE TABLE taste (
    user_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    key     TEXT NOT NULL,
    pos     REAL NOT NULL DEFAULT 0,
    neg     REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, kind, key)
) WITHOUT ROWID;
"""

USER_FIELDS = (
    "user_id", "name", "trust", "created_at", "last_seen", "sessions", "mood", "mood_at",
    "preferences", "blocked",
)  # fmt: skip


def _sound_row(table: str, row: dict[str, Any]) -> bool:
    """Whether a row salvaged from a damaged file reads back as the DJ wrote it (times that
    parse, preference lists that are lists): noise from a broken page must not crash a load."""
    try:
        for key in ("ts", "created_at", "last_seen", "mood_at", "since"):
            if row.get(key) is not None:
                datetime.fromisoformat(row[key])
        for key in ("preferences", "blocked"):
            if key in row and not isinstance(json.loads(row[key]), list):
                return False
    except (TypeError, ValueError):
        return False
    return True


def _full_disk(folder: Path) -> bool:
    """Too full for SQLite to make its journal and shared-memory files (a few pages)."""
    free = free_bytes(folder)
    return free is not None and free < FULL_DISK_BYTES


def _create_schema(db: sqlite3.Connection) -> None:
    db.executescript(
        "BEGIN IMMEDIATE;"
        + SCHEMA
        + f"PRAGMA application_id = {APPLICATION_ID};"
        + f"PRAGMA user_version = {SCHEMA_VERSION};"
        + "COMMIT;"
    )


def _ts(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Store:
    """SQLite persistence for the DJ. ``path=None`` keeps everything in memory."""

    def __init__(self, path: str | os.PathLike[str] | None = None, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.RLock()
        self._depth = 0
        self._data_version: int | None = None
        self._scratch: Path | None = None
        # history rows (all, the listener's own) a scratch copy left behind: its counts add them
        self._uncopied: tuple[int, int] = (0, 0)
        # what was kept of a damaged file (table by table) when this store had to recover one
        self.recovery: list[Salvaged] | None = None
        # called (inside the new transaction) when another process changed the file since this
        # store last looked: whoever caches what it read must forget it
        self.on_outside_change: Callable[[], None] | None = None
        if self.path is None:
            self._db = self._connect(":memory:")
            self._create()
            return
        if read_only:
            self._open_read_only()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._finish_recovery()
        self._refuse_foreign_file()
        try:
            self._db = self._connect(str(self.path))
            self._adopt()
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                with suppress(AttributeError, sqlite3.Error):
                    self._db.close()
                if read_only_disk(self.path.parent):
                    raise StoreError(
                        f"cannot open the DJ's database {self.path}: the disk holding it is "
                        "read-only",
                        hint="remount it read-write; `appliance profile export` still reads it",
                    ) from error
                if _full_disk(self.path.parent):
                    raise StoreError(
                        f"cannot open the DJ's database {self.path}: the disk holding it is "
                        f"full ({error})",
                        hint="free some space in the data directory and start again; "
                        "`appliance profile export` still reads it",
                    ) from error
                raise StoreError(
                    f"cannot open the DJ's database {self.path}: {error}",
                    hint="check the data directory's permissions and free space, and that no "
                    "other program holds the file",
                ) from error
            self._move_aside(f"it cannot be read ({error})")

    # -- opening ---------------------------------------------------------------------------

    @staticmethod
    def _connect(target: str, uri: bool = False) -> sqlite3.Connection:
        db = sqlite3.connect(target, isolation_level=None, check_same_thread=False, uri=uri)
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return db

    def _refuse_foreign_file(self) -> None:
        assert self.path is not None
        if not self.path.exists():
            return
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a directory, not the DJ's database",
                hint="remove it or point APPLIANCE_DATA_DIR at another folder",
            )
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except OSError as error:
            raise StoreError(f"cannot read {self.path}: {error.strerror}") from error
        if head and head != SQLITE_MAGIC:
            raise StoreError(
                f"{self.path} is not a QFZZ database (not an SQLite file); it was left untouched",
                hint="move the file away, or set APPLIANCE_DATA_DIR to another folder",
            )

    def _open_read_only(self) -> None:
        """Open for reading only, changing nothing on disk: what exporting needs, even from a
        read-only SD card. There SQLite cannot make the shared-memory file WAL mode wants, so the
        file is opened ``immutable`` (nothing can be writing to a read-only disk) or, when its
        WAL still holds changes, a private copy of both is read instead (removed on close); a
        full disk, where the -shm file cannot be made either, likewise. Elsewhere the service may
        be writing: only SQLite's own reading is safe there."""
        assert self.path is not None
        if not self.path.is_file():
            raise StoreError(f"the DJ has no listeners yet ({self.path} does not exist)")
        self._refuse_foreign_file()
        try:
            self._read_only_connection()
        except BaseException:
            self.close()
            raise

    def _read_only_connection(self) -> None:
        assert self.path is not None
        uri = self.path.resolve().as_uri()
        try:
            self._db = self._connect(f"{uri}?mode=ro", uri=True)
            self._check_readable()
            return
        except sqlite3.Error as error:
            if not read_only_disk(self.path.parent) and not _full_disk(self.path.parent):
                raise StoreError(
                    f"cannot read the DJ's database {self.path}: {error}",
                    hint=f"run this as the user that owns {self.path} and its -wal and -shm "
                    "files (the service's user: sudo -u appliance ...)",
                ) from error
            with suppress(AttributeError, sqlite3.Error):
                self._db.close()
            log.info("%s is on a read-only or full disk: read another way (%s)", self.path, error)
        wal = self.path.with_name(self.path.name + "-wal")
        try:
            if wal.exists() and wal.stat().st_size > 0:
                self._scratch = Path(tempfile.mkdtemp(prefix="qfzz-export-"))
                copy = self._scratch / self.path.name
                shutil.copyfile(self.path, copy)
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
                self._db = self._connect(str(copy))
            else:
                self._db = self._connect(f"{uri}?immutable=1", uri=True)
            self._check_readable()
        except (OSError, sqlite3.Error) as error:
            where = tempfile.gettempdir()
            raise StoreError(
                f"cannot read the DJ's database {self.path}: {error}",
                hint=f"free some space in {where}: the database and its WAL are read from a "
                "copy there"
                if is_no_space(error)
                else f"check that you can read {self.path} and {wal.name}",
            ) from error

    def _check_readable(self) -> None:
        """Refuse (clearly) a read-only file that is not the DJ's or is damaged."""
        try:
            app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise StoreError(
                    f"{self.path} is not the DJ's database; it was left untouched",
                    hint="point APPLIANCE_DATA_DIR (or station.data_dir) at the right folder",
                )
            result = self._db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            result = str(error)
        if result != "ok":
            raise StoreError(
                f"the DJ's database {self.path} is damaged ({result})",
                hint="start the appliance on a writable disk: it recovers what can be read",
            )

    def _adopt(self) -> None:
        """Initialise a new file, accept ours, refuse a foreign one, set aside a damaged one."""
        db = self._db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and tables == 0:
            self._create()
            return
        if app_id != APPLICATION_ID:
            db.close()
            raise StoreError(
                f"{self.path} is an SQLite database of another program, not the DJ's; "
                "it was left untouched",
                hint="move the file away, or set APPLIANCE_DATA_DIR to another folder",
            )
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            problems = result.splitlines()
            more = f", and {len(problems) - 1} more problems" if len(problems) > 1 else ""
            self._move_aside(f"it failed its integrity check: {problems[0]}{more}")
            return
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            db.close()
            raise StoreError(
                f"{self.path} was written by a newer version of the appliance "
                f"(schema {version}, this one knows {SCHEMA_VERSION})",
                hint="update the appliance, or move the file away to start afresh",
            )
        self._configure()

    def _configure(self) -> None:
        db = self._db
        if self.path is not None:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")

    def _create(self) -> None:
        self._configure()
        with self._lock:
            _create_schema(self._db)

    def _finish_recovery(self) -> None:
        """A recovery cut short after its new file was whole: put that file in place."""
        assert self.path is not None
        try:
            if finish_rebuild(self.path):
                log.warning("%s: finished putting the recovered database in place", self.path)
        except OSError as error:
            raise StoreError(
                f"cannot put the recovered DJ's database in place of {self.path}: {error.strerror}",
                hint="check the data directory's permissions and free space, and start again",
            ) from error

    def _move_aside(self, why: str) -> None:
        """Keep a damaged file as it was (under another name) and replace it with a new file
        holding every row that can still be read; what was kept and lost is logged, table by
        table. Until the new file is whole the damaged one stays in place: a crash on the way
        only means the next start recovers again."""
        assert self.path is not None
        with suppress(AttributeError, sqlite3.Error):
            self._db.close()
        try:
            aside = set_aside(self.path, "damaged", keep=True)
        except OSError as error:
            raise StoreError(
                f"the DJ's database {self.path} is damaged ({why}) and cannot be moved aside: "
                f"{error.strerror}",
                hint=f"move {self.path} away yourself; a fresh one is made on the next start",
            ) from error
        try:
            self.recovery = rebuild(self.path, aside, _create_schema, USER_TABLES, _sound_row)
            self._db = self._connect(str(self.path))
            self._configure()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(
                f"the DJ's database {self.path} is damaged ({why}); a copy was kept as "
                f"{aside}, but what can be read of it cannot be saved: {error}",
                hint="free some space in the data directory and start again: the recovery "
                "starts over"
                if is_no_space(error) or _full_disk(self.path.parent)
                else "check the data directory's permissions and start again: the recovery "
                "starts over",
            ) from error
        log.error(
            "the DJ's database %s was damaged (%s). It was kept as %s and every row that could "
            "be read was saved in a new one: %s",
            self.path,
            why,
            aside,
            ", ".join(str(table) for table in self.recovery),
        )

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work (nested calls join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            if self.on_outside_change is not None and self.changed_elsewhere():
                self.on_outside_change()
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # a failed COMMIT may leave it open, or not
                    self._db.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def changed_elsewhere(self) -> bool:
        """True when another connection (another process: `appliance profile delete` while the
        service runs) has written to the file since this was last asked."""
        with self._lock:
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            changed = self._data_version is not None and version != self._data_version
            self._data_version = version
            return changed

    def close(self) -> None:
        """Fold the WAL back into the file when nobody else holds it (never waiting: another
        process's lock must not hold up a shutdown), and release it."""
        with self._lock:
            db = getattr(self, "_db", None)
            if db is not None:
                with suppress(sqlite3.Error):
                    if self.path is not None and self._scratch is None:
                        db.execute("PRAGMA busy_timeout = 0")
                        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.close()
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)
                self._scratch = None

    def wait_for_locks(self, milliseconds: int) -> None:
        """Set how long a write waits for another process's lock before it fails."""
        with self._lock, suppress(sqlite3.Error):
            self._db.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")

    def scratch_copy(self, user_id: str) -> Store:
        """A store in memory holding what a turn needs of the listener (profile, community,
        taste, their last messages and listening events, how much history there is), as far as
        it can be read right now without waiting (an empty one when it cannot): a turn that
        cannot be saved runs on it. Its cost does not grow with the history."""
        copy = Store()
        recent = {
            "history": f"ORDER BY id DESC LIMIT {SCRATCH_MESSAGES}",
            "plays": f"ORDER BY id DESC LIMIT {SCRATCH_PLAYS}",
        }
        with self._lock:
            waiting = self._db.execute("PRAGMA busy_timeout").fetchone()[0]
            try:
                self._db.execute("PRAGMA busy_timeout = 0")
                for table in USER_TABLES:
                    rows = self._db.execute(
                        f"SELECT * FROM {table} WHERE user_id = ? {recent.get(table, '')}",
                        (user_id,),
                    ).fetchall()
                    if rows:
                        marks = ", ".join("?" * len(rows[0]))
                        copy._db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
                copy._uncopied = (
                    self.history_count(user_id) - copy.history_count(user_id),
                    self.turn_count(user_id) - copy.turn_count(user_id),
                )
            except sqlite3.Error as error:
                log.debug("%s: reading %s for a scratch turn: %s", self.path, user_id, error)
            finally:
                with suppress(sqlite3.Error):
                    self._db.execute(f"PRAGMA busy_timeout = {waiting}")
        return copy

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # -- users -----------------------------------------------------------------------------

    def user_ids(self) -> list[str]:
        return [row[0] for row in self._query("SELECT user_id FROM users ORDER BY rowid")]

    def load_user(self, user_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM users WHERE user_id = ?", (user_id,))
        if not rows:
            return None
        row = dict(rows[0])
        row["preferences"] = json.loads(row["preferences"])
        row["blocked"] = json.loads(row["blocked"])
        for key in ("created_at", "last_seen", "mood_at"):
            row[key] = _dt(row[key])
        return row

    def save_user(self, **fields: Any) -> None:
        """Insert or update one user row; lists go in as JSON, datetimes as ISO text."""
        values = dict(fields)
        for key in ("preferences", "blocked"):
            if key in values:
                values[key] = json.dumps(values[key])
        for key in ("created_at", "last_seen", "mood_at"):
            if key in values:
                values[key] = _ts(values[key])
        unknown = set(values) - set(USER_FIELDS)
        if unknown:
            raise ValueError(f"unknown user fields: {sorted(unknown)}")
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{key} = excluded.{key}" for key in values if key != "user_id")
        with self.transaction() as db:
            db.execute(
                f"INSERT INTO users ({columns}) VALUES ({marks}) "
                f"ON CONFLICT (user_id) DO UPDATE SET {updates}",
                tuple(values.values()),
            )

    # -- history ---------------------------------------------------------------------------

    def append_history(self, user_id: str, entries: Iterable[tuple[datetime, str, str]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO history (user_id, ts, type, message) VALUES (?, ?, ?, ?)",
                [(user_id, _ts(ts), kind, message) for ts, kind, message in entries],
            )

    def history_count(self, user_id: str) -> int:
        found = self._query("SELECT count(*) FROM history WHERE user_id = ?", (user_id,))[0][0]
        return found + self._uncopied[0]

    def history_slice(self, user_id: str, offset: int, limit: int) -> list[dict[str, Any]]:
        offset -= self._uncopied[0]  # a scratch copy holds only the end of the history
        if offset < 0:
            limit, offset = max(0, limit + offset), 0
        rows = self._query(
            "SELECT ts, message, type FROM history WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [
            {"timestamp": _dt(row["ts"]), "message": row["message"], "type": row["type"]}
            for row in rows
        ]

    def turn_count(self, user_id: str) -> int:
        """How many times the listener has spoken to the DJ (their messages in the history)."""
        found = self._query(
            "SELECT count(*) FROM history WHERE user_id = ? AND type = 'user_message'", (user_id,)
        )[0][0]
        return found + self._uncopied[1]

    def recent_messages(self, user_id: str, count: int) -> list[str]:
        """The listener's own last ``count`` messages, oldest first."""
        rows = self._query(
            "SELECT message FROM history WHERE user_id = ? AND type = 'user_message' "
            "ORDER BY id DESC LIMIT ?",
            (user_id, count),
        )
        return [row[0] for row in reversed(rows)]

    # -- community -------------------------------------------------------------------------

    def connections(self, user_id: str) -> list[str]:
        rows = self._query(
            "SELECT friend_id FROM community WHERE user_id = ? ORDER BY since, friend_id",
            (user_id,),
        )
        return [row[0] for row in rows]

    def connect(self, user_id: str, friend_id: str, since: datetime) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO community (user_id, friend_id, since) VALUES (?, ?, ?)",
                (user_id, friend_id, _ts(since)),
            )

    def disconnect(self, user_id: str, friend_id: str) -> None:
        with self.transaction() as db:
            db.execute(
                "DELETE FROM community WHERE user_id = ? AND friend_id = ?", (user_id, friend_id)
            )

    # -- listening -------------------------------------------------------------------------

    def record_play(
        self,
        user_id: str,
        track_id: str,
        event: str,
        position: float | None,
        duration: float | None,
        at: datetime,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO plays (user_id, track_id, event, position, duration, ts) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, track_id, event, position, duration, _ts(at)),
            )

    def recent_plays(self, user_id: str, count: int) -> list[dict[str, Any]]:
        """The listener's last ``count`` listening events, newest first."""
        rows = self._query(
            "SELECT track_id, event, position, duration, ts FROM plays WHERE user_id = ? "
            "ORDER BY id DESC LIMIT ?",
            (user_id, count),
        )
        return [dict(row) | {"ts": _dt(row["ts"])} for row in rows]

    def taste(self, user_id: str) -> dict[tuple[str, str], tuple[float, float]]:
        """Learned evidence: (kind, key) -> (positive, negative) weights."""
        rows = self._query("SELECT kind, key, pos, neg FROM taste WHERE user_id = ?", (user_id,))
        return {(r["kind"], r["key"]): (r["pos"], r["neg"]) for r in rows}

    def add_taste(self, user_id: str, updates: Iterable[tuple[str, str, float, float]]) -> None:
        """Add evidence: rows of (kind, key, positive, negative)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO taste (user_id, kind, key, pos, neg) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, kind, key) DO UPDATE SET "
                "pos = pos + excluded.pos, neg = neg + excluded.neg",
                [(user_id, kind, key, pos, neg) for kind, key, pos, neg in updates],
            )

    # -- the listener owns their data -------------------------------------------------------

    def export_user(self, user_id: str) -> dict[str, Any] | None:
        """Everything stored about one listener, as plain JSON-ready data, read as one snapshot
        (the service may be writing meanwhile)."""
        with self._lock:
            if self._depth:
                return self._export(user_id)
            self._db.execute("BEGIN")
            try:
                return self._export(user_id)
            finally:
                with suppress(sqlite3.Error):
                    self._db.execute("COMMIT")

    def _export(self, user_id: str) -> dict[str, Any] | None:
        user = self.load_user(user_id)
        if user is None:
            return None
        for key in ("created_at", "last_seen", "mood_at"):
            user[key] = _ts(user[key])
        history = self._query(
            "SELECT ts, type, message FROM history WHERE user_id = ? ORDER BY id", (user_id,)
        )
        plays = self._query(
            "SELECT track_id, event, position, duration, ts FROM plays WHERE user_id = ? "
            "ORDER BY id",
            (user_id,),
        )
        taste = self._query(
            "SELECT kind, key, pos, neg FROM taste WHERE user_id = ? ORDER BY kind, key",
            (user_id,),
        )
        community = self._query(
            "SELECT friend_id, since FROM community WHERE user_id = ? ORDER BY since", (user_id,)
        )
        return {
            "profile": user,
            "community": [dict(row) for row in community],
            "history": [dict(row) for row in history],
            "listening": [dict(row) for row in plays],
            "taste": [dict(row) for row in taste],
        }

    def delete_user(self, user_id: str) -> bool:
        """Remove every trace of a listener, including others' links to them."""
        with self.transaction() as db:
            found = db.execute("DELETE FROM users WHERE user_id = ?", (user_id,)).rowcount
            for table in ("history", "plays", "taste"):
                db.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
            db.execute(
                "DELETE FROM community WHERE user_id = ? OR friend_id = ?", (user_id, user_id)
            )
        if self.path is not None:
            try:
                with self._lock:
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as error:  # committed: the old pages go at the next checkpoint
                log.warning("%s: could not checkpoint after a deletion: %s", self.path, error)
        return bool(found)

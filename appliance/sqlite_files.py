"""What the appliance's SQLite files share: telling damage from other errors, setting a damaged
file aside without overwriting anything, and salvaging the rows that can still be read into a
new file that takes the damaged one's place only once it is whole."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance.atomic import fsync_file, fsync_folder

SQLITE_MAGIC = b"SQLite format 3\x00"  # how every SQLite file begins
LARGEST_ROWID = 2**63 - 1


def is_damage(error: sqlite3.DatabaseError) -> bool:
    """True for a file that is corrupt or not a database; False for errors that pass (locked,
    I/O, permissions), which must never cost a file."""
    code = getattr(error, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or (
        code is None and ("not a database" in str(error) or "malformed" in str(error))
    )


class _PrivateCopy(sqlite3.Connection):
    """A connection to a private copy of a database; the copy goes when it closes."""

    scratch: str | None = None

    def close(self) -> None:
        super().close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def open_read_only(path: Path, **options: Any) -> sqlite3.Connection:
    """``path`` as it stands, with what its WAL holds, from a disk where nothing can be made
    (read-only or full: SQLite cannot create the -shm it needs to read a WAL there). An empty
    WAL: the file itself, ``immutable``; a WAL holding changes (a database never closed):
    a private copy of both in a temporary folder, removed when the connection closes (the file
    alone would be read as it was long ago). Nothing can be written through it either way."""
    import tempfile
    import urllib.parse

    wal = path.with_name(path.name + "-wal")
    if not (wal.exists() and wal.stat().st_size > 0):
        uri = f"file:{urllib.parse.quote(os.fsencode(path.absolute()))}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, **options)
    scratch = tempfile.mkdtemp(prefix="qfzz-read-")
    try:
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        connection = sqlite3.connect(copy, factory=_PrivateCopy, **options)
        connection.scratch = scratch
        connection.execute("PRAGMA query_only=1")
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return connection


def set_aside(path: Path, label: str, keep: bool = False) -> Path:
    """Give ``path`` and its WAL the name ``<name>.<label>-<timestamp>`` (never an existing
    file's); the new path. Raises OSError when the folder does not allow it.

    Both get their new names (hard links) before either loses its old one, and the WAL goes
    before the database: a crash half way never leaves the old WAL beside a new database (SQLite
    would replay it there). ``keep`` keeps the old names too: the caller replaces them later.
    The shared-memory index is only a cache of the WAL; it is dropped, never kept.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
        counter += 1
    wal = path.with_name(path.name + "-wal")
    pairs = [(path, aside)]
    if wal.exists():
        pairs.append((wal, aside.with_name(aside.name + "-wal")))
    made: list[Path] = []
    try:
        for old, new in pairs:
            os.link(old, new)
            made.append(new)
    except OSError:  # a disk without hard links (vfat): copies to keep, else renames, WAL first
        for new in made:
            new.unlink()
        for old, new in reversed(pairs):
            if keep:
                shutil.copyfile(old, new)
                fsync_file(new)
            else:
                old.rename(new)
    else:
        if not keep:
            for old, _ in reversed(pairs):
                old.unlink()
    if not keep:
        path.with_name(path.name + "-shm").unlink(missing_ok=True)
    fsync_folder(path.parent)
    return aside


def _salvaged_name(path: Path) -> Path:
    return path.with_name(path.name + ".salvaged")


def rebuild(
    path: Path,
    aside: Path,
    create: Callable[[sqlite3.Connection], None],
    tables: Sequence[str],
    check: Callable[[str, dict[str, object]], bool],
) -> list[Salvaged]:
    """Make ``path`` anew from what ``aside`` (its damaged copy) still gives up.

    The new file is built under a temporary name (``create`` makes its schema), synced and
    renamed ``<name>.salvaged`` once whole; :func:`finish_rebuild` then puts it in place. A crash
    before that leaves the damaged file where it was, so the next start salvages again; a crash
    after it is finished by the next start's :func:`finish_rebuild`. Raises sqlite3.Error or
    OSError (a full disk)."""
    building = path.with_name(path.name + ".salvaging")
    for stale in (building, building.with_name(building.name + "-journal")):
        stale.unlink(missing_ok=True)
    db = sqlite3.connect(str(building), isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = DELETE")  # one file: nothing left beside it
        db.execute("PRAGMA synchronous = FULL")
        create(db)
        found = salvage(aside, db, tables, check=check)
    finally:
        db.close()
    fsync_file(building)
    os.replace(building, _salvaged_name(path))
    fsync_folder(path.parent)
    finish_rebuild(path)
    return found


def finish_rebuild(path: Path) -> bool:
    """Put a whole salvaged file in the damaged one's place (its WAL goes first: it belongs to
    the damaged file); True when there was one. Run before opening ``path``."""
    salvaged = _salvaged_name(path)
    building = path.with_name(path.name + ".salvaging")
    if building.exists():  # cut short before it was whole: the damaged file is still in place
        building.unlink()
    if not salvaged.exists():
        return False
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(salvaged, path)
    fsync_folder(path.parent)
    return True


@dataclass(frozen=True)
class Salvaged:
    """What a salvage kept of one table; ``before`` is how many rows the damaged file still
    claimed (None when it could not even count them)."""

    table: str
    kept: int
    before: int | None

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.table} {self.kept} (how many there were cannot be read)"
        return f"{self.table} {self.kept} of {self.before}"


def _any_row(table: str, row: dict[str, object]) -> bool:
    return True


def salvage(
    damaged: Path,
    into: sqlite3.Connection,
    tables: Sequence[str],
    group: str = "user_id",
    check: Callable[[str, dict[str, object]], bool] = _any_row,
) -> list[Salvaged]:
    """Copy every row of ``tables`` that can still be read from the damaged file into ``into``
    (same schema), row by row, stepping over unreadable pages.

    Tables with rowids are walked by rowid, jumping past a page that cannot be read; a WITHOUT
    ROWID table that cannot be read whole is read again one ``group`` value at a time (the
    listeners found in the tables already salvaged). SQLite's own ``.recover`` would also read
    pages no table reaches any more, but it needs the ``sqlite_dbpage`` table, which Debian's
    sqlite3 (3.40.1, the Raspberry Pi's too) is built without: there it fails on every file.
    ``check(table, row)`` turns away rows the owner knows to be nonsense.
    """
    index = damaged.with_name(damaged.name + "-shm")  # reading may make one: not kept after
    made_index = not index.exists()
    try:
        source = sqlite3.connect(f"{damaged.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return [Salvaged(table, 0, None) for table in tables]
    found: list[Salvaged] = []
    try:
        into.execute("BEGIN IMMEDIATE")
        ordered = sorted(tables, key=lambda table: _without_rowid(into, table))
        for table in ordered:
            target = _Table(into, table, check)
            if _without_rowid(into, table):
                groups = _groups(into, [t for t in ordered if t != table], group)
                kept = _copy_by_key(source, target, group, groups)
            else:
                kept = _copy_by_rowid(source, target)
            found.append(Salvaged(table, kept, _count(source, table)))
        into.execute("COMMIT")
    except BaseException:
        if into.in_transaction:
            into.execute("ROLLBACK")
        raise
    finally:
        source.close()
        if made_index:
            index.unlink(missing_ok=True)
    return sorted(found, key=lambda item: list(tables).index(item.table))


def _without_rowid(db: sqlite3.Connection, table: str) -> bool:
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return bool(row) and "WITHOUT ROWID" in row[0].upper()


def _ask(source: sqlite3.Connection, sql: str) -> object:
    """One value from the damaged file, or None where the damage hides it."""
    try:
        return source.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return None


def _count(source: sqlite3.Connection, table: str) -> int | None:
    count = _ask(source, f"SELECT count(*) FROM {table}")
    return count if isinstance(count, int) else None


_TYPES: dict[str, tuple[type, ...]] = {
    "TEXT": (str,),
    "INTEGER": (int,),
    "REAL": (float, int),
    "BLOB": (bytes,),
}


class _Table:
    """How to put a salvaged row into one table: only rows whose values have the declared types
    (damage can turn a page into plausible-looking rows of noise) and that ``check`` accepts."""

    def __init__(
        self, into: sqlite3.Connection, name: str, check: Callable[[str, dict[str, object]], bool]
    ) -> None:
        info = list(into.execute(f"PRAGMA table_info({name})"))
        self.name = name
        self.columns = [row[1] for row in info]
        self.types = [(_TYPES.get(row[2].upper(), (object,)), bool(row[3])) for row in info]
        self.insert = (
            f"INSERT OR IGNORE INTO {name} ({', '.join(self.columns)}) "
            f"VALUES ({', '.join('?' * len(self.columns))})"
        )
        self.into = into
        self.check = check

    def put(self, row: Sequence[object]) -> int:
        for value, (types, required) in zip(row, self.types, strict=True):
            if value is None and not required:
                continue
            if not isinstance(value, types):
                return 0
        if not self.check(self.name, dict(zip(self.columns, row, strict=True))):
            return 0
        try:
            return self.into.execute(self.insert, tuple(row)).rowcount
        except sqlite3.IntegrityError:
            return 0


def _copy_by_rowid(source: sqlite3.Connection, target: _Table) -> int:
    """Walk the table by rowid; where reading fails, find the next rowid reading starts from
    (a page with a few bad cells still gives up its good rows one by one)."""
    table = target.name
    if _ask(source, f"SELECT count(*) FROM sqlite_master WHERE name = '{table}'") != 1:
        return 0  # the schema itself is unreadable, or the table was never there
    first, top = (_ask(source, f"SELECT {end}(rowid) FROM {table}") for end in ("min", "max"))
    if not isinstance(top, int):
        top = LARGEST_ROWID  # hidden by the damage: the search below still ends quickly
    columns = ", ".join(target.columns)
    query = f"SELECT rowid, {columns} FROM {table} WHERE rowid >= ? ORDER BY rowid"
    start = first if isinstance(first, int) else 1
    kept = 0
    while start <= top:
        progressed = False
        try:
            for row in source.execute(query, (start,)):
                start, progressed = row[0] + 1, True
                kept += target.put(row[1:])
            return kept
        except sqlite3.Error:
            if not progressed:
                start = _readable_after(source, query, start, top)
    return kept


def _readable_after(source: sqlite3.Connection, query: str, failed: int, top: int) -> int:
    """The first rowid after ``failed`` that reading can start from (``top + 1`` when none):
    steps that double until one reads, then halving back to the edge of the damage, so a
    damaged page hiding any number of rowids costs a few dozen probes, not one per rowid."""

    def reads(rowid: int) -> bool:
        try:
            source.execute(query, (rowid,)).fetchone()
        except sqlite3.Error:
            return False
        return True

    low, step = failed, 1
    while True:
        high = min(failed + step, top)
        if reads(high):
            break
        if high >= top:
            return top + 1
        low, step = high, step * 2
    while high - low > 1:
        middle = (low + high) // 2
        if reads(middle):
            high = middle
        else:
            low = middle
    return high


def _groups(into: sqlite3.Connection, tables: Iterable[str], group: str) -> list[str]:
    found: set[str] = set()
    for table in tables:
        columns = [row[1] for row in into.execute(f"PRAGMA table_info({table})")]
        if group in columns:
            for (value,) in into.execute(f"SELECT DISTINCT {group} FROM {table}"):
                if isinstance(value, str):
                    found.add(value)
    return sorted(found)


def _copy_by_key(
    source: sqlite3.Connection, target: _Table, group: str, groups: Sequence[str]
) -> int:
    select = f"SELECT {', '.join(target.columns)} FROM {target.name}"
    kept = 0
    try:
        for row in source.execute(select):
            kept += target.put(row)
        return kept
    except sqlite3.Error:
        pass
    for value in groups:  # read again around the damage, one listener at a time
        try:
            for row in source.execute(f"{select} WHERE {group} = ?", (value,)):
                kept += target.put(row)
        except sqlite3.Error:
            continue
    return kept

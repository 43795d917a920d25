"""What the appliance's SQLite files share: telling damage from other errors, setting a damaged
file aside without overwriting anything, and salvaging the rows that can still be read."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# rowids stepped over one by one past an unreadable page before a table is given up, when the
# damaged file cannot even say its largest rowid
MAX_ROWID_GAP = 20_000


def is_damage(error: sqlite3.DatabaseError) -> bool:
    """True for a file that is corrupt or not a database; False for errors that pass (locked,
    I/O, permissions), which must never cost a file."""
    code = getattr(error, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or (
        code is None and ("not a database" in str(error) or "malformed" in str(error))
    )


def set_aside(path: Path, label: str) -> Path:
    """Rename ``path`` and its WAL companions to ``<name>.<label>-<timestamp>`` (never onto an
    existing file); the new path. Raises OSError when the folder does not allow it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
        counter += 1
    path.rename(aside)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    return aside


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
    """Walk the table by rowid; past an unreadable page, probe on one rowid at a time (a page
    with a few bad cells still gives up its good rows one by one)."""
    table = target.name
    if _ask(source, f"SELECT count(*) FROM sqlite_master WHERE name = '{table}'") != 1:
        return 0  # the schema itself is unreadable, or the table was never there
    first, top = (_ask(source, f"SELECT {end}(rowid) FROM {table}") for end in ("min", "max"))
    columns = ", ".join(target.columns)
    query = f"SELECT rowid, {columns} FROM {table} WHERE rowid >= ? ORDER BY rowid"
    start = first if isinstance(first, int) else 1
    kept = last_good = 0
    while True:
        progressed = False
        try:
            for row in source.execute(query, (start,)):
                start, last_good, progressed = row[0] + 1, row[0], True
                kept += target.put(row[1:])
            return kept
        except sqlite3.Error:
            if not progressed:
                start += 1
            limit = last_good + MAX_ROWID_GAP
            if isinstance(top, int):
                limit = min(limit, top)
            if start > limit:
                return kept


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

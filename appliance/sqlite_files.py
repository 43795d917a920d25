"""What the appliance's SQLite files share: telling damage from other errors, setting a damaged
file aside without overwriting anything."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


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

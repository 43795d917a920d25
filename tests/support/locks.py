"""Another process holding the write lock on an SQLite file, as `appliance profile delete` or a
person's sqlite3 shell does while the service runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


def hold_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    """A child process that holds the write lock on ``db`` (in WAL mode: no other writer, and
    no checkpoint) for ``seconds``; it has the lock when this returns. Wait for it or kill it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    except BaseException:
        holder.kill()
        holder.wait()
        raise
    return holder

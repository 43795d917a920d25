"""The DJ's store under stress: kill -9 mid-write, a damaged file, a file that is not ours."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.store import Store
from appliance.errors import StoreError
from tests.support.locks import hold_lock

WRITER = """
import sys
from appliance.dj import PersonalizedDJ
dj = PersonalizedDJ(db_path=sys.argv[1])
dj.greet_user("alex", "Alex")
dj.interact("alex", "hello")
print("ready", flush=True)
i = 0
while True:
    dj.interact("alex", f"i love jazz number {i}")
    dj.record_event("alex", f"track-{i}", "completed", 30.0, 30.0)
    print(i, flush=True)
    i += 1
"""


def test_kill_9_in_the_middle_of_writing_loses_nothing_committed(tmp_path: Path) -> None:
    for attempt in range(2):
        db = tmp_path / f"dj-{attempt}.db"
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        try:
            assert proc.stdout.readline().strip() == "ready"
            done = [int(proc.stdout.readline()) for _ in range(3 + 7 * attempt)]
            time.sleep(0.01 * attempt)
            os.kill(proc.pid, signal.SIGKILL)
            done += [int(line) for line in proc.stdout.read().split()]  # printed before it died
        finally:
            proc.kill()
            proc.wait(timeout=10)

        with sqlite3.connect(db) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dj = PersonalizedDJ(db_path=db)
        profile = dj.user_profiles["alex"]
        history = list(profile.interaction_history)
        turns = len(history) // 2
        assert turns > 1
        assert len(history) % 2 == 0, "a turn is recorded whole or not at all"
        assert [e["type"] for e in history[:2]] == ["user_message", "dj_response"]
        assert profile.trust_score == pytest.approx(min(1.0, 0.5 + 0.01 * turns))
        plays = dj.export_profile("alex")["listening"]  # type: ignore[index]
        assert turns - 2 <= len(plays) <= turns - 1  # the first turn was a greeting
        said = {entry["message"] for entry in history}
        played = {play["track_id"] for play in plays}
        for i in done:  # every loop it acknowledged is there
            assert f"i love jazz number {i}" in said and f"track-{i}" in played
        dj.close()


def test_a_damaged_file_is_moved_aside_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "dj.db"
    dj = PersonalizedDJ(db_path=db)
    for i in range(200):
        dj.interact("alex", f"message {i} " + "x" * 200)
    dj.close()
    data = bytearray(db.read_bytes())
    for offset in range(4096, len(data), 4096):  # scribble over every page but the header
        data[offset + 100 : offset + 400] = os.urandom(300)
    db.write_bytes(bytes(data))
    original = bytes(data)

    with caplog.at_level(logging.ERROR, logger="appliance.dj.store"):
        store = Store(db)
    assert store.recovery is not None  # it opened, with whatever could be read
    (line,) = [r.getMessage() for r in caplog.records]
    assert "was damaged" in line and "users" in line and "history" in line
    aside = [p for p in tmp_path.iterdir() if ".damaged-" in p.name and not p.name.endswith("-wal")]
    assert len(aside) == 1
    assert aside[0].read_bytes() == original, "the damaged copy is kept as it was"
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


@pytest.fixture(scope="module")
def many_listeners(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real dj.db with 300 listeners: preferences, a turn each, five liked tracks each."""
    db = tmp_path_factory.mktemp("many") / "dj.db"
    dj = PersonalizedDJ(db_path=db)
    with dj.store.transaction():  # one commit: quick to build
        for i in range(300):
            user = f"listener-{i:03d}"
            dj.update_preferences(user, ["jazz", f"style {i}"])
            dj.interact(user, "i love bossa nova")
            for track in range(5):
                dj.record_event(user, f"track-{i}-{track}", "liked")
    dj.close()
    return db


def _corrupt_a_middle_page(db: Path, table: str) -> int:
    """Overwrite one leaf page in the middle of ``table``'s b-tree; its page number."""
    with sqlite3.connect(db) as raw:
        pages = [
            row[0]
            for row in raw.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                (table,),
            )
        ]
        size = raw.execute("PRAGMA page_size").fetchone()[0]
    assert len(pages) >= 3, pages
    page = pages[len(pages) // 2]
    with db.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(os.urandom(size))
    return page


@pytest.mark.parametrize("table", ["users", "history", "taste"])
def test_one_damaged_page_costs_only_the_rows_on_it(
    many_listeners: Path, tmp_path: Path, table: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "dj.db"
    shutil.copyfile(many_listeners, db)
    _corrupt_a_middle_page(db, table)

    with caplog.at_level(logging.ERROR, logger="appliance.dj.store"):
        dj = PersonalizedDJ(db_path=db)
    kept = {item.table: item for item in dj.store.recovery or []}
    total = {"users": 300, "history": 600, "taste": 1500}[table]
    assert 0.8 * total <= kept[table].kept < total  # one page lost, most rows back
    assert f"{table} {kept[table].kept}" in caplog.records[0].getMessage()
    listeners = set(dj.user_profiles)
    assert len(listeners) >= 240
    for other in {"users", "history", "taste", "plays"} - {table}:
        assert kept[other].kept == kept[other].before  # untouched tables come back whole
    some = dj.user_profiles[sorted(listeners)[-1]]
    assert some.music_preferences[0] == "jazz"
    dj.interact(some.user_id, "hello")  # and the DJ carries on with them
    dj.close()
    assert len([p for p in tmp_path.iterdir() if ".damaged-" in p.name]) >= 1


def test_a_file_that_is_not_a_database_is_refused_and_untouched(tmp_path: Path) -> None:
    db = tmp_path / "dj.db"
    db.write_text("my shopping list\n")
    with pytest.raises(StoreError) as error:
        PersonalizedDJ(db_path=db)
    assert "not a QFZZ database" in str(error.value)
    assert error.value.hint
    assert db.read_text() == "my shopping list\n"


def test_another_programs_database_is_refused_and_untouched(tmp_path: Path) -> None:
    db = tmp_path / "dj.db"
    with sqlite3.connect(db) as other:
        other.execute("CREATE TABLE recipes (name TEXT)")
        other.execute("INSERT INTO recipes VALUES ('soup')")
    before = db.read_bytes()
    with pytest.raises(StoreError) as error:
        Store(db)
    assert "another program" in str(error.value)
    assert db.read_bytes() == before


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "dj.db"
    Store(db).close()
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError) as error:
        Store(db)
    assert "newer version" in str(error.value)


def test_memory_store_needs_no_file(tmp_path: Path) -> None:
    dj = PersonalizedDJ()
    dj.interact("alex", "hello")
    assert list(tmp_path.iterdir()) == []
    assert dj.store.path is None


CRASHING_RECOVERY = """
import os, sys
import appliance.dj.store as store
import appliance.sqlite_files as files

def crash(*args, **kwargs):
    os._exit(7)

for module in (files, store):  # wherever recovery looks the step up
    if hasattr(module, sys.argv[2]):
        setattr(module, sys.argv[2], crash)
store.Store(sys.argv[1])
"""


@pytest.mark.parametrize("step", ["salvage", "finish_rebuild"])
def test_a_crash_during_recovery_loses_no_listener(
    many_listeners: Path, tmp_path: Path, step: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The power goes while the rows of a damaged file are being saved (salvage), or once the
    new file is whole but not yet in place (finish_rebuild): the next start still has them."""
    db = tmp_path / "dj.db"
    shutil.copyfile(many_listeners, db)
    _corrupt_a_middle_page(db, "history")
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_RECOVERY, str(db), step], timeout=60, check=False
    )
    assert crashed.returncode == 7
    with caplog.at_level(logging.WARNING, logger="appliance.dj.store"):
        store = Store(db)
    assert len(store.user_ids()) >= 240
    assert store.history_count("listener-299") + store.history_count("listener-000") >= 2
    store.close()
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    left = sorted(p.name for p in tmp_path.iterdir() if ".salvag" in p.name)
    assert left == []


def _spaced_history(db: Path, gap: int, rows: int = 600) -> None:
    """A store whose history rowids start at ``gap`` and step by ``gap``: a page of it holds
    a dozen rows and hides a dozen times ``gap`` rowids."""
    store = Store(db)
    store.save_user(user_id="alex", name="Alex", trust=0.5, created_at=datetime(2026, 1, 1))
    with store.transaction() as raw:
        raw.executemany(
            "INSERT INTO history (id, user_id, ts, type, message) VALUES (?, 'alex', ?, ?, ?)",
            [
                (gap * (i + 1), "2026-01-01 10:00:00", "user_message", "x" * 300)
                for i in range(rows)
            ],
        )
    store.close()


def _corrupt_leaf(db: Path, first: bool) -> None:
    """Overwrite history's first leaf page (in rowid order), or one in the middle."""
    with sqlite3.connect(db) as raw:
        leaves = [
            row[0]
            for row in raw.execute(
                "SELECT pageno FROM dbstat WHERE name = 'history' AND pagetype = 'leaf' "
                "ORDER BY path"
            )
        ]
        size = raw.execute("PRAGMA page_size").fetchone()[0]
    page = leaves[0] if first else leaves[len(leaves) // 2]
    with db.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(os.urandom(size))


@pytest.mark.parametrize("first", [True, False], ids=["first-page", "middle-page"])
def test_salvage_finds_rows_past_a_damaged_page_hiding_many_rowids(
    tmp_path: Path, first: bool
) -> None:
    db = tmp_path / "dj.db"
    _spaced_history(db, gap=5_000)
    _corrupt_leaf(db, first)
    store = Store(db)
    kept = {item.table: item.kept for item in store.recovery or []}
    assert 600 - 20 <= kept["history"] < 600  # one page lost, every other row back
    assert store.history_count("alex") == kept["history"]
    store.close()


def test_closing_never_waits_for_another_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appliance.dj import store as module

    monkeypatch.setattr(module, "BUSY_TIMEOUT_MS", 60_000)  # a write would wait a minute
    db = tmp_path / "dj.db"
    store = Store(db)
    store.save_user(user_id="alex", name="Alex", trust=0.5, created_at=datetime(2026, 1, 1))
    holder = hold_lock(db, 30.0)
    try:
        started = time.monotonic()
        store.close()
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert waited < 10  # the checkpoint is left for later rather than waited for
    again = Store(db)
    assert again.load_user("alex") is not None
    again.close()


class _Crash(Exception):
    pass


@pytest.mark.parametrize("steps", range(1, 6))
def test_setting_aside_never_leaves_a_wal_without_its_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, steps: int
) -> None:
    """The power goes after any one file operation of set_aside: a WAL must never be left
    where a new database would be made beside it (SQLite would replay it there)."""
    from appliance.sqlite_files import set_aside

    db = tmp_path / "dj.db"
    dj = PersonalizedDJ(db_path=db)
    dj.store._db.execute("PRAGMA wal_autocheckpoint = 0")
    dj.interact("alex", "i love jazz")
    wal = tmp_path / "dj.db-wal"
    assert wal.stat().st_size > 0
    done = 0

    def counted(real):  # type: ignore[no-untyped-def]
        def operation(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal done
            if done == steps:
                raise _Crash
            done += 1
            return real(*args, **kwargs)

        return operation

    for name in ("link", "rename", "unlink", "replace"):
        monkeypatch.setattr(os, name, counted(getattr(os, name)))
    with pytest.raises(_Crash):
        set_aside(db, "damaged")
        raise _Crash  # it finished within ``steps`` operations: fine too
    monkeypatch.undo()
    assert db.exists() or not wal.exists()
    dj.close()

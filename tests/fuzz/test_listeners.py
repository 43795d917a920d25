"""Listeners' data under fault: kill -9 in the middle of every kind of DJ write, full and
read-only disks for `chat` and `profile`, and whatever bytes a keyboard can send.

Every write a child process acknowledges (prints) must be in dj.db after it is killed, and the
file must stay sound; every failing command must end in a message, never a traceback.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.dj import PersonalizedDJ
from appliance.dj.said import MAX_SAID
from tests.fuzz.conftest import fuzz_rounds
from tests.support.disks import fill, make_read_only, mounted_tmpfs

pytestmark = pytest.mark.fuzz

WRITER = """
import random, sys
from pathlib import Path
from appliance.atomic import write_atomically
from appliance.dj import PersonalizedDJ
import json

db, exports, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
dj = PersonalizedDJ(db_path=db, seed=seed)
print("ready", flush=True)
n = 0
while True:
    n += 1
    user = rng.choice(["alex", "sam"])
    kind = rng.choice(["turn", "like", "pref", "delete", "export"])
    if kind == "turn":
        dj.interact(user, f"i love jazz number {n}")
        print("turn", user, n, flush=True)
    elif kind == "like":
        dj.record_event(user, f"track-{n}", "liked")
        print("like", user, n, flush=True)
    elif kind == "pref":
        dj.update_preferences(user, [f"style {n}"])
        print("pref", user, n, flush=True)
    elif kind == "delete":
        gone = f"gone-{n}"
        dj.interact(gone, "hello")
        dj.record_event(gone, "track-x", "liked")
        dj.add_to_community(user, gone)
        dj.delete_profile(gone)
        print("delete", gone, n, flush=True)
    else:
        data = dj.export_profile(user)
        if data is not None:
            write_atomically(exports / f"{user}-{n}.json", json.dumps(data).encode())
            print("export", user, n, flush=True)
"""


def _run_and_kill(db: Path, exports: Path, seed: int) -> list[list[str]]:
    """Start a writer, let it acknowledge a random number of writes, kill -9 it mid-write."""
    rng = random.Random(seed)
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(exports), str(seed)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline() == "ready\n"
        acknowledged = []
        for _ in range(rng.randint(5, 60)):
            acknowledged.append(child.stdout.readline().split())
        os.kill(child.pid, signal.SIGKILL)
        acknowledged += [line.split() for line in child.stdout.read().splitlines()]
    finally:
        child.kill()
        child.wait(timeout=10)
    return [line for line in acknowledged if len(line) == 3]


def test_kill_9_during_every_kind_of_dj_write_loses_nothing_acknowledged(tmp_path: Path) -> None:
    for round_ in range(fuzz_rounds(1, 60)):
        db = tmp_path / f"dj-{round_}.db"
        exports = tmp_path / f"exports-{round_}"
        exports.mkdir()
        acknowledged = _run_and_kill(db, exports, seed=round_)
        assert acknowledged

        with sqlite3.connect(db) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dj = PersonalizedDJ(db_path=db)
        assert dj.store.recovery is None  # nothing had to be recovered
        data = {user: dj.export_profile(user) for user in ("alex", "sam")}
        for kind, who, n in acknowledged:
            if kind == "turn":
                said = [row["message"] for row in data[who]["history"]]  # type: ignore[index]
                assert f"i love jazz number {n}" in said
            elif kind == "like":
                plays = data[who]["listening"]  # type: ignore[index]
                assert {"track_id": f"track-{n}", "event": "liked"}.items() <= next(
                    p for p in plays if p["track_id"] == f"track-{n}"
                ).items()
            elif kind == "pref":
                assert f"style {n}" in data[who]["profile"]["preferences"]  # type: ignore[index]
            elif kind == "delete":
                assert who not in dj.user_profiles
                for table in ("history", "plays", "taste"):
                    rows = dj.store._query(f"SELECT 1 FROM {table} WHERE user_id = ?", (who,))
                    assert not rows, (table, who)
                assert not dj.store._query("SELECT 1 FROM community WHERE friend_id = ?", (who,))
            else:
                export = json.loads((exports / f"{who}-{n}.json").read_text())
                assert export["profile"]["user_id"] == who
        for leftover in exports.iterdir():  # an export is whole or absent, never half
            if leftover.suffix == ".json":
                json.loads(leftover.read_text())
        dj.close()


# -- typed lines ----------------------------------------------------------------------------------

_TYPED = st.one_of(
    st.text(),
    st.binary(max_size=300).map(lambda raw: raw.decode("utf-8", "surrogateescape")),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=5),
    st.builds(lambda text, n: text * n, st.text(min_size=1, max_size=5), st.integers(1, 3000)),
)


@pytest.fixture(scope="module")
def one_dj() -> Iterator[PersonalizedDJ]:
    dj = PersonalizedDJ(seed=1)
    yield dj
    dj.close()


@given(typed=_TYPED)
def test_anything_typed_gets_an_answer_and_is_kept_as_valid_short_text(
    one_dj: PersonalizedDJ, typed: str
) -> None:
    user = f"listener-{len(one_dj.user_profiles)}"
    reply = one_dj.respond(user, typed)
    assert reply.text
    (kept,) = one_dj.store.recent_messages(user, 5)
    assert len(kept) <= MAX_SAID
    kept.encode("utf-8")  # no lone surrogates: SQLite took it, and so can any reader


# -- `appliance chat` and `appliance profile` on bad disks ---------------------------------------


def appliance(
    *args: str, data: Path, stdin: bytes = b"", encoding: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "APPLIANCE_DATA_DIR": str(data)}
    if encoding is not None:
        env["PYTHONIOENCODING"] = encoding
    return subprocess.run(
        [sys.executable, "-m", "appliance", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def chat_config(tmp_path: Path) -> Path:
    from tests.support import music

    folder = tmp_path / "music"
    music.write(folder / "Jazz Artist" / "tune.wav", music.signal(3.0, freq=660.0))
    music.tag(folder / "Jazz Artist" / "tune.wav", title="Tune", artist="Jazz Artist", genre="Jazz")
    config = tmp_path / "config.toml"
    config.write_text(
        '[station]\nlog_level = "warning"\n[dj]\ncommentary = 0.0\n'
        f'[library]\nmusic_folders = ["{folder}"]\n'
    )
    return config


def _replies(done: subprocess.CompletedProcess[bytes]) -> list[str]:
    out = done.stdout.decode("utf-8")
    return [line for line in out.splitlines() if line.startswith("DJ Quantum: ")]


# a terminal in a UTF-8 locale such as en_GB.UTF-8 decodes strictly; the C locales do not
@pytest.mark.parametrize("encoding", ["utf-8:strict", None])
def test_chat_reads_bytes_that_are_not_utf8(
    chat_config: Path, tmp_path: Path, encoding: str | None
) -> None:
    data = tmp_path / "data"
    typed = b"hello\nplay some jazz \xe9\xff\xfe\n\xc3\x28 what's playing\n"
    done = appliance(
        "chat", "--user=alex", f"--config={chat_config}", data=data, stdin=typed, encoding=encoding
    )
    assert done.returncode == 0, done.stderr
    assert len(_replies(done)) == 3, done.stdout
    assert b"Traceback" not in done.stderr
    dj = PersonalizedDJ(db_path=data / "dj.db")
    said = [e["message"] for e in dj.user_profiles["alex"].interaction_history][::2]
    assert said[1] == "play some jazz \ufffd\ufffd\ufffd"
    dj.close()


@pytest.fixture
def full_data_disk(tmp_path: Path, chat_config: Path) -> Iterator[Path]:
    """A data folder that has met alex and sam, then filled its disk to the last byte."""
    with mounted_tmpfs(tmp_path / "disk", size="2m") as disk:
        data = disk / "data"
        first = appliance(
            "chat", "--user", "alex", "--config", str(chat_config), data=data, stdin=b"hello\n"
        )
        assert first.returncode == 0, first.stderr
        dj = PersonalizedDJ(db_path=data / "dj.db")
        dj.interact("sam", "i love jazz")
        dj.close()
        fill(disk)
        yield data


def test_chat_on_a_full_disk_says_so(full_data_disk: Path, chat_config: Path) -> None:
    done = appliance(
        "chat", "--user", "alex", "--config", str(chat_config), data=full_data_disk, stdin=b"hi\n"
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    assert done.returncode == 1 and b"appliance: error:" in done.stderr


def test_chat_goes_on_when_the_disk_fills_up(tmp_path: Path, chat_config: Path) -> None:
    with mounted_tmpfs(tmp_path / "disk", size="2m") as disk:
        chat = subprocess.Popen(
            [sys.executable, "-m", "appliance", "chat", "--user=alex", f"--config={chat_config}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "APPLIANCE_DATA_DIR": str(disk / "data")},
        )
        assert chat.stdin is not None and chat.stdout is not None
        try:
            lines = _lines_of(chat.stdout)

            def say(line: bytes) -> str:
                chat.stdin.write(line + b"\n")  # type: ignore[union-attr]
                chat.stdin.flush()  # type: ignore[union-attr]
                return lines.get(timeout=30).decode()  # a hung chat fails, never freezes

            assert say(b"hello").startswith("DJ Quantum: Hey")  # a new listener, known by id alone
            fill(disk)
            replies = [say(line) for line in (b"play some jazz", b"i love this", b"what's up")]
            replies += [say(b"i love bossa nova " * 25) for _ in range(10)]
            chat.stdin.close()
            assert chat.wait(timeout=30) == 0
            errors = chat.stderr.read().decode()  # type: ignore[union-attr]
        finally:
            if chat.poll() is None:
                chat.kill()
                chat.wait()
        assert all(reply.startswith("DJ Quantum: ") for reply in replies), replies
        # The DJ says it once per outage and logs one line for it (and one when a write gets
        # through again). The library's background analysis shares the full disk: when it
        # gives its space back a turn may be saved, and the next outage is a new one.
        outages = errors.count("cannot save turns (database or disk is full)")
        assert 1 <= outages <= 2, errors
        assert sum("can't save anything" in reply for reply in replies) == outages, replies
        dj_lines = [line for line in errors.splitlines() if "appliance.dj.engine" in line]
        assert all("cannot save turns" in line or "saved again" in line for line in dj_lines)
        assert "appliance/dj/" not in errors, errors


def _lines_of(stream: IO[bytes]) -> queue.Queue[bytes]:
    """The lines a child writes, read by a thread: a test waits for each with a timeout."""
    lines: queue.Queue[bytes] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_profile_commands_on_a_full_disk(
    full_data_disk: Path, tmp_path: Path, chat_config: Path
) -> None:
    out = full_data_disk.parent / "sam.json"  # the full disk
    done = appliance("profile", "export", "sam", "-o", str(out), data=full_data_disk)
    assert done.returncode == 1
    assert b"No space left" in done.stderr and b"Traceback" not in done.stderr
    assert not out.exists()
    assert [p.name for p in full_data_disk.parent.iterdir() if p.name.endswith(".tmp")] == []

    done = appliance("profile", "export", "sam", "-o", str(tmp_path), data=full_data_disk)
    assert done.returncode == 0, done.stderr  # reading needs no space
    assert json.loads((tmp_path / "sam.json").read_text())["profile"]["user_id"] == "sam"

    done = appliance("profile", "delete", "sam", "--yes", data=full_data_disk)
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    assert done.returncode == 0 or b"nothing was deleted" in done.stderr, done.stderr.decode()
    (full_data_disk.parent / ".filler").unlink()
    dj = PersonalizedDJ(db_path=full_data_disk / "dj.db")
    assert ("sam" in dj.user_profiles) == (done.returncode != 0)  # deleted, or said why not
    assert "alex" in dj.user_profiles
    dj.close()


def test_chat_and_profile_on_a_read_only_disk(
    tmp_path: Path,
    chat_config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from appliance.cli import main

    with mounted_tmpfs(tmp_path / "card", size="8m") as card:
        data = card / "data"
        dj = PersonalizedDJ(db_path=data / "dj.db")
        dj.interact("alex", "hello")
        dj.close()
        make_read_only(card)

        done = appliance(  # the whole command, as a terminal runs it
            "chat", "--user", "alex", "--config", str(chat_config), data=data, stdin=b"hi\n"
        )
        assert b"Traceback" not in done.stderr, done.stderr.decode()
        assert done.returncode == 1 and b"appliance: error:" in done.stderr

        monkeypatch.setenv("APPLIANCE_DATA_DIR", str(data))
        assert main(["profile", "export", "alex"]) == 0
        assert json.loads(capsys.readouterr().out)["profile"]["user_id"] == "alex"

        assert main(["profile", "export", "alex", "-o", str(card / "alex.json")]) == 1
        err = capsys.readouterr().err
        assert "Read-only file system" in err and "Traceback" not in err

        assert main(["profile", "delete", "alex", "--yes"]) == 1
        err = capsys.readouterr().err
        assert "read-only" in err and "nothing was deleted" in err and "Traceback" not in err


def test_the_ledger_survives_a_full_disk(small_disk: Path) -> None:
    from appliance.ledger import Ledger

    ledger = Ledger(small_disk / "ledger.jsonl")
    ledger.append("trust", {"user_id": "alex", "trust": 0.51})
    fill(small_disk)
    failures = 0
    for i in range(fuzz_rounds(20, 500)):  # each line a different size: some fit, some half
        try:
            ledger.append("trust", {"user_id": "alex", "note": "x" * (i * 37 % 900)})
        except OSError:
            failures += 1
    assert failures
    assert ledger.verify() is None  # no line left cut short
    (small_disk / ".filler").unlink()
    ledger.append("community_join", {"user_id": "alex", "friend_id": "sam"})
    assert ledger.verify() is None
    assert Ledger(ledger.path).entries()[-1].kind == "community_join"


def test_opening_on_a_full_disk_says_the_disk_is_full(small_disk: Path) -> None:
    from appliance.dj.store import Store
    from appliance.errors import StoreError

    dj = PersonalizedDJ(db_path=small_disk / "dj.db")
    dj.interact("alex", "hello")
    dj.close()
    fill(small_disk)
    for name in ("dj.db", "new.db"):  # an existing database, and a first start
        with pytest.raises(StoreError) as caught:
            Store(small_disk / name)
        assert "the disk holding it is full" in str(caught.value)
        assert caught.value.hint and "free some space" in caught.value.hint


# -- damaged files --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listeners_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real dj.db: 120 listeners with preferences, two turns and three liked tracks each."""
    db = tmp_path_factory.mktemp("listeners") / "dj.db"
    dj = PersonalizedDJ(db_path=db)
    with dj.store.transaction():
        for i in range(120):
            user = f"listener-{i:03d}"
            dj.update_preferences(user, ["jazz"])
            dj.interact(user, "i love bossa nova")
            dj.interact(user, "hello " * 30)
            for track in range(3):
                dj.record_event(user, f"track-{i}-{track}", "liked")
    dj.close()
    return db


@settings(max_examples=fuzz_rounds(12, 1000))
@given(data=st.data())
def test_any_damaged_pages_cost_only_their_rows(listeners_db: Path, data: st.DataObject) -> None:
    import shutil
    import tempfile

    from appliance.dj.store import Store
    from appliance.errors import StoreError

    original = listeners_db.read_bytes()
    pages = len(original) // 4096
    hits = data.draw(st.lists(st.integers(2, pages), min_size=1, max_size=4, unique=True))
    damaged = bytearray(original)
    for page in hits:
        start = (page - 1) * 4096 + data.draw(st.integers(0, 4000))
        size = data.draw(st.integers(1, 4096))
        damaged[start : start + size] = random.Random(page).randbytes(len(damaged[start:][:size]))
    folder = Path(tempfile.mkdtemp())
    try:
        db = folder / "dj.db"
        db.write_bytes(bytes(damaged))
        try:
            store = Store(db)
        except StoreError as error:  # only when the schema itself is gone: said, not raised raw
            assert "damaged" in str(error) or "not" in str(error)
            return
        for item in store.recovery or []:
            assert item.before is None or item.kept <= item.before
        users = store.user_ids()
        assert len(users) <= 120
        store.close()
        if store.recovery is not None:  # the rebuilt file is sound (quick_check, which a start
            # runs, misses some one-byte damage: such a file is taken as it is)
            with sqlite3.connect(db) as check:
                assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dj = PersonalizedDJ(db_path=db)  # the DJ goes on with whoever is left
        dj.interact(users[0] if users else "alex", "play some jazz")
        dj.close()
        asides = [p for p in folder.iterdir() if ".damaged-" in p.name and p.suffix != ".db-wal"]
        if store.recovery is not None:
            assert any(p.read_bytes() == bytes(damaged) for p in asides)
    finally:
        shutil.rmtree(folder)

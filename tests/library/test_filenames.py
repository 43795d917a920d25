"""File names that are not UTF-8 (or hold control characters) survive scan, index, search and
the command line's output, byte for byte where it matters and printable where it is shown."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.library import Library
from appliance.library.database import SCHEMA_VERSION
from appliance.library.filenames import readable, shown
from tests.library.conftest import Samples

# Kinds of names found on old USB sticks and copies from Windows, as the disk has them.
BAD_NAMES = [
    b"x\xe9y.mp3",  # Latin-1
    b"\xed\xa0\x80 folder/Caf\xe9 Song.flac",  # a lone surrogate encoded in a folder's name
    b"line\nbreak \x1b[31mred.ogg",  # valid UTF-8, with a newline and an escape sequence
    b"\xff\xfe\x80.wav",  # no text at all
]


def make_bad_library(samples: Samples, root: Path) -> list[bytes]:
    """Good files and ``BAD_NAMES``; the absolute bytes of every bad file."""
    for fmt in ("mp3", "flac"):
        samples.copy(samples.tagged(fmt), root / "good" / f"song.{fmt}")
    made = []
    for name in BAD_NAMES:
        fmt = name.rsplit(b".", 1)[1].decode()
        target = os.fsencode(root) + b"/" + name
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(samples.untagged(fmt), "rb") as source, open(target, "wb") as out:
            out.write(source.read())
        made.append(target)
    return made


def test_every_name_survives_scan_index_and_search(samples: Samples, tmp_path: Path) -> None:
    made = make_bad_library(samples, tmp_path / "music")
    with Library(tmp_path / "library.db") as library:
        report = library.scan([tmp_path / "music"], progress=False)
        assert (report.added, report.errors) == (6, [])
        paths = {os.fsencode(track.path) for track in library.tracks()}
        assert set(made) <= paths
        titles = {track.title for track in library.tracks()}
        assert {"x\ufffdy", "Caf\ufffd Song", "line break [31mred"} <= titles
        for title in titles:
            title.encode("utf-8")  # printable, storable, speakable
            assert "\n" not in title and "\x1b" not in title
        found = library.search("Caf Song", limit=1)
        assert [os.fsencode(track.path) for track in found] == [made[1]]
        assert library.scan([tmp_path / "music"], progress=False).unchanged == 6
        assert library.analyse() == 6 and library.stats().errors == 0
    with Library(tmp_path / "library.db") as again:  # stored exactly, read back exactly
        assert set(made) <= {os.fsencode(track.path) for track in again.tracks()}


def test_the_command_line_prints_such_names_escaped(samples: Samples, tmp_path: Path) -> None:
    music = tmp_path / "music"
    make_bad_library(samples, music)
    bad_file = os.fsencode(music) + b"/broken \xe9.mp3"
    with open(bad_file, "wb") as out:
        out.write(b"not audio" * 100)
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}

    def appliance(*argv: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "appliance", "library", *argv],
            capture_output=True, env=env, timeout=120, check=False,
        )  # fmt: skip

    scan = appliance("scan", str(music))
    assert scan.returncode == 0, scan.stderr.decode(errors="replace")
    out = scan.stdout.decode("utf-8")  # strict: everything printed is UTF-8
    assert "6 added" in out and "1 not indexed" in out
    assert "broken \\xe9.mp3: corrupt or not MP3" in out
    assert b"Traceback" not in scan.stderr

    stats = appliance("stats")
    assert stats.returncode == 0 and "broken \\xe9.mp3" in stats.stdout.decode("utf-8")
    assert json.loads(appliance("stats", "--json").stdout)["tracks"] == 6

    search = appliance("search", "line break red")
    text = search.stdout.decode("utf-8")
    assert search.returncode == 0 and "line\\nbreak \\x1b[31mred.ogg" in text
    assert "\x1b" not in text and text.count("\n") == 1
    latin = appliance("search", "xy", "--limit", "10")
    assert "x\\xe9y.mp3" in latin.stdout.decode("utf-8")


def test_a_bad_name_no_longer_stops_a_scan_halfway(samples: Samples, tmp_path: Path) -> None:
    """The scan went as far as the first such name and stopped there for good."""
    music = tmp_path / "music"
    for number in range(30):
        samples.copy(samples.tagged("ogg"), music / f"{number:02d} good.ogg")
    with open(os.fsencode(music) + b"/15 b\xe9d.ogg", "wb") as out:
        out.write(samples.untagged("ogg").read_bytes())
    with Library(tmp_path / "library.db") as library:
        assert library.scan([music], progress=False).added == 31
        assert len(library.tracks()) == 31


def test_shown_and_readable() -> None:
    path = os.fsdecode(b"/m/a\xe9\n\x7f.mp3")
    assert shown(path) == "/m/a\\xe9\\n\\x7f.mp3"
    assert readable("a\udce9b\nc\td") == "a\ufffdb c d"
    assert readable("Plain Title") == "Plain Title"


def test_an_index_of_version_1_is_migrated_keeping_ids(samples: Samples, tmp_path: Path) -> None:
    """Version 1 stored paths as text and one row per path but one track per content."""
    music = tmp_path / "music"
    for name in ("a.flac", "b.flac"):
        samples.copy(samples.tagged("flac"), music / name)
    db_path = tmp_path / "library.db"
    db = sqlite3.connect(db_path)
    db.executescript(_VERSION_1)
    for number, name in enumerate(("a.flac", "b.flac")):
        path = music / name
        info = path.stat()
        db.execute(
            "INSERT INTO files (path, track_id, size, mtime_ns, title, artist, album, "
            "album_artist, genres, duration, analysis) VALUES (?, ?, ?, ?, ?, 'X', '', '', "
            "'rock', 3.0, 1)",
            (str(path), "c0ffee" * 3 + "00", info.st_size, info.st_mtime_ns, f"Title {number}"),
        )
    db.execute("INSERT INTO scan_errors VALUES (?, 'broken')", (str(music / "x.mp3"),))
    db.commit()
    db.close()
    with Library(db_path) as library:
        tracks = {track.title: track for track in library.tracks()}
        assert sorted(tracks) == ["Title 0", "Title 1"]  # both copies are tracks now
        assert tracks["Title 0"].track_id == "c0ffee" * 3 + "00"  # the first keeps its history
        assert tracks["Title 1"].track_id.startswith("c0ffee" * 3 + "00-")
        assert tracks["Title 1"].path == str(music / "b.flac")
        assert library.problems() == [(str(music / "x.mp3"), "broken")]
        report = library.scan([music], progress=False)  # paths match: nothing read again
        assert (report.unchanged, report.added, report.removed) == (2, 0, 0)
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {type(row[0]) for row in raw.execute("SELECT path FROM files")} == {bytes}
    raw.close()


_VERSION_1 = """
CREATE TABLE files (
    path TEXT PRIMARY KEY, track_id TEXT NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, title TEXT NOT NULL, artist TEXT NOT NULL, album TEXT NOT NULL,
    album_artist TEXT NOT NULL, genres TEXT NOT NULL, year INTEGER, track_number INTEGER,
    duration REAL NOT NULL, bpm REAL, bpm_from_tag INTEGER NOT NULL DEFAULT 0, energy REAL,
    analysis INTEGER NOT NULL DEFAULT 0, analysis_error TEXT
);
CREATE INDEX files_by_track_id ON files (track_id);
CREATE INDEX files_pending ON files (analysis) WHERE analysis = 0;
CREATE TABLE scan_errors (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('generation', 3);
PRAGMA application_id = 1363565132;
PRAGMA user_version = 1;
"""


@pytest.mark.parametrize("name", [b"plain.mp3", b"\xe9.mp3"])
def test_paths_round_trip_through_the_index(name: bytes, samples: Samples, tmp_path: Path) -> None:
    target = os.fsencode(tmp_path) + b"/" + name
    with open(target, "wb") as out:
        out.write(samples.untagged("mp3").read_bytes())
    with Library(None) as library:
        library.scan([os.fsdecode(target)], progress=False)
        assert [os.fsencode(track.path) for track in library.tracks()] == [target]


def test_the_dj_names_such_a_track_in_words_it_can_say(samples: Samples, tmp_path: Path) -> None:
    from appliance.dj import PersonalizedDJ

    target = os.fsencode(tmp_path) + b"/Caf\xe9 Ol\xe9\n.mp3"
    with open(target, "wb") as out:
        out.write(samples.untagged("mp3").read_bytes())
    with Library(tmp_path / "library.db") as library:
        library.scan([os.fsdecode(target)], progress=False)
        dj = PersonalizedDJ(name="DJ", db_path=None, library=library)
        try:
            reply = dj.respond("guest", "play something")
            assert "Caf\ufffd Ol\ufffd" in reply.text
            reply.text.encode("utf-8")  # what the voice reads and the terminal prints
            (action,) = reply.actions
            assert os.fsencode(action.track.path) == target  # type: ignore[attr-defined]
        finally:
            dj.close()

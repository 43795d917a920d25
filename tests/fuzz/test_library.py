"""The library under hostile conditions: file names of random bytes, a scan killed at random
moments, a disk that fills up while it scans."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.cli import main
from appliance.events import TrackEnded
from appliance.library import Library
from appliance.library.database import SCHEMA_VERSION
from appliance.library.filenames import shown
from appliance.player import Player
from tests.fuzz.conftest import fuzz_rounds
from tests.support.disks import fill
from tests.support.music import make_track

pytestmark = pytest.mark.fuzz

SUFFIXES = (b".wav", b".ogg", b".mp3", b".flac")
# A POSIX name: any bytes but "/" and NUL, at most 255 of them; a leading dot hides a file.
_NAME_BYTES = st.binary(min_size=1, max_size=120).map(lambda b: b.replace(b"/", b"_"))
STEMS = _NAME_BYTES.map(lambda b: b.replace(b"\x00", b"_")).filter(lambda b: b[:1] != b".")
FOLDERS = st.one_of(st.just(b""), STEMS.map(lambda b: b + b"/"))


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[bytes, bytes]:
    """One short real file of each format, as bytes to write under any name."""
    root = tmp_path_factory.mktemp("fuzz-sources")
    return {
        suffix: make_track(root / f"t{suffix.decode()}", seconds=0.3, freq=500).read_bytes()
        for suffix in SUFFIXES
    }


@pytest.fixture(scope="module")
def player() -> Iterator[tuple[Player, list[TrackEnded]]]:
    ended: list[TrackEnded] = []

    def on_event(event: object) -> None:
        if isinstance(event, TrackEnded):
            ended.append(event)

    with Player(
        audio_output="null", on_event=on_event, mpv_options={"ao_null_untimed": True}
    ) as made:
        yield made, ended


def wait_for_end(ended: list[TrackEnded], path: str, timeout: float = 10.0) -> TrackEnded:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in ended:
            if event.track.path == path:
                return event
        time.sleep(0.01)
    raise AssertionError(f"{shown(path)} did not end within {timeout} s")


@settings(max_examples=fuzz_rounds(25, 600))
@given(names=st.lists(st.tuples(FOLDERS, STEMS, st.sampled_from(SUFFIXES)), min_size=1,
                      max_size=3, unique_by=lambda n: (n[0] + n[1]).lower()))  # fmt: skip
def test_random_byte_names_survive_scan_index_search_and_mpv(
    names: list[tuple[bytes, bytes, bytes]],
    sources: dict[bytes, bytes],
    player: tuple[Player, list[TrackEnded]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = os.fsencode(tmp_path_factory.mktemp("names"))
    made = []
    for folder, stem, suffix in names:
        path = root + b"/" + folder + stem + suffix
        if path in made:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(sources[suffix])
        made.append(path)
    with Library(None) as library:
        report = library.scan([os.fsdecode(root)], progress=False)
        assert (report.added, report.errors) == (len(made), [])
        tracks = library.tracks()
        assert sorted(os.fsencode(track.path) for track in tracks) == sorted(made)
        for track in tracks:
            for text in (track.title, track.artist, track.album, shown(track.path)):
                text.encode("utf-8")  # printable, storable, speakable
                assert not any(ord(char) < 32 for char in text)
            found = library.search(track.title, limit=len(tracks))
            from rapidfuzz import utils

            if utils.default_process(track.title):
                assert track in found
        json.dumps([shown(track.path) for track in tracks], ensure_ascii=False).encode("utf-8")
        mpv, ended = player
        for track in tracks:
            mpv.play(track)
            end = wait_for_end(ended, track.path)
            assert (end.reason, end.error) == ("eof", None), shown(track.path)


_SCAN_CHILD = """
import sys
from appliance.library import Library
with Library(sys.argv[1]) as library:
    print("scanning", flush=True)
    library.scan([sys.argv[2]], progress=False)
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def many_files(tmp_path_factory: pytest.TempPathFactory, sources: dict[bytes, bytes]) -> Path:
    """400 small files (names with a Latin-1 byte among them) in a few folders."""
    root = tmp_path_factory.mktemp("many")
    for number in range(400):
        folder = os.fsencode(root) + b"/album %d" % (number // 50)
        os.makedirs(folder, exist_ok=True)
        name = b"%03d caf\xe9.wav" % number if number % 7 == 0 else b"%03d song.wav" % number
        with open(folder + b"/" + name, "wb") as out:
            out.write(sources[b".wav"])
    return root


def _time_of_a_whole_scan(folder: Path, db: Path) -> float:
    """Seconds from the child's "scanning" to its "done" on this machine."""
    child = subprocess.Popen(
        [sys.executable, "-c", _SCAN_CHILD, str(db), str(folder)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "scanning"
    started = time.monotonic()
    assert child.stdout.readline().strip() == "done"
    seconds = time.monotonic() - started
    child.wait(30)
    child.stdout.close()
    return seconds


def test_a_scan_killed_at_random_moments_never_breaks_the_index(
    many_files: Path, tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    rng = random.Random(9)
    kills = 0
    scan_seconds = _time_of_a_whole_scan(many_files, tmp_path / "timed.db")
    rounds = fuzz_rounds(3, 60)
    for round_number in range(rounds + 5):
        if round_number >= rounds and kills:
            break  # the extra rounds only run while no kill has landed yet
        child = subprocess.Popen(
            [sys.executable, "-c", _SCAN_CHILD, str(db), str(many_files)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "scanning"
        # A moment inside the scan, whatever this machine's speed: a fixed range of
        # seconds missed every scan on a fast machine.
        time.sleep(rng.uniform(0.05, 0.8) * scan_seconds)
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait(30)
        child.stdout.close()
        raw = sqlite3.connect(db)
        assert raw.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        raw.close()
        with Library(db) as library:  # opens as it is: not moved aside, nothing lost
            indexed = len(library.tracks())
            report = library.scan([many_files], progress=False)
            assert report.unchanged == indexed  # what was committed is kept, not read again
            assert (report.added, report.errors) == (400 - indexed, [])
            assert len(library.tracks()) == 400
        db.unlink()
        for companion in ("-wal", "-shm"):
            Path(f"{db}{companion}").unlink(missing_ok=True)
    assert kills >= 1, "no kill landed during a scan: make the library larger"


@pytest.mark.parametrize("room_kb", [0, 64, 160])
def test_a_full_disk_during_a_scan_is_a_clear_message(
    room_kb: int,
    small_disk: Path,
    many_files: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The disk fills up before the index opens (0 KB left) or during the scan."""
    data = small_disk / "data"
    monkeypatch.setenv("APPLIANCE_DATA_DIR", str(data))
    with Library(data / "library.db"):
        pass  # the index exists; then the disk fills up
    fill(small_disk)
    filler = small_disk / ".filler"
    os.truncate(filler, max(0, filler.stat().st_size - room_kb * 1024))
    code = main(["library", "scan", str(many_files)])
    out, err = capsys.readouterr()
    assert code == 1, out
    assert err.startswith(f"appliance: error: {data / 'library.db'}: no space left on the disk")
    assert "hint: free some space" in err and "Traceback" not in err
    filler.unlink()  # (reading a WAL database needs a little room too)
    raw = sqlite3.connect(data / "library.db")
    assert raw.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    kept = raw.execute("SELECT count(*) FROM files").fetchone()[0]
    raw.close()
    code = main(["library", "scan", str(many_files)])
    out, err = capsys.readouterr()
    assert code == 0 and f"{400 - kept} added" in out and f"{kept} unchanged" in out, err
    with Library(data / "library.db") as library:
        assert len(library.tracks()) == 400


def test_every_library_command_on_a_read_only_disk(
    small_disk: Path,
    sources: dict[bytes, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A worn SD card remounts itself read-only: what the index holds can still be read."""
    from tests.support.disks import make_read_only

    music = tmp_path / "music"
    music.mkdir()
    for number, suffix in enumerate(SUFFIXES):
        (music / f"song {number}{suffix.decode()}").write_bytes(sources[suffix])
    data = small_disk / "data"
    monkeypatch.setenv("APPLIANCE_DATA_DIR", str(data))
    assert main(["library", "scan", str(music)]) == 0
    make_read_only(small_disk)
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["library", *argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    code, out, _ = run("stats", "--json")
    assert code == 0 and json.loads(out)["tracks"] == 4
    code, out, _ = run("stats")
    assert code == 0 and "tracks    4" in out
    code, out, _ = run("search", "song 2")
    assert code == 0 and "song 2.mp3" in out
    for argv in (["scan", str(music)], ["analyse"]):
        code, _, err = run(*argv)
        assert code == 1
        assert err.startswith(f"appliance: error: {data / 'library.db'}: the library index is on")
        assert "read-only disk" in err and "hint: remount the disk read-write" in err
    monkeypatch.setenv("APPLIANCE_DATA_DIR", str(small_disk / "fresh"))
    code, _, err = run("stats")
    assert code == 2 and "cannot use" in err and "Read-only file system" in err


BIG_TAGGED = ("mp3", "flac", "m4a", "ogg", "opus")


@pytest.fixture(scope="module")
def big_tagged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Files whose tags are large enough (a 2 MB cover) to be read through a slimmed view."""
    from tests.library.test_memory import add_picture

    root = tmp_path_factory.mktemp("big-tags")
    made = {}
    for fmt in BIG_TAGGED:
        path = make_track(root / f"song.{fmt}", seconds=0.5, title="Big", artist="Tags")
        add_picture(path, 2 * 1024 * 1024)
        made[fmt] = path.read_bytes()
    return made


@settings(max_examples=fuzz_rounds(30, 1500))
@given(
    fmt=st.sampled_from(BIG_TAGGED),
    # where the headers are: the first 4 KB, and the last 64 KB (an MP4's moov may end it)
    edits=st.lists(st.tuples(st.integers(-65536, 4095), st.binary(min_size=1, max_size=8)),
                   max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 3 * 1024 * 1024)),
)  # fmt: skip
def test_damaged_big_tags_are_a_reason_never_a_crash(
    fmt: str,
    edits: list[tuple[int, bytes]],
    cut: int | None,
    big_tagged: dict[str, bytes],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Headers of files with large tags overwritten and cut at random: the scan reads each
    file or says why not (a BadFile), whatever the slimmed view of its tags meets."""
    from appliance.library.genres import default_genres
    from appliance.library.scan import BadFile, read_file

    data = bytearray(big_tagged[fmt])
    for offset, patch in edits:
        at = offset % len(data)
        data[at : at + len(patch)] = patch
    if cut is not None:
        del data[cut:]
    path = tmp_path_factory.mktemp("damaged") / f"song.{fmt}"
    path.write_bytes(bytes(data))
    try:
        scanned = read_file(str(path), None, default_genres())
    except BadFile:
        return
    assert scanned.duration > 0


_OPEN_CHILD = """
import sys, time
import appliance.library.identity as identity
from appliance.library import Library
give_id = identity.track_id_for
said = []
def track_id_for(*args, **kwargs):  # the upgrade's first new id: it is under way
    if not said:
        print("upgrading", flush=True)
        said.append(True)
    return give_id(*args, **kwargs)
identity.track_id_for = track_id_for
library = Library(sys.argv[1])
print("upgraded", flush=True)
time.sleep(60)
"""


def test_an_upgrade_killed_at_random_moments_keeps_the_old_index_or_the_new(
    tmp_path: Path,
) -> None:
    """The first start after an update rewrites the index (paths as bytes, a track per file).
    The child says when the upgrade is under way: the first kill lands in it, the second after
    it is committed (never closed), the others at random while it runs or just after."""
    from tests.library.test_filenames import _VERSION_1

    rng = random.Random(5)
    rows = 20000  # the upgrade takes 0.4 s here
    versions: list[int] = []
    for round_ in range(fuzz_rounds(2, 40)):
        db = tmp_path / "library.db"
        old = sqlite3.connect(db)
        old.executescript(_VERSION_1)
        old.executemany(
            "INSERT INTO files (path, track_id, size, mtime_ns, title, artist, album, "
            "album_artist, genres, duration) VALUES (?, ?, 1, 1, 't', 'a', '', '', '', 1.0)",
            ((f"/m/{n:05d} caf\u00e9.mp3", f"{n % 7000:020x}") for n in range(rows)),
        )
        old.commit()
        old.close()
        child = subprocess.Popen(
            [sys.executable, "-c", _OPEN_CHILD, str(db)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "upgrading"
        if round_ == 1:
            assert child.stdout.readline().strip() == "upgraded"
        elif round_ > 1:
            time.sleep(rng.uniform(0.0, 0.5))
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        child.stdout.close()
        raw = sqlite3.connect(db)  # what a power cut would leave: the file and its WAL
        versions.append(raw.execute("PRAGMA user_version").fetchone()[0])
        raw.close()
        with Library(db) as library:  # the old index (upgraded now) or the new one, whole
            tracks = library.tracks()
            assert len(tracks) == rows and len({t.track_id for t in tracks}) == rows
            assert {t.path for t in tracks} == {f"/m/{n:05d} caf\u00e9.mp3" for n in range(rows)}
        for name in (db.name, f"{db.name}-wal", f"{db.name}-shm"):
            (tmp_path / name).unlink(missing_ok=True)
    assert versions[:2] == [1, SCHEMA_VERSION] and set(versions) <= {1, SCHEMA_VERSION}

"""Scanning real folders: every format, bad files reported, incremental re-scans, moves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.library import Library
from tests.library.conftest import Samples
from tests.support.music import FORMATS, tag

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def library() -> Iterator[Library]:
    with Library() as library:
        yield library


def fill(samples: Samples, folder: Path) -> Path:
    """Every format tagged and untagged, in an Artist/Album layout."""
    for fmt in FORMATS:
        samples.copy(samples.tagged(fmt), folder / "tagged" / f"song.{fmt}")
        samples.copy(
            samples.untagged(fmt), folder / "Some Artist" / "Some Album" / f"01 {fmt}.{fmt}"
        )
    return folder


def reasons(report_errors: list[tuple[str, str]]) -> dict[str, str]:
    return {Path(path).name: reason for path, reason in report_errors}


def test_every_format_tagged_and_untagged_is_indexed(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    fill(samples, tmp_path)
    report = library.scan([tmp_path], progress=False)
    assert (report.added, report.errors) == (12, [])
    tracks = library.tracks()
    assert len(tracks) == 12
    assert {Path(t.path).suffix for t in tracks} == {f".{fmt}" for fmt in FORMATS}
    untagged = [t for t in tracks if t.artist == "Some Artist"]
    assert len(untagged) == 6
    assert all(t.album == "Some Album" and t.track_number == 1 for t in untagged)
    assert {t.title for t in untagged} == set(FORMATS)
    assert library.artists() == ["Some Artist", "The Testers"]
    assert library.albums() == ["Formats", "Some Album"]
    assert len({t.track_id for t in tracks}) == 12
    stats = library.stats()
    assert (stats.tracks, stats.artists, stats.albums, stats.errors) == (12, 2, 2, 0)
    assert stats.genres == 7  # hip hop, rock, pop, deep house, electronic, drum and bass, jazz
    assert library.get(tracks[0].track_id) == tracks[0]
    assert library.get("no-such-id") is None


def test_broken_files_are_reported_and_never_stop_the_scan(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    fill(samples, tmp_path / "good")
    bad = tmp_path / "bad"
    bad.mkdir()
    for fmt in FORMATS:
        data = samples.tagged(fmt).read_bytes()
        (bad / f"truncated.{fmt}").write_bytes(data[: len(data) // 2])
    (bad / "random.mp3").write_bytes(os.urandom(20000))
    (bad / "text.flac").write_text("this is not music\n" * 50)
    (bad / "notes.txt").write_text("liner notes")
    (bad / "empty.ogg").write_bytes(b"")
    (bad / "cover.jpg").write_bytes(b"\xff\xd8\xff")  # companion files pass without a word
    (bad / "dangling.mp3").symlink_to(tmp_path / "nowhere.mp3")
    (bad / "folder.flac").mkdir()  # a folder with a music name is walked, not read
    os.mkfifo(bad / "pipe.wav")  # opening a FIFO for reading would hang the scan

    report = library.scan([tmp_path], progress=False)

    assert report.added == 12
    found = reasons(report.errors)
    assert set(found) == {
        *(f"truncated.{fmt}" for fmt in FORMATS),
        "random.mp3", "text.flac", "notes.txt", "empty.ogg", "dangling.mp3", "pipe.wav",
    }  # fmt: skip
    for fmt in ("mp3", "flac", "ogg", "opus", "wav"):
        assert "truncated" in found[f"truncated.{fmt}"], found
    assert "MP4" in found["truncated.m4a"]
    assert "MP3" in found["random.mp3"]
    assert "FLAC" in found["text.flac"]
    assert found["notes.txt"] == "not a music file (.txt)"
    assert found["empty.ogg"] == "empty file"
    assert "broken link" in found["dangling.mp3"]
    assert found["pipe.wav"] == "not a regular file"
    assert library.stats().errors == len(found)
    assert sorted(library.problems()) == sorted(report.errors)


def test_unreadable_file_is_reported(samples: Samples, tmp_path: Path) -> None:
    """Permission denied. Root reads anything, so as root the scan runs without the capabilities
    that override file permissions (setpriv), as the appliance's own service user would."""
    music = fill(samples, tmp_path / "music")
    locked = samples.copy(samples.tagged("flac"), music / "locked.flac")
    locked.chmod(0)
    command = [sys.executable, "-m", "appliance", "library", "scan", str(music)]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.fail("setpriv (util-linux) is needed to drop root's read-anything capability")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"not indexed: {locked}: cannot read: Permission denied" in done.stdout
    assert "12 added" in done.stdout


def test_rescan_reads_only_what_changed(samples: Samples, tmp_path: Path, library: Library) -> None:
    fill(samples, tmp_path)
    first = library.scan([tmp_path], progress=False)
    generation = library.generation
    again = library.scan([tmp_path], progress=False)
    assert (again.added, again.updated, again.removed, again.moved, again.unchanged) == (
        0,
        0,
        0,
        0,
        12,
    )
    assert library.generation == generation  # nothing changed: the DJ keeps its arrays

    flac = tmp_path / "tagged" / "song.flac"
    before = {t.path: t for t in library.tracks()}[str(flac)]
    tag(flac, title="Retitled")
    os.utime(flac, ns=(flac.stat().st_atime_ns, flac.stat().st_mtime_ns + 10**9))
    report = library.scan([tmp_path], progress=False)
    assert (report.updated, report.unchanged) == (1, 11)
    after = {t.path: t for t in library.tracks()}[str(flac)]
    assert after.title == "Retitled"
    assert after.track_id == before.track_id  # only the tags changed, not the audio
    assert library.generation != generation
    assert first.added == 12


def test_moved_file_keeps_its_id_and_features(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    music = fill(samples, tmp_path / "music")
    library.scan([music], progress=False)
    library.analyse()
    original = {t.path: t for t in library.tracks()}[str(music / "tagged" / "song.ogg")]
    assert original.energy is not None

    target = music / "Elsewhere" / "renamed.ogg"
    target.parent.mkdir()
    (music / "tagged" / "song.ogg").rename(target)
    report = library.scan([music], progress=False)

    assert (report.moved, report.added, report.removed) == (1, 0, 0)
    moved = library.get(original.track_id)
    assert moved is not None
    assert moved.path == str(target)
    assert (moved.energy, moved.title) == (original.energy, original.title)
    assert library.stats().pending == 0


def test_file_moved_out_of_the_scanned_folder_keeps_its_id(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    old = samples.copy(samples.tagged("mp3"), tmp_path / "inbox" / "song.mp3")
    library.scan([tmp_path / "inbox"], progress=False)
    [before] = library.tracks()
    new = tmp_path / "sorted" / "song.mp3"
    new.parent.mkdir()
    old.rename(new)
    report = library.scan([tmp_path / "sorted"], progress=False)
    assert (report.moved, report.added) == (1, 0)
    [after] = library.tracks()
    assert (after.track_id, after.path) == (before.track_id, str(new))


def test_removed_file_leaves_the_index(samples: Samples, tmp_path: Path, library: Library) -> None:
    fill(samples, tmp_path)
    library.scan([tmp_path], progress=False)
    gone = tmp_path / "tagged" / "song.wav"
    track_id = {t.path: t.track_id for t in library.tracks()}[str(gone)]
    gone.unlink()
    report = library.scan([tmp_path], progress=False)
    assert (report.removed, report.unchanged) == (1, 11)
    assert library.get(track_id) is None
    assert len(library.tracks()) == 11


def test_missing_folder_keeps_its_tracks(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    """An unplugged drive is reported, not taken for a deleted library."""
    drive = fill(samples, tmp_path / "usb")
    library.scan([drive], progress=False)
    drive.rename(tmp_path / "unplugged")
    report = library.scan([drive], progress=False)
    assert report.removed == 0
    assert report.errors == [(str(drive), "cannot open: No such file or directory")]
    assert len(library.tracks()) == 12


def test_scanning_one_folder_leaves_others_alone(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    samples.copy(samples.tagged("flac"), tmp_path / "a" / "one.flac")
    samples.copy(samples.tagged("ogg"), tmp_path / "b" / "two.ogg")
    library.scan([tmp_path / "a", tmp_path / "b"], progress=False)
    report = library.scan([tmp_path / "a"], progress=False)
    assert (report.unchanged, report.removed) == (1, 0)
    assert len(library.tracks()) == 2


def test_copies_of_one_file_are_tracks_of_their_own_measured_once(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    samples.copy(samples.tagged("opus"), tmp_path / "one.opus")
    samples.copy(samples.tagged("opus"), tmp_path / "copy.opus")
    report = library.scan([tmp_path], progress=False)
    assert report.added == 2
    assert len(library.tracks()) == 2
    assert library.analyse() == 1  # measured once for both copies
    assert library.stats().pending == 0
    energies = {track.energy for track in library.tracks()}
    assert len(energies) == 1 and None not in energies


def test_copies_with_different_tags_are_each_found(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    titles = ["Morning Version", "Evening Edit", "Radio Cut", "Extended Dub"]
    for number, title in enumerate(titles):
        copy = samples.copy(samples.tagged("mp3"), tmp_path / f"copy{number}.mp3")
        tag(copy, title=title)
    report = library.scan([tmp_path], progress=False)
    assert report.added == 4
    tracks = library.tracks()
    assert sorted(track.title for track in tracks) == sorted(titles)
    assert len({track.track_id for track in tracks}) == 4
    for number, title in enumerate(titles):
        found = library.search(title, limit=1)
        assert [(t.title, t.path) for t in found] == [(title, str(tmp_path / f"copy{number}.mp3"))]
        assert library.get(found[0].track_id) == found[0]


def test_a_moved_copy_keeps_its_own_track_id(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    for name in ("a", "b"):
        samples.copy(samples.tagged("flac"), tmp_path / name / "song.flac")
    library.scan([tmp_path], progress=False)
    before = {t.path: t.track_id for t in library.tracks()}
    (tmp_path / "c").mkdir()
    (tmp_path / "b" / "song.flac").rename(tmp_path / "c" / "song.flac")
    report = library.scan([tmp_path], progress=False)
    assert (report.moved, report.added, report.removed) == (1, 0, 0)
    after = {t.path: t.track_id for t in library.tracks()}
    assert after[str(tmp_path / "c" / "song.flac")] == before[str(tmp_path / "b" / "song.flac")]
    assert after[str(tmp_path / "a" / "song.flac")] == before[str(tmp_path / "a" / "song.flac")]


def test_progress_bar_goes_to_stderr_only_when_asked(
    samples: Samples, tmp_path: Path, library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(samples, tmp_path)
    library.scan([tmp_path])  # not a terminal: quiet
    assert capsys.readouterr() == ("", "")
    (tmp_path / "tagged" / "song.mp3").unlink()
    library.scan([tmp_path], progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "Looking for music" in err and "Reading tags" in err


def test_a_misnamed_file_is_still_recognised(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    samples.copy(samples.tagged("m4a"), tmp_path / "really an m4a.mp3")
    report = library.scan([tmp_path], progress=False)
    assert (report.added, report.errors) == (1, [])
    [track] = library.tracks()
    assert (track.title, track.genres) == ("Tagged M4A", ("drum and bass",))
    library.analyse()
    assert library.stats().analysed == 1  # decoded for what it is, not for what it is named


def test_a_file_broken_since_the_last_scan_leaves_the_index(
    samples: Samples, tmp_path: Path, library: Library
) -> None:
    fill(samples, tmp_path)
    library.scan([tmp_path], progress=False)
    damaged = tmp_path / "tagged" / "song.flac"
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) // 3])  # an interrupted copy over the old file
    report = library.scan([tmp_path], progress=False)
    assert (report.removed, report.unchanged) == (1, 11)
    assert [path for path, _ in report.errors] == [str(damaged)]
    assert str(damaged) not in {track.path for track in library.tracks()}


def test_a_file_of_under_a_millisecond_holds_no_playable_audio(tmp_path: Path) -> None:
    import numpy as np

    from appliance.library.genres import default_genres
    from appliance.library.scan import BadFile, read_file
    from tests.support.music import write

    path = write(tmp_path / "blip.wav", np.full(30, 0.5, dtype=np.float32), rate=44100)  # 0.7 ms
    with pytest.raises(BadFile, match="no playable audio"):
        read_file(str(path), None, default_genres())


def test_a_flac_of_endless_empty_metadata_blocks_is_refused_at_once(tmp_path: Path) -> None:
    import time

    import numpy as np

    from appliance.library.genres import default_genres
    from appliance.library.scan import BadFile, read_file
    from tests.support.music import write

    data = write(tmp_path / "a.flac", np.zeros(44100, dtype=np.float32)).read_bytes()
    streaminfo, rest = data[4:42], data[42:]  # its last-block flag is clear: blocks follow
    path = tmp_path / "blocks.flac"
    path.write_bytes(b"fLaC" + streaminfo + b"\x01\x00\x00\x00" * 300_000 + rest)  # 1.2 MB
    started = time.monotonic()
    with pytest.raises(BadFile, match="metadata blocks"):
        read_file(str(path), None, default_genres())
    assert time.monotonic() - started < 1.0  # it took 3 s to walk them all

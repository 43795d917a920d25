"""The demo library: made once, complete or not at all, tagged, varied, and really music."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import mutagen
import numpy as np
import pytest
import soundfile

from appliance.library import Library, ensure_demo_library
from appliance.library.demo import FOLDER, demo_tracks
from appliance.library.features import measure

ROOT = Path(__file__).resolve().parents[2]


def music_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".flac", ".ogg"))


def test_a_few_dozen_tagged_tracks_across_genres(demo_library: Path) -> None:
    files = music_files(demo_library)
    assert len(files) == len(demo_tracks()) >= 30
    assert {f.suffix for f in files} == {".flac", ".ogg"}
    with Library() as library:
        report = library.scan([demo_library], progress=False)
        assert (report.added, report.errors) == (len(files), [])
        tracks = library.tracks()
        stats = library.stats()
    assert stats.artists >= 10 and stats.albums >= 10 and stats.genres >= 10
    for track in tracks:
        assert track.title and track.artist and track.album and track.genres and track.year
        assert track.bpm is not None and 60 <= track.bpm <= 180
        assert 20 <= track.duration <= 30
    assert len({round(t.bpm or 0, -1) for t in tracks}) >= 8  # a spread of tempos


def test_the_tracks_are_music_at_their_tempo(demo_library: Path) -> None:
    """Measured without their BPM tags: the groove sits at the tagged tempo, the styles differ
    in energy, and nothing clips."""
    by_artist = {track.artist.name: track for track in demo_tracks() if track.number == 1}
    energies = {}
    for name in ("Velvet Harbour", "Kilowatt Brothers", "Iron Lilac", "Moss & Meridian"):
        track = by_artist[name]
        path = demo_library / track.relative_path
        audio, _ = soundfile.read(path)
        assert np.abs(audio).max() < 1.0
        assert np.sqrt(np.mean(audio**2)) > 0.03
        features = measure(path)
        energies[name] = features.energy
        if name != "Moss & Meridian":  # ambient has no drums
            assert features.bpm is not None
            assert abs(features.bpm - track.bpm) / track.bpm < 0.02
    assert energies["Moss & Meridian"] < 0.5 < energies["Kilowatt Brothers"]
    assert energies["Moss & Meridian"] < energies["Velvet Harbour"]


def test_made_once(demo_library: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in music_files(demo_library)}
    assert ensure_demo_library(demo_library.parent) == demo_library
    assert {p: p.stat().st_mtime_ns for p in music_files(demo_library)} == before


def test_an_interrupted_generation_starts_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    maker = subprocess.Popen(
        [sys.executable, "-c", "import sys, pathlib; from appliance.library import "
         "ensure_demo_library; ensure_demo_library(pathlib.Path(sys.argv[1]))", str(data)],
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and maker.poll() is None:
            parts = list(data.glob(f"{FOLDER}.part-*"))
            if parts and len(music_files(parts[0])) >= 3:
                maker.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        maker.wait(timeout=30)
    finally:
        if maker.poll() is None:
            maker.kill()
    assert maker.returncode == -signal.SIGKILL, "the generation ended before it was killed"
    assert not (data / FOLDER).exists()  # nothing that could count as done ...
    assert list(data.glob(f"{FOLDER}.part-*"))  # ... only unfinished work

    # Someone's own folder of that name is in the way, and neither sox nor ffmpeg is installed.
    mine = data / FOLDER / "my song.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("keep me")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    folder = ensure_demo_library(data, progress=False)
    files = music_files(folder)
    assert len(files) == len(demo_tracks())
    assert mutagen.File(files[0])["artist"]
    assert not list(data.glob(f"{FOLDER}.part-*"))  # the unfinished work is cleared away
    [aside] = data.glob(f"{FOLDER}.old-*")  # the folder in the way is kept, not deleted
    assert (aside / "my song.txt").read_text() == "keep me"

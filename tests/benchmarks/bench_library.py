"""The music library's speed and accuracy.

- Scan throughput (files/s, tags only) over 10,000 files, into a fresh index each run. The files
  are made cheaply: one tiny real file per format (MP3, FLAC, Ogg, Opus, M4A, WAV; 1 s), copied
  and re-tagged with mutagen (own title, artist, album, track number), and one byte of the audio
  changed so each is its own track.
- An unchanged re-scan of those 10,000 files (aim: under 2 s).
- The DJ's reads on that index: tracks() after a change, and a fuzzy search.
- BPM accuracy on generated click tracks at 12 tempos from 60 to 200 (aim: within 2 %).
- Demo library generation (fresh each run), and measuring its tracks' tempo and energy.
Figures are medians of several runs.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import mutagen
import pytest

from appliance.library import Library, ensure_demo_library
from appliance.library.container import inspect
from appliance.library.demo import demo_tracks
from appliance.library.features import measure
from tests.benchmarks.report import median, record, timed
from tests.support.music import FORMATS, make_track, tag

FILES = 10_000
TEMPOS = (60, 72, 85, 96, 108, 120, 128, 140, 156, 172, 186, 200)


def make_files(root: Path, count: int) -> list[Path]:
    templates = {
        fmt: make_track(root / "templates" / f"t.{fmt}", seconds=1.0, freq=330) for fmt in FORMATS
    }
    made = []
    for index in range(count):
        fmt = FORMATS[index % len(FORMATS)]
        artist = f"Artist {index // 100:03d}"
        album = f"Album {index // 10:04d}"
        path = root / "music" / artist / album / f"{index % 10 + 1:02d} Track {index}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(templates[fmt], path)
        tag(path, title=f"Track {index}", artist=artist, album=album, tracknumber=index % 10 + 1)
        _make_unique(path, index)
        made.append(path)
    return made


def _make_unique(path: Path, index: int) -> None:
    """Change four bytes in the middle of the audio, so every copy is a track of its own."""
    with open(path, "r+b") as handle:
        info = mutagen.File(handle).info
        payload = inspect(handle, path, path.stat().st_size, info)
        handle.seek((payload.start + payload.end) // 2)
        handle.write(index.to_bytes(4, "little"))


@pytest.fixture(scope="module")
def ten_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench-library")
    started = time.perf_counter()
    make_files(root, FILES)
    print(f"\nmade {FILES} files in {time.perf_counter() - started:.1f} s")
    return root / "music"


def test_scan_throughput_and_rescan(ten_thousand: Path, tmp_path: Path) -> None:
    full_runs = []
    for run in range(3):
        with Library(tmp_path / f"full-{run}.db") as library:
            started = time.perf_counter()
            report = library.scan([ten_thousand], progress=False)
            full_runs.append(time.perf_counter() - started)
            assert (report.added, report.errors) == (FILES, [])
    with Library(tmp_path / "full-0.db") as library:
        rescans = timed(lambda: library.scan([ten_thousand], progress=False), runs=5)
        assert library.scan([ten_thousand], progress=False).unchanged == FILES
        assert len(library.tracks()) == FILES

        def after_change() -> None:
            library._tracks = None  # as after any change: the next tracks() reads the index
            library.tracks()

        tracks_times = timed(after_change, runs=5)
        library.search("track 4242")
        search_times = timed(lambda: library.search("artist 042 track 4242"), runs=20)
    figures = {
        "files": FILES,
        "full_scan_s": median(full_runs),
        "scan_files_per_s": FILES / median(full_runs),
        "unchanged_rescan_s": median(rescans),
        "tracks_call_s": median(tracks_times),
        "search_ms": 1000 * median(search_times),
    }
    record("library_scan", figures)
    assert figures["unchanged_rescan_s"] < 2.0


def test_bpm_accuracy_on_click_tracks(tmp_path: Path) -> None:
    errors = {}
    times = []
    for bpm in TEMPOS:
        path = make_track(tmp_path / f"{bpm}.wav", seconds=15, bpm=bpm, freq=200 + bpm, noise=0.02)
        started = time.perf_counter()
        measured = measure(path).bpm
        times.append(time.perf_counter() - started)
        assert measured is not None, bpm
        errors[bpm] = 100 * abs(measured - bpm) / bpm
    figures = {
        "tempos": len(TEMPOS),
        "median_error_percent": median(list(errors.values())),
        "max_error_percent": max(errors.values()),
        "within_2_percent": sum(error < 2 for error in errors.values()),
        "measure_s_per_track": median(times),
    }
    record("library_bpm", figures)
    assert figures["within_2_percent"] == len(TEMPOS)


def test_demo_library(tmp_path: Path) -> None:
    runs = []
    for run in range(3):
        started = time.perf_counter()
        folder = ensure_demo_library(tmp_path / f"data-{run}", progress=False)
        runs.append(time.perf_counter() - started)
    with Library() as library:
        library.scan([folder], progress=False)
        started = time.perf_counter()
        measured = library.analyse()
        analyse_s = time.perf_counter() - started
        tracks = library.tracks()
    energies = sorted(t.energy for t in tracks if t.energy is not None)
    figures = {
        "tracks": len(demo_tracks()),
        "seconds_of_music": sum(t.seconds for t in demo_tracks()),
        "generate_s": median(runs),
        "size_mb": sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6,
        "analyse_s_per_track": analyse_s / measured,
        "energy_min": energies[0],
        "energy_max": energies[-1],
    }
    record("library_demo", figures)

"""Tempo and energy measured from real files, in the foreground and in the background."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from appliance.library import Library
from appliance.library.features import DecodeError, measure
from tests.library.conftest import Samples
from tests.support.music import make_track
from tests.support.waiting import wait_until

TEMPOS = (62, 75, 88, 100, 110, 124, 136, 150, 174, 190)


@pytest.fixture(scope="module")
def click_tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    root = tmp_path_factory.mktemp("clicks")
    return {
        bpm: make_track(root / f"{bpm}.wav", seconds=12, bpm=bpm, freq=220 + bpm, noise=0.01)
        for bpm in TEMPOS
    }


@pytest.mark.parametrize("bpm", TEMPOS)
def test_tempo_of_click_tracks_within_two_percent(
    click_tracks: dict[float, Path], bpm: float
) -> None:
    measured = measure(click_tracks[bpm]).bpm
    assert measured is not None
    assert abs(measured - bpm) / bpm < 0.02


@pytest.mark.parametrize("fmt", ["mp3", "ogg", "opus", "flac", "m4a"])
def test_tempo_from_every_format(tmp_path: Path, fmt: str) -> None:
    path = make_track(tmp_path / f"click.{fmt}", seconds=10, bpm=128)
    measured = measure(path, duration=10).bpm
    assert measured is not None and abs(measured - 128) / 128 < 0.02


def test_tempo_outside_the_range_is_folded_into_it(tmp_path: Path) -> None:
    slow = measure(make_track(tmp_path / "slow.wav", seconds=16, bpm=45)).bpm
    fast = measure(make_track(tmp_path / "fast.wav", seconds=10, bpm=240)).bpm
    assert slow is not None and abs(slow - 90) / 90 < 0.02
    assert fast is not None and abs(fast - 120) / 120 < 0.02


def test_a_drone_has_no_tempo(tmp_path: Path) -> None:
    features = measure(make_track(tmp_path / "drone.flac", seconds=8, freq=110, level=0.5))
    assert features.bpm is None
    assert 0 < features.energy <= 1


def test_louder_music_has_more_energy(tmp_path: Path) -> None:
    energies = [
        measure(make_track(tmp_path / f"{level}.wav", seconds=6, bpm=120, level=level)).energy
        for level in (0.05, 0.3, 1.0)
    ]
    assert energies == sorted(energies)
    assert energies[0] < energies[-1] - 0.2
    assert all(0 <= energy <= 1 for energy in energies)
    silent = measure(make_track(tmp_path / "silence.wav", seconds=3, level=0.0))
    assert (silent.bpm, silent.energy) == (None, 0.0)


def test_m4a_needs_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_track(tmp_path / "song.m4a", seconds=3)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(DecodeError, match="ffmpeg"):
        measure(path)


def test_analyse_measures_whats_missing_and_keeps_bpm_tags(
    samples: Samples, tmp_path: Path
) -> None:
    samples.copy(samples.tagged("mp3"), tmp_path / "tagged.mp3")  # BPM tag 97
    make_track(tmp_path / "clicks.ogg", seconds=10, bpm=140)
    with Library() as library:
        library.scan([tmp_path], progress=False)
        tagged = {Path(t.path).name: t for t in library.tracks()}["tagged.mp3"]
        assert (tagged.bpm, tagged.energy) == (97.0, None)
        generation = library.generation
        assert library.analyse() == 2
        assert library.generation != generation
        tracks = {Path(t.path).name: t for t in library.tracks()}
        assert tracks["tagged.mp3"].bpm == 97.0  # the tag wins over the (tone-only) audio
        assert tracks["tagged.mp3"].energy is not None
        clicks = tracks["clicks.ogg"].bpm
        assert clicks is not None and abs(clicks - 140) / 140 < 0.02
        assert library.stats().analysed == 2
        assert library.analyse() == 0


def test_analysis_is_resumable_across_restarts(samples: Samples, tmp_path: Path) -> None:
    for fmt in ("flac", "ogg", "wav", "opus"):
        samples.copy(samples.tagged(fmt), tmp_path / "music" / f"song.{fmt}")
    db = tmp_path / "library.db"
    with Library(db) as library:
        library.scan([tmp_path / "music"], progress=False)
        assert library.analyse(limit=1) == 1
        stop = threading.Event()
        stop.set()
        assert library.analyse(stop=stop) == 0
    with Library(db) as library:
        assert library.stats().pending == 3
        assert library.analyse() == 3
        assert library.stats().pending == 0


def test_failures_are_recorded_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_track(tmp_path / "song.m4a", seconds=3, title="Needs ffmpeg")
    monkeypatch.setenv("PATH", "")
    with Library() as library:
        library.scan([tmp_path], progress=False)
        assert library.analyse() == 1
        stats = library.stats()
        assert (stats.analysed, stats.errors, stats.pending) == (0, 1, 0)
        [(path, reason)] = library.problems()
        assert path.endswith("song.m4a") and "ffmpeg" in reason
        assert library.analyse() == 0


def test_background_analysis_at_low_priority(samples: Samples, tmp_path: Path) -> None:
    samples.copy(samples.tagged("flac"), tmp_path / "one.flac")
    with Library() as library:
        library.scan([tmp_path], progress=False)
        library.start_analysis()
        library.start_analysis()  # a second start is harmless
        thread = library._analysis
        assert thread is not None and thread.native_id is not None
        assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == 19
        wait_until(lambda: library.stats().pending == 0)

        samples.copy(samples.tagged("ogg"), tmp_path / "two.ogg")
        library.scan([tmp_path], progress=False)  # a scan wakes the idle analysis
        wait_until(lambda: library.stats().analysed == 2)
        library.stop_analysis()
        assert not thread.is_alive()

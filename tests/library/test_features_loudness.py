"""Loudness: a ReplayGain tag's when the file has one, else measured with tempo and energy."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from appliance.library import Library
from appliance.library.features import measure, replaygain_loudness
from tests.support.music import make_track, tag


def _sine_db(level: float) -> float:
    """dBFS of the mean power of a sine of peak ``level``."""
    return 20 * math.log10(level) - 10 * math.log10(2)


@pytest.mark.parametrize("level", [0.05, 0.2, 0.8])
def test_loudness_of_a_tone_is_its_power_in_db(tmp_path: Path, level: float) -> None:
    path = make_track(tmp_path / f"{level}.flac", seconds=5, freq=220, level=level)
    loudness = measure(path).loudness
    assert loudness is not None and abs(loudness - _sine_db(level)) < 0.5


def test_silence_has_no_loudness(tmp_path: Path) -> None:
    assert measure(make_track(tmp_path / "silence.wav", seconds=3, level=0.0)).loudness is None


@pytest.mark.parametrize("fmt", ["flac", "mp3", "ogg"])
def test_a_replaygain_tag_wins_over_the_measurement(tmp_path: Path, fmt: str) -> None:
    path = make_track(tmp_path / f"song.{fmt}", seconds=4, freq=220, level=0.8)
    tag(path, replaygain_track_gain="+6.50 dB")  # a quiet master: -18 - 6.5
    assert replaygain_loudness(path) == -24.5
    assert measure(path).loudness == -24.5


def test_a_broken_replaygain_tag_is_measured_instead(tmp_path: Path) -> None:
    path = make_track(tmp_path / "song.flac", seconds=4, freq=220, level=0.2)
    tag(path, replaygain_track_gain="loud")
    loudness = measure(path).loudness
    assert loudness is not None and abs(loudness - _sine_db(0.2)) < 0.5
    tag(path, replaygain_track_gain="-400 dB")  # nothing is 382 dB loud
    assert replaygain_loudness(path) is None


def test_the_index_keeps_loudness_and_copies_share_it(tmp_path: Path) -> None:
    music = tmp_path / "music"
    loud = make_track(music / "loud.flac", seconds=4, bpm=120, level=0.8)
    make_track(music / "quiet.flac", seconds=4, bpm=120, level=0.05)
    db = tmp_path / "library.db"
    with Library(db) as library:
        library.scan([music], progress=False)
        assert {t.loudness for t in library.tracks()} == {None}
        assert library.analyse() == 2
    with Library(db) as library:  # kept across a restart
        by_name = {Path(t.path).name: t for t in library.tracks()}
        louder, quieter = by_name["loud.flac"].loudness, by_name["quiet.flac"].loudness
        assert louder is not None and quieter is not None and louder > quieter + 6
        (music / "copy.flac").write_bytes(loud.read_bytes())
        library.scan([music], progress=False)
        copy = {Path(t.path).name: t for t in library.tracks()}["copy.flac"]
        assert copy.loudness == louder  # the same recording: measured once
        assert library.stats().pending == 0

"""Real music files for the library tests, made once per session and copied where needed."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from appliance.library.demo import ensure_demo_library
from tests.support.music import FORMATS, make_track, tag

TAGS = {
    "mp3": {"genre": "Hip-Hop/Rap"},
    "flac": {"genre": "Rock; Pop"},
    "ogg": {"genre": "(13)"},
    "opus": {"genre": ["Deep House", "electronica"]},
    "m4a": {"genre": "Drum & Bass"},
    "wav": {"genre": "Jazz"},
}


@dataclass(frozen=True)
class Samples:
    """One tagged and one untagged file in every supported format."""

    root: Path

    def tagged(self, fmt: str) -> Path:
        return self.root / "tagged" / f"song.{fmt}"

    def untagged(self, fmt: str) -> Path:
        return self.root / "untagged" / f"song.{fmt}"

    def copy(self, source: Path, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    root = tmp_path_factory.mktemp("samples")
    for index, fmt in enumerate(FORMATS):
        make_track(
            root / "tagged" / f"song.{fmt}",
            seconds=3.0,
            freq=300 + 50 * index,
            title=f"Tagged {fmt.upper()}",
            artist="The Testers",
            album="Formats",
            albumartist="The Testers",
            date="2011-05-02",
            tracknumber=f"{index + 1}/{len(FORMATS)}",
            **TAGS[fmt],
        )
        if fmt == "mp3":
            tag(root / "tagged" / "song.mp3", bpm=97)  # make_track's own bpm= makes clicks
        make_track(root / "untagged" / f"song.{fmt}", seconds=2.0, freq=900 - 60 * index)
    return Samples(root)


@pytest.fixture(scope="session")
def demo_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo library, made once for every test that only reads it."""
    return ensure_demo_library(tmp_path_factory.mktemp("demo-data"), progress=False)

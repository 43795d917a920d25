"""The web face's test set-up, shared by its test files (pytest finds these without an import):
a small library, the station's double over it, and the page served from that double.

A file that needs something else defines its own fixture of the same name (which wins over
these); the MPD and ESPHome tests here do so for theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faces.web_station import DoubleStation, Served, serving, web_settings
from tests.support import music


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One jazz and one rock track of 2 s (``music.TONES``): enough for the double to play."""
    return music.tone_library(tmp_path_factory.mktemp("songs"), music.TONES, 1, seconds=2.0)


@pytest.fixture
def station(songs: Path, tmp_path: Path) -> Iterator[DoubleStation]:
    """The station's double over ``songs``, its data in the test's own folder."""
    made = DoubleStation(songs, tmp_path)
    yield made
    made.close()


@pytest.fixture
def face_options() -> dict[str, Any]:
    """More WebFace options for ``served``: none here; a file overrides this to add its own."""
    return {}


@pytest.fixture
def served(
    station: DoubleStation, songs: Path, tmp_path: Path, face_options: dict[str, Any]
) -> Iterator[Served]:
    """The page on 127.0.0.1 (any port) from ``station``, its password ``PASSWORD``."""
    with serving(station, web_settings(songs), tmp_path, **face_options) as server:
        yield server

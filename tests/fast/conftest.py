"""The fast tier: the whole station in process, built from tests/fakes.py (no audio device,
no model, no mpv), on a small real library and real SQLite. Every wait has a timeout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appliance.config import parse_config
from appliance.station import QFZZStation, StationConfig
from tests.fakes import FakeParts
from tests.support import music
from tests.support.waiting import wait_until


@pytest.fixture(scope="session")
def short_music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Jazz and rock, three one-second files each (the fake decks "play" them longer)."""
    return music.tone_library(tmp_path_factory.mktemp("fast-music"), music.TONES, seconds=1.0)


@pytest.fixture
def fakes() -> FakeParts:
    return FakeParts()


@pytest.fixture
def make_station(
    short_music: Path, fakes: FakeParts, isolated_env: Path
) -> Iterator[Callable[..., QFZZStation]]:
    """Start a station on the fakes (``extra``: more config lines; ``fields``: StationConfig's)."""
    made: list[QFZZStation] = []

    def make(extra: str = "", **fields: object) -> QFZZStation:
        settings = parse_config(f'[library]\nmusic_folders = ["{short_music}"]\n{extra}')
        config = StationConfig.from_settings(
            settings,
            **{"listen": "microphone", "data_dir": isolated_env, "parts": fakes.parts(), **fields},
        )
        station = QFZZStation(config)
        made.append(station)
        station.start()
        library = station.library
        assert library is not None
        wait_until(lambda: len(library.tracks()) >= 6, timeout=10, what="the library scan")
        # tempo, energy and loudness are measured after the scan: a track read before that
        # is not equal to the same track read after it
        wait_until(lambda: library.stats().pending == 0, timeout=30, what="the measurements")
        return station

    yield make
    for station in made:
        station.stop()


@pytest.fixture
def station(make_station: Callable[..., QFZZStation]) -> QFZZStation:
    return make_station()

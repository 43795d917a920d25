"""A real station for the station's own tests: a small library of long tones, mpv's null output,
no ears and no voice (the command path, the state and the event stream are the point)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appliance.config import parse_config
from appliance.station import QFZZStation, StationConfig
from tests.support import music
from tests.support.waiting import wait_until

ALBUM = ("Side One", "Side Two", "Side Three")


@pytest.fixture(scope="session")
def long_tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two genres of 40-second tones (nothing ends by itself during a test), and one album of
    three numbered tracks."""
    folder = music.tone_library(tmp_path_factory.mktemp("long"), music.TONES, seconds=40.0)
    for number, title in enumerate(ALBUM, start=1):
        music.make_track(
            folder / "Blue Album" / f"{number:02d} {title}.flac",
            seconds=40.0,
            freq=300.0 + 50 * number,
            noise=0.002,
            title=title,
            artist="Album Artist",
            album="Blue Album",
            genre="Ambient",
            tracknumber=str(number),
            bpm=90,
        )
    return folder


@pytest.fixture
def make_station(long_tracks: Path) -> Iterator[Callable[..., QFZZStation]]:
    """Started stations (stopped after the test); ``extra`` is more config text."""
    made: list[QFZZStation] = []

    def make(extra: str = "", **fields: object) -> QFZZStation:
        settings = parse_config(f'[library]\nmusic_folders = ["{long_tracks}"]\n{extra}')
        config = StationConfig.from_settings(
            settings, **{"listen": "none", "speak": False, "audio_output": "null", **fields}
        )
        station = QFZZStation(config)
        station.start()
        made.append(station)
        # the library is scanned on a thread of its own: a loaded machine once answered the
        # first request before it had read a track ("your music library is empty")
        wait_until(lambda: not station._scanner or not station._scanner.is_alive(), 60, "a scan")
        # then measured: a track read before that is not equal to the same track read after
        library = station.library
        if library is not None:
            wait_until(lambda: library.stats().pending == 0, 60, "the measurements")
        return station

    yield make
    for station in made:
        station.stop()


@pytest.fixture
def station(make_station: Callable[..., QFZZStation]) -> QFZZStation:
    return make_station()

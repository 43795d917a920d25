"""The whole station with [models] stt naming a real Wyoming server: a spoken command from a file
is heard by the server (the planned local engine standing by) and acted on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.config import parse_config
from appliance.station import QFZZStation, StationConfig
from appliance.voice.stt_wyoming import WyomingRecognizer
from tests.support import music
from tests.support.speech import silence, speech_pcm, write_wav
from tests.support.waiting import wait_until
from tests.support.wyoming_servers import WyomingServer


@pytest.fixture
def stt_server(tmp_path: Path) -> Iterator[WyomingServer]:
    server = WyomingServer("stt", tmp_path / "stt")
    server.start()
    yield server
    server.kill()


def test_the_station_hears_a_command_through_the_server(
    stt_server: WyomingServer, tmp_path: Path
) -> None:
    tracks = music.tone_library(tmp_path / "music", music.TONES, seconds=40.0)
    wav = write_wav(tmp_path / "say.wav", silence(0.5) + speech_pcm("stop the music") + silence(2))
    settings = parse_config(
        f'[station]\ndata_dir = "{tmp_path / "data"}"\n[library]\nmusic_folders = ["{tracks}"]\n'
        f'[models]\nstt = "{stt_server.address}"\n'
    )
    config = StationConfig.from_settings(
        settings, listen="file", input_file=wav, speak=False, audio_output="null"
    )
    station = QFZZStation(config)
    heard: list[str] = []
    station.turn_listeners.append(lambda turn: heard.append(turn.text))
    station.start()
    try:
        recognizer = station.listener.recognizer if station.listener else None
        assert isinstance(recognizer, WyomingRecognizer)
        assert recognizer.fallback.name == "pocketsphinx"  # the smallest local engine
        recognizer.budget = 10.0  # before the command ends: this loaded machine's server is slow
        wait_until(lambda: heard, timeout=30, what="a turn")
        assert recognizer.last_engine == "wyoming"
        assert "stop the music" in heard[0].lower()
    finally:
        station.stop()

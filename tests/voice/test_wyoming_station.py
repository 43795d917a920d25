"""The whole station with [models] stt and tts naming real Wyoming servers: a spoken command from
a file is heard by the speech server and answered by the voice server, the planned local engines
standing by."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.config import parse_config
from appliance.dialogue import Turn
from appliance.station import QFZZStation, StationConfig
from appliance.voice.stt_wyoming import WyomingRecognizer
from appliance.voice.tts_wyoming import WyomingSpeech
from tests.support import music
from tests.support.pulse import PulseServer
from tests.support.speech import silence, speech_pcm, write_wav
from tests.support.waiting import wait_until
from tests.support.wyoming_servers import WyomingServer

pytestmark = pytest.mark.audio


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[WyomingServer, WyomingServer]]:
    stt, tts = WyomingServer("stt", tmp_path / "stt"), WyomingServer("tts", tmp_path / "tts")
    try:
        stt.start()
        tts.start()
        yield stt, tts
    finally:
        stt.kill()
        tts.kill()


def test_the_station_hears_and_answers_through_the_servers(
    servers: tuple[WyomingServer, WyomingServer],
    pulse: PulseServer,
    isolated_env: Path,
    tmp_path: Path,
) -> None:
    stt_server, tts_server = servers
    tracks = music.tone_library(tmp_path / "music", music.TONES, 1, seconds=5.0)
    wav = write_wav(tmp_path / "say.wav", silence(0.5) + speech_pcm("play some jazz") + silence(2))
    settings = parse_config(
        f'[library]\nmusic_folders = ["{tracks}"]\n[dj]\ncommentary = 0.0\n'
        f'[models]\nstt = "{stt_server.address}"\ntts = "{tts_server.address}"\n'
    )
    config = StationConfig.from_settings(
        settings, listen="file", input_file=wav, speak=True, audio_output="null"
    )
    station = QFZZStation(config)
    turns: list[Turn] = []
    station.turn_listeners.append(turns.append)
    station.start()
    try:
        recognizer = station.listener.recognizer if station.listener else None
        assert isinstance(recognizer, WyomingRecognizer)
        recognizer.budget = 10.0  # before the command ends: this loaded machine's server is slow
        assert recognizer.fallback.name == "pocketsphinx"  # the smallest local engine
        voice = station.voice
        assert isinstance(voice, WyomingSpeech)
        voice.budget = 10.0
        wait_until(lambda: turns and turns[0].first_audio_at, timeout=60, what="a spoken answer")
        assert recognizer.last_engine == "wyoming"
        assert "play some jazz" in turns[0].text.lower()
        assert voice.last_engine == "wyoming"
        turn = turns[0]
        assert turn.heard_at is not None and turn.first_audio_at is not None
        print(f"end of the command to the answer's first sample: "
              f"{turn.first_audio_at - turn.heard_at:.2f} s after the final")  # fmt: skip
    finally:
        station.stop()

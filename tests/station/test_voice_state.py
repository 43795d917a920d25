"""What the voice is doing, as the state tells it, through a spoken request on the fast tier's
fakes (a fake microphone, wake word, recogniser and speaker; a real DJ, library and SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance import control as c
from appliance.bus import DJSaid, Heard, StateChanged
from appliance.config import parse_config
from appliance.state import VoiceActivity
from appliance.station import QFZZStation, StationConfig
from tests.fakes import FakeParts
from tests.support import music
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return music.tone_library(tmp_path_factory.mktemp("tones"), music.TONES, seconds=1.0)


@pytest.fixture
def fakes() -> FakeParts:
    return FakeParts()


@pytest.fixture
def listening(tones: Path, fakes: FakeParts, isolated_env: Path) -> Iterator[QFZZStation]:
    """A station that listens through the fakes."""
    settings = parse_config(f'[library]\nmusic_folders = ["{tones}"]\n')
    config = StationConfig.from_settings(
        settings, listen="microphone", data_dir=isolated_env, parts=fakes.parts()
    )
    station = QFZZStation(config)
    station.start()
    try:
        yield station
    finally:
        station.stop()


def test_listening_thinking_speaking_idle(listening: QFZZStation, fakes: FakeParts) -> None:
    fakes.output.seconds = 0.3
    with listening.events.subscribe() as sub:
        fakes.say("what can you do")
        wait_until(lambda: fakes.output.said, timeout=10, what="the answer")
        wait_until(lambda: listening.snapshot().voice == VoiceActivity.IDLE, timeout=5)
        wait_until(lambda: not listening.snapshot().ducked, timeout=5)
        events = []
        while (event := sub.get(timeout=0)) is not None:
            events.append(event)
    changes = [e for e in events if isinstance(e, StateChanged)]
    voices = [e.state.voice for e in changes if "voice" in e.changed]
    assert voices == ["listening", "thinking", "speaking", "idle"]
    assert [e.state.ducked for e in changes if "ducked" in e.changed] == [True, False]
    (heard,) = [e for e in events if isinstance(e, Heard)]
    assert (heard.text, heard.source) == ("what can you do", "voice")
    (said,) = [e for e in events if isinstance(e, DJSaid)]
    assert said.said.text == fakes.output.said[0]


def test_a_muted_microphone_acts_on_nothing(listening: QFZZStation, fakes: FakeParts) -> None:
    assert listening.execute(c.MuteMicrophone(on=True)).ok
    fakes.say("stop")
    fakes.say("what can you do")
    wait_until(lambda: not fakes.script, timeout=10, what="both requests to be heard")
    assert listening.dialogue is not None and listening.dialogue.drain(5)
    assert fakes.output.said == [] and listening.snapshot().voice == VoiceActivity.IDLE
    assert listening.execute(c.MuteMicrophone(on=False)).ok
    fakes.say("what can you do")
    wait_until(lambda: fakes.output.said, timeout=10, what="the answer once unmuted")

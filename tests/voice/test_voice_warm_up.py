"""The station makes the DJ's commonest first words after start-up, never before it is ready."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from appliance.config import parse_config
from appliance.dj import lines
from appliance.station import QFZZStation, StationConfig
from appliance.voice.tts_piper import PiperSpeech
from tests.support import music
from tests.support.waiting import wait_until


def speaking_station(tmp_path: Path) -> QFZZStation:
    """A started station that speaks (so its voice warms up) but neither listens nor plays."""
    folder = music.tone_library(tmp_path / "music", music.TONES, per_genre=1, seconds=3.0)
    config = StationConfig.from_settings(
        parse_config(f'[library]\nmusic_folders = ["{folder}"]\n'),
        listen="none",
        speak=True,
        play=False,
    )
    station = QFZZStation(config)
    station.start()
    return station


def test_the_warm_up_runs_after_ready_on_its_own_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = PiperSpeech.warm
    seen: list[tuple[float, str, int]] = []
    niceness: list[int] = []
    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def watched(self: PiperSpeech, texts: list[str], stop: threading.Event | None = None) -> int:
        seen.append((time.monotonic(), threading.current_thread().name, 0))
        niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        made = real(self, texts, stop)
        seen.append((time.monotonic(), threading.current_thread().name, made))
        return made

    monkeypatch.setattr(PiperSpeech, "warm", watched)
    # two openings, not all of them: the whole list is made in tests/voice/test_tts_piper.py,
    # and made here at the lowest priority it took up to a minute on a busy machine
    monkeypatch.setattr(lines, "fixed_openings", lambda: ("Skipping.", "Paused."))
    station = speaking_station(tmp_path)
    try:
        assert station.ready_at is not None and isinstance(station.voice, PiperSpeech)
        wait_until(lambda: len(seen) == 2, timeout=60)  # done in the background
        (began, thread, _), (_, _, made) = seen
        assert began >= station.ready_at and thread == "voice-warm-up"
        assert made == 2
        assert niceness == [19], "the warm-up runs at the lowest priority"
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == ours
        assert "Skipping." in station.voice._kept and "Paused." in station.voice._kept
    finally:
        station.stop()


def test_a_stop_during_the_warm_up_waits_for_the_sentence_being_made(tmp_path: Path) -> None:
    """A stop soon after start-up (SIGTERM, SIGHUP) ends the warm-up before it returns: the
    process exits next, and a thread killed inside onnxruntime aborted it (exit code -6)."""
    station = speaking_station(tmp_path)
    try:
        warming = [t for t in threading.enumerate() if t.name == "voice-warm-up"]
        assert warming, "the warm-up is over already: nothing to stop"
    finally:
        station.stop()
    assert not warming[0].is_alive()

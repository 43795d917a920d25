"""The first run's microphone check on a real station listening to the private PulseAudio's
FIFO microphone: the level the page reads rises when sound is fed, the wake word said into it
passes the wake-word test, and a station without a microphone says so plainly."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests

from appliance.state import VoiceActivity
from tests.faces.web_station import Served, logged_in, started_station
from tests.support import music
from tests.support.appliance import Microphone
from tests.support.pulse import MIC_RATE, PulseServer
from tests.support.speech import silence, speech_pcm
from tests.support.waiting import wait_until

TIMEOUT = 5


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tracks of 5 s, not the shared 2 s: a real station plays them while the test listens."""
    return music.tone_library(tmp_path_factory.mktemp("songs"), music.TONES, 1, seconds=5.0)


@pytest.fixture
def listening(pulse: PulseServer, songs: Path, tmp_path: Path) -> Iterator[tuple[Any, str, Any]]:
    """A real station listening for "okay nabu" on the FIFO microphone (pocketsphinx, the
    lightest recogniser), fed silence until the test says something."""
    mic = Microphone(pulse)
    mic.thread.start()
    station, url = started_station(
        songs, tmp_path, '[models]\nstt = "pocketsphinx-en-us"\n', listen="microphone"
    )
    try:
        yield station, url, mic
    finally:
        station.stop()
        mic.stop.set()
        mic.thread.join(5)


def level(page: requests.Session, url: str) -> dict[str, Any]:
    answer = page.get(f"{url}/api/setup/microphone", timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return answer.json()


def tone(seconds: float, amplitude: float = 0.3) -> bytes:
    t = np.arange(int(MIC_RATE * seconds)) / MIC_RATE
    return (np.sin(2 * np.pi * 440 * t) * amplitude * 32767).astype("<i2").tobytes()


def test_the_level_rises_with_sound_and_the_wake_word_passes_the_test(
    listening: tuple[Any, str, Any],
) -> None:
    station, url, mic = listening
    page = logged_in(url)
    wait_until(lambda: level(page, url)["level_db"] is not None, 20, "sound from the microphone")
    quiet = level(page, url)
    assert quiet["available"] and quiet["level_db"] < -60, quiet
    mic.say(tone(3.0))
    # a sine at 0.3 of full scale is -13.5 dBFS
    wait_until(lambda: (level(page, url)["level_db"] or -96) > -16, 5, "the level to rise")
    loud = level(page, url)["level_db"]
    assert -16 < loud < -12, loud
    wait_until(lambda: (level(page, url)["level_db"] or 0) < -60, 10, "quiet again")
    # nothing said: the test ends without the wake word
    missed = page.post(f"{url}/api/setup/wake-test", json={"seconds": 1}, timeout=TIMEOUT)
    assert missed.status_code == 200 and missed.json()["fired"] is False
    assert "okay nabu" in missed.json()["note"]
    # push-to-talk listens as the wake word does, but it is not the wake word: no pass for it;
    # the wake word said once that listening has ended passes the same test
    followers = len(station.events)
    answers: list[requests.Response] = []
    test = threading.Thread(
        target=lambda: answers.append(
            page.post(f"{url}/api/setup/wake-test", json={"seconds": 15}, timeout=30)
        )
    )
    test.start()
    began = time.monotonic()
    wait_until(lambda: len(station.events) > followers, 5, "the test to follow the events")
    station.listener.trigger("push_to_talk")
    wait_until(lambda: station.snapshot().voice == VoiceActivity.LISTENING, 5, "push-to-talk")
    mic.say(speech_pcm("pause") + silence(1.0))
    wait_until(lambda: station.snapshot().voice == VoiceActivity.IDLE, 10, "'pause' heard")
    after_push = time.monotonic() - began
    assert not answers, answers[0].text  # still waiting for the wake word
    mic.say(silence(0.5) + speech_pcm("okay nabu") + silence(1.0))
    test.join(30)
    (answer,) = answers
    assert answer.status_code == 200, answer.text
    fired = answer.json()
    assert fired["fired"] is True and fired["wake_word"] == "okay nabu", fired
    assert after_push - 0.5 < fired["seconds"] < 14


# ``served`` (tests/faces/conftest.py) is the page of the station's double: it has no
# microphone, as with listen = "none".


def test_without_a_microphone_the_page_says_so(served: Served) -> None:
    page = logged_in(served.url)
    found = level(page, served.url)
    assert found["available"] is False and found["level_db"] is None
    assert 'listen = "none"' in found["note"]
    test = page.post(f"{served.url}/api/setup/wake-test", json={"seconds": 2}, timeout=TIMEOUT)
    assert test.status_code == 409 and "no microphone" in test.json()["error"]


def test_a_bad_wake_test_request_is_a_clear_400(served: Served) -> None:
    page = logged_in(served.url)
    bad = ("0", "31", '"5"', "true", "Infinity", "NaN", "null", "[1]")
    for body in [f'{{"seconds": {value}}}' for value in bad] + ["[]"]:
        answer = page.post(f"{served.url}/api/setup/wake-test", data=body, timeout=TIMEOUT,
                           headers={"Content-Type": "application/json"})  # fmt: skip
        assert answer.status_code == 400 and answer.json()["key"] == "seconds", body
    text = page.post(f"{served.url}/api/setup/wake-test", data="5", timeout=TIMEOUT)
    assert text.status_code == 400
    assert requests.get(f"{served.url}/api/setup/microphone", timeout=TIMEOUT).status_code == 401

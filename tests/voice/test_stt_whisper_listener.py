"""Whisper in the listener: its final begun early in the pause, on another thread, and kept as
the transcript when the short silence has passed (real Whisper, audio paced as a microphone
gives it). What it saves in the reply's latency: tests/benchmarks/bench_speech.py."""

from __future__ import annotations

import time
from typing import Any

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.complete import is_complete
from appliance.events import SpeechEnded, Transcript
from appliance.voice.capture import PcmSource
from appliance.voice.stt_whisper import WhisperRecognizer
from appliance.voice.vad import Endpointer
from tests.support import whisper as shared
from tests.support.speech import silence, speech_pcm
from tests.voice.conftest import COMMANDS, NAMES
from tests.voice.test_listener import listen, of

NEVER = 10**6


class Timed:
    """The real recogniser, with when each final began: decode() (early, on the listener's
    worker thread) or finish() (on the listener's thread)."""

    def __init__(self, recognizer: WhisperRecognizer) -> None:
        self._recognizer = recognizer
        self.decodes: list[float] = []
        self.finishes: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._recognizer, name)

    def decode(self, pcm: bytes) -> Transcript:
        self.decodes.append(time.monotonic())
        return self._recognizer.decode(pcm)

    def finish(self) -> Transcript:
        self.finishes.append(time.monotonic())
        return self._recognizer.finish()


def heard_after_the_pause(
    whisper: WhisperRecognizer, check: Any, speculate_ms: int
) -> tuple[Timed, SpeechEnded, Transcript]:
    """ "skip this song", paced as a microphone gives it, through a listener."""
    timed = Timed(whisper)
    pcm = silence(0.3) + speech_pcm("skip this song") + silence(0.7)
    events, _ = listen(
        PcmSource(pcm, realtime=True, tail_s=0.1),
        timed,
        [],
        before_run=lambda listener: listener.trigger(),
        endpointer=Endpointer(trailing_silence_ms=500, early_silence_ms=200),
        is_complete=check,
        speculate_ms=speculate_ms,
    )
    (ended,) = of(events, SpeechEnded)
    (transcript,) = of(events, Transcript)
    assert transcript.text.lower().strip(".!") == "skip this song"
    assert transcript.timings["ended_early"] == 1.0
    return timed, ended, transcript


def test_the_final_is_begun_in_the_pause_before_the_short_silence_ends(
    whisper: WhisperRecognizer, whole: Any
) -> None:
    """The decode starts 150 ms into the pause, not when the 320 ms have passed, and is the
    transcript: nothing is decoded twice."""
    timed, ended, _ = heard_after_the_pause(whisper, whole, 150)
    assert len(timed.decodes) == 1 and timed.finishes == []
    assert timed.decodes[0] < ended.at
    waited = time.monotonic()
    timed, ended, _ = heard_after_the_pause(whisper, whole, NEVER)
    assert timed.decodes == [] and len(timed.finishes) == 1  # as before: at the short silence
    assert timed.finishes[0] >= ended.at > waited


@pytest.fixture(scope="module")
def whisper() -> WhisperRecognizer:
    return WhisperRecognizer(shared.model_path(), COMMANDS, NAMES, model=shared.shared_model())


@pytest.fixture(scope="module")
def whole() -> Any:
    """The station's check: is this text already a whole command?"""
    understanding = PersonalizedDJ().understanding
    return lambda text: is_complete(understanding.parse(text))


def ended_after(whisper: WhisperRecognizer, check: Any, text: str, sure: float) -> Transcript:
    """``text`` through a listener whose short silence is long (2.5 s), so that a final ready
    before it shows, on a loaded machine too."""
    pcm = silence(0.3) + speech_pcm(text) + silence(3.6)
    events, _ = listen(
        PcmSource(pcm, realtime=True, tail_s=0.1),
        whisper,
        [],
        before_run=lambda listener: listener.trigger(),
        endpointer=Endpointer(trailing_silence_ms=3000, early_silence_ms=200),
        is_complete=check,
        final_silence_ms=2500,
        sure_confidence=sure,
    )
    (transcript,) = of(events, Transcript)
    return transcript


def test_a_whole_command_heard_surely_ends_as_soon_as_its_final_is_ready(
    whisper: WhisperRecognizer, whole: Any
) -> None:
    sure = ended_after(whisper, whole, "skip this song", sure=0.5)
    assert sure.text.lower().strip(".!") == "skip this song" and sure.confidence >= 0.5
    assert sure.timings["ended_early"] == 1.0
    assert sure.timings["end_of_speech_s"] < 2.4  # the final's wait, not the short silence
    unsure = ended_after(whisper, whole, "skip this song", sure=1.01)  # never sure enough
    assert unsure.text == sure.text and unsure.timings["end_of_speech_s"] >= 2.5
    going_on = ended_after(whisper, whole, "play something by", sure=0.0)  # not whole
    assert going_on.timings["end_of_speech_s"] >= 2.5

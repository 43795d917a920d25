"""Speech out and music start: how fast the DJ starts talking, and how fast a track starts.

Figures (median of several runs): Piper's real-time factor (synthesis time / audio time), time
from text in to the first sentence's audio out of Piper, time from text in to the first sample
handed to the output device (a running PulseAudio stream), and the player's start latency
(play() to TrackStarted) on mpv's null output and on PulseAudio.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from appliance.events import TrackStarted
from appliance.library.track import Track
from appliance.player import Player
from appliance.voice.speaker import SpeechOutput, speak
from appliance.voice.tts_piper import PiperSpeech
from tests.benchmarks.report import median, percentile, record
from tests.support.music import make_track
from tests.support.pulse import PulseServer

REPLIES = [
    "Here is some jazz for you. It is by Miles Davis. Enjoy!",
    "Sure, turning it down. Let me know if you want it quieter still.",
    "Next up, a little soul from the seventies. This one always makes people dance.",
    "Good morning! I picked something calm to start the day. Tell me if you want more energy.",
    "Skipping that one. How about some blues instead?",
]
RUNS = 5


class StartClock:
    """Times play() to TrackStarted."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.at = 0.0

    def __call__(self, event: object) -> None:
        if isinstance(event, TrackStarted):
            self.at = event.at
            self.started.set()

    def measure(self, player: Player, song: Track, runs: int) -> list[float]:
        latencies = []
        for _ in range(runs):
            self.started.clear()
            begin = time.monotonic()
            player.play(song)
            assert self.started.wait(10), "the track did not start"
            latencies.append(self.at - begin)
            player.stop(fade=0.0)
        return latencies


def level_db(pcm: bytes) -> float:
    audio = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    return float(20 * np.log10(np.sqrt(np.mean(audio**2)) + 1e-9))


def measure_duck(pulse: PulseServer, tone: Track, runs: int = 3) -> tuple[list[float], list[float]]:
    """Recorded level change of the music under duck() and after unduck(), in dB."""
    recorder = pulse.recorder()
    ducked, restored = [], []

    def window(seconds: float = 0.5) -> float:
        start = recorder.mark()
        time.sleep(seconds)
        return level_db(recorder.audio()[start:])

    try:
        with Player(audio_output="pulse", volume=80) as player:
            player.play(tone)
            time.sleep(0.8)
            for _ in range(runs):
                before = window()
                player.duck(-15.0, fade=0.25)
                time.sleep(0.6)
                ducked.append(window() - before)
                player.unduck(fade=0.5)
                time.sleep(0.9)
                restored.append(window() - before)
    finally:
        recorder.stop()
    return ducked, restored


def test_tts_and_player_start(pulse: PulseServer, tmp_path: Path) -> None:
    begin = time.perf_counter()
    voice = PiperSpeech.load()
    load_s = time.perf_counter() - begin

    first_chunk: list[float] = []
    rtf: list[float] = []
    for _ in range(RUNS):
        for text in REPLIES:
            begin = time.perf_counter()
            audio = 0.0
            for index, chunk in enumerate(voice.synthesize(text)):
                if index == 0:
                    first_chunk.append(time.perf_counter() - begin)
                audio += chunk.seconds
            rtf.append((time.perf_counter() - begin) / audio)

    recorder = pulse.recorder()  # keeps the null sink at low latency, like a real device
    first_sample: list[float] = []
    try:
        with SpeechOutput() as output:
            for text in REPLIES * 2:
                begin = time.monotonic()
                starts: list[float] = []
                speak(output, voice, text, on_start=starts.append)
                first_sample.append(starts[0] - begin)
    finally:
        recorder.stop()

    song = Track("s", str(make_track(tmp_path / "song.ogg", 5.0)), "Song", "Bench", duration=5.0)
    tone = make_track(tmp_path / "tone.flac", 12.0, freq=440, level=0.5)
    duck_db, unduck_db = measure_duck(pulse, Track("t", str(tone), "Tone", "Bench", duration=12.0))

    clock = StartClock()
    with Player(audio_output="null", on_event=clock) as player:
        start_null = clock.measure(player, song, 10)
    with Player(audio_output="pulse", on_event=clock) as player:
        start_pulse = clock.measure(player, song, 10)

    record(
        "tts",
        {
            "piper_load_s": load_s,
            "piper_rtf_median": median(rtf),
            "piper_rtf_p90": percentile(rtf, 0.9),
            "text_to_first_chunk_ms_median": median(first_chunk) * 1000,
            "text_to_first_chunk_ms_p90": percentile(first_chunk, 0.9) * 1000,
            "text_to_first_sample_ms_median": median(first_sample) * 1000,
            "text_to_first_sample_ms_p90": percentile(first_sample, 0.9) * 1000,
            "player_start_null_ms_median": median(start_null) * 1000,
            "player_start_pulse_ms_median": median(start_pulse) * 1000,
            "duck_depth_db_median": median(duck_db),
            "after_unduck_db_median": median(unduck_db),
            "replies": len(REPLIES),
            "runs": RUNS,
        },
    )
    assert median(rtf) < 1.0 or pytest.fail("Piper is slower than real time here")

"""Speech played into a real (private) PulseAudio sink, found again in the recording."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from appliance.errors import AudioError
from appliance.library.track import Track
from appliance.player import Player
from appliance.voice.speaker import SpeechOutput, speak
from appliance.voice.tts_piper import PiperSpeech, SpeechAudio
from tests.player.conftest import module_pulse, recorder
from tests.support.music import make_track
from tests.support.pulse import SINK_RATE, PulseServer, Recorder

pytestmark = pytest.mark.audio
__all__ = ["module_pulse", "recorder"]  # the player tests' shared server and recorder

TEXT = "Here is some jazz for you. It is by Miles Davis. Enjoy!"


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PiperSpeech]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        yield PiperSpeech.load()


@pytest.fixture(scope="module")
def chunks(speech: PiperSpeech) -> list[SpeechAudio]:
    return list(speech.synthesize(TEXT))


def as_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)


def find(recording: np.ndarray, clip: np.ndarray) -> tuple[int, float]:
    """Where ``clip`` sits in ``recording`` (by FFT cross-correlation) and how well it matches."""
    size = 1 << int(np.ceil(np.log2(recording.size + clip.size)))
    spectrum = np.fft.rfft(recording, size) * np.conj(np.fft.rfft(clip, size))
    lag = int(np.argmax(np.fft.irfft(spectrum, size)[: recording.size - clip.size + 1]))
    segment = recording[lag : lag + clip.size]
    return lag, float(np.corrcoef(segment, clip)[0, 1])


def test_speech_is_played_sample_for_sample(recorder: Recorder, chunks: list[SpeechAudio]) -> None:
    starts: list[float] = []
    with SpeechOutput() as output:
        mark = recorder.mark()
        before = time.monotonic()
        finished = output.say(iter(chunks), on_start=starts.append)
        after = time.monotonic()
        time.sleep(0.3)
    recording = as_float(recorder.audio()[mark:])
    assert finished is True
    assert len(starts) == 1 and before <= starts[0] <= after
    # every sentence, in order, as synthesised (each found on its own: a scheduling hiccup of the
    # sound server between two sentences is not the speaker's doing)
    lags = []
    for chunk in chunks:
        clip = as_float(chunk.pcm)
        assert recording.size > clip.size
        lag, match = find(recording, clip)
        assert match > 0.95, f"sentence {chunk.text!r} matched at only {match:.2f}"
        lags.append(lag)
    assert lags == sorted(lags)


def test_cancel_silences_the_speech_early(recorder: Recorder, chunks: list[SpeechAudio]) -> None:
    cancel = threading.Event()
    starts: list[float] = []

    def started(at: float) -> None:
        starts.append(at)
        threading.Timer(0.5, cancel.set).start()  # the person talks over the DJ

    with SpeechOutput() as output:
        mark = recorder.mark()
        finished = output.say(iter(chunks), on_start=started, cancel=cancel)
        time.sleep(0.5)
        recording = as_float(recorder.audio()[mark:])
        assert finished is False
        assert len(starts) == 1
        # the output is usable again right after a cancel
        assert output.say(iter(chunks[-1:])) is True
    opening = as_float(chunks[0].pcm)[2000:9000]  # words, not the leading silence
    lag, match = find(recording, opening)
    assert match > 0.95  # the speech did start
    spoken = recording[max(0, lag - 2000) :]
    frames = spoken[: spoken.size // 512 * 512].reshape(-1, 512)
    loud = np.sqrt((frames**2).mean(axis=1)) > 300
    heard = loud.nonzero()[0].max() * 512 / SINK_RATE
    total = sum(chunk.seconds for chunk in chunks)
    assert heard < 1.5 < total  # cut after about half a second, not played to the end


def test_stop_from_another_thread_ends_say(
    module_pulse: PulseServer, chunks: list[SpeechAudio]
) -> None:
    with SpeechOutput() as output:
        threading.Timer(0.3, output.stop).start()
        assert output.say(iter(chunks)) is False


def test_speak_ducks_the_music_under_the_voice(
    recorder: Recorder, speech: PiperSpeech, tmp_path: Path
) -> None:
    """Music (a 3 kHz tone) drops by about 15 dB while the DJ talks and comes back after."""
    tone = make_track(tmp_path / "tone.flac", 8.0, freq=3000, level=0.5)
    music = Track("tone", str(tone), "Tone", "Test", duration=8.0)
    window = SINK_RATE // 2  # 0.5 s: a 2 Hz bin, where speech has almost no energy

    def level(audio: np.ndarray) -> float:
        segment = audio[:window]
        probe = np.exp(-2j * np.pi * 3000 * np.arange(segment.size) / SINK_RATE)
        return float(20 * np.log10(np.abs(segment @ probe) * 2 / segment.size + 1e-9))

    marks: dict[str, int] = {}
    with Player(audio_output="pulse", volume=100) as player, SpeechOutput() as output:
        player.play(music)
        time.sleep(1.0)
        marks["before"] = recorder.mark()
        time.sleep(0.6)

        def started(_: float) -> None:
            marks["during"] = recorder.mark() + SINK_RATE // 2 * 2  # 0.5 s into the speech

        said = speak(output, speech, "Here is some jazz for you.", player, on_start=started)
        assert said is True
        time.sleep(1.0)
        marks["after"] = recorder.mark()
        time.sleep(0.6)
    audio = recorder.audio()
    before = level(as_float(audio[marks["before"] :]))
    during = level(as_float(audio[marks["during"] :]))
    after = level(as_float(audio[marks["after"] :]))
    assert -18.0 < during - before < -12.0
    assert abs(after - before) < 1.5


def test_a_lost_server_raises_audio_error_and_the_next_reply_plays(
    pulse: PulseServer, chunks: list[SpeechAudio], monkeypatch: pytest.MonkeyPatch
) -> None:
    from appliance.voice import speaker

    with SpeechOutput() as output:
        monkeypatch.setattr(speaker, "STALL_TIMEOUT", 1.0)
        threading.Timer(0.5, pulse.stop).start()
        with pytest.raises(AudioError) as caught:
            output.say(iter(chunks))
        assert caught.value.hint and "pactl info" in caught.value.hint
        monkeypatch.setattr(speaker, "STALL_TIMEOUT", 3.0)  # a new stream may take 2 s to start
        pulse.fifo.unlink(missing_ok=True)
        pulse.start()
        assert output.say(iter(chunks[-1:])) is True

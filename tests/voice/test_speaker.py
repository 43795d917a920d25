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
from appliance.voice.speaker import SpeechOutput, refresh_devices, speak
from appliance.voice.tts_piper import PiperSpeech, SpeechAudio
from tests.player.conftest import module_pulse, recorder
from tests.support.music import make_track
from tests.support.pulse import SINK_RATE, PulseServer, Recorder
from tests.support.sound import as_float, find, played_out, played_problems, settled_level, tone_db

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


def test_speech_is_played_sample_for_sample(recorder: Recorder, chunks: list[SpeechAudio]) -> None:
    starts: list[float] = []
    with SpeechOutput() as output:
        mark = recorder.mark()
        before = time.monotonic()
        finished = output.say(iter(chunks), on_start=starts.append)
        after = time.monotonic()
    assert finished is True
    assert len(starts) == 1 and before <= starts[0] <= after
    recording = played_out(recorder, mark)
    # every sentence, in order, as synthesised: looked for piece by piece, so that a moment in
    # which a busy sound server ran dry (a gap) is told apart from the speaker losing audio
    speech = as_float(b"".join(chunk.pcm for chunk in chunks))
    assert played_problems(recording, speech) == []


def test_cancel_silences_the_speech_early(recorder: Recorder, chunks: list[SpeechAudio]) -> None:
    cancel = threading.Event()
    starts: list[float] = []
    cancelled_at: list[float] = []

    def talk_over() -> None:  # the person talks over the DJ
        cancelled_at.append(time.monotonic())
        cancel.set()

    def started(at: float) -> None:
        starts.append(at)
        threading.Timer(0.5, talk_over).start()

    with SpeechOutput() as output:
        mark = recorder.mark()
        finished = output.say(iter(chunks), on_start=started, cancel=cancel)
        assert finished is False
        assert len(starts) == 1 and len(cancelled_at) == 1
        recording = played_out(recorder, mark)
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
    # silent within a block or two of the cancel (plus the output's own latency), however late
    # the machine got round to cancelling, and not played to the end
    assert heard < cancelled_at[0] - starts[0] + 0.3
    assert heard < total


def test_stop_from_another_thread_ends_say(
    module_pulse: PulseServer, chunks: list[SpeechAudio]
) -> None:
    with SpeechOutput() as output:

        def started(_: float) -> None:
            threading.Timer(0.3, output.stop).start()

        assert output.say(iter(chunks), on_start=started) is False


def test_speak_ducks_the_music_under_the_voice(
    recorder: Recorder, speech: PiperSpeech, tmp_path: Path
) -> None:
    """Music (a 3 kHz tone) drops by about 15 dB while the DJ talks and comes back after."""
    tone = make_track(tmp_path / "tone.flac", 15.0, freq=3000, level=0.5)
    music = Track("tone", str(tone), "Tone", "Test", duration=15.0)
    marks: dict[str, int] = {}

    def started(_: float) -> None:
        marks["start"] = recorder.mark()

    with Player(audio_output="pulse", volume=100) as player, SpeechOutput() as output:
        player.play(music)
        before = settled_level(recorder, 3000, lambda level: level > 60)  # clearly playing
        text = "Here is some jazz for you. It is by Miles Davis."  # three seconds
        said = speak(output, speech, text, player, on_start=started)
        marks["end"] = recorder.mark()
        assert said is True
        # while the voice was heard: from a little after it began (the duck is complete and the
        # recording has caught up) to when speak() returned (the music comes back only then);
        # 0.5 s windows, where speech has almost no energy at 3 kHz
        talking = recorder.audio()[marks["start"] + int(0.8 * SINK_RATE) * 2 : marks["end"]]
        during = tone_db(as_float(talking), 3000, window_s=0.5, hop_s=0.1)
        after = settled_level(recorder, 3000, lambda level: level > during + 3)
    assert -18.0 < during - before < -12.0
    assert abs(after - before) < 1.5


def test_a_lost_server_raises_audio_error_and_the_next_reply_plays(
    pulse: PulseServer, chunks: list[SpeechAudio], monkeypatch: pytest.MonkeyPatch
) -> None:
    from appliance.voice import speaker

    with SpeechOutput() as output:
        monkeypatch.setattr(speaker, "STALL_TIMEOUT", 1.0)
        server_lost = threading.Timer(0.5, pulse.stop)
        server_lost.start()
        with pytest.raises(AudioError) as caught:
            output.say(iter(chunks))
        assert caught.value.hint and "pactl info" in caught.value.hint
        server_lost.join()  # the old server is gone before the new one starts
        monkeypatch.setattr(speaker, "STALL_TIMEOUT", 3.0)  # a new stream may take 2 s to start
        pulse.fifo.unlink(missing_ok=True)
        pulse.start()
        assert output.say(iter(chunks[-1:])) is True


def test_a_server_that_comes_up_after_portaudio_listed_the_devices_is_found(
    module_pulse: PulseServer, chunks: list[SpeechAudio], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PortAudio lists the devices once; the speech output lists them again when it cannot open."""
    import sounddevice

    from appliance.voice import speaker

    monkeypatch.setenv("PULSE_SERVER", f"unix:{module_pulse.root / 'no-server-here'}")
    sounddevice._terminate()  # PortAudio starts while there is no server
    sounddevice._initialize()
    assert not [d for d in sounddevice.query_devices() if d["max_output_channels"] > 0]
    monkeypatch.setenv("PULSE_SERVER", module_pulse.env["PULSE_SERVER"])  # the server is up now
    monkeypatch.setattr(speaker, "_refreshed_at", None)  # no refresh a moment ago
    with SpeechOutput() as output:
        assert output.say(iter(chunks[-1:])) is True
    assert refresh_devices() is False  # not again within REFRESH_INTERVAL

"""The programme reaches the rooms through a real PulseAudio pipe sink, snapserver and snapclient;
a reply stays on the local speaker; with the server gone the music is back on the local speaker."""

from __future__ import annotations

import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from appliance.rooms.programme import (
    COMBINED_SINK,
    PIPE_SINK,
    Programme,
    _streams,
    pactl,
    pulse_format,
)
from appliance.rooms.rpc import RoomsError
from tests.rooms.conftest import House
from tests.support.pulse import SINK_RATE, PulseServer

ROOM_RATE = 48000


def tone(path: Path, hz: float, seconds: float) -> Path:
    t = np.arange(int(ROOM_RATE * seconds)) / ROOM_RATE
    samples = (0.5 * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(ROOM_RATE)
        out.writeframes(np.repeat(samples, 2).tobytes())
    return path


def play(path: Path, client: str) -> subprocess.Popen[bytes]:
    """Play ``path`` on the default sink as the client ``client`` (the music is "qfzz")."""
    return subprocess.Popen(["paplay", f"--client-name={client}", str(path)])


def strength(audio: bytes, rate: int, hz: float, channels: int) -> float:
    """How much of ``hz`` is in ``audio`` (s16le), relative to full scale."""
    samples = np.frombuffer(audio[: len(audio) // (2 * channels) * 2 * channels], "<i2")
    if channels > 1:
        samples = samples.reshape(-1, channels)[:, 0]
    if len(samples) < rate // 10:
        return 0.0
    t = np.arange(len(samples)) / rate
    signal = samples.astype(np.float64) / 32768
    return float(abs(np.dot(signal, np.exp(-2j * np.pi * hz * t))) * 2 / len(samples))


def wait_for(condition, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def programme(pulse: PulseServer, house: House) -> Iterator[Programme]:
    made = Programme(house.server.fifo, "48000:16:2")
    made.setup()
    try:
        yield made
    finally:
        made.close()


@pytest.mark.audio
def test_the_music_reaches_the_room_and_a_reply_stays_here(
    pulse: PulseServer, house: House, programme: Programme, tmp_path: Path
) -> None:
    assert {PIPE_SINK, COMBINED_SINK} <= set(pactl("list", "short", "sinks").split())
    programme.route(True)
    recorder = pulse.recorder()
    try:
        music = play(tone(tmp_path / "music.wav", 660, 1.5), "qfzz")
        wait_for(
            lambda: strength(house.kitchen.heard(), ROOM_RATE, 660, 2) > 0.05,
            "the music in the kitchen",
        )
        music.wait(10)
        assert programme.moved >= 1
        assert strength(recorder.audio(), SINK_RATE, 660, 1) > 0.02  # and here too

        room_mark = len(house.kitchen.heard())
        here_mark = recorder.mark() // 2 * 2  # a whole sample
        reply = play(tone(tmp_path / "reply.wav", 990, 1.0), "reply")
        reply.wait(10)
        recorder.wait_for(
            lambda audio: strength(audio, SINK_RATE, 990, 1) > 0.05, here_mark, what="the reply"
        )
        time.sleep(0.7)  # Snapcast's buffer: anything sent would be in the room by now
        in_room = house.kitchen.heard()[room_mark:]
        assert strength(in_room, ROOM_RATE, 990, 2) < 0.005, "the reply went across the house"
    finally:
        recorder.stop()


@pytest.mark.audio
def test_with_the_rooms_away_the_music_plays_here_only(
    pulse: PulseServer, house: House, programme: Programme, tmp_path: Path
) -> None:
    programme.route(True)
    house.server.stop(kill=True)
    programme.route(False)
    recorder = pulse.recorder()
    try:
        mark = recorder.mark() // 2 * 2  # a whole sample
        music = play(tone(tmp_path / "music.wav", 660, 2.0), "qfzz")
        recorder.wait_for(
            lambda audio: strength(audio, SINK_RATE, 660, 1) > 0.05, mark, what="the music here"
        )
        sinks = {
            name: int(index)
            for index, name, *_ in (
                line.split("\t") for line in pactl("list", "short", "sinks").splitlines()
            )
        }
        playing_on = [
            stream["sink"]
            for stream in _streams()
            if stream["properties"].get("application.name") == "qfzz"
        ]
        music.wait(10)
        assert playing_on == [sinks["vsink"]]
    finally:
        recorder.stop()


def test_a_bad_sample_format_says_what_is_valid() -> None:
    assert pulse_format("44100:24:2") == ("s24-32le", 44100, 2)
    with pytest.raises(RoomsError, match="rate:bits:channels") as refused:
        pulse_format("48000:12:2")
    assert "48000:16:2" in (refused.value.hint or "")


def test_no_sound_server_is_said_clearly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/nothing.sock")
    with pytest.raises(RoomsError, match="no PulseAudio") as refused:
        Programme(tmp_path / "fifo", "48000:16:2").setup()
    assert "PipeWire" in (refused.value.hint or "")


@pytest.mark.audio
def test_the_djs_talk_between_tracks_goes_on_air_and_comes_back(
    pulse: PulseServer, house: House, programme: Programme
) -> None:
    """The DJ's voice is a stream of this process (not the music's): on air, the rooms hear it;
    after, only this speaker does."""
    import sounddevice

    # PortAudio keeps the device list of its first start in this process: an earlier test's
    # sound server may be gone, so it starts again and sees this one
    sounddevice._terminate()
    sounddevice._initialize()
    programme.route(True)
    rate, phase = 22050, [0]

    def voice(out: np.ndarray, frames: int, _time: object, _status: object) -> None:
        n = np.arange(phase[0], phase[0] + frames)
        out[:, 0] = (0.5 * np.sin(2 * np.pi * 990 * n / rate)).astype(np.float32)
        phase[0] += frames

    stream = sounddevice.OutputStream(rate, channels=1, dtype="float32", callback=voice)
    stream.start()
    try:
        second = ROOM_RATE * 4

        def in_kitchen() -> float:
            return strength(house.kitchen.heard()[-second // 2 :], ROOM_RATE, 990, 2)

        time.sleep(0.6)
        assert in_kitchen() < 0.005, "the voice reached the kitchen before it was on air"
        assert programme.on_air(True) >= 1
        wait_for(lambda: in_kitchen() > 0.05, "the DJ's talk in the kitchen")
        programme.on_air(False)
        wait_for(lambda: in_kitchen() < 0.005, "the kitchen without the DJ's voice")
    finally:
        stream.abort()
        stream.close()


@pytest.mark.audio
def test_ducking_here_lowers_the_local_half_only(
    pulse: PulseServer, house: House, programme: Programme, tmp_path: Path
) -> None:
    """duck = "local" without a room of this board's own: the combined sink's stream into the
    local speaker dips; the rooms' half does not."""
    programme.route(True)
    recorder = pulse.recorder()
    music = play(tone(tmp_path / "music.wav", 660, 40.0), "qfzz")  # killed at the end
    try:
        second = ROOM_RATE * 4

        def kitchen() -> float:
            return strength(house.kitchen.heard()[-second // 4 :], ROOM_RATE, 660, 2)

        def here() -> float:
            return strength(recorder.audio()[-SINK_RATE:], SINK_RATE, 660, 1)  # 0.5 s

        # a loaded machine has taken over 15 s to bring it through Snapcast
        wait_for(lambda: kitchen() > 0.1 and here() > 0.1, "the music in both places", 40.0)
        before = kitchen(), here()
        programme.duck_here(-20.0)
        programme.duck_here(-20.0)  # twice: still 20 dB down, not 40
        wait_for(lambda: here() < before[1] / 4, "the music dipping here")
        assert here() > before[1] / 30
        time.sleep(0.6)  # the rooms' buffer
        assert kitchen() > before[0] * 0.7, "the rooms were ducked too"
        programme.duck_here(0.0)
        wait_for(lambda: here() > before[1] * 0.7, "the music back here")
    finally:
        music.kill()
        music.wait()
        recorder.stop()


@pytest.mark.audio
def test_a_sound_server_that_restarts_gets_the_programme_sinks_again(
    pulse: PulseServer, house: House, programme: Programme, tmp_path: Path
) -> None:
    programme.route(True)
    pulse.stop()
    pulse.start()
    wait_for(lambda: PIPE_SINK in pactl("list", "short", "sinks"), "the pipe sink again")
    music = play(tone(tmp_path / "music.wav", 660, 3.0), "qfzz")
    try:
        wait_for(
            lambda: strength(house.kitchen.heard()[-ROOM_RATE * 2 :], ROOM_RATE, 660, 2) > 0.05,
            "the music in the kitchen again",
        )
    finally:
        music.kill()
        music.wait()

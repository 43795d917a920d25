"""Capture: bit-exact audio through the PulseAudio microphone, retries, recovery, WAV input."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from appliance.errors import AudioError
from appliance.voice.capture import Microphone, PcmSource, WavSource, load_pcm, resample
from tests.support.pulse import PulseServer
from tests.support.waiting import wait_until
from tests.voice.conftest import MicFeeder

LOGGER = "appliance.voice.capture"


def _pattern(seconds: float = 0.5) -> bytes:
    rng = np.random.default_rng(7)
    return rng.integers(-20000, 20000, int(16000 * seconds), dtype="<i2").tobytes()


def _collect_until(mic: Microphone, pattern: bytes, timeout: float = 20.0) -> bytes:
    """Read blocks until ``pattern`` has come through (or ``timeout`` passed), and a little more."""
    out = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pattern not in out:
        block = mic.read(timeout=0.2)
        if block:
            out += block
    for _ in range(10):  # what follows it comes in whole blocks too
        block = mic.read(timeout=0.2)
        if block:
            out += block
    return bytes(out)


def _messages(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and text in r.getMessage()]


@pytest.mark.audio
def test_the_microphone_delivers_what_was_spoken_bit_exact(
    pulse: PulseServer, feeder: MicFeeder
) -> None:
    mic = Microphone(device="pulse")
    mic.start()
    try:
        wait_until(lambda: mic.read(timeout=0.5) is not None, 15, "the first audio block")
        assert mic.available
        pattern = _pattern()
        feeder.say(pattern)
        captured = _collect_until(mic, pattern)
    finally:
        mic.stop()
    assert all(len(captured[i : i + 320]) == 320 for i in range(0, len(captured), 320))
    at = captured.find(pattern)
    assert at >= 0 and at % 2 == 0, "the spoken samples did not come back unchanged"
    assert not mic.available


@pytest.mark.audio
def test_a_missing_server_is_retried_logged_once_and_recovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    server = PulseServer(tmp_path / "late")
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    server.runtime.mkdir(mode=0o700, parents=True)
    mic = Microphone(device="pulse", retry_initial_s=0.1, retry_max_s=0.3)
    mic.start()
    feeder = None
    try:
        wait_until(lambda: mic.failures >= 3, 20, "three failed attempts")
        assert not mic.available
        assert len(_messages(caplog, "is unavailable")) == 1
        server.start()
        feeder = MicFeeder(server).start()
        wait_until(lambda: mic.read(timeout=0.2) is not None, 20, "audio once the server is up")
        assert mic.available
        assert len(_messages(caplog, "is back")) == 1
        assert len(_messages(caplog, "is unavailable")) == 1
    finally:
        mic.stop()
        if feeder:
            feeder.stop()
        server.stop()


@pytest.mark.audio
def test_a_microphone_lost_while_capturing_comes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    server = PulseServer(tmp_path / "flaky")
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    server.start()
    feeder = MicFeeder(server).start()
    # the default stall limit: a shorter one can take a busy moment of the machine for a loss
    mic = Microphone(device="pulse", retry_initial_s=0.1, retry_max_s=0.3, stall_s=2.0)
    mic.start()
    try:
        wait_until(lambda: mic.read(timeout=0.2) is not None, 15, "the first audio")
        caplog.clear()  # from here on: the loss and the return
        feeder.stop()
        server.stop()
        wait_until(lambda: not mic.available, 10, "the loss to be noticed")
        time.sleep(1.0)  # several failed retries while the server is gone
        assert len(_messages(caplog, "is unavailable")) == 1
        server.fifo.unlink(missing_ok=True)  # module-pipe-source refuses an existing FIFO
        server.start()
        feeder = MicFeeder(server).start()
        while mic.read(timeout=0) is not None:  # drop what was queued before the loss
            pass
        wait_until(lambda: mic.read(timeout=0.2) is not None, 20, "audio after the restart")
        assert len(_messages(caplog, "is back")) == 1
    finally:
        mic.stop()
        feeder.stop()
        server.stop()


def test_an_unknown_device_never_raises_and_stops_promptly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    mic = Microphone(device="no such microphone", retry_initial_s=0.05, retry_max_s=0.1)
    mic.start()
    try:
        wait_until(lambda: mic.failures >= 2, 20, "two failed attempts")
        assert mic.read(timeout=0.1) is None
        assert not mic.available
    finally:
        mic.stop()
    warnings = _messages(caplog, "is unavailable")
    assert len(warnings) == 1
    assert "no such microphone" in warnings[0]


def test_a_wav_file_is_read_as_16k_mono_blocks_then_exhausted(tmp_path: Path) -> None:
    rate = 22050
    t = np.arange(rate) / rate
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([tone, tone], axis=1)
    path = tmp_path / "in.wav"
    soundfile.write(path, stereo, rate, subtype="PCM_16")
    source = WavSource(path, tail_s=0.5)
    blocks = []
    while (block := source.read()) is not None:
        blocks.append(block)
    assert source.exhausted and not source.available
    assert {len(b) for b in blocks} == {320}
    audio = np.frombuffer(b"".join(blocks), dtype="<i2").astype(np.float64) / 32767
    assert len(audio) == 16000 + 8000
    spectrum = np.abs(np.fft.rfft(audio[:16000]))
    assert abs(np.argmax(spectrum) - 440) <= 1  # one second: one bin per hertz
    assert np.max(np.abs(audio[16000:])) == 0
    assert 0.45 < np.max(np.abs(audio[:16000])) < 0.55


def test_resampling_keeps_the_tone_and_length() -> None:
    t = np.arange(44100) / 44100
    out = resample(np.sin(2 * np.pi * 1000 * t), 44100, 16000)
    assert out.size == 16000
    assert np.argmax(np.abs(np.fft.rfft(out))) == 1000


def test_a_file_that_is_not_audio_says_which_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio")
    with pytest.raises(AudioError) as error:
        load_pcm(path)
    assert str(path) in str(error.value) and error.value.hint


def test_a_paced_source_keeps_its_blocks_in_order() -> None:
    pcm = _pattern(0.1)
    source = PcmSource(pcm, realtime=True, tail_s=0)
    got = bytearray()
    while not source.exhausted:
        block = source.read(timeout=1.0)
        if block:
            got += block
    assert bytes(got) == pcm

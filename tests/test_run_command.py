"""`appliance run --text`, `appliance run --input FILE.wav` and `appliance chat`, as processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.support import music
from tests.support.appliance import Daemon, analyse, first, where
from tests.support.pulse import PulseServer
from tests.support.speech import RATE, speech_pcm

TONES = {genre.lower(): hz for genre, hz in music.TONES.items()}


@pytest.fixture
def config(tone_music: Path, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[station]\nlog_level = "info"\n[dj]\ncommentary = 0.0\n'
        f'[library]\nmusic_folders = ["{tone_music}"]\n'
    )
    return path


def appliance(*args: str) -> list[str]:
    return [sys.executable, "-m", "appliance", *args]


def test_run_text_answers_typed_requests(config: Path) -> None:
    done = subprocess.run(
        appliance("run", "--text", "--silent", "--config", str(config)),
        input="play some jazz\nwhat's playing\nthis is alex\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    replies = [line for line in done.stdout.splitlines() if line.startswith("DJ Quantum: ")]
    assert len(replies) == 3, done.stdout
    assert replies[0].startswith("DJ Quantum: Here's 'Jazz Song")
    assert replies[1].startswith("DJ Quantum: This is 'Jazz Song")
    assert "Alex" in replies[2]


@pytest.mark.audio
def test_chat_plays_the_music_for_real(pulse: PulseServer, config: Path) -> None:
    recorder = pulse.recorder()
    chat = subprocess.Popen(
        appliance("chat", "--config", str(config)),
        env={**os.environ, **pulse.env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert chat.stdin is not None and chat.stdout is not None
    try:
        mark = recorder.mark()
        chat.stdin.write("play some rock\n")
        chat.stdin.flush()
        reply = chat.stdout.readline()
        assert reply.startswith("DJ Quantum: Here's 'Rock Song"), reply
        deadline = time.monotonic() + 20
        heard: list[int] = []
        while not heard and time.monotonic() < deadline:
            time.sleep(0.5)
            part = analyse(recorder.audio()[mark:], TONES)
            heard = where(part, -60.0, rock_share=0.9)
        assert heard, "no rock came out of the speaker"
        chat.stdin.close()
        assert chat.wait(timeout=20) == 0
    finally:
        recorder.stop()
        if chat.poll() is None:
            chat.kill()
            chat.wait()


@pytest.mark.audio
def test_run_takes_speech_from_a_file(pulse: PulseServer, config: Path, tmp_path: Path) -> None:
    wav = tmp_path / "request.wav"
    samples = np.frombuffer(speech_pcm("play some jazz"), dtype="<i2")
    soundfile.write(wav, np.concatenate([samples, np.zeros(RATE, dtype="<i2")]), RATE)
    recorder = pulse.recorder()
    mark = recorder.mark()
    daemon = Daemon(config, {**os.environ, **pulse.env}, "--input", str(wav))
    try:
        daemon.wait_ready(timeout=90)
        daemon.wait_for("heard 'play some jazz'", timeout=30)
        daemon.wait_for("'play some jazz' ->", timeout=30)
        deadline = time.monotonic() + 20
        jazz: list[int] = []
        while not jazz and time.monotonic() < deadline:
            time.sleep(0.5)
            part = analyse(recorder.audio()[mark:], TONES)
            floor = float(np.median([f["level"] for f in part[:5]]))
            jazz = where(part, floor, jazz_share=0.9)
        spoken = where(part, floor, voice_share=0.1)
        assert spoken and jazz and first(spoken) < first(jazz), "the answer, then the jazz"
    finally:
        recorder.stop()
        code, _ = daemon.terminate()
    assert code == 0


def test_run_refuses_an_invalid_config(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[audio]\nvolume = 170\nvolum = 3\n")
    done = subprocess.run(
        appliance("run", "--text", "--config", str(bad)),
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"{bad}:2" in done.stderr and "volume" in done.stderr
    assert f"{bad}:3" in done.stderr and "did you mean" in done.stderr

"""The whole appliance with the Whisper tier, on real virtual audio: spoken commands, through the
microphone, the wake word, the VAD and Whisper tiny.en, are understood and acted on.

Jazz in the test library is a 660 Hz tone and rock a 990 Hz one (``music.TONES``), so the
recording of the speaker tells which music plays.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.support import music
from tests.support.appliance import Daemon, Microphone, analyse, where
from tests.support.pulse import PulseServer
from tests.support.speech import speech_pcm

pytestmark = pytest.mark.audio

TONES = {genre.lower(): hz for genre, hz in music.TONES.items()}


@pytest.fixture
def daemon(
    pulse: PulseServer, tone_music: Path, isolated_env: Path, tmp_path: Path
) -> Iterator[Daemon]:
    config = tmp_path / "config.toml"
    config.write_text(
        '[station]\nlog_level = "info"\n'
        "[dj]\ncommentary = 0.0\n"
        '[voice]\nwake_word = "hey_jarvis"\ntrailing_silence_ms = 500\n'
        '[models]\nstt = "whisper-tiny-en"\n'
        "[audio]\nvolume = 80\n"
        f'[library]\nmusic_folders = ["{tone_music}"]\n'
    )
    running = Daemon(config, {**os.environ, **pulse.env})
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.proc.kill()
            running.proc.wait()


def test_whisper_hears_a_spoken_command_through_the_daemon(
    pulse: PulseServer, daemon: Daemon
) -> None:
    daemon.wait_ready(timeout=90)
    assert daemon.wait_for("speech recognition: whisper-tiny-en (whisper)", timeout=5)
    recorder = pulse.recorder()
    mic = Microphone(pulse)
    mic.thread.start()
    try:
        time.sleep(1.0)
        mark = recorder.mark()
        # an espeak-ng voice: the kind pocketsphinx mishears most
        mic.say(
            speech_pcm("hey jarvis") + speech_pcm("play some jazz", engine="espeak", voice="en-gb")
        )
        heard = daemon.wait_for("heard '", timeout=30)
        assert re.search(r"heard '[Pp]lay some jazz\.?'", heard), daemon.log()
        daemon.wait_for("ome jazz.' ->", timeout=30)
        deadline = time.monotonic() + 20
        jazz: list[int] = []
        while not jazz and time.monotonic() < deadline:
            time.sleep(0.5)
            part = analyse(recorder.audio()[mark:], TONES)
            floor = float(np.median([f["level"] for f in part[:5]]))
            jazz = where(part, floor, jazz_share=0.9)
        assert jazz, "no jazz after the answer:\n" + daemon.log()
    finally:
        mic.stop.set()
        recorder.stop()
    code, _ = daemon.terminate()
    assert code == 0, daemon.log()

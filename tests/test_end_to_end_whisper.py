"""The whole appliance with the Whisper tier, on real virtual audio: spoken commands, through the
microphone, the wake word, the VAD and Whisper tiny.en, are understood and acted on.

Jazz in the test library is a 660 Hz tone and rock a 990 Hz one (``music.TONES``), so the
recording of the speaker tells which music plays.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.support import music
from tests.support.appliance import Daemon, Microphone, analyse, where
from tests.support.daemons import tone_daemon
from tests.support.pulse import PulseServer
from tests.support.speech import silence, speech_pcm

pytestmark = pytest.mark.audio

TONES = {genre.lower(): hz for genre, hz in music.TONES.items()}


@pytest.fixture
def daemon(
    pulse: PulseServer, tone_music: Path, isolated_env: Path, tmp_path: Path
) -> Iterator[Daemon]:
    with tone_daemon(pulse, tone_music, tmp_path, "whisper-tiny-en") as running:
        yield running


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
        # an espeak-ng voice: the kind pocketsphinx mishears most, after a breath (said run on,
        # the wake word's last syllable reaches Whisper and "put on" comes out "pause on")
        mic.say(
            speech_pcm("hey jarvis")
            + silence(0.4)
            + speech_pcm("put on some rock music", engine="espeak", voice="en-gb")
        )
        heard = daemon.wait_for("heard '", timeout=30)
        assert re.search(r"heard '[Pp]ut on some rock music\.?'", heard), daemon.log()
        daemon.wait_for("rock music.' ->", timeout=30)
        deadline = time.monotonic() + 20
        rock: list[int] = []
        while not rock and time.monotonic() < deadline:
            time.sleep(0.5)
            part = analyse(recorder.audio()[mark:], TONES)
            floor = float(np.median([f["level"] for f in part[:5]]))
            rock = where(part, floor, rock_share=0.9)
        assert rock, "no rock after the answer:\n" + daemon.log()
    finally:
        mic.stop.set()
        recorder.stop()
    code, _ = daemon.terminate()
    assert code == 0, daemon.log()

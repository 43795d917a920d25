"""The whole appliance on real virtual audio: say a command, hear the DJ, then the right music.

The daemon runs as `appliance run` in its own process, with a private PulseAudio as its sound
card: the test speaks into the FIFO microphone (Piper's voice saying "hey jarvis, play some
jazz"), the daemon hears it through sounddevice, recognises it with pocketsphinx, answers with
Piper and plays the music with mpv, and the test records the speaker (the null sink's monitor).
The test library's jazz is a 660 Hz tone and its rock a 990 Hz tone, so the recording tells which
music plays and how loud, while the DJ's voice is told apart as broadband sound.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.support import music
from tests.support.pulse import MIC_RATE, SINK_RATE, PulseServer, Recorder
from tests.support.speech import speech_pcm

pytestmark = pytest.mark.audio

JAZZ_HZ = 660.0
ROCK_HZ = 990.0
FRAME = SINK_RATE // 10  # 100 ms frames: 10 Hz bins


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("music")
    for number in range(3):
        for genre, freq, fmt in (("Jazz", JAZZ_HZ, "flac"), ("Rock", ROCK_HZ, "ogg")):
            path = folder / f"{genre} Artist {number}" / f"{genre} {number}.{fmt}"
            music.write(path, music.signal(40.0, freq=freq, noise=0.002, level=0.5))
            music.tag(
                path,
                title=f"{genre} Song {number}",
                artist=f"{genre} Artist {number}",
                album=f"{genre} Album {number}",
                genre=genre,
                bpm="100",  # a tempo tag: no analysis needed
            )
    return folder


class Microphone:
    """Feeds the FIFO microphone in real time: silence, or speech when there is some."""

    def __init__(self, pulse: PulseServer) -> None:
        self.pulse = pulse
        self.queue: deque[bytes] = deque()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        fd = os.open(self.pulse.fifo, os.O_WRONLY)
        chunk = MIC_RATE * 2 // 50  # 20 ms
        started = time.monotonic()
        sent = 0
        try:
            while not self.stop.is_set():
                data = self.queue.popleft() if self.queue else b"\0" * chunk
                os.write(fd, data)
                sent += len(data)
                delay = started + sent / (MIC_RATE * 2) - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        finally:
            os.close(fd)

    def say(self, pcm: bytes) -> float:
        """Queue speech; returns how long it lasts."""
        chunk = MIC_RATE * 2 // 50
        for offset in range(0, len(pcm), chunk):
            self.queue.append(pcm[offset : offset + chunk].ljust(chunk, b"\0"))
        return len(pcm) / (MIC_RATE * 2)


class Daemon:
    """`appliance run` in a child process, its log collected line by line."""

    def __init__(self, config: Path, env: dict[str, str]) -> None:
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify_path = Path(env["APPLIANCE_DATA_DIR"]).parent / "notify.sock"
        self.notify.bind(str(notify_path))
        self.notify.settimeout(1.0)
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", "run", "--config", str(config)],
            env={**env, "NOTIFY_SOCKET": str(notify_path), "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip())

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the daemon died:\n" + self.log()
            try:
                message = self.notify.recv(4096).decode()
            except TimeoutError:
                continue
            if "READY=1" in message.split("\n"):
                return
        raise AssertionError("the daemon never said READY=1:\n" + self.log())

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            assert self.proc.poll() is None, "the daemon died:\n" + self.log()
            time.sleep(0.05)
        raise AssertionError(f"the daemon never logged {text!r}:\n" + self.log())

    def log(self) -> str:
        return "\n".join(self.lines[-60:])

    def terminate(self) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=15)
        self.notify.close()
        return code, time.monotonic() - started


@pytest.fixture
def daemon(
    pulse: PulseServer, library: Path, isolated_env: Path, tmp_path: Path
) -> Iterator[Daemon]:
    config = tmp_path / "config.toml"
    config.write_text(
        '[station]\nlog_level = "info"\n'
        "[dj]\ncommentary = 0.0\n"
        '[voice]\nwake_word = "hey_jarvis"\ntrailing_silence_ms = 500\n'
        "[audio]\nvolume = 80\nduck_db = -15.0\n"
        f'[library]\nmusic_folders = ["{library}"]\n'
    )
    env = {**os.environ, **pulse.env}
    running = Daemon(config, env)
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.proc.kill()
            running.proc.wait()


def frames(pcm: bytes) -> np.ndarray:
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    count = samples.size // FRAME
    return samples[: count * FRAME].reshape(count, FRAME)


def tone_and_rest(block: np.ndarray, hz: float) -> tuple[float, float]:
    """Power in the bins around ``hz`` and in everything else, for one frame."""
    spectrum = np.abs(np.fft.rfft(block * np.hanning(block.size))) ** 2
    centre = round(hz * block.size / SINK_RATE)
    tone = spectrum[centre - 2 : centre + 3].sum()
    return float(tone), float(spectrum.sum() - tone)


def analyse(pcm: bytes) -> list[dict[str, float]]:
    """Per 100 ms: the jazz and rock tone levels (dB), the level of everything else (dB) and
    its share of the frame's power: near 0 for the pure-tone music, large for a voice."""
    out = []
    for block in frames(pcm):
        jazz, rest = tone_and_rest(block, JAZZ_HZ)
        rock, _ = tone_and_rest(block, ROCK_HZ)
        broadband = max(rest - rock, 0.0)
        total = jazz + rock + broadband + 1e-9
        out.append(
            {
                "jazz": 10 * np.log10(jazz + 1e-9),
                "rock": 10 * np.log10(rock + 1e-9),
                "level": 10 * np.log10(total),
                "voice_share": broadband / total,
                "jazz_share": jazz / total,
                "rock_share": rock / total,
            }
        )
    return out


def where(part: list[dict[str, float]], floor: float, **shares: float) -> list[int]:
    """Frames above the silence floor (+30 dB) whose shares exceed the given minimums."""
    return [
        i
        for i, f in enumerate(part)
        if f["level"] > floor + 30 and all(f[key] > low for key, low in shares.items())
    ]


def first(indexes: list[int]) -> int:
    assert indexes, "not found"
    return indexes[0]


def test_spoken_request_gets_a_spoken_answer_then_the_music(
    pulse: PulseServer, daemon: Daemon
) -> None:
    daemon.wait_ready(timeout=90)
    recorder: Recorder = pulse.recorder()
    mic = Microphone(pulse)
    mic.thread.start()
    try:
        # 1: nothing plays; "hey jarvis, play some jazz" -> the DJ speaks, then jazz plays
        time.sleep(1.0)
        mark = recorder.mark()
        mic.say(speech_pcm("hey jarvis") + speech_pcm("play some jazz"))
        daemon.wait_for("heard 'play some jazz'", timeout=30)
        daemon.wait_for("'play some jazz' ->", timeout=30)
        time.sleep(4.0)
        first_part = analyse(recorder.audio()[mark:])
        floor = float(np.median([f["level"] for f in first_part[:5]]))  # silence before
        spoken = where(first_part, floor, voice_share=0.1)
        jazz = where(first_part, floor, jazz_share=0.9)
        assert len(spoken) >= 10, "the DJ's answer (a second or more of speech) is missing"
        assert len(jazz) >= 10, "no jazz after the answer"
        assert first(spoken) < first(jazz), "speech first, then the music"
        assert not where(first_part, floor, rock_share=0.5), "rock played, not jazz"

        # 2: jazz plays; "hey jarvis, play some rock" -> jazz ducked under the answer, then rock
        steady = float(np.median([first_part[i]["jazz"] for i in jazz[-10:]]))
        mark = recorder.mark()
        mic.say(speech_pcm("hey jarvis") + speech_pcm("play some rock"))
        daemon.wait_for("'play some rock' ->", timeout=30)
        time.sleep(5.0)
        second_part = analyse(recorder.audio()[mark:])
        answer = [
            i
            for i in where(second_part, floor, voice_share=0.1)
            if second_part[i]["jazz"] > steady - 30
        ]
        assert len(answer) >= 10, "the DJ's second answer is missing"
        under = float(np.median([second_part[i]["jazz"] for i in answer]))
        assert -20.0 < under - steady < -10.0, f"jazz under the voice: {under - steady:.1f} dB"
        rock = where(second_part, floor, rock_share=0.9)
        assert rock and first(rock) > first(answer), "rock after the answer"
    finally:
        mic.stop.set()
        recorder.stop()
    code, seconds = daemon.terminate()
    assert code == 0, daemon.log()
    assert "off air" in daemon.log()
    print(f"stopped {seconds:.2f} s after SIGTERM")

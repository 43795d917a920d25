"""Two rooms hear the programme in step: two real snapclients, each playing to its own channel of
one PulseAudio sink, recorded together; the offset between them by cross-correlation."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.rooms.snapcast import SnapClient, SnapServer
from tests.support.pulse import PulseServer

RATE = 48000
MAX_OFFSET_MS = 10.0


def offset_ms(left: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """How far ``right`` lags ``left`` (ms) and how alike they are there (0..1)."""
    a, b = left - left.mean(), right - right.mean()
    n = 1 << (len(a) + len(b)).bit_length()
    correlation = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    window = RATE // 5  # look within +-200 ms
    lags = np.concatenate([correlation[-window:], correlation[: window + 1]])
    best = int(np.argmax(lags)) - window
    alike = float(lags.max() / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
    return -best * 1000 / RATE, alike


def feed(fifo: Path, seconds: float, stop: threading.Event) -> None:
    """Noise into the server's pipe (noise correlates sharply: the offset is exact)."""
    noise = np.random.default_rng(7).normal(0, 0.2, int(RATE * seconds)).clip(-1, 1)
    frames = np.repeat((noise * 32767).astype("<i2"), 2).tobytes()
    pipe = os.open(fifo, os.O_WRONLY)
    try:
        for start in range(0, len(frames), 3840):  # 20 ms
            if stop.is_set():
                return
            os.write(pipe, frames[start : start + 3840])
    finally:
        os.close(pipe)


@pytest.mark.audio
def test_two_rooms_play_in_step(pulse: PulseServer, snapserver: SnapServer, tmp_path: Path) -> None:
    pulse.pactl("load-module", "module-null-sink", "sink_name=house", f"rate={RATE}", "channels=2")
    for room, channel in (("kitchen", "front-left"), ("bedroom", "front-right")):
        pulse.pactl(
            "load-module", "module-remap-sink", f"sink_name={room}", "master=house",
            "channels=1", f"master_channel_map={channel}", "channel_map=mono", "remix=no",
        )  # fmt: skip
    rooms = [
        SnapClient(snapserver, room, tmp_path, sink=room).start() for room in ("kitchen", "bedroom")
    ]
    recorder = subprocess.Popen(
        ["parec", "--raw", "--device=house.monitor", "--format=s16le", f"--rate={RATE}",
         "--channels=2", "--latency-msec=20"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    stop = threading.Event()
    writer = threading.Thread(target=feed, args=(snapserver.fifo, 2.5, stop), daemon=True)
    recorded = bytearray()
    try:
        assert recorder.stdout is not None
        time.sleep(0.8)  # both rooms connected and the recorder running
        writer.start()
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline and len(recorded) < RATE * 4 * 3.5:
            recorded += os.read(recorder.stdout.fileno(), 65536)
        audio = np.frombuffer(bytes(recorded), "<i2").reshape(-1, 2).astype(np.float64)
        loud = np.flatnonzero(np.abs(audio).max(axis=1) > 1000)
        assert len(loud) > RATE, "the rooms did not both play the programme"
        # the middle of what was heard: both rooms are playing there
        middle = audio[loud[0] + RATE // 4 : loud[-1] - RATE // 4]
        both = middle[: RATE * 3 // 2]
        lag, alike = offset_ms(both[:, 0], both[:, 1])
        print(f"offset between the rooms: {lag:+.2f} ms (alike {alike:.2f})")
        assert alike > 0.5, "the rooms did not hear the same programme"
        assert abs(lag) < MAX_OFFSET_MS
    finally:
        stop.set()
        recorder.terminate()
        recorder.wait(5)
        for room in rooms:
            room.stop()
        writer.join(5)

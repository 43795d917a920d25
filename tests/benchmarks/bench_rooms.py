"""The rooms, measured on real Snapcast (snapserver and snapclients on this machine):

- the offset between two rooms that play the same programme (cross-correlation of the two,
  recorded together; aim: under 10 ms), median of a few runs;
- with the server killed, how long until the music plays here again (the programme's streams
  back on the local speaker);
- with the server started again, how long until the rooms are back (connected, the programme
  on its way to them): the reconnect backoff, after an outage of a second.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

from appliance.rooms.programme import Programme, _sink_indexes, _streams
from appliance.rooms.rooms import Rooms
from tests.benchmarks.report import median, record
from tests.rooms.snapcast import SnapClient, SnapServer
from tests.rooms.test_programme import play, tone
from tests.rooms.test_sync import RATE, feed, offset_ms
from tests.support.pulse import PulseServer

RUNS = 3


def measure_offset(pulse: PulseServer, root: Path) -> float:
    server = SnapServer(root / "snap").start()
    rooms = [SnapClient(server, room, root, sink=room).start() for room in ("kitchen", "bedroom")]
    recorder = subprocess.Popen(
        ["parec", "--raw", "--device=house.monitor", "--format=s16le", f"--rate={RATE}",
         "--channels=2", "--latency-msec=20"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    stop = threading.Event()
    writer = threading.Thread(target=feed, args=(server.fifo, 2.5, stop), daemon=True)
    recorded = bytearray()
    try:
        assert recorder.stdout is not None
        time.sleep(0.8)
        writer.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(recorded) < RATE * 4 * 3.5:
            recorded += os.read(recorder.stdout.fileno(), 65536)
        audio = np.frombuffer(bytes(recorded), "<i2").reshape(-1, 2).astype(np.float64)
        loud = np.flatnonzero(np.abs(audio).max(axis=1) > 1000)
        both = audio[loud[0] + RATE // 4 : loud[-1] - RATE // 4][: RATE * 3 // 2]
        return offset_ms(both[:, 0], both[:, 1])[0]
    finally:
        stop.set()
        recorder.terminate()
        recorder.wait(5)
        for room in rooms:
            room.stop()
        server.stop(kill=True)
        writer.join(5)


def programme_here() -> bool:
    local = _sink_indexes().get("@DEFAULT_SINK@")
    mine = [s for s in _streams() if s["properties"].get("application.name") == "qfzz"]
    return bool(mine) and all(stream["sink"] == local for stream in mine)


def measure_outage(root: Path) -> tuple[list[float], list[float]]:
    """Seconds from the server's death to the music here, and from its return to the rooms."""
    server = SnapServer(root / "outage").start()
    programme = Programme(server.fifo, "48000:16:2")
    programme.setup()
    music = play(tone(root / "music.wav", 660, 60.0), "qfzz")
    fallbacks: list[float] = []
    returns: list[float] = []

    async def body() -> None:
        loop = asyncio.get_running_loop()

        def changed(_rooms: object, connected: bool) -> None:
            loop.run_in_executor(None, programme.route, connected)

        rooms = Rooms("127.0.0.1", server.control_port, "QFZZ", changed)
        await rooms.start()
        try:
            for _ in range(RUNS):
                assert await rooms.wait_connected(10)
                while programme_here():
                    await asyncio.sleep(0.01)
                killed = time.monotonic()
                server.stop(kill=True)
                while not programme_here():
                    await asyncio.sleep(0.01)
                fallbacks.append(time.monotonic() - killed)
                await asyncio.sleep(1.0)
                started = time.monotonic()
                server.start()
                while not (rooms.connected and not programme_here()):
                    await asyncio.sleep(0.01)
                returns.append(time.monotonic() - started)
        finally:
            await rooms.stop()

    try:
        asyncio.run(asyncio.wait_for(body(), 120))
    finally:
        music.kill()
        music.wait()
        programme.close()
        server.stop(kill=True)
    return fallbacks, returns


def test_rooms(pulse: PulseServer, tmp_path: Path) -> None:
    pulse.pactl("load-module", "module-null-sink", "sink_name=house", f"rate={RATE}", "channels=2")
    for room, channel in (("kitchen", "front-left"), ("bedroom", "front-right")):
        pulse.pactl(
            "load-module", "module-remap-sink", f"sink_name={room}", "master=house",
            "channels=1", f"master_channel_map={channel}", "channel_map=mono", "remix=no",
        )  # fmt: skip
    offsets = [abs(measure_offset(pulse, tmp_path / f"run{n}")) for n in range(RUNS)]
    fallbacks, returns = measure_outage(tmp_path)
    record(
        "rooms",
        {
            "offset between two rooms, ms (median)": median(offsets),
            "offset between two rooms, ms (worst)": max(offsets),
            "server killed -> music here, s (median)": median(fallbacks),
            "server killed -> music here, s (worst)": max(fallbacks),
            "server back -> rooms back, s (median)": median(returns),
            "server back -> rooms back, s (worst)": max(returns),
            "runs": RUNS,
        },
    )
    assert max(offsets) < 10.0

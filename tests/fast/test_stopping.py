"""Stopping the station waits for its threads without holding its lock: a part slow to stop
holds up nothing that needs the lock meanwhile."""

from __future__ import annotations

import threading

import pytest

from appliance.station import QFZZStation
from tests.support.waiting import wait_until


def test_stop_joins_the_parts_without_holding_the_stations_lock(
    station: QFZZStation, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialogue = station.dialogue
    assert dialogue is not None
    stopping, go_on = threading.Event(), threading.Event()
    real_stop = dialogue.stop

    def slow_stop(timeout: float | None = None) -> None:
        stopping.set()
        go_on.wait(10)  # a dialogue thread that takes its time to finish
        real_stop(timeout=timeout)

    monkeypatch.setattr(dialogue, "stop", slow_stop)
    stopper = threading.Thread(target=station.stop)
    stopper.start()
    try:
        wait_until(stopping.is_set, timeout=10, what="stop() to reach the dialogue")
        got = station._lock.acquire(timeout=0.5)
        assert got, "stop() held the station's lock while waiting for a part"
        station._lock.release()
        assert not station.running
        again = threading.Thread(target=station.stop)  # a second stop waits for the first
        again.start()
        again.join(0.3)
        assert again.is_alive()
    finally:
        go_on.set()
        stopper.join(10)
    again.join(10)
    assert not stopper.is_alive() and not again.is_alive() and station.started_at is None

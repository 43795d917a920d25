"""The station's event stream: bounded, never blocking, resync after a lag."""

from __future__ import annotations

import asyncio
import threading
import time

from appliance.bus import EventBus, Lagged, StateChanged
from appliance.state import StationState


def changed(version: int) -> StateChanged:
    return StateChanged(StationState(version=version), frozenset({"volume"}))


def test_every_subscriber_gets_every_event_in_order() -> None:
    bus = EventBus()
    first, second = bus.subscribe(), bus.subscribe()
    for version in range(5):
        bus.publish(changed(version))
    for subscription in (first, second):
        got = [subscription.get(0.1) for _ in range(5)]
        assert [event.state.version for event in got] == [0, 1, 2, 3, 4]  # type: ignore[union-attr]
        assert subscription.get(0.01) is None


def test_a_subscriber_that_never_reads_never_holds_up_the_others() -> None:
    bus = EventBus()
    asleep = bus.subscribe(size=8)
    awake = bus.subscribe(size=2000)
    started = time.monotonic()
    for version in range(1000):
        bus.publish(changed(version))
    assert time.monotonic() - started < 1.0
    assert awake.get(0.1).state.version == 0  # type: ignore[union-attr]
    lag = asleep.get(0.1)
    assert isinstance(lag, Lagged) and lag.dropped == 992  # told once, then the newest 8
    assert [asleep.get(0.1).state.version for _ in range(8)] == list(range(992, 1000))  # type: ignore[union-attr]


def test_a_closed_subscription_is_dropped_and_wakes_its_reader() -> None:
    bus = EventBus()
    subscription = bus.subscribe()
    result: list[object] = []
    reader = threading.Thread(target=lambda: result.append(subscription.get(5)))
    reader.start()
    time.sleep(0.05)
    subscription.close()
    reader.join(2)
    assert result == [None] and len(bus) == 0


def test_asyncio_subscribers_are_woken_and_a_closed_loop_is_dropped() -> None:
    bus = EventBus()

    async def follow() -> int:
        subscription = bus.subscribe(loop=asyncio.get_running_loop())
        threading.Timer(0.05, lambda: bus.publish(changed(7))).start()
        event = await asyncio.wait_for(subscription.next(), 2)
        return event.state.version  # type: ignore[attr-defined]

    assert asyncio.run(follow()) == 7  # asyncio.run closes the loop afterwards
    assert len(bus) == 1
    bus.publish(changed(8))  # its loop is gone: the subscriber is dropped, nothing raises
    assert len(bus) == 0

"""The event stream of a real station: every change a face could show, in order; a subscriber
that never reads never holds the station up, and catches up from a snapshot."""

from __future__ import annotations

import asyncio
import time

from appliance import control as c
from appliance.bus import Lagged, StateChanged
from appliance.events import TrackEnded, TrackStarted
from appliance.station import QFZZStation
from tests.support.waiting import wait_until


def drain(sub: object) -> list[object]:
    seen = []
    while (event := sub.get(timeout=0)) is not None:  # type: ignore[attr-defined]
        seen.append(event)
    return seen


def test_changes_come_in_order_with_the_fields_that_changed(station: QFZZStation) -> None:
    library = station.library
    assert library is not None
    first, second = sorted(library.tracks_for_genre("jazz"), key=lambda t: t.title)[:2]
    with station.events.subscribe() as sub:
        start = station.snapshot().version
        station.execute(c.Play(track_id=first.track_id, source="web"))
        wait_until(lambda: station.snapshot().track == first)
        station.execute(c.SetVolume(level=33, source="web"))
        station.execute(c.Play(track_id=second.track_id, source="web"))
        wait_until(lambda: station.snapshot().track == second)
        events: list[object] = []
        # the state moves first; the player's TrackStarted follows it out a moment later
        wait_until(
            lambda: (
                events.extend(drain(sub))  # type: ignore[func-returns-value]
                or any(isinstance(e, TrackStarted) and e.track == second for e in events)
            )
        )
    changes = [e for e in events if isinstance(e, StateChanged)]
    versions = [e.state.version for e in changes]
    assert versions == list(range(start + 1, start + 1 + len(versions)))
    assert any("now_playing" in e.changed and e.state.track == first for e in changes)
    assert any(e.changed == {"volume"} and e.state.volume == 33 for e in changes)
    started = [e.track for e in events if isinstance(e, TrackStarted)]
    ended = [(e.track, e.reason) for e in events if isinstance(e, TrackEnded)]
    assert started == [first, second]
    assert ended == [(first, "replaced")]
    # the state had moved on before the player's event was published
    at_start = events.index(next(e for e in events if isinstance(e, TrackStarted)))
    before = [e for e in events[:at_start] if isinstance(e, StateChanged)]
    assert before[-1].state.track == first


def test_a_subscriber_that_never_reads_never_blocks_the_station(station: QFZZStation) -> None:
    stuck = station.events.subscribe(size=4)
    began = time.monotonic()
    for level in range(60):
        assert station.execute(c.SetVolume(level=level, source="web")).ok
    assert time.monotonic() - began < 10
    lagged = stuck.get(timeout=1)
    assert isinstance(lagged, Lagged) and lagged.dropped == 60 - 4
    rest = drain(stuck)
    assert [e.state.volume for e in rest if isinstance(e, StateChanged)] == [56, 57, 58, 59]
    assert station.snapshot().volume == 59  # the resync: a snapshot has everything
    stuck.close()


def test_an_asyncio_subscriber_reads_and_one_whose_loop_closed_is_dropped(
    station: QFZZStation,
) -> None:
    async def face() -> StateChanged:
        loop = asyncio.get_running_loop()
        sub = station.events.subscribe(loop=loop)
        try:
            command = c.SetVolume(level=12, source="web")
            outcome = await loop.run_in_executor(None, station.execute, command)
            assert outcome.ok
            while True:
                event = await asyncio.wait_for(sub.next(), 5)
                if isinstance(event, StateChanged):
                    return event
        finally:
            sub.close()

    event = asyncio.run(face())
    assert event.state.volume == 12
    before = len(station.events)
    loop = asyncio.new_event_loop()
    station.events.subscribe(loop=loop)
    loop.close()
    assert len(station.events) == before + 1
    station.execute(c.SetVolume(level=13, source="web"))
    assert len(station.events) == before

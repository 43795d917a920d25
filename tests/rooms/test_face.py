"""The rooms part on its own, against a small double of the station: a programme that cannot be
set up (a sample format snapserver cannot have) is said clearly, and the rooms still work."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from appliance.bus import EventBus
from appliance.config import parse_config
from appliance.control import Command, Outcome, SetRoom
from appliance.rooms.face import RoomsFace
from appliance.state import Room, StationState
from tests.rooms.conftest import House


class DoubleStation:
    """snapshot, execute, events; register and set_rooms as the station has them."""

    def __init__(self) -> None:
        self.events = EventBus()
        self.rooms: tuple[Room, ...] = ()
        self.handlers: dict[type[Command], Any] = {}

    def snapshot(self) -> StationState:
        return StationState(rooms=self.rooms)

    def execute(self, command: Command) -> Outcome:
        return self.handlers[type(command)](command)

    def register(self, kind: type[Command], handler: Any) -> None:
        self.handlers[kind] = handler

    def set_rooms(self, rooms: tuple[Room, ...]) -> None:
        self.rooms = rooms


def test_a_bad_sample_format_is_said_and_the_rooms_still_work(
    house: House, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = parse_config(
        f'[snapcast]\nenabled = true\nserver = "127.0.0.1"\n'
        f'control_port = {house.server.control_port}\nsample_format = "48000:12:2"\n'
    )
    station = DoubleStation()

    async def body() -> None:
        face = RoomsFace(station, settings, tmp_path)
        await face.start()
        try:
            assert face.programme is None
            deadline = asyncio.get_running_loop().time() + 10
            while {room.name for room in station.rooms} != {"kitchen", "bedroom"}:
                assert asyncio.get_running_loop().time() < deadline, "no rooms"
                await asyncio.sleep(0.05)
            outcome = await asyncio.get_running_loop().run_in_executor(
                None, station.execute, SetRoom(room="kitchen", muted=True)
            )
            assert outcome.ok and "muted" in outcome.text
            assert {r.name: r.muted for r in station.rooms} == {"kitchen": True, "bedroom": False}
        finally:
            await face.stop()

    with caplog.at_level(logging.ERROR, logger="appliance.rooms"):
        asyncio.run(asyncio.wait_for(body(), 30))
    said = " ".join(record.getMessage() for record in caplog.records)
    assert "48000:12:2" in said and "rate:bits:channels" in said

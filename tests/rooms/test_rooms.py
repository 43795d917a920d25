"""The rooms against a real snapserver with two real snapclients."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from appliance.rooms.rooms import Rooms
from appliance.rooms.rpc import RoomsError, SnapcastControl
from appliance.state import Room
from tests.rooms.conftest import House
from tests.rooms.snapcast import SnapServer, free_port

TIMEOUT = 10.0


async def until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def run(test: Callable[[], Awaitable[None]], timeout: float = 30.0) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(test(), timeout)

    asyncio.run(bounded())


async def server_status(server: SnapServer) -> dict:
    control = SnapcastControl("127.0.0.1", server.control_port)
    await control.connect()
    try:
        return (await control.call("Server.GetStatus"))["server"]
    finally:
        await control.close()


def client_config(status: dict, client_id: str) -> tuple[dict, dict]:
    for group in status["groups"]:
        for client in group["clients"]:
            if client["id"] == client_id:
                return group, client
    raise AssertionError(f"no client {client_id}")


def by_name(rooms: tuple[Room, ...]) -> dict[str, Room]:
    return {room.name: room for room in rooms}


def started(server: SnapServer, seen: list) -> Rooms:
    return Rooms(
        "127.0.0.1", server.control_port, "QFZZ",
        lambda rooms, connected: seen.append((rooms, connected)),
        min_backoff=0.1, max_backoff=0.5, ping_every=1.0,
    )  # fmt: skip


def test_lists_the_rooms_and_changes_volume_mute_latency_as_the_server_sees_it(
    house: House,
) -> None:
    async def body() -> None:
        seen: list = []
        rooms = started(house.server, seen)
        await rooms.start()
        try:
            assert await rooms.wait_connected(TIMEOUT)
            await until(lambda: {"kitchen", "bedroom"} <= set(by_name(rooms.rooms)), "rooms")
            kitchen = by_name(rooms.rooms)["kitchen"]
            assert kitchen.connected and kitchen.on and kitchen.volume == 100

            room = await rooms.set_room("Kitchen", volume=35, muted=True, latency_ms=120)
            assert (room.volume, room.muted, room.latency_ms) == (35, True, 120)
            _, client = client_config(await server_status(house.server), "kitchen")
            assert client["config"]["volume"] == {"muted": True, "percent": 35}
            assert client["config"]["latency"] == 120
            _, other = client_config(await server_status(house.server), "bedroom")
            assert other["config"]["volume"] == {"muted": False, "percent": 100}

            assert seen[-1][1] is True
            assert by_name(seen[-1][0])["kitchen"].volume == 35
        finally:
            await rooms.stop()

    run(body)


def test_a_room_stops_and_starts_playing_the_dj_without_touching_the_other(
    house: House,
) -> None:
    async def body() -> None:
        rooms = started(house.server, [])
        await rooms.start()
        try:
            assert await rooms.wait_connected(TIMEOUT)
            await until(lambda: {"kitchen", "bedroom"} <= set(by_name(rooms.rooms)), "rooms")
            status = await server_status(house.server)
            # put both rooms in one group first: switching one must not switch the other
            group, _ = client_config(status, "kitchen")
            other = SnapcastControl("127.0.0.1", house.server.control_port)
            await other.connect()
            try:
                await other.call(
                    "Group.SetClients", {"id": group["id"], "clients": ["kitchen", "bedroom"]}
                )
            finally:
                await other.close()
            await until(lambda: len(rooms.status.get("groups", [])) == 1, "one group", timeout=5)

            room = await rooms.set_room("bedroom", on=False)
            assert not room.on
            status = await server_status(house.server)
            bedroom_group, _ = client_config(status, "bedroom")
            kitchen_group, _ = client_config(status, "kitchen")
            assert bedroom_group["id"] != kitchen_group["id"]
            assert bedroom_group["stream_id"] == "Idle"
            assert kitchen_group["stream_id"] == "QFZZ"
            assert by_name(rooms.rooms)["kitchen"].on

            room = await rooms.set_room("bedroom", on=True)
            assert room.on
            bedroom_group, _ = client_config(await server_status(house.server), "bedroom")
            assert bedroom_group["stream_id"] == "QFZZ"
        finally:
            await rooms.stop()

    run(body)


def test_changes_made_elsewhere_reach_the_rooms_by_notification(house: House) -> None:
    async def body() -> None:
        seen: list = []
        rooms = started(house.server, seen)
        await rooms.start()
        try:
            assert await rooms.wait_connected(TIMEOUT)
            # both rooms: a loaded machine has connected the bedroom after the kitchen
            await until(lambda: {"kitchen", "bedroom"} <= by_name(rooms.rooms).keys(), "the rooms")
            other = SnapcastControl("127.0.0.1", house.server.control_port)  # e.g. Snapweb
            await other.connect()
            try:
                await other.call(
                    "Client.SetVolume",
                    {"id": "kitchen", "volume": {"percent": 12, "muted": False}},
                )
            finally:
                await other.close()
            await until(lambda: by_name(rooms.rooms)["kitchen"].volume == 12, "the notification")
            assert by_name(seen[-1][0])["kitchen"].volume == 12
            house.bedroom.stop()  # a room switched off: Client.OnDisconnect
            await until(
                lambda: not by_name(rooms.rooms)["bedroom"].connected, "the bedroom going away"
            )
        finally:
            await rooms.stop()

    run(body)


def test_refusals_are_clear(house: House) -> None:
    async def body() -> None:
        rooms = started(house.server, [])
        await rooms.start()
        try:
            assert await rooms.wait_connected(TIMEOUT)
            await until(lambda: "kitchen" in by_name(rooms.rooms), "the kitchen")
            with pytest.raises(RoomsError, match="no room called 'attic'") as refused:
                await rooms.set_room("attic", volume=10)
            assert "kitchen" in (refused.value.hint or "")
            with pytest.raises(RoomsError, match="0 to 100"):
                await rooms.set_room("kitchen", volume=300)
            with pytest.raises(RoomsError, match="latency"):
                await rooms.set_room("kitchen", latency_ms=-5)
            with pytest.raises(RoomsError, match="volume is a whole number, not '40'"):
                await rooms.set_room("kitchen", volume="40")  # type: ignore[arg-type]
            with pytest.raises(RoomsError, match="on is true or false"):
                await rooms.set_room("kitchen", on=1)  # type: ignore[arg-type]
            with pytest.raises(RoomsError, match="named by a word"):
                await rooms.set_room("k" * 500, on=True)
        finally:
            await rooms.stop()

    run(body)


def test_server_killed_and_restarted_the_rooms_reconnect_by_themselves(house: House) -> None:
    async def body() -> None:
        seen: list = []
        rooms = started(house.server, seen)
        await rooms.start()
        try:
            assert await rooms.wait_connected(TIMEOUT)
            house.server.stop(kill=True)
            await until(lambda: not rooms.connected, "the loss to be noticed")
            assert seen[-1][1] is False
            assert all(not room.connected for room in rooms.rooms)
            with pytest.raises(RoomsError, match="not reachable"):
                await rooms.set_room("kitchen", volume=50)
            await asyncio.sleep(0.5)  # a few failed attempts, with backoff
            house.server.start()
            assert await rooms.wait_connected(TIMEOUT)
            assert rooms.connects == 2
            await until(lambda: "kitchen" in by_name(rooms.rooms), "the kitchen, again")
            room = await rooms.set_room("kitchen", volume=44)
            assert room.volume == 44 and room.connected
        finally:
            await rooms.stop()

    run(body)


def test_no_server_is_a_clear_message_and_no_crash() -> None:
    async def body() -> None:
        port = free_port()
        control = SnapcastControl("127.0.0.1", port)
        with pytest.raises(RoomsError, match=f"127.0.0.1:{port} does not answer") as refused:
            await control.connect()
        assert "snapserver" in (refused.value.hint or "")
        rooms = Rooms("127.0.0.1", port, "QFZZ", min_backoff=0.05, max_backoff=0.1)
        await rooms.start()
        await asyncio.sleep(0.4)
        assert not rooms.connected and rooms.rooms == ()
        await rooms.stop()

    run(body)


def test_a_server_off_the_network_is_refused() -> None:
    async def body() -> None:
        control = SnapcastControl("8.8.8.8", 1705)
        with pytest.raises(RoomsError, match="not on this network"):
            await control.connect()

    run(body)

"""The rooms under fuzzing and faults: whatever a Snapcast server sends (random notifications,
statuses of the wrong shape, random bytes, a line longer than the limit, a connection cut at any
moment) the rooms never raise, never grow without bound, and connect again afterwards."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.rooms import status as snap
from appliance.rooms.rooms import Rooms
from appliance.rooms.rpc import MAX_LINE, RoomsError
from tests.fuzz.conftest import fuzz_rounds

pytestmark = pytest.mark.fuzz

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
METHODS = [
    "Client.OnVolumeChanged", "Client.OnLatencyChanged", "Client.OnNameChanged",
    "Client.OnConnect", "Client.OnDisconnect", "Group.OnMute", "Group.OnStreamChanged",
    "Group.OnNameChanged", "Server.OnUpdate", "Stream.OnProperties", "Nonsense",
]  # fmt: skip
STATUS = {
    "groups": [
        {
            "id": "g1",
            "stream_id": "QFZZ",
            "muted": False,
            "clients": [
                {"id": "kitchen", "connected": True,
                 "config": {"name": "", "latency": 0, "volume": {"percent": 50, "muted": False}}},
            ],
        }
    ],
    "streams": [{"id": "QFZZ"}],
}  # fmt: skip


volumes = st.fixed_dictionaries({}, optional={"percent": json_values, "muted": json_values})
clients = st.fixed_dictionaries(
    {"id": st.just("kitchen") | json_values},
    optional={"config": st.fixed_dictionaries({}, optional={"volume": volumes,
              "latency": json_values, "name": json_values}) | json_values},
)  # fmt: skip
servers = st.fixed_dictionaries(
    {},
    optional={
        "groups": st.lists(
            st.fixed_dictionaries({}, optional={"id": json_values, "clients": st.lists(clients)})
            | json_values, max_size=3,
        ) | json_values,
        "streams": st.lists(json_values, max_size=3) | json_values,
    },
)  # fmt: skip


@given(
    method=st.sampled_from(METHODS),
    params=st.dictionaries(
        st.sampled_from(["id", "volume", "latency", "name", "mute", "stream_id", "server"]),
        json_values | st.just("kitchen") | st.just("g1") | volumes | servers,
    ),
)
def test_any_notification_leaves_a_status_the_rooms_can_read(
    method: str, params: dict[str, Any]
) -> None:
    new = snap.apply(STATUS, method, params)
    if new is None:
        return
    try:
        rooms = snap.rooms(new, "QFZZ")
    except (TypeError, ValueError, AttributeError):
        # a value of the wrong type from a broken server: the rooms must not take it
        pytest.fail(f"{method} {params} made a status that cannot be read")
    assert all(isinstance(room.volume, int) for room in rooms)


class Hostile:
    """A 'Snapcast server' on 127.0.0.1 that answers each connection with what ``script``
    returns for it (bytes, then the connection is cut)."""

    def __init__(self, script: list[bytes]) -> None:
        self.script = script
        self.connections = 0
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = self.script[self.connections % len(self.script)]
        self.connections += 1
        try:
            await asyncio.wait_for(reader.readline(), 2)  # the GetStatus request
            writer.write(data)
            await writer.drain()
            await asyncio.sleep(0.01)
        except (OSError, TimeoutError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


def garbage(rng: random.Random) -> bytes:
    good = json.dumps({"id": 1, "jsonrpc": "2.0", "result": {"server": STATUS}}).encode()
    kinds = [
        lambda: rng.randbytes(rng.randint(0, 3000)),
        lambda: good[: rng.randint(0, len(good))],  # cut mid-answer
        lambda: good + b"\r\n" + rng.randbytes(200),
        lambda: json.dumps({"id": 1, "result": rng.choice([None, 3, [], "x", {"server": 5}])})
        .encode() + b"\r\n",
        lambda: json.dumps({"id": 1, "error": {"code": -1, "message": "no"}}).encode() + b"\n",
        lambda: json.dumps([{"method": "Client.OnVolumeChanged", "params": [1]}, 7]).encode()
        + b"\n",
        lambda: b"{" * (MAX_LINE + 10),  # longer than the line limit
    ]  # fmt: skip
    return rng.choice(kinds)()


def test_a_hostile_server_never_takes_the_rooms_down() -> None:
    rounds = fuzz_rounds(12, 300)
    rng = random.Random(13)
    script = [garbage(rng) for _ in range(rounds)]

    async def body() -> None:
        hostile = Hostile(script)
        await hostile.start()
        changes: list[bool] = []
        rooms = Rooms(
            "127.0.0.1", hostile.port, "QFZZ", lambda _rooms, up: changes.append(up),
            min_backoff=0.01, max_backoff=0.02, ping_every=0.2,
        )  # fmt: skip
        await rooms.start()
        try:
            deadline = asyncio.get_running_loop().time() + 20
            while hostile.connections < rounds:
                assert asyncio.get_running_loop().time() < deadline, "the rooms stopped trying"
                assert rooms._task is not None and not rooms._task.done(), "the rooms died"
                await asyncio.sleep(0.02)
            with pytest.raises(RoomsError):
                await rooms.set_room("kitchen", volume=10)  # the server is cut again each time
        finally:
            await rooms.stop()
            await hostile.stop()

    asyncio.run(asyncio.wait_for(body(), 40))

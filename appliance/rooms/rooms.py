"""The rooms: which Snapcast clients play the DJ, and each one's volume, mute and latency.

One asyncio task keeps a connection to the server: it fetches the status, follows the server's
notifications, pings it (a server whose host lost power sends no goodbye) and, when the
connection ends, tries again after a pause that doubles up to :data:`MAX_BACKOFF`. Meanwhile the
rooms are reported as not connected and the appliance plays on locally. ``on_change`` hears every
change of the rooms (and of ``connected``), from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from appliance.rooms import status as snap
from appliance.rooms.rpc import RoomsError, SnapcastControl
from appliance.state import Room

log = logging.getLogger("appliance.rooms")

MIN_BACKOFF = 0.5
MAX_BACKOFF = 10.0
PING_EVERY = 10.0
MAX_LATENCY_MS = 10_000
MAX_NAME = 100

Changed = Callable[[tuple[Room, ...], bool], None]


class Rooms:
    """The rooms of one Snapcast server; see the module docstring.

    ``stream`` is the id of the server's stream the appliance feeds (its ``name=`` in
    snapserver.conf). ``start()`` returns at once; ``connected`` says whether the server is there.
    """

    def __init__(
        self,
        server: str,
        port: int,
        stream: str,
        on_change: Changed | None = None,
        *,
        min_backoff: float = MIN_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        ping_every: float = PING_EVERY,
    ) -> None:
        self.server = server
        self.port = port
        self.stream = stream
        self.on_change = on_change
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.ping_every = ping_every
        self.status: snap.Status = {}
        self.connects = 0  # how many times a connection was made (a reconnect counts)
        self._control: SnapcastControl | None = None
        self._connected = asyncio.Event()
        self._refetch = asyncio.Event()
        self._notices = 0  # notifications so far (see _fetch)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._ducked: dict[str, tuple[int, int]] = {}  # client id -> (volume before, ducked to)

    # -- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._supervise(), name="snapcast-rooms")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._connected.wait(), timeout)
        except TimeoutError:
            return False
        return True

    @property
    def rooms(self) -> tuple[Room, ...]:
        """The rooms as last known; ``connected`` False on each while the server is away."""
        found = snap.rooms(self.status, self.stream)
        if self.connected:
            return found
        return tuple(
            Room(r.id, r.name, r.on, r.volume, r.muted, r.latency_ms, False) for r in found
        )

    def _make_control(self) -> SnapcastControl:
        """The connection to the server (a method, so a test can hand in another)."""
        return SnapcastControl(self.server, self.port, self._notice)

    async def _supervise(self) -> None:
        delay = self.min_backoff
        said_down = False
        while not self._stopping:
            control = self._make_control()
            try:
                await control.connect()
                self._control = control
                await self._fetch(control)
                self._connected.set()
                self.connects += 1
                delay = self.min_backoff
                said_down = False
                log.info(
                    "Snapcast server %s:%d: %d room(s)",
                    self.server, self.port, len(snap.clients(self.status)),
                )  # fmt: skip
                self._changed()
                await self._follow(control)
            except RoomsError as error:
                if not said_down:  # once per outage, not once per attempt
                    log.warning("the rooms are away (%s); the music plays on here", error)
                    said_down = True
            finally:
                self._control = None
                was = self._connected.is_set()
                self._connected.clear()
                await control.close()
                if was:
                    self._changed()
            if self._stopping:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_backoff)

    async def _follow(self, control: SnapcastControl) -> None:
        """Until the connection ends: refetch the status when a notification asks for it, and
        ping the server now and then."""
        closed = asyncio.create_task(control.closed.wait())
        refetch = asyncio.create_task(self._refetch.wait())
        try:
            while not control.closed.is_set():
                if refetch.done():
                    refetch = asyncio.create_task(self._refetch.wait())
                done, _ = await asyncio.wait(
                    {closed, refetch}, timeout=self.ping_every, return_when=asyncio.FIRST_COMPLETED
                )
                if closed in done:
                    return
                if refetch in done:
                    self._refetch.clear()
                    await self._refresh(control)
                else:
                    await control.call("Server.GetRPCVersion")
        finally:
            closed.cancel()
            refetch.cancel()

    def _notice(self, method: str, params: dict[str, Any]) -> None:
        self._notices += 1
        new = snap.apply(self.status, method, params)
        if new is None:
            self._refetch.set()
            return
        if new is not self.status:
            self._set_status(new)
            self._changed()

    def _set_status(self, status: object) -> None:
        if not isinstance(status, dict):
            raise RoomsError("the Snapcast server sent a status the appliance cannot read")
        self.status = status

    def _changed(self) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(self.rooms, self.connected)
        except Exception:
            log.exception("a rooms listener failed")

    # -- changing rooms --------------------------------------------------------------------

    def _live(self) -> SnapcastControl:
        if self._control is None or not self.connected:
            raise RoomsError(
                f"the Snapcast server at {self.server}:{self.port} is not reachable now",
                "the rooms come back by themselves when it is; `appliance doctor` checks it",
            )
        return self._control

    def _find(self, room: str) -> tuple[dict[str, Any], dict[str, Any]]:
        found = snap.find(self.status, room)
        if found is None:
            names = ", ".join(r.name for r in snap.rooms(self.status, self.stream)) or "none"
            raise RoomsError(f"there is no room called {room!r}", f"the rooms are: {names}")
        return found

    async def set_room(
        self,
        room: str,
        *,
        on: bool | None = None,
        volume: int | None = None,
        muted: bool | None = None,
        latency_ms: int | None = None,
    ) -> Room:
        """Change what is given for ``room`` (its id or name); returns the room as it is now."""
        _check_types(room, on=on, volume=volume, muted=muted, latency_ms=latency_ms)
        if volume is not None and not 0 <= volume <= 100:
            raise RoomsError(f"a room's volume is 0 to 100, not {volume}")
        if latency_ms is not None and not 0 <= latency_ms <= MAX_LATENCY_MS:
            raise RoomsError(f"a room's latency is 0 to {MAX_LATENCY_MS} ms, not {latency_ms}")
        control = self._live()
        group, client = self._find(room)
        client_id = str(client["id"])
        if volume is not None or muted is not None:
            now = snap.to_room(group, client, self.stream)
            await control.call(
                "Client.SetVolume",
                {
                    "id": client_id,
                    "volume": {
                        "percent": now.volume if volume is None else volume,
                        "muted": now.muted if muted is None else muted,
                    },
                },
            )
            self._ducked.pop(client_id, None)  # a volume set by a person outlasts a duck
        if latency_ms is not None:
            await control.call("Client.SetLatency", {"id": client_id, "latency": latency_ms})
        if on is not None:
            await self._switch(control, group, client_id, on)
        await self._refresh(control)
        return next(r for r in self.rooms if r.id == client_id)

    async def _switch(
        self, control: SnapcastControl, group: dict[str, Any], client_id: str, on: bool
    ) -> None:
        """Make ``client_id`` play the DJ (``on``) or not, touching no other room."""
        if snap.to_room(group, _client(group, client_id), self.stream).on == on:
            return
        keep = snap.split_plan(group, client_id)
        if keep is not None:  # leave the shared group for one of its own
            result = await control.call(
                "Group.SetClients", {"id": group.get("id"), "clients": keep}
            )
            self._set_status(result.get("server") if isinstance(result, dict) else None)
            found = snap.find(self.status, client_id)
            if found is None:
                raise RoomsError(f"the room {client_id!r} went away")
            group = found[0]
        if on:
            if group.get("stream_id") != self.stream:
                if self.stream not in snap.stream_ids(self.status):
                    raise RoomsError(
                        f"the Snapcast server has no stream called {self.stream!r}",
                        "add the appliance's source line to snapserver.conf (see the README, "
                        '"A Pi per room"), or set [snapcast] stream to its name',
                    )
                await control.call(
                    "Group.SetStream", {"id": group.get("id"), "stream_id": self.stream}
                )
            if group.get("muted"):
                await control.call("Group.SetMute", {"id": group.get("id"), "mute": False})
            return
        other = snap.off_stream(self.status, self.stream)
        if other is not None:
            await control.call("Group.SetStream", {"id": group.get("id"), "stream_id": other})
        else:
            await control.call("Group.SetMute", {"id": group.get("id"), "mute": True})

    # -- ducking one room ------------------------------------------------------------------

    async def duck(self, room: str, factor: float) -> None:
        """Lower ``room``'s volume to ``factor`` of itself (the DJ answers a request here)."""
        control = self._live()
        group, client = self._find(room)
        client_id = str(client["id"])
        if client_id in self._ducked:
            return
        now = snap.to_room(group, client, self.stream)
        low = max(0, min(now.volume, round(now.volume * factor)))
        self._ducked[client_id] = (now.volume, low)
        await control.call(
            "Client.SetVolume", {"id": client_id, "volume": {"percent": low, "muted": now.muted}}
        )
        await self._refresh(control)

    async def unduck(self, room: str) -> None:
        """Give ``room`` back the volume it had before :meth:`duck` (unless a person set
        another one meanwhile)."""
        found = snap.find(self.status, room)
        if found is None:
            return
        group, client = found
        client_id = str(client["id"])
        held = self._ducked.pop(client_id, None)
        if held is None:
            return
        now = snap.to_room(group, client, self.stream)
        if now.volume != held[1]:
            return
        control = self._live()
        await control.call(
            "Client.SetVolume",
            {"id": client_id, "volume": {"percent": held[0], "muted": now.muted}},
        )
        await self._refresh(control)

    async def _refresh(self, control: SnapcastControl) -> None:
        """Fetch the status after a change of ours (the server tells only the others)."""
        await self._fetch(control)
        self._changed()

    async def _fetch(self, control: SnapcastControl) -> None:
        """The whole status. A notification that came while it was on its way may be newer
        than it (the server answers and notifies from different threads): fetch again then."""
        notices = self._notices
        found = await control.call("Server.GetStatus")
        self._set_status(found.get("server") if isinstance(found, dict) else None)
        if self._notices != notices:
            self._refetch.set()


def _client(group: dict[str, Any], client_id: str) -> dict[str, Any]:
    return next((c for c in group.get("clients") or [] if c.get("id") == client_id), {})


def _check_types(room: object, **values: object) -> None:
    """What a face sent, checked before it reaches the server (a face may pass on any JSON)."""
    if not isinstance(room, str) or not 0 < len(room) <= MAX_NAME:
        raise RoomsError(f"a room is named by a word of at most {MAX_NAME} letters, not {room!r}")
    for key, value in values.items():
        if value is None:
            continue
        wanted = bool if key in ("on", "muted") else int
        if type(value) is not wanted:
            kind = "true or false" if wanted is bool else "a whole number"
            raise RoomsError(f"a room's {key} is {kind}, not {value!r}")

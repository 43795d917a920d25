"""The rooms as a part of the station: built by the faces' host when ``[snapcast] enabled``.

It sets up the programme's way to Snapcast (:mod:`appliance.rooms.programme`), keeps the rooms
(:mod:`appliance.rooms.rooms`) and shows them in the station's state, carries out
:class:`~appliance.control.SetRoom` for every face (web page, API, voice), and, with ``duck =
"local"``, lowers only this board's room while the DJ answers (the station's ducking asks
:meth:`RoomsFace.duck_instead` before it lowers the music player, which feeds every room). A
missing sound server or Snapcast server is said once, with what to do; the music plays on here
meanwhile. The DJ's talk between tracks goes to every room with the music (the dialogue tells
:meth:`RoomsFace.on_air` around it); a reply to a request stays on this speaker.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Protocol

from appliance.config import Config
from appliance.control import Command, Outcome, SetRoom, Station
from appliance.rooms.forward import Forwarder
from appliance.rooms.programme import Programme
from appliance.rooms.rooms import Rooms
from appliance.rooms.rpc import RoomsError
from appliance.state import Room

log = logging.getLogger("appliance.rooms")

COMMAND_TIMEOUT = 10.0


class RoomsStation(Station, Protocol):
    """What the rooms need of the station beyond a face's reading and commanding."""

    def register(self, kind: type[Command], handler: Any) -> None: ...

    def set_rooms(self, rooms: tuple[Room, ...]) -> None: ...


def describe(room: Room) -> str:
    """A room in words, as the DJ would say it."""
    if not room.connected:
        return f"the {room.name} is switched off"
    if not room.on:
        return f"the {room.name} is not playing the DJ"
    if room.muted:
        return f"the {room.name} is muted"
    return f"the {room.name} plays the DJ at {room.volume}"


class RoomsFace:
    """See the module docstring. ``start()``, ``stop()``, ``addresses()``."""

    name = "snapcast"

    def __init__(self, station: RoomsStation, settings: Config, data_dir: Path) -> None:
        self.station = station
        self.settings = settings.snapcast
        self.duck_db = settings.audio.duck_db
        self.programme: Programme | None = None
        self.forwarder: Forwarder | None = None
        self.rooms = self._make_rooms()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._routed: bool | None = None
        self._talking = False  # the DJ talks between tracks, in every room

    def _make_rooms(self) -> Rooms:
        return Rooms(
            self.settings.server,
            self.settings.control_port,
            self.settings.stream,
            self._changed,
        )

    def _make_programme(self) -> Programme:
        return Programme(
            Path(self.settings.fifo), self.settings.sample_format, bool(self.settings.local_room)
        )

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        programme: Programme | None = None
        try:
            programme = self._make_programme()
            await self._loop.run_in_executor(None, programme.setup)
            self.programme = programme
            if self.settings.source_port:  # the server is elsewhere: send it the pipe
                self.forwarder = Forwarder(
                    programme.fifo, self.settings.server, self.settings.source_port
                )
                self.forwarder.start()
        except RoomsError as error:
            log.error(
                "the programme cannot reach Snapcast: %s%s",
                error.message, f" ({error.hint})" if error.hint else "",
            )  # fmt: skip
            if programme is not None:
                await self._loop.run_in_executor(None, programme.close)
        self.station.register(SetRoom, self._set_room)
        await self.rooms.start()
        ducking: Any = getattr(self.station, "ducking", None)
        if self.settings.duck == "local" and hasattr(ducking, "instead"):
            ducking.instead = self.duck_instead
        dialogue: Any = getattr(self.station, "dialogue", None)
        if self.programme is not None and hasattr(dialogue, "on_air"):
            dialogue.on_air = self.on_air

    async def stop(self) -> None:
        ducking: Any = getattr(self.station, "ducking", None)
        if getattr(ducking, "instead", None) == self.duck_instead:
            ducking.instead = None
        dialogue: Any = getattr(self.station, "dialogue", None)
        if getattr(dialogue, "on_air", None) == self.on_air:
            dialogue.on_air = None
        await self.rooms.stop()
        if self.forwarder is not None and self._loop is not None:
            await self._loop.run_in_executor(None, self.forwarder.stop)
            self.forwarder = None
        if self.programme is not None and self._loop is not None:
            await self._loop.run_in_executor(None, self.programme.close)
            self.programme = None

    def addresses(self) -> list[str]:
        where = f"{self.settings.server}:{self.settings.control_port}"
        return [f"Snapcast server {where}, stream {self.settings.stream}"]

    # -- the rooms' changes ----------------------------------------------------------------

    def _changed(self, rooms: tuple[Room, ...], connected: bool) -> None:
        """On the loop: show the rooms, and send the programme where they can hear it."""
        self.station.set_rooms(rooms)
        if self.programme is not None and connected != self._routed and self._loop is not None:
            self._routed = connected
            self._loop.run_in_executor(None, self.programme.route, connected)

    # -- SetRoom, from any face's thread ---------------------------------------------------

    def _set_room(self, command: Command) -> Outcome:
        assert isinstance(command, SetRoom)
        if self._loop is None:
            return Outcome(False, error="the rooms are not started")
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            on_loop = False
        if on_loop:  # waiting here would block the loop the answer must come from
            return Outcome(False, error="send SetRoom from an executor, not the faces' loop")
        work = self.rooms.set_room(
            command.room,
            on=command.on,
            volume=command.volume,
            muted=command.muted,
            latency_ms=command.latency_ms,
        )
        try:
            room = asyncio.run_coroutine_threadsafe(work, self._loop).result(COMMAND_TIMEOUT)
        except RoomsError as error:
            return Outcome(False, error=error.message)
        except TimeoutError:
            return Outcome(False, error="the Snapcast server did not answer in time")
        return Outcome(True, text=describe(room))

    # -- the DJ's talk between tracks -----------------------------------------------------

    def on_air(self, talking: bool) -> None:
        """The dialogue's thread, around the talk between tracks: the DJ's voice goes where
        the music goes (every room) and comes back to this speaker after it."""
        self._talking = talking
        programme = self.programme
        if programme is not None:
            programme.on_air(talking)

    # -- ducking only here -----------------------------------------------------------------

    def duck_instead(self, down: bool) -> bool:
        """The station's ducking asks (from any thread, never waiting): with ``duck = "local"``
        and the rooms reachable, lower (``down``) or restore the programme here only, and say
        True, so the music player, which feeds every room, is left alone. The talk between
        tracks is heard in every room, so for it the music dips everywhere."""
        loop = self._loop
        if self.settings.duck != "local" or loop is None or not self.rooms.connected:
            return False
        if self._talking and down:  # the DJ talks in every room: the music dips everywhere
            return False
        room = self.settings.local_room
        if room:
            work = self.rooms.duck(room, self._factor()) if down else self.rooms.unduck(room)
            future = asyncio.run_coroutine_threadsafe(work, loop)
            future.add_done_callback(_said_once)
            return True
        programme = self.programme
        if programme is None:
            return False
        loop.call_soon_threadsafe(
            lambda: loop.run_in_executor(None, programme.duck_here, self.duck_db if down else 0.0)
        )
        return True

    def _factor(self) -> float:
        return float(10 ** (min(0.0, self.duck_db) / 20))


def _said_once(future: Any) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if isinstance(error, RoomsError):
        log.warning("could not duck this room: %s", error.message)

"""What `appliance doctor` says about Snapcast: the server, the appliance's stream, the rooms, and
the sound server the programme goes through. Each finding says what to do when it is wrong."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from appliance.config import SnapcastSettings
from appliance.rooms import status as snap
from appliance.rooms.programme import PIPE_SINK, pactl, pulse_format
from appliance.rooms.rpc import RoomsError, SnapcastControl

PROBE_TIMEOUT = 5.0
T = TypeVar("T")


@dataclass(frozen=True)
class Finding:
    status: str  # "ok", "warn" or "fail"
    message: str
    fix: str = ""


async def _server(settings: SnapcastSettings) -> snap.Status:
    control = SnapcastControl(settings.server, settings.control_port)
    await control.connect()
    try:
        found = await control.call("Server.GetStatus")
    finally:
        await control.close()
    if not isinstance(found, dict) or not isinstance(found.get("server"), dict):
        raise RoomsError("the Snapcast server sent a status the appliance cannot read")
    return found["server"]


def _run(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(work)``, on a thread of its own when this one already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def source_line(settings: SnapcastSettings) -> str:
    """The snapserver.conf source the appliance's settings need."""
    query = f"name={settings.stream}&sampleformat={settings.sample_format}"
    if settings.source_port:  # a server on this board takes the programme from this board only
        local = settings.server in ("127.0.0.1", "localhost", "::1")
        bind = "127.0.0.1" if local else "0.0.0.0"
        return f"tcp://{bind}:{settings.source_port}?{query}&mode=server"
    return f"pipe://{settings.fifo}?{query}"


def server_findings(settings: SnapcastSettings) -> list[Finding]:
    """Is the server reachable, does it have the appliance's stream, which rooms are there."""
    where = f"{settings.server}:{settings.control_port}"
    try:
        status = _run(asyncio.wait_for(_server(settings), PROBE_TIMEOUT))
    except (RoomsError, TimeoutError) as error:
        message = getattr(error, "message", "") or f"no answer in {PROBE_TIMEOUT:g} s"
        hint = getattr(error, "hint", "") or "check that snapserver runs there"
        return [Finding("fail", message, hint + "; the music plays here meanwhile")]
    streams = snap.stream_ids(status)
    if settings.stream not in streams:
        return [
            Finding(
                "fail",
                f"the server at {where} has no stream {settings.stream!r} "
                f"(it has: {', '.join(streams) or 'none'})",
                f"add to snapserver.conf [stream]: source = {source_line(settings)}",
            )
        ]
    rooms = snap.rooms(status, settings.stream)
    playing = [room.name for room in rooms if room.connected and room.on]
    found = [Finding("ok", f"server {where}, stream {settings.stream}")]
    if not rooms:
        found.append(Finding("warn", "no rooms yet", "run snapclient on each room's Pi"))
    else:
        found.append(
            Finding("ok", f"{len(rooms)} room(s); playing the DJ: {', '.join(playing) or 'none'}")
        )
    if settings.local_room and snap.find(status, settings.local_room) is None:
        found.append(
            Finding(
                "warn",
                f"local_room {settings.local_room!r} is not among the server's rooms",
                "start snapclient on this board with --hostID "
                f"{settings.local_room}, or unset [snapcast] local_room",
            )
        )
    return found


def programme_findings(settings: SnapcastSettings) -> list[Finding]:
    """Can the programme reach the pipe snapserver reads (the sound server and the format)?"""
    try:
        pulse_format(settings.sample_format)
        pactl("info")
        sinks = pactl("list", "short", "sinks")
    except RoomsError as error:
        return [Finding("fail", error.message, error.hint or "")]
    where = (
        f"{settings.server}:{settings.source_port} (through {settings.fifo})"
        if settings.source_port
        else settings.fifo
    )
    if PIPE_SINK in sinks:
        return [Finding("ok", f"the programme goes to {where}")]
    return [Finding("ok", f"the sound server answers; the programme will go to {where}")]


def findings(settings: SnapcastSettings) -> list[Finding]:
    if not settings.enabled:
        return []
    return server_findings(settings) + programme_findings(settings)

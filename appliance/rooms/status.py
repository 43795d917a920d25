"""What a Snapcast server's status means for the station's rooms: pure functions over its JSON.

A room is one Snapcast client (a Pi with a speaker). It "plays the DJ" when its group listens to
the appliance's stream and the group is not muted. Snapcast sets the stream per group, so a room
that shares a group with others is given a group of its own before its stream changes (see
:func:`split_plan`). Notifications that change one value are applied here to the kept status; the
others make the caller fetch the whole status again.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from appliance.state import Room

Status = dict[str, Any]  # the "server" object of Server.GetStatus

_MAC = re.compile(r"^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$", re.IGNORECASE)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object, default: int) -> int:
    """A number from the server, or ``default`` when it sent something else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    try:
        return int(value)
    except (OverflowError, ValueError):
        return default


def clients(status: Status) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (group, client) pair of the status, in the server's order (anything not shaped
    like a group or a client, from a broken server, is left out)."""
    pairs = []
    for group in _list(status.get("groups")):
        if not isinstance(group, dict):
            continue
        for client in _list(group.get("clients")):
            if isinstance(client, dict) and isinstance(client.get("id"), str):
                pairs.append((group, client))
    return pairs


def room_name(client: dict[str, Any]) -> str:
    """The name a person gave the room (Snapcast's client name), else its host id when that is
    a word ("kitchen") rather than a MAC address, else the host's name."""
    name = str(_dict(client.get("config")).get("name") or "").strip()
    if name:
        return name
    client_id = str(client.get("id") or "")
    if client_id and not _MAC.match(client_id):
        return client_id
    return str(_dict(client.get("host")).get("name") or client_id)


def to_room(group: dict[str, Any], client: dict[str, Any], stream: str) -> Room:
    config = _dict(client.get("config"))
    volume = _dict(config.get("volume"))
    return Room(
        id=str(client.get("id") or ""),
        name=room_name(client),
        on=group.get("stream_id") == stream and not group.get("muted", False),
        volume=max(0, min(100, _int(volume.get("percent"), 100))),
        muted=bool(volume.get("muted", False)),
        latency_ms=_int(config.get("latency"), 0),
        connected=bool(client.get("connected", False)),
    )


def rooms(status: Status, stream: str) -> tuple[Room, ...]:
    """The rooms of ``status``, as the station shows them; ``stream``: the appliance's stream."""
    return tuple(to_room(group, client, stream) for group, client in clients(status))


def find(status: Status, room: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The (group, client) of ``room``: its id, or its name ignoring case and spaces."""
    wanted = " ".join(room.split()).casefold()
    pairs = clients(status)
    for group, client in pairs:
        if client.get("id") == room:
            return group, client
    for group, client in pairs:
        if " ".join(room_name(client).split()).casefold() == wanted:
            return group, client
    return None


def stream_ids(status: Status) -> list[str]:
    return [str(stream.get("id")) for stream in _list(status.get("streams")) if _dict(stream)]


def off_stream(status: Status, stream: str) -> str | None:
    """Where a room that stops playing the DJ is sent: the server's first other stream (e.g. an
    idle one), or None when there is none (the room's group is muted instead)."""
    return next((other for other in stream_ids(status) if other != stream), None)


def split_plan(group: dict[str, Any], client_id: str) -> list[str] | None:
    """The clients to keep in ``group`` so that ``client_id`` leaves it for a group of its own
    (Snapcast puts a client taken out of a group in a new one); None when it is alone already."""
    members = [c for c in _list(group.get("clients")) if isinstance(c, dict)]
    others = [str(c.get("id")) for c in members if c.get("id") != client_id]
    return others or None


# notifications that change one value in place; the rest make the caller fetch the status
def apply(status: Status, method: str, params: dict[str, Any]) -> Status | None:
    """The status after notification ``method``, or None when it must be fetched again."""
    if method == "Server.OnUpdate":
        return params["server"] if isinstance(params.get("server"), dict) else None
    new = copy.deepcopy(status)
    target = str(params.get("id", ""))
    if method.startswith("Client.On") and method not in ("Client.OnConnect", "Client.OnDisconnect"):
        for _, client in clients(new):
            if client.get("id") != target:
                continue
            config = client.setdefault("config", {})
            if method == "Client.OnVolumeChanged" and isinstance(params.get("volume"), dict):
                config["volume"] = params["volume"]
            elif method == "Client.OnLatencyChanged":
                config["latency"] = params.get("latency", 0)
            elif method == "Client.OnNameChanged":
                config["name"] = params.get("name", "")
            else:
                return None
            return new
        return None
    if method in ("Group.OnMute", "Group.OnStreamChanged", "Group.OnNameChanged"):
        for group in _list(new.get("groups")):
            if not isinstance(group, dict) or group.get("id") != target:
                continue
            if method == "Group.OnMute":
                group["muted"] = bool(params.get("mute"))
            elif method == "Group.OnStreamChanged":
                group["stream_id"] = params.get("stream_id")
            else:
                group["name"] = params.get("name", "")
            return new
        return None
    if method.startswith("Stream."):  # playing/idle, metadata: the rooms are the same
        return status
    return None

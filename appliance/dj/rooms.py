"""Rooms said aloud ("play in the kitchen too", "which rooms are playing"): the answer from the
station's rooms as its state lists them, and the change for the station to make.

The DJ changes nothing here: it hands back a ChangeRoom action that the station applies
through its command path, as it does the DJ's other actions."""

from __future__ import annotations

from collections.abc import Sequence

from appliance.dj.lines import join_words
from appliance.dj.reply import ChangeRoom
from appliance.dj.talk import Talk
from appliance.state import Room

ROOM_STEP = 10
"""How far "turn the kitchen up" moves that room's volume (0..100)."""

CHANGES = ("on", "off", "up", "down", "mute", "unmute", "which")


def room_change(
    talk: Talk, rooms: Sequence[Room], said: str | None, change: str | None
) -> tuple[str, tuple[ChangeRoom, ...]]:
    """What to say about ``change`` to the room ``said`` (a name as heard), and the action."""
    if change not in CHANGES:
        return talk.say("lines", "room_which_change", shuffle=False), ()
    if not rooms:
        return talk.say("lines", "room_only_here", shuffle=False), ()
    if change == "which":
        playing = [room.name for room in rooms if _heard(room)]
        if not playing:
            return talk.say("lines", "rooms_none_playing", shuffle=False), ()
        return talk.say("lines", "rooms_playing", shuffle=False, rooms=_the(playing)), ()
    room = find_room(rooms, said)
    if room is None:
        known = _the([r.name for r in rooms])
        return talk.say("lines", "room_unknown", shuffle=False, room=said or "", rooms=known), ()
    if change in ("up", "down"):
        step = ROOM_STEP if change == "up" else -ROOM_STEP
        volume = max(0, min(100, room.volume + step))
        action = ChangeRoom(room.id, volume=volume, muted=False if change == "up" else None)
    elif change in ("mute", "unmute"):
        action = ChangeRoom(room.id, muted=change == "mute")
    else:
        action = ChangeRoom(room.id, on=change == "on")
    line = f"room_{change}"
    return talk.say("lines", line, shuffle=False, room=_the([room.name])), (action,)


def find_room(rooms: Sequence[Room], said: str | None) -> Room | None:
    """The room called ``said`` (its name or id, any case, "the" or not)."""
    if not said:
        return None
    wanted = " ".join(said.casefold().removeprefix("the ").split())
    for room in rooms:
        if wanted in (" ".join(room.name.casefold().split()), room.id.casefold()):
            return room
    return None


def _heard(room: Room) -> bool:
    return room.on and room.connected and not room.muted


def _the(names: Sequence[str]) -> str:
    return join_words([f"the {name}" for name in names])

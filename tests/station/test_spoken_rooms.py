"""Rooms said to a real started station: the DJ's room change reaches the station's command path
as a SetRoom for the part that keeps the rooms, and "which rooms are playing" reads the state."""

from __future__ import annotations

import dataclasses

from appliance import control as c
from appliance.state import Room
from appliance.station import QFZZStation


def test_a_spoken_room_change_is_a_set_room_and_the_state_answers(station: QFZZStation) -> None:
    first = station.handle("play in the kitchen too")  # no rooms yet: said honestly
    assert first.reply is not None and "I only have this speaker" in first.reply.text
    got: list[c.SetRoom] = []

    def set_room(command: c.Command) -> c.Outcome:  # the rooms part, as Snapcast's would
        assert isinstance(command, c.SetRoom)
        got.append(command)
        rooms = tuple(
            dataclasses.replace(room, on=command.on) if room.id == command.room else room
            for room in station.snapshot().rooms
        )
        station.set_rooms(rooms)
        return c.Outcome(True)

    station.register(c.SetRoom, set_room)
    station.set_rooms(
        (Room(id="aa:01", name="Kitchen", on=False), Room(id="aa:02", name="Snug", on=True))
    )
    turn = station.handle("play in the kitchen too")
    assert turn.reply is not None and turn.reply.text == "Playing in the Kitchen too."
    assert [(g.room, g.on, g.volume, g.muted) for g in got] == [("aa:01", True, None, None)]
    which = station.handle("which rooms are playing")
    assert which.reply is not None
    assert which.reply.text == "Playing in the Kitchen and the Snug."
    station.handle("stop the music in the snug")  # a room the station named itself
    assert [(g.room, g.on) for g in got[1:]] == [("aa:02", False)]

"""Rooms said aloud: each phrase family is understood, the DJ answers from the station's rooms
as the state lists them and hands back the change; without rooms it says so honestly."""

from __future__ import annotations

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.reply import ChangeRoom
from appliance.dj.understand import Understanding
from appliance.state import Room, StationState

USER = "sam"
ROOMS = (
    Room(id="aa:01", name="Kitchen", volume=50),
    Room(id="aa:02", name="Living Room", on=False),
    Room(id="aa:03", name="Snug", muted=True),
)


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding()


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("play in the kitchen too", {"room": "kitchen", "change": "on"}),
        ("play the music in the bedroom as well", {"room": "bedroom", "change": "on"}),
        ("stop the music in the bedroom", {"room": "bedroom", "change": "off"}),
        ("turn the kitchen down", {"room": "kitchen", "change": "down"}),
        ("turn the kitchen up a bit", {"room": "kitchen", "change": "up"}),
        ("mute the living room", {"room": "living room", "change": "mute"}),
        ("unmute the living room", {"room": "living room", "change": "unmute"}),
        ("which rooms are playing", {"change": "which"}),
        ("where is the music playing", {"change": "which"}),
    ],
)
def test_each_room_phrase_is_understood(
    understanding: Understanding, text: str, slots: dict[str, str]
) -> None:
    got = understanding.parse(text)
    assert (got.name, got.slots) == ("room", slots)


def test_a_room_of_the_station_is_known_by_its_own_name() -> None:
    understanding = Understanding()
    assert understanding.parse("play in the snug too").name != "room"
    understanding.set_rooms(["Snug", "Kitchen"])
    assert understanding.parse("play in the snug too").slots == {"room": "snug", "change": "on"}
    assert understanding.parse("play some jazz").slots == {"genre": "jazz"}  # the rest stays
    assert understanding.parse("turn it up").name == "volume_up"


@pytest.fixture
def dj() -> PersonalizedDJ:
    return PersonalizedDJ(db_path=None, seed=1)


def _with_rooms(dj: PersonalizedDJ, rooms: tuple[Room, ...]) -> None:
    dj.state_from = lambda: StationState(rooms=rooms)


@pytest.mark.parametrize(
    ("text", "action", "said"),
    [
        ("play in the kitchen too", ChangeRoom("aa:01", on=True), "Playing in the Kitchen too."),
        (
            "stop the music in the kitchen",
            ChangeRoom("aa:01", on=False),
            "Music off in the Kitchen.",
        ),
        (
            "turn the kitchen up",
            ChangeRoom("aa:01", volume=60, muted=False),
            "Turning the Kitchen up.",
        ),
        ("turn the kitchen down", ChangeRoom("aa:01", volume=40), "Turning the Kitchen down."),
        ("mute the living room", ChangeRoom("aa:02", muted=True), "Muted the Living Room."),
        ("play in the snug too", ChangeRoom("aa:03", on=True), "Playing in the Snug too."),
    ],
)
def test_the_dj_hands_back_the_room_change(
    dj: PersonalizedDJ, text: str, action: ChangeRoom, said: str
) -> None:
    _with_rooms(dj, ROOMS)
    with dj:
        reply = dj.respond(USER, text)
    assert reply.intent == "room"
    assert reply.actions == (action,)
    assert reply.text == said


def test_which_rooms_are_playing_is_answered_from_the_state(dj: PersonalizedDJ) -> None:
    rooms = (*ROOMS, Room(id="aa:04", name="Office", connected=False))
    _with_rooms(dj, rooms)
    with dj:
        assert dj.respond(USER, "which rooms are playing").text == "Playing in the Kitchen."
        _with_rooms(dj, (*rooms, Room(id="aa:05", name="Hall")))
        reply = dj.respond(USER, "where is the music playing")
        assert reply.text == "Playing in the Kitchen and the Hall." and reply.actions == ()
        _with_rooms(dj, (Room(id="aa:02", name="Living Room", on=False),))
        assert "isn't playing in any" in dj.respond(USER, "which rooms are playing").text


def test_without_rooms_the_answer_is_honest(dj: PersonalizedDJ) -> None:
    _with_rooms(dj, ())
    with dj:
        for text in ("play in the kitchen too", "which rooms are playing"):
            reply = dj.respond(USER, text)
            assert reply.actions == () and "I only have this speaker" in reply.text
    alone = PersonalizedDJ(db_path=None, seed=1)  # no station at all
    with alone:
        assert "I only have this speaker" in alone.respond(USER, "mute the kitchen").text


def test_a_room_the_station_lacks_is_named_with_the_ones_it_has(dj: PersonalizedDJ) -> None:
    _with_rooms(dj, ROOMS)
    with dj:
        reply = dj.respond(USER, "play in the garage too")
    assert reply.actions == ()
    assert reply.text == (
        "I don't know a room called garage. I have the Kitchen, the Living Room and the Snug."
    )

"""Requests that need a destructive action's certainty. A correction undoes the last request
and what it taught: heard less surely than that, it is asked about, and nothing is undone until
the yes. A play of words the library does not hold (a search) is what a misheard name becomes
("Play kind of Louder." for "play kind of blue"): heard by voice it is asked about; typed, done."""

from __future__ import annotations

from appliance.dj import confirm
from tests.dj.test_dialogue import library, played, rig, turn

__all__ = ["library", "rig"]  # the fixtures, shared with the dialogue's tests


def test_a_correction_heard_unsure_is_asked_and_undoes_nothing(rig) -> None:
    dialogue, player, dj = rig
    turn(dialogue, "play some rock")
    player.calls.clear()
    heard = 0.7  # sure enough for a play (0.6), not for undoing one
    asked = turn(dialogue, "no, i said jazz", confidence=heard)
    assert asked.reply is not None and asked.reply.question
    assert player.actions() == []
    assert "jazz" not in dj.user_profiles["alex"].music_preferences
    turn(dialogue, "yes", confidence=0.9)
    assert "jazz" in played(player)[-1].genres


def test_a_correction_heard_surely_mends_at_once(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "play some rock")
    fixed = turn(dialogue, "no, i said jazz", confidence=confirm.NEEDED_DESTRUCTIVE)
    assert fixed.reply is not None and not fixed.reply.question
    assert "jazz" in played(player)[-1].genres


def test_a_search_heard_less_than_surely_is_asked_and_plays_nothing(rig) -> None:
    dialogue, player, dj = rig
    heard = 0.9  # sure enough for any play of a name the library holds
    asked = turn(dialogue, "play kind of louder", confidence=heard)
    assert dj.understanding.parse("play kind of louder").slots.get(confirm.SEARCH_SLOT)
    assert asked.reply is not None and asked.reply.question, asked.reply
    assert played(player) == []
    turn(dialogue, "yes", confidence=heard)
    assert len(played(player)) == 1  # the yes plays the search's nearest


def test_a_search_typed_and_a_name_heard_are_done_at_once(rig) -> None:
    dialogue, player, _dj = rig
    typed = turn(dialogue, "play kind of louder")
    assert typed.reply is not None and not typed.reply.question
    assert len(played(player)) == 1
    named = turn(dialogue, "play some rock", confidence=0.9)
    assert named.reply is not None and not named.reply.question
    assert len(played(player)) == 2


def test_a_listeners_name_put_right_is_who_speaks_from_then_on(rig) -> None:
    dialogue, player, dj = rig
    turn(dialogue, "it's di here")
    fixed = turn(dialogue, "no, it's dai, not di")
    assert dj.understanding.parse("no, it's dai, not di").slots == {"name": "dai"}
    assert fixed.reply is not None and fixed.reply.user_id == "dai"
    assert played(player) == []  # a name put right plays nothing
    assert dj.understanding.parse("no i said nora jones not nina").slots.get("name") is None
    assert dj.understanding.parse("she's not going to open that door is she").name == "unknown"

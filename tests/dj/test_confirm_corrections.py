"""A correction undoes the last request and what it taught: heard less surely than a
destructive action needs, it is asked about, and nothing is undone until the yes."""

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

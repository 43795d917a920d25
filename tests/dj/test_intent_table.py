"""Every intent the understanding can give has a handler: a new intent without one fails here,
not in front of a listener."""

from __future__ import annotations

from appliance.dj import PersonalizedDJ
from appliance.dj.answers import HANDLED, SMALL_TALK, Conversation
from appliance.dj.intents import IntentName
from appliance.dj.understand import INTENTS


def test_the_understanding_gives_exactly_the_named_intents() -> None:
    assert tuple(INTENTS) == tuple(IntentName)
    assert all(name == name.value for name in IntentName)  # compares as its string


def test_every_intent_has_a_handler() -> None:
    dj = PersonalizedDJ(db_path=None)
    try:
        table = dj.intent_table
    finally:
        dj.close()
    assert [name for name in IntentName if name not in table] == []
    assert set(table) == set(IntentName)  # and no handler for a name nobody gives
    # the conversation answers its own intents by a part's method: each has one
    missing = [k for k in HANDLED - SMALL_TALK if not Conversation.handles(k)]
    assert missing == []


def test_each_request_reaches_its_handler() -> None:
    dj = PersonalizedDJ(db_path=None, seed=1)
    try:
        said = {
            "pause": dj.respond("alex", "pause"),
            "help": dj.respond("alex", "what can you do"),
            "set_volume": dj.respond("alex", "set the volume to forty"),
            "identify": dj.respond("alex", "this is sam"),
        }
    finally:
        dj.close()
    assert {kind: reply.intent for kind, reply in said.items()} == {k: k for k in said}
    assert said["set_volume"].actions[0].level == 40  # type: ignore[union-attr]
    assert said["identify"].user_id == "sam"

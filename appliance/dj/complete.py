"""Whether a partial transcript is already a whole command, so the listener may stop waiting.

The trailing silence that ends an utterance is most of the wait for a reply. A command that
cannot go on ("skip", "pause", "turn it up", "play some jazz") may end after a short silence;
one whose words may still grow waits the full silence: a name being said ("play something by
...", "play some jazz by ...", "this is ..."), a volume in tens ("forty" may become "forty
five"), a greeting or a bare "no" (a request or a correction usually follows), and anything
not understood.
"""

from __future__ import annotations

from appliance.dj.understand import Intent

OPEN_SLOTS = frozenset({"artist", "title", "album", "name", "query"})
"""Free-text slots: a name may have more words to come."""

NEEDS: dict[str, tuple[frozenset[str], ...]] = {
    "play": (frozenset({"genre", "mood", "activity"}),),
    "set_volume": (frozenset({"level"}),),
    "mood": (frozenset({"mood", "activity"}),),
    "add_preference": (frozenset({"genre", "mood", "activity"}),),
    "remove_preference": (frozenset({"genre", "mood", "activity"}),),
}
"""Intents that are only whole with one slot of each set filled."""

NEVER = frozenset({"unknown", "greet", "identify", "deny"})


def is_complete(intent: Intent) -> bool:
    """True when ``intent`` (understood from a partial transcript) cannot sensibly go on."""
    if intent.name in NEVER or OPEN_SLOTS.intersection(intent.slots):
        return False
    if intent.name == "play" and "by" in intent.text.split():
        return False  # an artist is being named: the library may not know the words yet
    if any(not needed.intersection(intent.slots) for needed in NEEDS.get(intent.name, ())):
        return False
    level = intent.slots.get("level")
    return not (isinstance(level, int) and 20 <= level <= 90 and level % 10 == 0)

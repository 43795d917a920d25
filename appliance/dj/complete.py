"""Whether a partial transcript is already a whole command, so the listener may stop waiting.

The trailing silence that ends an utterance is most of the wait for a reply. A command that
cannot go on ("skip", "pause", "turn it up", "play some jazz") may end after a short silence;
one whose words may still grow waits the full silence: a name being said ("play something by
...", "i love jazz by ...", "this is ..."), words that end on a link ("play some jazz and ...",
"turn it down to ...", "pause for ..."), a volume in tens ("forty" may become "forty five") or
under ten ("one" may become "one hundred"), a greeting or a bare "no" (a request or a
correction usually follows), and anything not understood.
"""

from __future__ import annotations

import re

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

LINKS = frozenset(
    {"and", "or", "but", "by", "for", "to", "too", "from", "with", "like", "not", "of", "the",
     "a", "an", "some", "my", "your", "in", "on", "at", "into", "than", "then", "so", "because"}
)  # fmt: skip
"""Last words after which more must come ("to" also as Whisper hears it: "too"); "please"
ends a request, so it is not here."""


def is_complete(intent: Intent) -> bool:
    """True when ``intent`` (understood from a partial transcript) cannot sensibly go on."""
    if intent.name in NEVER or OPEN_SLOTS.intersection(intent.slots):
        return False
    words = re.findall(r"[a-z0-9']+", intent.text.lower())
    if not words or words[-1] in LINKS:
        return False  # a linking word: the rest of the request is still to come
    if "by" in words:
        return False  # an artist is being named: the library may not know the words yet
    if any(not needed.intersection(intent.slots) for needed in NEEDS.get(intent.name, ())):
        return False
    level = intent.slots.get("level")
    if not isinstance(level, int):
        return True
    return not (0 < level < 10 or (20 <= level <= 90 and level % 10 == 0))

"""Words a template reads as a request that ask nothing of the DJ.

People talk near the speaker, and some of what they say matches a request's template word for
word: a request taken back before it was made ("play the, no, never mind"), one cut off before
it names anything ("can you put on the"), a caller asking to be heard ("can you hear me now"),
a child told to play ("play nicely with your sister"). None of them asks for music; each is read
as not understood (the DJ answers it as chat) instead of acting on it.
"""

from __future__ import annotations

from itertools import pairwise

from appliance.dj.understand_intent import Intent
from appliance.dj.understand_tidy import HESITATIONS

TAKEN_BACK = tuple(
    phrase.split()
    for phrase in (
        "never mind", "nevermind", "forget it", "forget about it", "doesn't matter",
        "it doesn't matter", "no wait", "wait no", "actually nothing", "oh nothing",
    )
)  # fmt: skip
"""What ends a request taken back before it was made."""

FORGOTTEN = tuple(
    phrase.split()
    for phrase in (
        "what's it called", "what is it called", "what was it", "what was it called",
        "what's the name", "what's its name", "what's his name", "what's her name",
    )
)  # fmt: skip
"""What ends a search for a name the speaker could not remember ("put on the, oh, what's it
called"): nothing named yet."""

CUT_OFF = frozenset({"the", "a", "an", "my", "your", "his", "her", "their", "our", "some"})
"""A request that ends on one of these was cut off before it named anything ("play me the")."""

CUT_OFF_ALLOWED = frozenset({"some"})
"""Endings the templates ask for by themselves ("play some": anything)."""

HEARD_ASKED = (["hear", "me"], ["hear", "us"])
"""A caller asking to be heard, not to hear music."""

NOT_MUSIC = frozenset({"with", "nicely", "outside", "games", "together", "fair", "nice"})
"""First words of a search that is playing as children do, not music ("play with the dog")."""


def _words(text: str) -> list[str]:
    return [word.strip(",") for word in text.split() if word.strip(",")]


def _ends(words: list[str], phrases: tuple[list[str], ...]) -> bool:
    """Whether ``words`` end with one of ``phrases`` said after something (alone, "never mind"
    answers the DJ's question: no)."""
    return any(len(words) > len(p) and words[-len(p) :] == p for p in phrases)


def _searched_only(found: Intent) -> bool:
    """A play whose only slot is a search: the words it names may be the ones taking it back."""
    return found.name == "play" and set(found.slots) == {"query"} and not found.also


def _cut_off(found: Intent, words: list[str]) -> bool:
    """A play naming nothing that ends on "the", or whose "the" is followed by a hesitation
    ("play the, erm, what was it called")."""
    if found.name != "play" or found.slots or len(words) < 2:
        return False
    halted = any(word in CUT_OFF and after in HESITATIONS for word, after in pairwise(words))
    return halted or words[-1] in CUT_OFF - CUT_OFF_ALLOWED


def _heard_asked(found: Intent, words: list[str]) -> bool:
    pairs = [words[index : index + 2] for index in range(len(words) - 1)]
    return found.name == "play" and not found.slots and any(p in HEARD_ASKED for p in pairs)


def _not_music(found: Intent) -> bool:
    query = found.slots.get("query")
    return (
        found.name == "play"
        and isinstance(query, str)
        and set(found.slots) == {"query"}
        and query.split()[:1] != []
        and query.split()[0] in NOT_MUSIC
    )


def asks_nothing(found: Intent, said: str) -> bool:
    """Whether ``found``, read from the words ``said``, is one of the readings above: a request
    taken back, cut off or still looking for a name, a caller asking to be heard, or a child told
    to play. A taste named
    before the words that take it back ("i'm over jazz, forget it") is still told."""
    words = _words(said)
    if not words or found.name == "unknown":
        return False
    named = any(part.slots for part in found.each()) and not _searched_only(found)
    if _ends(words, TAKEN_BACK) and not named:
        return True
    query = str(found.slots.get("query", "")).split()
    if _searched_only(found) and any(query[-len(name) :] == name for name in FORGOTTEN):
        return True
    return _cut_off(found, words) or _heard_asked(found, words) or _not_music(found)

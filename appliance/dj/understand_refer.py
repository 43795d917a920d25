"""A search whose only "name" points at what was played is the follow-up it points to.

"play that one again dear", "play the one be four", "play a song like this one", "play the first
one you played": the loose templates read each as a play of a search for those words, and the
DJ would answer "I don't have That One Again here". Words that refer to a track already heard
("that one", "the one before", "the last one", "like this") name no music the library could
hold: they ask to hear it again (``replay``), to go back (``play_previous``) or for more like it
(``more_like``). Only the start of the search decides, so a name that merely contains such a
word ("first aid kit", "one love", "this is america") is still searched for.
"""

from __future__ import annotations

import re

_POINT = r"(?:that|this|it|the|same)"
_ONE = r"(?:one|song|track|tune|number|record|lot|thing|bit)"
_AGAIN = r"(?:again|once more|one more time|over again|over|back|another time)"
_BEFORE = r"(?:before|before that|before this|from before|previous|earlier|prior)"
_HEARD = r"(?:you|we|i) (?:just )?(?:play|played|skip|skipped|had|put on|did)"
_WHEN = r"(?:first|last|earliest|previous)"

REFERRING = (
    # "a song like this one", "summing like this", "something like the last one"
    ("more_like", re.compile(rf"^(?:\w+ ){{0,3}}(?:like|similar to) (?:{_POINT}|yesterday's)\b")),
    # "the one before", "one be four", "that song from before", "before the one with the horns"
    ("play_previous", re.compile(rf"^(?:{_POINT} )?(?:{_ONE} )?{_BEFORE}\b")),
    # "the first one you played", "the last track", "first", "the one you skipped first"
    ("play_previous", re.compile(rf"^(?:{_POINT} )?{_WHEN}(?: {_ONE}\b.*)?$")),
    ("play_previous", re.compile(rf"^(?:{_POINT} )?(?:{_ONE} )?{_HEARD}\b")),
    # "that one again dear", "this again when it ends", "it once more i was humming"
    ("replay", re.compile(rf"^(?:{_POINT} )?(?:{_ONE} )?{_AGAIN}\b")),
)
"""(intent, how the search starts); the first that matches says what is meant."""

_MISHEARD = ((re.compile(r"\bbe (?:four|for|fore)\b"), "before"),)
""""before" as a recogniser may hear it."""


def referred(query: str) -> str | None:
    """The follow-up a play's search words point to, or None when they may name music."""
    words = " ".join(query.lower().split())
    for pattern, meant in _MISHEARD:
        words = pattern.sub(meant, words)
    for intent, pattern in REFERRING:
        if (intent == "more_like" or words.split(" ", 1)[0] in _STARTS) and pattern.search(words):
            return intent
    return None


_LIKE_THIS = re.compile(
    r"\b(?:something|anything|some|more|one|ones|songs?|tracks?|tunes?|stuff|music) "
    r"(?:like|similar to) (?:this|that|it|the last)(?: one| song| track| tune)?"
    r"(?: please| then)?$"
)


_ASKED = re.compile(
    r"\b(?:play|playing|put on|put|hear|bring back|bring|give me|spin)\b(?: (?:me|us))? ?"
)


def after_the_ask(text: str) -> str:
    """The words after the first that asks to play ("can you play the one before" -> "the one
    before"), or "" when none does."""
    found = _ASKED.search(text)
    return text[found.end() :] if found else ""


def like_this(text: str) -> bool:
    """A play of nothing named that asks for "something like this": more like what plays."""
    return bool(_LIKE_THIS.search(text))


_STARTS = frozenset(
    {"that", "this", "it", "the", "same", "one", "song", "track", "tune", "number", "record"}
    | {"lot", "thing", "bit", "again", "once", "over", "back", "before", "previous", "earlier"}
    | {"prior", "first", "last", "earliest"}
)
"""Words a referring search may start with ("like this" may come after a few others)."""

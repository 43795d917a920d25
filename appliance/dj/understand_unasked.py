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
from appliance.dj.understand_slots import DESCRIBED, SEARCH_TAILS
from appliance.dj.understand_tidy import HESITATIONS

TAKEN_BACK = tuple(
    phrase.split()
    for phrase in (
        "never mind", "nevermind", "forget about it", "no wait", "wait no", "actually nothing",
        "oh nothing",
    )
)  # fmt: skip
"""What ends a request taken back before it was made."""

NO_MATTER = tuple(phrase.split() for phrase in ("forget it", "doesn't matter", "it doesn't matter"))
"""What says the choice does not matter: it takes back only a request left unfinished ("play the,
forget it"), never a whole one ("just play something, it doesn't matter", "skip, forget it")."""

TRAILING = HESITATIONS | {"oh", "just", "well", "actually", "no"}
"""Words trailing off between a request and "forget it" ("play the, oh, forget it")."""

WHOLE = frozenset({"play", "skip"})
"""Requests that are whole before such words, unless their words stop short (a play ending on
"the")."""

FORGOTTEN = tuple(
    phrase.split()
    for phrase in (
        "what's it called", "what is it called", "what was it", "what was it called",
        "what's the name", "what's its name", "what's his name", "what's her name",
    )
)  # fmt: skip
"""What ends a search for a name the speaker could not remember ("put on the, oh, what's it
called"): nothing named yet."""

CUT_OFF = frozenset({"the", "a", "an", "my", "your", "his", "their", "our", "some"})
"""A request that ends on one of these was cut off before it named anything ("play me the");
"her" is also whom the music is for ("play something for her")."""

CUT_OFF_ALLOWED = frozenset({"some"})
"""Endings the templates ask for by themselves ("play some": anything)."""

FOR_WHOM = frozenset({"for", "to", "with"})
MUSIC_WORDS = (DESCRIBED | SEARCH_TAILS) - {"me", "us", "please"}
"""After music asked for, a final "for our" is most likely "for an hour" misheard ("play some
music for our"), not a request cut off."""

HEARD_ASKED = (["hear", "me"], ["hear", "us"])
"""A caller asking to be heard, not to hear music."""

PLAYING = frozenset({"nicely", "nice", "together", "outside", "games", "fair"})
"""Words of playing as children do ("play nicely", "play nice with your brother")."""

PLAYING_ALONE = frozenset({"nicely", "outside", "games", "fair"})
"""Of those, the ones that say it without a playmate ("can you play games"); "nice" and
"together" alone may be a title ("play nice and loud", "play together by ...")."""

PLAYMATES = frozenset(
    {
        "sister", "sisters", "brother", "brothers", "friend", "friends", "cousin", "cousins",
        "dog", "dogs", "cat", "cats", "puppy", "kitten", "baby", "kids", "children", "toys",
        "mum", "mom", "dad", "grandma", "grandpa", "nan", "granny",
    }
)  # fmt: skip
PLAYMATE_PRONOUNS = frozenset({"him", "her", "them", "me", "us", "everyone", "everybody"})
PLAYMATE_OWNERS = frozenset({"the", "a", "your", "my", "his", "her", "their", "our"})
PLAYMATE_KINDS = frozenset({"little", "big", "baby", "new"})
WHILE = frozenset({"minutes", "minute", "bit", "while", "hour", "hours"})
"""How long to play ("for ten minutes"), the last word of a time said after it."""


def _words(text: str) -> list[str]:
    return [word.strip(",") for word in text.split() if word.strip(",")]


def _ends(words: list[str], phrases: tuple[list[str], ...]) -> bool:
    """Whether ``words`` end with one of ``phrases`` said after something (alone, "never mind"
    answers the DJ's question: no)."""
    return any(len(words) > len(p) and words[-len(p) :] == p for p in phrases)


def _searched_only(found: Intent) -> bool:
    """A play whose only slot is a search: the words it names may be the ones taking it back."""
    return found.name == "play" and set(found.slots) == {"query"} and not found.also


def _unfinished(found: Intent, words: list[str]) -> bool:
    """Whether the request before words saying the choice does not matter was left unfinished:
    not a whole play or skip, or its words stop on a hesitation or on "the" ("play the, oh,
    forget it")."""
    if found.name not in WHOLE or found.also:
        return True
    before = words[: -max(len(p) for p in NO_MATTER if words[-len(p) :] == p)]
    if before[-1] in HESITATIONS:
        return True
    while before and before[-1] in TRAILING:
        before = before[:-1]
    return not before or before[-1] in CUT_OFF - CUT_OFF_ALLOWED


def _cut_off(found: Intent, words: list[str]) -> bool:
    """A play naming nothing that ends on "the", or whose "the" is followed by a hesitation
    ("play the, erm, what was it called"); not "for our" after music asked for (MUSIC_WORDS)."""
    if found.name != "play" or found.slots or len(words) < 2:
        return False
    halted = any(word in CUT_OFF and after in HESITATIONS for word, after in pairwise(words))
    if words[-1] == "our" and words[-2] in FOR_WHOM and MUSIC_WORDS & set(words[:-2]):
        return halted
    return halted or words[-1] in CUT_OFF - CUT_OFF_ALLOWED


def _heard_asked(found: Intent, words: list[str]) -> bool:
    pairs = [words[index : index + 2] for index in range(len(words) - 1)]
    return found.name == "play" and not found.slots and any(p in HEARD_ASKED for p in pairs)


def _playmate(words: list[str]) -> int:
    """How many of ``words`` name whom to play with ("your little sister", "them"), 0 if none."""
    if words[:1] and words[0] in PLAYMATE_PRONOUNS:
        return 1
    if words[:2] == ["each", "other"]:
        return 2
    at = 1 if words[:1] and words[0] in PLAYMATE_OWNERS else 0
    at += 1 if words[at : at + 1] and words[at] in PLAYMATE_KINDS else 0
    return at + 1 if words[at : at + 1] and words[at] in PLAYMATES else 0


def _not_music(found: Intent) -> bool:
    """A search that reads as children's play and nothing else: "with" a playmate ("play with
    the dog"), "nicely", "games", "outside" or "fair", or "nice" / "together" with a playmate,
    and at most how long after it. A title that merely starts so ("play with or without you",
    "play nice and loud", "play together by ...") is a search; a title the library has is not a
    search at all."""
    query = found.slots.get("query")
    if found.name != "play" or set(found.slots) != {"query"} or not isinstance(query, str):
        return False
    words = query.split()
    lead = 0
    while lead < len(words) and words[lead] in PLAYING:
        lead += 1
    at, mate = lead, 0
    if words[at : at + 1] == ["with"]:
        mate = _playmate(words[at + 1 :])
        at += 1 + mate if mate else 0
    while at < len(words) and words[at] in PLAYING:
        at += 1
    rest = words[at:]
    timed = not rest or (rest[0] == "for" and len(rest) <= 4 and rest[-1] in WHILE)
    return timed and (mate > 0 or bool(PLAYING_ALONE & set(words[:lead])))


def asks_nothing(found: Intent, said: str) -> bool:
    """Whether ``found``, read from the words ``said``, is one of the readings above: a request
    taken back, cut off or still looking for a name, a caller asking to be heard, or a child told
    to play. A taste named before the words that take it back ("i'm over jazz, forget it") is
    still told, and a whole request said not to matter ("skip, doesn't matter") still acts."""
    words = _words(said)
    if not words or found.name == "unknown":
        return False
    named = any(part.slots for part in found.each()) and not _searched_only(found)
    if not named and (
        _ends(words, TAKEN_BACK) or (_ends(words, NO_MATTER) and _unfinished(found, words))
    ):
        return True
    query = str(found.slots.get("query", "")).split()
    if _searched_only(found) and any(query[-len(name) :] == name for name in FORGOTTEN):
        return True
    return _cut_off(found, words) or _heard_asked(found, words) or _not_music(found)

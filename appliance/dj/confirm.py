"""When the DJ asks before it acts: how sure it must be of each request.

A request is only as sure as the words it came from (the recogniser's confidence) times the
understanding's confidence in their meaning. Below what its kind of action needs, the DJ asks a
short question instead ("sorry, skip this one?"); a yes on the next turn, within a minute, carries
it out, if the yes itself was heard as surely as the request needed (noise is often heard as
"yes"). Actions that lose something or surprise (skipping, stopping, a volume level, a dislike,
dropping a genre) need more than harmless answers (what's playing, help). A correction undoes
the last request: it needs what those do, or what the request it would replay needs if more.

Understanding's own doubt reaches this too: a request read by the model alone is at most 0.95
sure and at least 0.75, so it is asked about when destructive, or when the words were unsure.
A play of words the library does not hold (a search) needs what destructive actions need: it is
what a misheard name becomes (see :data:`SEARCH_SLOT`).

Some words are heard surely and still mean one of two requests: "play the last song again" is
the track on air to some and the one before it to others. The DJ then asks which ("this one
again, or 'X' before it?"): such a question carries its two :attr:`Question.choices`, and the
next turn, within the same minute, takes the one its words name ("this one", "the first"; "the
one before", "the second", "the other one"), an answer that leaves it to the DJ ("either",
"whichever", "i don't mind") and a yes as the first, "neither" and a no as neither
(:meth:`Question.choose`), when heard as surely as a yes must be. What a yes or a no is, is the
understanding's reading (its confirm and deny), not a list of words of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.dj.understand import Intent

DESTRUCTIVE = frozenset({"skip", "stop", "set_volume", "dislike", "remove_preference"})
HARMLESS = frozenset({
    "whats_playing", "help", "greet", "community", "confirm", "deny", "unknown",
    # talk: an answer, a joke or a question about the music or oneself changes nothing
    "thanks", "bye", "how_are_you", "who_are_you", "compliment", "complaint", "joke", "fact",
    "time_left", "whats_next", "whats_previous", "why_this", "count_songs", "have_any",
    "about_me", "my_likes", "my_mood", "known_for", "my_trust", "dj_opinion",
})  # fmt: skip

NEEDED_DESTRUCTIVE = 0.8
NEEDED_ORDINARY = 0.6
NEEDED_HARMLESS = 0.1
"""A harmless answer that was wrong costs a sentence, as a question would: only words heard
barely at all (pocketsphinx put right commands as low as 0.25) are asked about."""

SEARCH_SLOT = "query"
"""The understanding's slot for words it plays as a search because the library holds no such
name. Played from speech, such a request was a misheard name ("Play kind of Louder." for "play
kind of blue"): on the TUNE voices of the speech benchmark none of the 8 spoken searches chosen
was what had been said, and one was played. It is asked about unless heard as surely as a skip
(the understanding's 0.8 for a search lets one typed through, never one heard less than
perfectly)."""

ANSWER_WITHIN = timedelta(minutes=1)
"""A yes or no answers the question only this soon after it was asked."""

NEITHER = -1
"""What :meth:`Question.choose` makes of a no to a question with choices: none of them."""

_FIRST = frozenset({"this", "first", "former", "same", "current", "now", "again"})
_SECOND = frozenset({"before", "second", "other", "previous", "earlier", "latter", "back"})
_EITHER = frozenset({"either", "whichever", "both", "any", "anything", "whatever"})
"""Words that leave the choice to the DJ: the first, the track on air, is taken."""
_NEITHER = frozenset({"neither", "none", "nothing"})
_CHOOSING = _FIRST | _SECOND | _EITHER | _NEITHER
_FILLERS = frozenset({
    "the", "one", "ones", "song", "track", "tune", "it", "that", "a", "an", "play", "put", "on",
    "go", "to", "of", "from", "option", "please", "thanks", "thank", "you", "um", "uh", "er", "erm",
    "oh", "well", "just", "i", "mean", "said", "want", "wanted", "mind", "then", "s", "them",
    "way", "is", "fine", "good", "will", "do",
})  # fmt: skip
"""Words an answer to a question with choices may say around the ones that choose."""
_BEFORE_THIS = re.compile(r"\bbefore (?:this|that|it)\b")
_DONT_MIND = re.compile(r"\b(?:don'?t|do not|dont) (?:mind|care)\b")
"""Not minding which ("i don't mind", "don't care"): either."""


def needed(intent: str) -> float:
    """The confidence an intent must have to be acted on without asking."""
    if intent in DESTRUCTIVE:
        return NEEDED_DESTRUCTIVE
    if intent in HARMLESS:
        return NEEDED_HARMLESS
    return NEEDED_ORDINARY


def heard_with(intent: Intent, confidence: float) -> Intent:
    """``intent`` (and those said with it) as sure as the words allow: scaled by the
    recogniser's ``confidence`` (0..1)."""
    scale = max(0.0, min(1.0, confidence))
    if scale >= 1.0:
        return intent
    also = tuple(replace(part, confidence=part.confidence * scale) for part in intent.also)
    return replace(intent, confidence=intent.confidence * scale, also=also)


def needed_by(part: Intent, replays: str | None = None) -> float:
    """What ``part`` needs; a correction undoes the last request and what it taught, so it
    needs what a destructive action does, or what the request it replays (``replays``) needs
    if that is more ("please come away with me", heard for "play come away with me", was read
    as a correction and undid the request before it)."""
    if part.name == "correct":
        return max(NEEDED_DESTRUCTIVE, needed(replays) if replays is not None else 0.0)
    if part.name == "play" and part.slots.get(SEARCH_SLOT):
        return NEEDED_DESTRUCTIVE  # a search: see SEARCH_SLOT
    return needed(part.name)


def unsure(intent: Intent, replays: str | None = None) -> Intent | None:
    """The first request of the utterance that needs asking about, or None."""
    for part in intent.each():
        if part.confidence < needed_by(part, replays):
            return part
    return None


def bar(intent: Intent, replays: str | None = None) -> float:
    """The confidence a yes to a question about ``intent`` must have."""
    return max(needed_by(part, replays) for part in intent.each())


@dataclass(frozen=True)
class Question:
    """A request the DJ asked about (in ``text``) and waits for a yes or no to; a yes must be
    heard at least as surely as ``bar``. With ``choices`` (two requests, the first also the
    ``intent``), the DJ asked which of them was meant and waits for an answer naming one
    (:meth:`choose`), heard as surely as a yes; ``tracks`` are the ids of the tracks the
    question named for them, in their order: the answer plays the one named, whatever played
    on in between."""

    intent: Intent
    asked_at: datetime
    bar: float = NEEDED_ORDINARY
    text: str = ""
    choices: tuple[Intent, ...] = ()
    tracks: tuple[str, ...] = ()

    def answered_in_time(self, now: datetime) -> bool:
        return now - self.asked_at <= ANSWER_WITHIN

    def sure_yes(self, answer: Intent) -> bool:
        """True when ``answer`` (a yes) was heard surely enough to act on."""
        return answer.confidence >= self.bar

    def choose(self, answer: Intent, reading: Callable[[str], str] | None = None) -> int | None:
        """The index in ``choices`` of the one ``answer``'s words take ("this one", "the
        first", "either", "whichever", "i don't mind": 0; "the one before", "the second", "the
        other one": 1), NEITHER for "neither"; a yes (the understanding's confirm) takes the
        first, a no (its deny) neither. Words said beside the choosing ones ("yeah, this one",
        "no, the other one") must be a yes or a no as ``reading`` (the understanding's intent
        name for words) reads them. None when the words answer no choice (a request of their
        own, choosing words of two kinds at once) or the question has no choices."""
        if len(self.choices) != 2:
            return None
        said = _BEFORE_THIS.sub("before", answer.text.casefold())  # "the one before this"
        said = _DONT_MIND.sub("either", said)
        words = [word for word in re.findall(r"[a-z]+", said) if word not in _FILLERS]
        named = set(words) & _CHOOSING
        rest = [word for word in words if word not in _CHOOSING]
        if not words:
            return None
        if not named:  # "yes", "no thanks", "never mind": the understanding's reading
            kind = answer.name if not answer.also else None
        elif rest:  # "yeah, this one": what the words beside the choice are
            kind = reading(" ".join(rest)) if reading is not None else None
        else:
            kind = ""
        if kind not in ("", "confirm", "deny"):
            return None
        first, second, neither = named & (_FIRST | _EITHER), named & _SECOND, named & _NEITHER
        if sum(map(bool, (first, second, neither))) > 1:
            return None
        if second:  # "no, the other one", "yes, the one before"
            return 1
        if first:  # "this one", "either"
            return 0
        if neither:
            return NEITHER
        return 0 if kind == "confirm" else NEITHER

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
"""

from __future__ import annotations

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
    heard at least as surely as ``bar``."""

    intent: Intent
    asked_at: datetime
    bar: float = NEEDED_ORDINARY
    text: str = ""

    def answered_in_time(self, now: datetime) -> bool:
        return now - self.asked_at <= ANSWER_WITHIN

    def sure_yes(self, answer: Intent) -> bool:
        """True when ``answer`` (a yes) was heard surely enough to act on."""
        return answer.confidence >= self.bar

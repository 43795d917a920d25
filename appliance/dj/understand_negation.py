"""Requests said not to be made: never act on them.

A template or the model may read the request in words that say not to make it: "don't stop",
"never skip this", "please don't turn it down", "you don't need to stop the music" hold a stop,
a skip, a quieter, and ask none of them. A wrong act is worse than asking, so such a request is
dropped, and a turn left with nothing to do is not understood (the DJ answers it as chat). A
taste told so ("don't play jazz", "never play me any country": a taste taken off) and a dislike
("don't play this again", as the paraphrases have it) are what those words ask, and stay.

Three more readings that act on words saying otherwise:

- a request changed in one breath ("play jazz, no, play rock"): only what it was changed to;
- a name left out of a play ("play miles davis but not kind of blue", "anything except rap"):
  the play of what was said before it, as the corpora label "anything but X" (a play with no
  slot);
- not knowing a song ("i don't know this one, skip it") is no dislike of it;
- a day, the weather or a singer said after "it's" ("it's raining now", "it's sade again")
  names no listener.
"""

from __future__ import annotations

import dataclasses
import re

from appliance.dj.understand_intent import Intent
from appliance.dj.understand_names import NameIndex
from appliance.dj.understand_told import AFTER_HOW, HOW_ARE_YOU, still_asked_after

NEGATIONS = tuple(
    phrase.split()
    for phrase in (
        "there's no need to", "there is no need to", "no need to", "don't need to",
        "do not need to", "needn't", "don't have to", "do not have to", "don't want you to",
        "don't want to", "do not want to", "let's not", "don't", "do not", "never", "dont",
    )
)  # fmt: skip
"""What says not to do what follows; the longest first."""

BETWEEN = frozenset({"ever", "even", "you", "please", "go", "just", "bother", "bother to"})
"""Words between a negation and its verb ("don't ever stop", "don't you skip this")."""

VERBS = frozenset(
    {
        "stop", "skip", "pause", "play", "replay", "repeat", "turn", "change", "put", "switch",
        "mute", "resume", "start", "restart", "lower", "raise", "crank", "move", "next",
        "unpause", "cut", "kill", "touch", "silence", "quiet", "shush",
    }
)  # fmt: skip
"""Command verbs a negation takes back ("don't know why" and "don't forget" are not)."""

NAMING = VERBS | {"hear", "listen", "called", "named", "why"}
"""Words before a negation that make it part of a name ("put on don't stop me now") or of a
suggestion ("why don't you skip this"), not a request taken back."""

NEGATABLE = frozenset(
    {"play", "skip", "pause", "resume", "stop", "replay", "volume_up", "volume_down", "set_volume"}
)
"""Requests a negation takes back; a taste or a dislike told in negated words is what they say."""

NOT_AGAIN = frozenset({"again", "anymore", "more"})
"""Said after "don't play this": a dislike of what plays (the paraphrases' reading)."""

CHANGES = (
    ("no",), ("nah",), ("no", "wait"), ("wait", "no"), ("actually", "no"), ("no", "actually"),
    ("sorry",), ("no", "sorry"), ("i", "mean"), ("i", "meant"), ("or", "rather"), ("rather",),
    ("scratch", "that"), ("no", "no"),
)  # fmt: skip
"""What a request is changed with in one breath, said apart ("play jazz, no, play rock")."""

CHANGE_STARTS = frozenset({"play", "put", "skip", "pause", "stop", "turn"})
"""A request said right after "no" with no pause ("play jazz no play rock")."""

LEFT_OUT = re.compile(
    r"\b(?:but not|except for|except|apart from|other than|anything but|but no)\b"
)
"""What leaves a name out of a play, said before it."""

NOT_LEAD = frozenset({"any", "some", "the", "much", "too"})
"""Words between a bare "not" and the value it leaves out ("not any metal", "not too much rap")."""

KNOWING = re.compile(r"\b(?:don't|do not|didn't|did not|dont) (?:know|recognise|recognize)\b")
DISLIKING = frozenset(
    {
        "like", "love", "hate", "enjoy", "stand", "want", "rate", "care", "fan", "into", "keen",
        "feeling", "loving", "bad", "rubbish", "awful", "boring", "terrible", "bear", "dig",
    }
)  # fmt: skip
"""Words that say a dislike besides not knowing the song."""


def _kept(found: Intent, kept: list[Intent]) -> Intent:
    """``found`` with only the parts ``kept``: as it was when all are, ``unknown`` when none."""
    if kept == list(found.each()):
        return found
    if not kept:
        return Intent("unknown", {}, found.text)
    first, *rest = kept
    return dataclasses.replace(first, also=tuple(rest), text=found.text)


def _pieces(marked: list[str]) -> list[list[str]]:
    """The words between pauses."""
    pieces: list[list[str]] = [[]]
    for word in marked:
        if word == ",":
            pieces.append([])
        else:
            pieces[-1].append(word)
    return [piece for piece in pieces if piece]


def _negation_at(words: list[str], at: int) -> int:
    """The length of the negation starting at ``at``, 0 if none."""
    for phrase in NEGATIONS:
        if words[at : at + len(phrase)] == list(phrase):
            return len(phrase)
    return 0


def negated_verbs(marked: list[str]) -> list[tuple[int, str]]:
    """Where a command verb is said not to be done: (its index among the words without pauses,
    the verb), for a negation said where no verb before it makes it part of a name or a
    suggestion ("no don't change it", "felix don't skip this", "i love this don't skip")."""
    found: list[tuple[int, str]] = []
    offset = 0
    for piece in _pieces(marked):
        for at in range(len(piece)):
            size = _negation_at(piece, at)
            if not size:
                continue
            if NAMING & set(piece[:at]):
                continue
            verb_at = at + size
            while verb_at < len(piece) and piece[verb_at] in BETWEEN:
                verb_at += 1
            if verb_at < len(piece) and piece[verb_at] in VERBS:
                found.append((offset + verb_at, piece[verb_at]))
        offset += len(piece)
    return found


def _spans(found: Intent, words: list[str]) -> list[tuple[int, int]]:
    """Where each part of ``found`` was said among ``words``: a later part from where its words
    are said last (appliance.dj.understand_several keeps each part's own words), the first
    from the start."""
    parts = found.each()
    starts = [0]
    for part in parts[1:]:
        said = part.text.split()
        start = starts[-1]
        for at in range(len(words) - len(said), starts[-1] - 1, -1):
            if said and words[at : at + len(said)] == said:
                start = at
                break
        starts.append(max(start, starts[-1]))
    ends = [*starts[1:], len(words)]
    return list(zip(starts, ends, strict=True))


def _named_in(found: Intent, word: str) -> bool:
    """Whether a name a part holds says the negation itself ("play don't stop me now")."""
    return any(
        word in str(value).split()
        for part in found.each()
        for key, value in part.slots.items()
        if key in {"query", "title", "album", "artist"}
    )


MIND_CHANGES = (
    ("no", "wait"), ("wait", "no"), ("no", "hang", "on"), ("hang", "on", "no"),
    ("no", "hold", "on"), ("hold", "on", "no"), ("actually", "no", "wait"),
)  # fmt: skip
"""A change of mind said between two requests ("turn it up, no wait, skip it"): not a pause, but
the later request only."""


def _mind_changed(found: Intent, words: list[str]) -> Intent:
    """``found`` as only the requests said after a change of mind between two requests ("turn
    it up no wait skip it": the skip), with or without pauses; as it was when no request is said
    on both sides of it ("wait", "wait no" stay a pause)."""
    parts = found.each()
    if len(parts) < 2:
        return found
    spans = _spans(found, words)
    for at in range(1, len(words)):
        size = next((len(c) for c in MIND_CHANGES if tuple(words[at : at + len(c)]) == c), 0)
        if not size:
            continue
        later = [
            part
            for part, (start, _) in zip(parts, spans, strict=True)
            if start >= at + size and part.name != "unknown"
        ]
        earlier = [
            part
            for part, (start, _) in zip(parts, spans, strict=True)
            if start < at and part.name in NEGATABLE
        ]
        if later and earlier:
            first, *rest = later
            return dataclasses.replace(first, also=tuple(rest), text=found.text)
    return found


def not_done(found: Intent, marked: list[str]) -> Intent:
    """``found`` without the requests its words say not to make; ``unknown`` if none is left.
    A negated replay said with "again" ("don't play that again") is a dislike of what plays;
    a request taken back by a change of mind ("turn it up no wait skip it") is not made."""
    if found.name == "unknown":
        return found
    found = _mind_changed(found, [word for word in marked if word != ","])
    words = [word for word in marked if word != ","]
    verbs = negated_verbs(marked)
    if not verbs or any(_named_in(found, words[at - 1]) for at, _ in verbs if at):
        return found
    kept: list[Intent] = []
    for part, (start, end) in zip(found.each(), _spans(found, words), strict=True):
        said_not = [verb for at, verb in verbs if start <= at < end]
        if part.name not in NEGATABLE or not said_not:
            kept.append(part)
        elif part.name == "replay" and NOT_AGAIN & set(words[start:end]):
            kept.append(Intent("dislike", {}, part.text, confidence=part.confidence))
    return _kept(found, kept)


def changed_to(marked: list[str]) -> list[str] | None:
    """The words a request was changed to in one breath ("play jazz, no, play rock": "play
    rock"), or None: said after a few words that take back what was said before them, alone
    between pauses or, with no pause, just before a request's verb."""
    pieces = _pieces(marked)
    for index in range(1, len(pieces) - 1):
        if tuple(pieces[index]) in CHANGES:
            return [word for piece in pieces[index + 1 :] for word in piece]
    words = [word for word in marked if word != ","]
    for at in range(1, len(words) - 1):
        if words[at] == "no" and words[at + 1] in CHANGE_STARTS and words[at - 1] != "no":
            return words[at + 1 :]
    return None


def said_before_left_out(found: Intent) -> list[str] | None:
    """The words of a play said before what leaves a name out of it ("play miles davis" of
    "play miles davis but not kind of blue"; "play anything" of "play anything except rap"), to
    be read again without it; None when nothing is left out, or the words that would are part
    of a name."""
    if found.name != "play" or not found.slots or found.also:
        return None
    named = " ".join(str(value) for value in found.slots.values())
    for match in LEFT_OUT.finditer(found.text):
        if match.group(0) in named:
            continue
        before = found.text[: match.start()].split()
        if found.text[match.end() :].strip():
            return before  # none: "anything but rap", a play with no slot
    return _before_bare_not(found)


def _values(found: Intent) -> list[list[str]]:
    """The words of each value a play holds."""
    values: list[list[str]] = []
    for value in found.slots.values():
        for one in value if isinstance(value, tuple) else (value,):
            if str(one).split():
                values.append(str(one).split())
    return values


def _before_bare_not(found: Intent) -> list[str] | None:
    """The words before a bare "not" that leaves a value out ("play jazz" of "play jazz not
    rock"), or None: a value must end the words before it and begin those after it, and "not"
    be no part of a name."""
    words = found.text.split()
    values = _values(found)
    if any("not" in value for value in values):
        return None
    for at, word in enumerate(words):
        if word != "not" or not at:
            continue
        before = words[: at - 1] if words[at - 1] == "and" else words[:at]
        after = words[at + 1 :]
        while after and after[0] in NOT_LEAD:
            after = after[1:]
        ends = any(value == before[-len(value) :] for value in values if before)
        begins = any(value == after[: len(value)] for value in values)
        if ends and begins:
            return before
    return None


KNOWN_OF = frozenset({"this", "it", "that", "one", "song", "track", "tune", "record"})
"""Words that end what is not known ("i don't know this one", "don't know it")."""

ASKING_ON = VERBS | {"next", "something", "another", "can", "could", "please", "just", "give"}
"""Words a request said right after "i don't know this one" opens with ("... skip it")."""


def known_apart(marked: list[str]) -> list[str]:
    """``marked`` with a pause after not knowing a song when a request follows it with none ("i
    don't know this one skip it"): speech carries no commas, and the request is read apart."""
    words = list(marked)
    for at in range(len(words) - 2):
        said = words[at : at + 2]
        if said not in (["don't", "know"], ["dont", "know"], ["do", "not"]):
            continue
        end = at + 2 if said[0] != "do" else at + 3
        if said[0] == "do" and words[at + 2 : at + 3] != ["know"]:
            continue
        while end < len(words) and words[end] in KNOWN_OF:
            end += 1
        if end > at + 3 - (said[0] != "do") and end < len(words) and words[end] in ASKING_ON:
            return [*words[:end], ",", *words[end:]]
    return marked


def not_known(found: Intent, marked: list[str]) -> Intent:
    """``found`` without a dislike read in words that only say the song is not known ("i don't
    know this one, skip it": a skip)."""
    parts = found.each()
    if not any(part.name == "dislike" for part in parts):
        return found
    words = [word for word in marked if word != ","]
    kept = []
    for part, (start, end) in zip(parts, _spans(found, words), strict=True):
        said = words[start:end]
        if part.name == "dislike" and KNOWING.search(" ".join(said)) and not DISLIKING & set(said):
            continue
        kept.append(part)
    return _kept(found, kept)


NOT_WHO = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "july", "august", "september",
        "october", "november", "december", "today", "tonight", "tomorrow", "yesterday",
        "morning", "evening", "afternoon", "night", "midnight", "noon", "lunchtime", "teatime",
        "bedtime", "weekend", "christmas", "easter", "raining", "snowing", "pouring",
        "drizzling", "sleeting", "hailing", "boiling", "roasting", "baking", "sunny", "windy",
        "cloudy", "foggy", "rainy", "muggy", "humid", "chilly", "warm", "grim", "miserable",
        "lovely", "beautiful", "gorgeous", "horrible", "awful", "quiet", "loud", "dark", "light",
        "distracting", "scary", "boring", "annoying", "amazing", "brilliant",
        "everything", "nothing", "something", "time", "over", "true", "official", "working",
        "happening", "winter", "payday",
    }
)  # fmt: skip
"""Words said after "it's" that tell the day, the weather or what something is like ("it's
raining now", "it's friday", "this is distracting"): never who is speaking."""


def who_is_named(names: NameIndex, found: Intent) -> Intent:
    """``found`` without a listener named by words that are no one's name: a day, the weather,
    what something is like ("it's tuesday now", "it's raining again"), or music the library has
    ("it's sade again": who sings, not who speaks); ``unknown`` if nothing else was said."""
    parts = found.each()
    kept = [
        part
        for part in parts
        if part.name != "identify"
        or not (
            NOT_WHO & set(str(part.slots.get("name", "")).split())
            or names.find_exact(str(part.slots.get("name", ""))) is not None
        )
    ]
    return _kept(found, kept)


TIME_ASKED = re.compile(
    r"\b(?:got|have|spare|give me|give us) (?:a|one) (?:second|sec|minute|min|moment|mo)\b"
)
"""Asking someone for a moment of their time ("have you got a second", "can you spare a minute")."""


def asked_for_time(found: Intent) -> Intent:
    """``unknown`` for a request read only from asking for a moment of someone's time ("have
    you got a second" is no pause), unless a command's own verb is said too."""
    text = found.text
    if found.confidence >= 1.0 or not TIME_ASKED.search(text) or VERBS & set(text.split()):
        return found
    if any(part.name in NEGATABLE for part in found.each()):
        return Intent("unknown", {}, text)
    return found


def asked_after_someone_else(found: Intent) -> Intent:
    """``unknown`` for "how are you" said of more than how the DJ is ("how are you getting home
    tonight" asks someone in the room): words after it that no asking after the DJ has
    (appliance.dj.understand_told.still_asked_after)."""
    if found.name != "how_are_you" or found.also or found.confidence >= 1.0:
        return found
    opening = next((how for how in HOW_ARE_YOU if found.text.startswith(how + " ")), None)
    if opening is None:
        return found
    after = found.text[len(opening) :].split()
    asked = 0
    while asked < len(after) and after[asked] in AFTER_HOW:
        asked += 1
    if still_asked_after(after) or _about_oneself(after[asked:]):
        return found
    return Intent("unknown", {}, found.text)


ONESELF = frozenset({"i", "i'm", "im", "i've", "ive", "i'd", "i'll"})
"""Words a clause about the one asking opens with ("i'm not great", "i haven't slept")."""

JOINING = frozenset({"because", "cause", "cos", "coz", "cuz", "while", "as", "since", "and"})
"""Words joining such a clause to the asking ("because i'm not great", "while i do corrections")."""


def _about_oneself(rest: list[str]) -> bool:
    """Whether the words after asking how the DJ is tell of the one asking ("how are you doing
    because i'm not great", "how are you i haven't slept", "how are you today while i do
    corrections"): a clause opening with "i", maybe joined by "because" or "while"."""
    if rest and rest[0] in JOINING:
        rest = rest[1:]
    return bool(rest) and rest[0] in ONESELF

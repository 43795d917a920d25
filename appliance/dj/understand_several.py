"""Several requests in one breath: the utterance cut into parts, each understood, then merged.

"i hate this, next" is a dislike then a skip; "play some rock and some jazz" one play of two
genres; "pause i'm on the phone" a pause with its reason; "no, i said jazz! jazz!" one
correction. The cutting tries every way to part the words and keeps the cheapest reading; the
merging makes the parts one :class:`Intent` with the others in ``also``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appliance.dj.understand_intent import COMMAND_INTENTS, QUESTION_INTENTS, Intent, Slot
from appliance.dj.understand_lexicon import Lexicon
from appliance.dj.understand_tidy import TAGS

MAX_CUT_WORDS = 14
"""Up to this many words, an utterance may be cut anywhere when looking for several requests;
longer ones only at commas and joining words (the cuts to try grow with the square)."""

REASONS = frozenset(
    {"i'm", "we're", "i've", "we've", "so", "because", "cause", "cos", "while", "as", "since"}
    | {"someone's", "somebody's", "there's"}
)
"""Words that begin a reason given beside a request ("pause i'm on the phone")."""

REASON = "\x00reason"
"""Stands for a reason in a cut utterance; never an intent of its own."""

REASON_CONFIDENCE = 0.9
"""How sure a request is when it came with words understood only as a reason."""

CONTRADICTING = frozenset(
    frozenset(pair)
    for pair in (
        ("volume_up", "volume_down"),
        ("stop", "volume_up"),
        ("pause", "volume_up"),
        ("pause", "resume"),
        ("stop", "resume"),
        ("like", "dislike"),
        ("skip", "replay"),
    )
)
"""Requests that undo each other: said in one breath ("quiet up": a stop and louder), they are
more likely a mishearing or talk than meant, so they are asked about, never acted on."""
CONTRADICTED_CONFIDENCE = 0.5
"""Below every bar of appliance.dj.confirm but the harmless one: each such request is asked."""

CONJUNCTIONS = frozenset({"and", "then", "also", "plus", "but", "or"})
"""Words that may join two requests ("pause and turn it down")."""

GROANS = frozenset({"ugh", "ew", "yuck", "meh", "urgh", "argh", "eugh"})
"""A dislike said as a sound: dropped beside a request that says the dislike in words."""

MERGED = frozenset({"play", "add_preference", "remove_preference", "mood"})
"""Intents whose repeats in one utterance are one request with several values ("play some rock
and some jazz")."""

ENOUGH = ("that'll do", "that will do", "that's enough", "that is enough")
"""A stop's words that, after another request, say that request has done enough ("turn it
down, that'll do"): no stop of the music."""

GO_AHEAD = frozenset({"replay", "resume"})
"""Intents a bare "play it", "go on" is read as: beside a request for music, they only say to
go ahead with it ("jazz, play it", "reggae, go on")."""


@dataclass(frozen=True)
class Readers:
    """How a part is understood (the templates alone, or every step) and its plain words."""

    exact: Callable[[str], Intent | None]
    """The templates, word for word (then with unknown words mended)."""
    clause: Callable[[str], Intent | None]
    """Every way a part between natural breaks may be understood."""
    plain: Callable[[str], str]
    """The words as the templates are written (without skip words)."""


def several(
    lexicon: Lexicon, readers: Readers, marked: list[str], apart: bool = False
) -> Intent | None:
    """Several requests in one utterance ("i hate this, next"; "boring next"; "pause i'm on
    the phone"), or None. ``marked``: the words with "," where the speaker paused; ``apart``:
    read in two parts or more, never whole.

    The utterance may be cut anywhere. A part between natural breaks (the ends, a comma, a
    joining word such as "and") may be understood any way; a part cut elsewhere only by a
    template, word for word. A part that no template understands but that gives a reason
    ("i'm on the phone", "so we can talk") may stand beside a request, and is dropped. Of
    the cuts where every part counts, the best has the fewest parts that are not templates
    matched word for word, then the fewest reasons, then the fewest parts (so "drum and bass"
    stays one genre); it must hold two parts or more.
    """
    words: list[str] = []
    natural = {0}
    pauses = {0}  # the ends, and where a comma was
    for word in marked:
        if word == ",":
            pauses.add(len(words))
        if word == "," or word in CONJUNCTIONS:
            natural.add(len(words))
            if word != ",":
                words.append(word)
                natural.add(len(words))
            continue
        words.append(word)
    natural.add(len(words))
    pauses.add(len(words))
    if len(words) < 2:
        return None
    anywhere = len(words) <= MAX_CUT_WORDS
    known: dict[tuple[int, int], Intent | None] = {}

    def clause(start: int, end: int) -> Intent | None:
        """The part words[start:end] (joining words at its edges left out)."""
        if (start, end) not in known:
            inner = words[start:end]
            while inner and inner[0] in CONJUNCTIONS:
                inner = inner[1:]
            while inner and inner[-1] in CONJUNCTIONS:
                inner = inner[:-1]
            text = " ".join(inner)
            found: Intent | None = None
            if end == len(words) and start > 0 and text in TAGS and " " in text:
                found = Intent(REASON, {}, text)  # "next song please music man"
            elif text:
                if start in natural and end in natural:
                    found = readers.clause(text)
                else:
                    found = readers.exact(text)
                    if (
                        found is not None
                        and found.name in ("play", "replay")
                        and (
                            lexicon.only_values(text)
                            or (
                                not found.slots
                                and (
                                    " " not in readers.plain(text)
                                    or (found.name == "play" and end < len(words))
                                )
                            )
                        )
                    ):  # "music", "house", "again", "can we hear", "please music man": a
                        # word of a request
                        found = None
                if (found is None or found.name == "unknown") and inner[0] in REASONS:
                    found = Intent(REASON, {}, text)
                elif (found is None or found.name == "unknown") and (
                    {start, end} <= pauses and end - start < len(words)
                ):  # "toast's burning, turn it down": what goes on around a request
                    found = Intent(REASON, {}, text, confidence=0.0)
            known[start, end] = found if found is None or found.name != "unknown" else None
        return known[start, end]

    def cost(parts: list[Intent]) -> tuple[int, int, int]:
        reasons = sum(part.name == REASON for part in parts)
        inexact = sum(part.confidence < 1.0 for part in parts)
        return inexact, reasons, len(parts)

    cuts = range(len(words) + 1) if anywhere else sorted(natural)
    best: dict[int, list[Intent]] = {0: []}
    for end in cuts:
        for start in cuts:
            if start >= end or start not in best:
                continue
            if apart and start == 0 and end == len(words):  # read in two parts or more
                continue
            part = clause(start, end)
            if part is None:
                continue
            candidate = [*best[start], part]
            if end not in best or cost(candidate) < cost(best[end]):
                best[end] = candidate
    parts = best.get(len(words))
    if parts is None or len(parts) < 2:
        return None
    # "i like rock and jazz": a bare value after a request with values belongs to it;
    # "i love soul, put some on": a bare play is of what was just named
    for index in range(1, len(parts)):
        before, part = parts[index - 1], parts[index]
        if before.name in MERGED and part.name == "play" and lexicon.only_values(part.text):
            parts[index] = Intent(before.name, part.slots, part.text, (), part.confidence)
        elif part.name == "play" and not part.slots and before.name in MERGED:
            named = {k: v for k, v in before.slots.items() if k in ("genre", "artist")}
            parts[index] = Intent("play", named, part.text, (), part.confidence)
    parts = _said_once(_corrections(lexicon, parts))
    requests = [part for part in parts if part.name != REASON]
    if any(part.name == REASON and not part.confidence for part in parts) and any(
        part.name not in QUESTION_INTENTS
        and (part.name in ("confirm", "deny") or part.confidence < 1.0)
        for part in requests
    ):  # "yes, it's about the parcel", "put your shoes on, we're leaving": a request beside
        # talk is one a template says as heard (a question beside it is asked all the same:
        # "who is this, my ears aren't what they were"; answering it changes nothing)
        return None
    if any(part.name in COMMAND_INTENTS for part in requests):  # "stop, thank you": a stop
        requests = [part for part in requests if part.name != "thanks"] or requests
    requests = requests[:1] + [
        part for part in requests[1:] if not (part.name == "stop" and part.text.startswith(ENOUGH))
    ]
    if not requests:
        return None
    names = {part.name for part in requests}
    if any(pair <= names for pair in CONTRADICTING):
        requests = [
            dataclasses.replace(r, confidence=min(r.confidence, CONTRADICTED_CONFIDENCE))
            for r in requests
        ]
    if len(requests) < len(parts):  # a request with its reason: a little less sure
        # "put on some jazz while i cook": what the reason says it is for goes with a play
        context: dict[str, Slot] = {}
        for part in parts:
            if part.name == REASON:
                found = lexicon.scan(part.text, ("activity",), several=False)
                context = {**found, **context}
        requests = [
            Intent(
                r.name,
                {**context, **r.slots} if r.name == "play" else r.slots,
                r.text,
                confidence=min(r.confidence, REASON_CONFIDENCE),
            )
            for r in requests
        ]
    return merge(requests, " ".join(words))


def _corrections(lexicon: Lexicon, parts: list[Intent]) -> list[Intent]:
    """ "no, not that, reggae!", "no, i said jazz! jazz!", "i said disco, not this": a no
    and a bare value, or a correction and its echoes, are one correction of that value."""
    mended: list[Intent] = []
    for part in parts:
        before = mended[-1] if mended else None
        oops = before is not None and (
            before.name == "deny"
            or (before.name == "dislike" and before.text.split()[0] in ("not", "no"))
        )
        values = part.name == "play" and lexicon.only_values(part.text)
        if before is not None and values and (oops or before.name == "correct"):
            slots = {**(before.slots if before.name == "correct" else {}), **part.slots}
            mended[-1] = Intent("correct", slots, part.text, (), part.confidence)
            continue
        if before is not None and before.name == "correct" and part.name in ("dislike", "deny"):
            continue  # "i said disco, not this": what the correction undoes
        mended.append(part)
    return mended


def _said_once(parts: list[Intent]) -> list[Intent]:
    """One request for music said with its go-ahead ("jazz, play it", "go on, surprise me"),
    or with the mood it names said again as the reason ("something angry, i'm furious"), is
    that one request."""
    plays = [part for part in parts if part.name == "play"]
    if len(plays) != 1:
        return parts
    play = plays[0]
    slots = {value for value in play.slots.values() if isinstance(value, str)}
    return [
        part
        for part in parts
        if not (part.name in GO_AHEAD and not part.slots)
        and not (part.name == "mood" and part.slots and set(part.slots.values()) <= slots)
    ]


def _dislike_first(parts: list[Intent]) -> list[Intent]:
    """ "skip this rubbish": the dislike is of the track on air, so it comes before the skip
    (after it, it would be of the next track)."""
    ordered = list(parts)
    for index in range(len(ordered) - 1):
        if ordered[index].name == "skip" and ordered[index + 1].name == "dislike":
            ordered[index], ordered[index + 1] = ordered[index + 1], ordered[index]
    return ordered


def merge(parts: list[Intent], text: str) -> Intent:
    """Requests said together as one intent with ``also``: repeats of a MERGED intent in a row
    become one with several values ("play some rock" + "some jazz"), other repeats one."""
    if len(parts) > 1:  # "nah, skip it", "yes, play some jazz": a sound, not a request
        negative = any(p.name in ("dislike", "remove_preference") for p in parts[1:])
        parts = [
            p for p in parts if not _interjection(p) or (p.name == "dislike" and not negative)
        ] or parts[:1]
        parts = _dislike_first(parts)
    kept: list[Intent] = []
    for part in parts:
        previous = kept[-1] if kept else None
        if previous is not None and previous.name == part.name:
            slots = dict(previous.slots)
            if part.name in MERGED:
                for key, value in part.slots.items():
                    values = [*_values(slots.get(key)), *_values(value)]
                    unique = tuple(dict.fromkeys(values))
                    slots[key] = unique[0] if len(unique) == 1 else unique
            kept[-1] = Intent(
                part.name,
                slots,
                previous.text,
                confidence=min(previous.confidence, part.confidence),
            )
            continue
        kept.append(part)
    first, *rest = kept
    return Intent(
        first.name,
        dict(first.slots),
        text,
        tuple(Intent(p.name, dict(p.slots), p.text, confidence=p.confidence) for p in rest),
        min(p.confidence for p in kept),
    )


def _interjection(intent: Intent) -> bool:
    """A yes, a no or a sound of distaste said before or after a request ("ugh, i hate
    country": the dislike is in the request)."""
    if intent.name == "dislike":
        return intent.text in GROANS
    return intent.name in ("confirm", "deny") and len(intent.text.split()) <= 2


def _values(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, tuple) else [value]

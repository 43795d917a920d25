"""Slot filling: the values a reading of an utterance carries.

From a hassil match (lists, and free text looked up in the library by near miss), or, for the
model's guesses, from the genres, moods, activities, numbers and names the words mention.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from hassil import RecognizeResult

from appliance.dj.understand_intent import Intent, Slot
from appliance.dj.understand_lexicon import SCANNED_LISTS, VALUE_FILLERS, Lexicon
from appliance.dj.understand_match import RULE_LIST_PREFIX
from appliance.dj.understand_names import KINDS, NameIndex

SLOTS = (
    "genre",
    "mood",
    "activity",
    "artist",
    "album",
    "title",
    "level",
    "name",
    "query",
    "side",
    "direction",
    "room",
    "change",
)
"""Slots an intent can carry; anything else a template captures (words of a rule, a mood asked
to be avoided in "upbeat but not too intense") is not passed on."""

FILLER_TEXT = VALUE_FILLERS | {
    "again", "once", "one", "time", "it", "that", "this", "something", "anything", "please",
    "now", "then", "also", "instead", "the", "song", "track", "tune", "thing", "stuff",
}  # fmt: skip
"""Words that are never a search text on their own ("play again" is no search for "again")."""

DESCRIBED = frozenset({"something", "anything", "me", "us", "music", "songs", "stuff"})
"""Free text after "play" that begins like this describes music rather than naming it."""

SEARCH_TAILS = frozenset({"songs", "song", "music", "tracks", "tunes", "stuff", "please"})
"""Words after a search text that say what kind of thing, not which."""

REFINE_WORDS = {
    **dict.fromkeys(("slower", "slow"), ("tempo", "lower")),
    **dict.fromkeys(("faster", "quicker"), ("tempo", "higher")),
    **dict.fromkeys(("calmer", "mellower", "gentler", "chiller", "softer"), ("energy", "lower")),
    **dict.fromkeys(("livelier", "upbeat", "energetic", "punchier"), ("energy", "higher")),
    **dict.fromkeys(("quieter",), ("loudness", "lower")),
    **dict.fromkeys(("louder", "heavier", "harder"), ("loudness", "higher")),
    **dict.fromkeys(("older", "earlier"), ("year", "lower")),
    **dict.fromkeys(("newer", "recent", "modern"), ("year", "higher")),
    **dict.fromkeys(("less",), ("track", "less")),
}
"""The words that say which way a refinement the model caught goes (the last one said wins)."""


@dataclass(frozen=True)
class Candidate:
    """One reading of an utterance, with what makes it better or worse than another."""

    name: str
    slots: dict[str, Slot]
    rank: tuple[float, ...]


def reading(
    lexicon: Lexicon, names: NameIndex, result: RecognizeResult, said: frozenset[str] = frozenset()
) -> Candidate | None:
    """Turn one hassil match into slots; None when it does not hold up."""
    slots: dict[str, Slot] = {}
    wildcards = 0
    misses = 0
    similarity = 0.0
    literal = len(result.original_text.split())
    for entity in result.entities_list:
        name, value = entity.name, entity.value
        if name.startswith(RULE_LIST_PREFIX):
            continue  # words of a rule, which count as literal words
        literal -= len(str(entity.text or "").split())
        if entity.is_wildcard:
            wildcards += 1
            words = " ".join(str(entity.text or "").split())
            if said and not set(words.split()) <= said:
                return None  # free text cut inside a word ("play a|gain"): not a reading
            if name == "wrong":
                continue  # "i said get lucky not get low": what was not meant
            if set(words.split()) <= FILLER_TEXT:
                return None  # "play again": no search for "again"
            if name == "name":
                if not lexicon.person_name(words):
                    return None
                slots["name"] = words.removesuffix("'s")  # "lucy's here"
                continue
            found = resolve_free_text(lexicon, names, name, words)
            if found is None:
                misses += 1
                slots.setdefault("query", search_text(words))
                continue
            for slot, (slot_value, score) in found.items():
                slots.setdefault(slot, slot_value)
                similarity += 100.0 - score
        elif name == "named":
            kind, library_name = value
            slots.setdefault(kind, library_name)
        elif name == "level":
            slots["level"] = max(0, min(100, int(value)))
        elif name in SLOTS:
            slots.setdefault(name, str(value))
    kinds = sum(KINDS.index(kind) for kind in KINDS if kind in slots)
    rank = (misses, wildcards, similarity, -literal, -len(slots), kinds)
    return Candidate(result.intent.name, slots, rank)


def resolve_free_text(
    lexicon: Lexicon, names: NameIndex, list_name: str, words: str
) -> dict[str, tuple[str, float]] | None:
    """Slots for free text in a fallback template: a library name, or what it mentions."""
    kinds = {
        "artist_text": ("artist",),
        "album_text": ("album",),
        "title_text": ("title",),
    }.get(list_name, KINDS)
    found = names.find(words, kinds)
    if found is not None:
        kind, library_name, score = found
        return {kind: (library_name, score)}
    if list_name == "artist_text":
        partial = names.find_by_word(words, "artist")
        return {"artist": (partial, 90.0)} if partial else None
    if list_name != "any_text":
        return None
    if " " not in words:  # "play some miles": one word of one artist's name
        partial = names.find_by_word(words, "artist")
        if partial:
            return {"artist": (partial, 90.0)}
    # "kind of blue by miles": a name, then its artist said short
    what, by, who = words.partition(" by ")
    if by and what and who:
        thing = names.find(what, ("title", "album"))
        artist = names.find(who, ("artist",))
        artist_name = artist[1] if artist else names.find_by_word(who, "artist")
        if thing is not None and artist_name:
            return {thing[0]: (thing[1], thing[2]), "artist": (artist_name, 90.0)}
    # "that get lucky song", "exodus the bob marley album": library names said whole inside
    named = lexicon.names_in(names, words)
    if named:
        return {kind: (name, 100.0) for kind, name in reversed(named)}
    mentioned = lexicon.scan(words)
    found_slots = {slot: (value, 100.0) for slot, value in mentioned.items()}
    if not found_slots and words.split()[0] in DESCRIBED and " by " not in f" {words} ":
        return {}  # "something for a rainy day": a wish, not a name to look for
    return found_slots or None  # type: ignore[return-value]


def mentioned(lexicon: Lexicon, names: NameIndex, text: str, intent: str) -> dict[str, Slot]:
    """The slots ``intent`` can take that ``text`` names (the model found no slots itself)."""
    if intent in (
        "play",
        "add_preference",
        "remove_preference",
        "forget_preference",
        "mood",
        "correct",
    ):
        lists = SCANNED_LISTS if intent != "correct" else (*SCANNED_LISTS, "level")
        named = lexicon.names_in(names, text, last=intent == "correct")
        rest = lexicon.without_names(text, [name for _kind, name in named])
        slots: dict[str, Slot] = dict(lexicon.scan(rest, lists, several=True))
        if intent == "correct":  # "not rock, jazz": the value said last is the one meant
            slots = {k: v[-1] if isinstance(v, tuple) else v for k, v in slots.items()}
        if intent in ("add_preference", "remove_preference", "forget_preference"):
            slots = {k: v for k, v in slots.items() if k == "genre"}
        if intent == "mood":
            slots = {k: v for k, v in slots.items() if k in ("mood", "activity")}
        for kind, name in named:
            slots.setdefault(kind, name)
        if intent == "play" and not slots:  # "the best of the seventies": a decade alone
            decades = lexicon.scan(rest, ("decade",), several=False)
            if "decade" in decades:
                slots["query"] = decades["decade"]
        return slots
    if intent in ("count_songs", "have_any"):  # "how many reggae tracks": of what, if said
        named = lexicon.names_in(names, text)
        rest = lexicon.without_names(text, [name for _kind, name in named])
        found = lexicon.scan(rest, ("genre",), several=False)
        artists = [name for kind, name in named if kind == "artist"]
        if artists and not found:
            return {**found, "artist": artists[0]}
        return found or _asked_for(lexicon, text)
    if intent == "set_volume":
        levels = lexicon.scan(text, ("level",), several=True).get("level")
        words = set(text.split()) - lexicon.level_words - {"to", "at", "on", "the", "it"}
        if levels is None or not words:  # a bare number is not a volume command
            return {}
        level = levels[-1] if isinstance(levels, tuple) else levels
        return {"level": max(0, min(100, int(level)))}
    if intent == "refine":
        said = [REFINE_WORDS[w] for w in text.split() if w in REFINE_WORDS]
        return {"side": said[-1][0], "direction": said[-1][1]} if said else {}
    if intent == "identify":
        unknown = [w for w in text.split() if w not in lexicon.words]
        name = " ".join(unknown)
        return {"name": name} if unknown and lexicon.person_name(name) else {}
    return {}


def _asked_for(lexicon: Lexicon, text: str) -> dict[str, Slot]:
    """ "got any polka": the words after "any" that no template knows, as a search (the DJ
    says honestly that it has none, and what is nearest)."""
    words = text.split()
    if "any" not in words:
        return {}
    asked = search_text(" ".join(words[len(words) - words[::-1].index("any") :])).split()
    if not 0 < len(asked) <= 3 or any(w in lexicon.words or not w.isalpha() for w in asked):
        return {}
    return {"query": " ".join(asked)}


def described(lexicon: Lexicon, intent: Intent) -> Intent:
    """A play of a library name with a mood or an occasion said around it ("some sad nina
    simone", "daft punk for the party"): those too."""
    names = [
        str(intent.slots[kind]) for kind in ("artist", "album", "title") if kind in intent.slots
    ]
    if intent.name != "play" or not names or {"mood", "activity"} & intent.slots.keys():
        return intent
    found = lexicon.scan(lexicon.without_names(intent.text, names), ("mood", "activity"), False)
    if not found:
        return intent
    return dataclasses.replace(intent, slots={**intent.slots, **found})


def search_text(words: str) -> str:
    """Free text as a search: without a trailing "songs" or "music" ("arijit singh songs")."""
    found = words.split()
    while len(found) > 1 and found[-1] in SEARCH_TAILS:
        found.pop()
    return " ".join(found)


def as_said(phrase: str, mended: list[str], said: list[str]) -> str:
    """``phrase``, found in the ``mended`` words, as it was said: a search text keeps the words
    that were heard ("frank sinatra", not "rank sinatra"); mending is one word for one."""
    size = len(phrase.split())
    for start in range(len(mended) - size + 1):
        if " ".join(mended[start : start + size]) == phrase:
            return " ".join(said[start : start + size])
    return phrase

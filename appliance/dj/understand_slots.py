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
from appliance.dj.understand_names import BESIDE_NAME_CUTOFF, KINDS, MIN_BESIDE_LETTERS, NameIndex
from appliance.dj.understand_tidy import strip_phrases

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


ASIDE_TEXT = frozenset({"wrong", "about"})
"""Free text a template captures that is no slot: what was not meant ("{any_text:wrong}" in "i
said jazz not blues"), what a feeling is about ("{any_text:about}" in "i'm angry at the
referee")."""

ABOUT_THE_DJ = frozenset(
    {"you", "your", "you're", "song", "songs", "track", "tracks", "tune", "tunes", "music"}
    | {"dj", "speaker", "playlist", "record", "album", "band", "singer"}
)
"""Words that make what a feeling is about the DJ or what it plays ("fed up with this song"):
a complaint to it, never a mood to play for."""

JOINED_BY = RULE_LIST_PREFIX + "by"
"""The words of the rule that joins a name to its artist ("by", "from", "of")."""


@dataclass(frozen=True)
class Candidate:
    """One reading of an utterance, with what makes it better or worse than another."""

    name: str
    slots: dict[str, Slot]
    rank: tuple[float, ...]


def _one_name(names: NameIndex, result: RecognizeResult) -> bool:
    """A listener's name put right ("no, it's dai, not di"): the name meant and the one heard
    are one word each, heard whole (not the "'m" of "ah'm", nor "she's not going ..."), and
    the name meant is none of the library's."""
    said = {entity.name: str(entity.text or "").strip() for entity in result.entities_list}
    meant, heard = said.get("name", ""), said.get("wrong", "")
    return all(word.isalpha() for word in (meant, heard)) and names.find_exact(meant) is None


def reading(
    lexicon: Lexicon, names: NameIndex, result: RecognizeResult, said: frozenset[str] = frozenset()
) -> Candidate | None:
    """Turn one hassil match into slots; None when it does not hold up."""
    slots: dict[str, Slot] = {}
    wildcards = 0
    misses = 0
    shadowed = 0
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
            if name in ASIDE_TEXT:
                if name == "about" and (
                    not set(words.split()) - FILLER_TEXT or ABOUT_THE_DJ & set(words.split())
                ):
                    return None  # "i'm fed up with this song", "angry at you": said of the DJ
                if name == "about" and _names_music(lexicon, names, words):
                    return None  # "i'm happy with miles davis": a feeling and what to play
                continue  # "i said get lucky not get low": what was not meant; "angry at him"
            if set(words.split()) <= FILLER_TEXT:
                return None  # "play again": no search for "again"
            if name == "name":
                if not lexicon.person_name(words):
                    return None
                if result.intent.name == "correct" and not _one_name(names, result):
                    return None  # "no i said nora jones not nina": no listener put right
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
            if _a_name_said(lexicon, names, name, str(entity.text or "")):
                shadowed += 1
    joined = (str(e.text or "").strip() for e in result.entities_list if e.name == JOINED_BY)
    if misses >= 2 and "of" in joined:
        return None  # "put kind of blue on": no title "kind" of an artist "blue on"
    if not _of_music(lexicon, result.intent.name, result.original_text, slots.get("query")):
        return None  # "remember i like my tea strong", "do you have a minute"
    kinds = sum(KINDS.index(kind) for kind in KINDS if kind in slots)
    rank = (misses, wildcards, shadowed, similarity, -literal, -len(slots), kinds)
    return Candidate(result.intent.name, slots, rank)


def _names_music(lexicon: Lexicon, names: NameIndex, words: str) -> bool:
    """Whether ``words`` say a library name or a genre ("miles davis", "some jazz")."""
    return bool(lexicon.names_in(names, words) or lexicon.spans(words.split(), ("genre",)))


def _a_name_said(lexicon: Lexicon, names: NameIndex, slot: str, said: str) -> bool:
    """Whether a value said in more words than its list has ("nightshift", "hymn") is a library
    name said whole: the name is what is meant, so a reading of it ranks first."""
    key = " ".join(said.split())
    return key in lexicon.unsampled.get(slot, frozenset()) and names.find_exact(key) is not None


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
        said_names = {kind: (name, 100.0) for kind, name in reversed(named)}
        beside = name_beside(lexicon, names, words, named)
        if beside is not None and beside[0] not in said_names:
            said_names[beside[0]] = (beside[1], beside[2])
        return said_names
    # "nora jones while i do the dishes": a name, then an aside
    head = before_aside(words.split(), names)
    if len(head) < len(words.split()):
        while len(head) > 1 and head[0] in VALUE_FILLERS:
            head = head[1:]
        named_first = names.find(" ".join(head))
        if named_first is not None:
            return {named_first[0]: (named_first[1], named_first[2])}
        unknown = set(head) - lexicon.known_words - {"music", "songs"}
        if unknown and not lexicon.scan(" ".join(head)):
            return None  # "zorblat while i cook": a name the library lacks, searched for
    mentioned = lexicon.scan(words)
    if mentioned and lexicon.said_too_after_unknown(words):
        return None  # "commodores night shift": a name runs on into a value said too
    found_slots = {slot: (value, 100.0) for slot, value in mentioned.items()}
    if not found_slots and words.split()[0] in DESCRIBED and " by " not in f" {words} ":
        if _named_for_whom(lexicon, words):
            return None  # "me some kraftwerk": a name the library lacks, searched for
        return {}  # "something for a rainy day": a wish, not a name to look for
    return found_slots or None  # type: ignore[return-value]


FOR_WHOM_FIRST = frozenset({"me", "us"})
"""Words a search may start with that say whom it is for ("play me some kraftwerk")."""


def _named_for_whom(lexicon: Lexicon, words: str) -> bool:
    """ "me some kraftwerk", "us the beatles": after whom it is for, a name no sentence of the
    DJ's uses (not "me something for a rainy day", "us a bit of quiet")."""
    rest = words.split()
    if not rest or rest[0] not in FOR_WHOM_FIRST:
        return False
    rest = [word for word in rest[1:] if word not in VALUE_FILLERS and word != "the"]
    return bool(rest) and rest[0] not in DESCRIBED and not set(rest) & lexicon.known_words


def for_whom_dropped(query: str) -> str:
    """A search without whom it is for and the words before its name ("me some kraftwerk":
    "kraftwerk"; "us the beatles": "the beatles")."""
    words = query.split()
    if len(words) < 2 or words[0] not in FOR_WHOM_FIRST:  # "me" alone is no search to end
        return query
    words = words[1:]
    while len(words) > 1 and words[0] in VALUE_FILLERS:
        words = words[1:]
    return " ".join(words)


BESIDE_LINKS = frozenset({"by", "from", "off", "of", "the", "song", "track", "album", "record"})
"""Words that join two names said together ("get lucky by daft punk", "the album diamond life")
and name neither."""


def name_beside(
    lexicon: Lexicon, names: NameIndex, words: str, named: list[tuple[str, str]]
) -> tuple[str, str, float] | None:
    """A second library name heard a little wrong beside ones said exactly ("nina simone
    feeling could": feeling good), of a kind not yet named; None when the rest of the words
    are no name."""
    rest = lexicon.without_names(words, [name for _kind, name in named]).split("|")
    kinds = [kind for kind in KINDS if kind not in {kind for kind, _name in named}]
    for part in rest:
        said = part.split()
        while said and said[0] in BESIDE_LINKS:
            said.pop(0)
        while said and said[-1] in BESIDE_LINKS | SEARCH_TAILS:
            said.pop()
        phrase = " ".join(said)
        if len(phrase.replace(" ", "")) < MIN_BESIDE_LETTERS or not kinds:
            continue
        found = names.find(phrase, kinds, cutoff=BESIDE_NAME_CUTOFF)
        if found is not None:
            return found
    return None


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


REASONS = frozenset(
    {"i", "i'm", "i've", "i'd", "it's", "it", "we", "we're", "we've", "she", "she's", "he"}
    | {"he's", "they", "they're", "my", "our", "you", "you're", "that's", "there's", "me"}
)
"""Words a reason begins with ("cos i'm tired", "because my mum loves them")."""

ASIDES = (
    ("for", "the"), ("for", "my"), ("for", "me"), ("for", "us"), ("for", "him"), ("for", "her"),
    ("for", "them"), ("for", "our"), ("for", "your"), ("for", "a"), ("for", "this"),
    ("while",), ("whilst",), ("if", "you"), ("if", "you've"), ("if", "ya"), ("if", "u"),
    ("let's",), ("or", "someone"), ("or", "somebody"), ("or", "something"), ("or", "summat"),
    ("or", "whatever"), ("or", "anything"), ("or", "similar"), ("because",), ("cause",),
    ("cos",), ("coz",), ("when", "you"), ("when", "you're"), ("with", "breakfast"),
    ("with", "dinner"), ("with", "lunch"), ("with", "tea"),
)  # fmt: skip
"""Words that start what is said after a name and is no part of it ("nora jones while i stir",
"ed sheeran for the little one", "erykah badu if you've got her")."""

NAME_TAGS = (
    "mate", "bruv", "innit", "fam", "bro", "thanks", "thank you", "cheers", "yeah", "dear",
    "darling", "pal", "buddy", "dude", "boss", "selecta", "yaar", "ji", "for me",
    "if you can", "if you don't mind", "when you're ready", "whenever you're ready",
)  # fmt: skip
"""Tags a search may end with that only address or soften it ("sade for me", "coldplay
mate"). A name may end with one too ("wait for me", "oh darling"): a search the library has
whole keeps it."""

ANY_OF = frozenset(
    {"something", "summat", "anything", "owt", "some", "stuff", "songs", "song", "tunes"}
    | {"music", "a", "one", "few", "bit", "track", "tracks", "little", "of"}
)
"""What "... by <artist>" says before "by" when it asks for any song of theirs ("summat by
stormzy"), not for one song."""


ABBREVIATED = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "feat", "ft"})
"""Words written with a full stop that is no pause ("Mr. Brightside")."""


def ended(lexicon: Lexicon, names: NameIndex, intent: Intent, marked: list[str]) -> Intent:
    """A play whose search ran on past the name: the search ends where the name does, at a pause
    ("iron lilac, a loud one"), before an aside ("nora jones while i stir") or a tag ("mate"),
    and at "by" ("at last by etta james" searches its title; "summat by stormzy" the artist).
    What is left may be a library name ("nora jones": norah jones) or a genre."""
    if intent.name == "identify":
        return _name_ended(intent, marked)
    query = intent.slots.get("query")
    if intent.name != "play" or not isinstance(query, str):
        return intent
    searched = for_whom_dropped(query).split()
    words = before_aside(_before_pause(_title_from_by(searched, marked), marked), names)
    if names.find_exact(" ".join(words)) is None:  # "wait for me" the library has: kept whole
        words = _before_whom(lexicon, names, strip_phrases(words, NAME_TAGS, front=False))
    words = _by_split(lexicon, names, words)
    short = search_text(" ".join(words))
    if not short or set(short.split()) <= FILLER_TEXT:
        return intent
    slots = {key: value for key, value in intent.slots.items() if key != "query"}
    meant = _named_as(lexicon, names, short)
    if meant is not None:
        slots.setdefault(*meant)
    else:
        short = _band_with_the(lexicon, intent.text, short)
        if short == query:
            return intent
        slots["query"] = short
    return dataclasses.replace(intent, slots=slots)


NAME_WORDS = 4
"""At most this many words name music the library may lack, kept or asked after by name alone
("remember i like taylor swift", "do you have edith piaf")."""

NOT_OF_A_NAME = frozenset(
    {"it", "this", "that", "my", "your", "his", "her", "our", "their", "one", "ones", "when"}
    | {"you", "me", "to", "how", "what", "way", "a", "an", "some", "being", "having"}
)
"""Words of what one likes that is no music's name ("remember i like my tea strong", "... it
when you play that")."""

HAVE_CUES = frozenset(
    {"any", "anything", "something", "by", "from", "of", "song", "songs", "music", "tracks"}
    | {"records", "albums", "library", "collection"}
)
"""Words that make a question of having one about music ("do you have any ...", "... songs")."""


def _of_music(lexicon: Lexicon, intent: str, text: str, query: Slot | None) -> bool:
    """Whether the search of a taste to keep, or of a question of having, may name music: a
    name of a few words that is no talk ("remember i like my tea strong" is none); when the
    question says nothing else of music ("do you have edith piaf"), a person's name ("do you
    have a minute" is none)."""
    if not isinstance(query, str) or intent not in ("add_preference", "have_any"):
        return True
    words = query.split()
    if NOT_OF_A_NAME & set(words):  # "do you have a favourite song"
        return False
    if intent == "add_preference":
        return len(words) <= NAME_WORDS
    return bool(HAVE_CUES & set(text.split())) or lexicon.person_name(query)


def _band_with_the(lexicon: Lexicon, text: str, search: str) -> str:
    """A search said after "the" whose last word is a plural no sentence of the DJ's uses ("play
    the dubliners", "the rolling stones for mrs evans"): a band's name, "the" and all; any other
    search as it is ("the glen miller", "the minecraft song", "the blues")."""
    words = search.split()
    last = words[-1]
    if (
        words[0] == "the"
        or CATALOGUE_WORDS & set(words)
        or len(last) < PLURAL_LETTERS
        or not last.endswith("s")
        or last.endswith(("'s", "ss"))
        or any(word in lexicon.words for word in words)
        or lexicon.only_values(search)
    ):
        return search
    said = text.split()
    size = len(words)
    for start in range(1, len(said) - size + 1):
        span = said[start : start + size]  # as heard, or as mended ("the carries")
        if said[start - 1] == "the" and all(a[0] == b[0] for a, b in zip(span, words, strict=True)):
            return f"the {search}"
    return search


PLURAL_LETTERS = 4
"""The fewest letters of the last word of a band's name said with "the" ("the cars")."""

CATALOGUE_WORDS = frozenset(
    {"oldies", "goldies", "charts", "hits", "classics", "greatest", "favourites", "favorites"}
    | {"faves", "bangers", "anthems", "tunes", "songs", "tracks", "records", "singles", "albums"}
    | {"ballads", "standards", "essentials", "originals", "remixes", "covers", "jams", "hymns"}
)
"""Words of what a catalogue holds, never of a band's name said with "the" ("play the oldies",
"the charts", "the greatest hits"): the search as said."""


FOR_WHOM = frozenset({"for", "four"})
"""Words before the one a search is played for ("doris day for irene"); "four" as heard."""

KIN = frozenset(
    {"mum", "mam", "mom", "mama", "mummy", "mommy", "ma", "dad", "papa", "daddy", "pa", "gran"}
    | {"granny", "grandma", "grandmother", "nan", "nana", "nanna", "grandad", "granddad"}
    | {"grandpa", "grandfather", "abuela", "abuelo", "auntie", "aunty", "uncle", "everybody"}
    | {"everyone", "baby", "kids", "class", "mrs", "mr", "miss", "ms", "wife", "husband"}
    | {"son", "daughter", "sister", "brother", "niece", "nephew", "mammy", "mammie"}
    | {"nanny", "gramps", "grampa", "granda", "dadi", "nani"}
)
"""Who a search may be played for, besides a name ("for grandma", "for mrs evans")."""

KIN_WITH_THE = frozenset({"residents", "children", "girls", "boys", "family"})
"""Who a search may be played for only as "the ..." ("for the residents")."""

WHOSE = frozenset({"my", "our", "the"})
"""Words before a word for family ("for my wife", "for the kids")."""


def _before_whom(lexicon: Lexicon, names: NameIndex, words: list[str]) -> list[str]:
    """``words`` without whom they are played for at the end ("shirley bassey | for irene",
    "conway twitty | four grandma"): "for" or "four" then a word for family, a word or two,
    or "for" then a name when what comes before it is a library name ("waltz for debby" the
    library lacks is searched whole, "vivaldi four seasons" too)."""
    for size in (1, 2):
        at = len(words) - size - 1
        if at < 1 or words[at] not in FOR_WHOM:
            continue
        whom = words[at + 1 :]
        if words[at] == "four" and whom[-1].endswith("s") and whom[-1] not in KIN - {"kids"}:
            continue  # "vivaldi four seasons": a number of things, not whom
        kin = whom[0] in KIN or (size == 2 and whom[0] in WHOSE and whom[1] in KIN)
        if kin or (whom == ["the", whom[-1]] and whom[-1] in KIN_WITH_THE):
            return words[:at]
        named_before = names.find_exact(" ".join(words[:at])) is not None
        if words[at] == "for" and named_before and lexicon.person_name(" ".join(whom)):
            return words[:at]
    return words


BY_WHAT = frozenset(
    {"me", "you", "us", "them", "him", "her", "it", "my", "your", "our", "their", "his", "its"}
    | {"myself", "yourself", "now", "night", "day"}
)
"""Words after "by" that go on a title rather than name who made it ("stand by me", "stand by
your man", "by my side")."""


BY_AFTER = frozenset({"play", "on", "hear", "me"})
"""Words after which "by" starts a title said whole ("play by the way by ...")."""


def _title_from_by(words: list[str], marked: list[str]) -> list[str]:
    """``words`` with the title before them that starts with "by" ("play by the way by zorblat":
    the templates read "by the way" as talk, "by my" as asking for an artist), when another "by"
    follows it; otherwise ``words``."""
    said = [word for word in marked if word != ","]
    size = len(words)
    for end in range(len(said), size - 1, -1):
        if said[end - size : end] != words:
            continue
        for at in range(1, end - size + 1):
            if said[at] == "by" and said[at - 1] in BY_AFTER and "by" in said[at + 1 : end - 1]:
                return said[at:end]
        return words
    return words


def _by_split(lexicon: Lexicon, names: NameIndex, words: list[str]) -> list[str]:
    """The search in "<title> by <artist>": the artist when the title says only "any song"
    ("summat by stormzy"), the title when what follows "by" names someone (a library name, two
    words or more, or a word the DJ does not know: "at last by etta james"); otherwise the words
    whole, "by" being part of the title ("stand by me", "killed by death")."""
    for at in range(len(words) - 2, 0, -1):
        if words[at] != "by":
            continue
        what, who = words[:at], words[at + 1 :]
        if set(what) <= ANY_OF:
            return who
        if who[0] in BY_WHAT:
            continue
        said = " ".join(who)
        if names.find_exact(said) is not None or len(who) > 1 or said not in lexicon.known_words:
            return what
    return words


KIND_WORDS = {"album": "album", "record": "album", "lp": "album", "song": "title"}
"""A last word that says which kind of name was said ("a random access memory album")."""


def _named_as(lexicon: Lexicon, names: NameIndex, words: str) -> tuple[str, str] | None:
    """(slot, value) of the library name or the genre a search means, heard a little wrong
    ("classic rot", "a random access memory album"), if any."""
    found = names.find(words)
    *said, last = words.split()
    if found is None and said and last in KIND_WORDS:
        found = names.find(" ".join(said), (KIND_WORDS[last],))
    if found is not None:
        return found[0], found[1]
    genre = lexicon.near_genre(words)
    return ("genre", genre) if genre is not None else None


AFTER_A_NAME = frozenset(
    {"aye", "again", "here", "now", "talking", "talkin", "speaking", "hear", "innit", "mate"}
)
"""Words said after one's name that are no part of it ("this is cody talkin", "it's fraser,
aye")."""


def _name_ended(intent: Intent, marked: list[str]) -> Intent:
    """A listener's name ends at a pause ("it's shaz, salon's open") and before the words said
    after a name ("this is cody talkin")."""
    name = intent.slots.get("name")
    if not isinstance(name, str):
        return intent
    words = _before_pause(name.split(), marked)
    while len(words) > 1 and words[-1] in AFTER_A_NAME:
        words = words[:-1]
    short = " ".join(words)
    if short == name:
        return intent
    return dataclasses.replace(intent, slots={**intent.slots, "name": short})


ASIDE_GOES_ON = {
    "let's": frozenset({"have", "hear", "see", "try", "do"}),
    "because": REASONS,
    "cause": REASONS,
    "cos": REASONS,
    "coz": REASONS,
    "you": frozenset({"have", "got", "can", "could", "like", "please", "want", "would"})
    | {"wouldn't", "find", "fancy", "will", "still", "ever", "haven't", "has", "do", "get"},
    "you're": frozenset({"ready", "done", "free", "able", "not", "at"}),
}
"""After an aside that a title may also begin with ("because the night", "if you leave me now",
"when you were young", "let's stay together"), the words that make it an aside ("cos i'm
tired", "if you have them", "when you get a sec")."""


def before_aside(words: list[str], names: NameIndex | None = None) -> list[str]:
    """``words`` up to the first aside said after the first word ("nora jones | while i stir");
    never inside a library name ("chicago | if you leave me now", "wait for me")."""
    for start in range(1, len(words)):
        for aside in ASIDES:
            if tuple(words[start : start + len(aside)]) != aside:
                continue
            goes_on = ASIDE_GOES_ON.get(aside[-1])
            after = words[start + len(aside) : start + len(aside) + 1]
            if goes_on is not None and not set(after) & goes_on:
                continue
            if names is not None and any(
                names.find_exact(" ".join(words[begin:end])) is not None
                for begin in range(start + 1)
                for end in range(start + 1, len(words) + 1)
            ):
                continue  # "chicago | if you leave me now", "wait | for me": a name goes on
            return words[:start]
    return words


def _before_pause(words: list[str], marked: list[str]) -> list[str]:
    """``words`` up to the first pause (a comma in ``marked``) said inside them, if any."""
    plain: list[str] = []
    paused: set[int] = set()
    for word in marked:
        if word == ",":
            paused.add(len(plain))
        else:
            plain.append(word)
    size = len(words)
    for start in range(len(plain) - size + 1):
        if plain[start : start + size] == words:
            cut = next(
                (
                    at
                    for at in range(1, size)
                    if start + at in paused and words[at - 1] not in ABBREVIATED
                ),
                size,
            )
            return words[:cut]
    return words


def as_said(phrase: str, mended: list[str], said: list[str]) -> str:
    """``phrase``, found in the ``mended`` words, as it was said: a search text keeps the words
    that were heard ("frank sinatra", not "rank sinatra"); mending is one word for one."""
    size = len(phrase.split())
    for start in range(len(mended) - size + 1):
        if " ".join(mended[start : start + size]) == phrase:
            return " ".join(said[start : start + size])
    return phrase

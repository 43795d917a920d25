"""What people tell rather than ask: how they feel, what they like, what they think of the DJ.

Statements in words no template or example has ("i just finished a long run", "not keen on bob
marley to be honest", "your picks today were rubbish") are read here from the words that carry
them; each reading is less sure than a template's, and anything else stays unknown.
"""

from __future__ import annotations

import dataclasses

from appliance.dj.understand_intent import Intent, Slot
from appliance.dj.understand_lexicon import Lexicon
from appliance.dj.understand_names import NameIndex
from appliance.dj.understand_tidy import tidy

STATEMENT_STARTS = frozenset({"i'm", "we're", "i've", "just", "feeling"})
"""How a statement about oneself begins; a past told ("we had", "i was") is not one."""

LOOSE_MOOD_WORDS = frozenset({"love", "good", "great", "fun", "amazing", "fantastic", "down"})
"""Mood words too common in other talk to set a mood from a statement on their own."""

ABOUT_THE_MUSIC = frozenset({"this", "that", "song", "track", "tune", "music"})
"""A statement with these words is about the music ("tired of this song"), not oneself."""

STATEMENT_CONFIDENCE = 0.7
"""How sure a mood, a taste or a judgement is when only the words that carry it said it."""

TO_THE_DJ = frozenset({"you", "you're", "you've", "your", "you'll"})
"""How talk to the DJ about the DJ begins."""

DJ_WORK = frozenset({"dj", "picks", "pick", "choices", "selection", "taste", "playlist"})
"""Words that make a judgement about the DJ's work ("great selection today")."""

PRAISE = frozenset(
    {"good", "great", "best", "amazing", "awesome", "brilliant", "star", "legend", "genius"}
    | {"nice", "cool", "clever", "smart", "funny", "fantastic", "excellent", "wonderful"}
    | {"perfect", "rock", "talented", "superb", "lovely", "impressive", "spot", "nailed", "top"}
    | {"fire", "impressed", "genius", "killing", "better", "useful", "helpful", "kind"}
    | {"improving", "improved"}
)
BLAME = frozenset(
    {"bad", "terrible", "awful", "useless", "rubbish", "worst", "boring", "annoying", "stupid"}
    | {"dumb", "hopeless", "wrong", "suck", "sucks", "lame", "crap", "pathetic", "poor"}
    | {"horrible", "clueless", "disappointing", "garbage", "trash", "worse", "disappointed"}
    | {"biased", "predictable", "pitiful", "creepy", "unfair", "sacked", "shocker"}
)
"""Words that judge, for :func:`about_the_dj`."""

LIKING = frozenset(
    {"love", "adore", "into", "fan", "favourite", "keen", "obsessed", "hooked", "addicted"}
    | {"dig", "thing", "jam", "scene", "cup", "for"}
)
"""Words that tell a taste beside a genre or an artist ("i've really got into trip hop", "not
keen on bob marley", "hard rock isn't my scene", "nina simone's not for me")."""

NEGATIONS = frozenset({"not", "never", "don't", "isn't", "ain't", "doesn't", "no", "wasn't"})
DISLIKING = frozenset({"hate", "loathe", "detest", "stand", "sick", "tired", "over"})
"""Words that tell a dislike on their own ("i'm over sade", "sick of techno")."""

FIRST_PERSON = frozenset({"i", "i'm", "i've", "i'd", "we", "we're", "we've", "me", "my", "us"})
OTHER_PEOPLE = frozenset(
    {"sister", "brother", "mum", "mom", "dad", "friend", "friends", "wife", "husband", "son"}
    | {"daughter", "kids", "partner", "boyfriend", "girlfriend", "mate", "neighbour", "boss"}
)
"""Who else a taste told may be of ("my sister loves jazz" is not the listener's)."""

ABOUT_SOMEONE_ELSE = frozenset(
    {"he", "she", "he's", "she's", "they", "they're", "they've", "his", "her", "their"}
    | {"he'll", "she'll", "they'll", "he'd", "she'd", "they'd", "them"}
)
"""Words a sentence about someone else begins with: never a request to the DJ, whatever
words it shares with one ("he's very much into punk these days")."""

SOMEONE = OTHER_PEOPLE | {"bloke", "guy", "man", "woman", "lady", "girl", "boy", "fella", "bloke's"}
"""Words for a person: liking or hating them is not liking or hating the music."""

FORGET_WORDS = frozenset({"forget", "unlearn", "erase", "scrap", "forgot"})
"""Words that turn a liking said beside them into one to forget ("forget that i like jazz")."""

GREETINGS = frozenset(
    {"hi", "hey", "hello", "hiya", "heya", "howdy", "morning", "evening", "afternoon", "yo"}
    | {"ayo", "good"}
)
"""Words a hello begins with: said before a name, a greeting of its own."""


def of_a_person(text: str, intent: str) -> bool:
    """True when a liking or a dislike the model read is of a person ("i can't stand that
    bloke from the telly"), not of the music."""
    return intent in ("like", "dislike") and bool(SOMEONE & set(text.split()))


def statement(lexicon: Lexicon, text: str) -> Intent | None:
    """Someone saying what they are doing or how they feel, in words no template has ("i
    just finished a long run"): the mood, with what it names, but less sure."""
    words = text.split()
    if not words or words[0] not in STATEMENT_STARTS:
        return None
    if (LOOSE_MOOD_WORDS | ABOUT_THE_MUSIC) & set(words):
        return None
    slots = lexicon.scan(text, ("mood", "activity"), several=False)
    if not slots:
        return None
    return Intent("mood", slots, text, confidence=STATEMENT_CONFIDENCE)


def taste_told(lexicon: Lexicon, names: NameIndex, text: str) -> Intent | None:
    """A taste told in words no template or example has ("i've really got into trip hop
    lately", "not keen on bob marley to be honest"): a liking or a dislike of the genres or
    artist it names, said of oneself, less sure."""
    words = text.split()
    said = set(words)
    if not FIRST_PERSON & said or (ABOUT_SOMEONE_ELSE | OTHER_PEOPLE) & said:
        return None
    named = lexicon.names_in(names, text)
    rest = lexicon.without_names(text, [name for _kind, name in named])
    slots: dict[str, Slot] = dict(lexicon.scan(rest, ("genre",), several=True))
    artists = [name for kind, name in named if kind == "artist"]
    if not slots and artists:
        slots = {"artist": artists[0]}
    if not slots:
        return None
    negative = bool(said & DISLIKING) or bool(said & NEGATIONS and said & LIKING)
    if not negative and not said & LIKING - {"for"}:
        return None
    kind = "remove_preference" if negative else "add_preference"
    return Intent(kind, slots, text, confidence=STATEMENT_CONFIDENCE)


def about_the_dj(text: str) -> Intent | None:
    """Praise or blame said to the DJ in words no template has ("you're a total legend",
    "your picks today were rubbish"): said to "you" or about the DJ's picks, with a word that
    judges; anything else stays unknown."""
    words = text.split()
    said = set(words)
    if not TO_THE_DJ & set(words[:3]) and not DJ_WORK & said:
        return None
    good, bad = bool(PRAISE & said), bool(BLAME & said)
    if good and said & {"not", "never", "don't", "isn't", "aren't", "no"}:
        good, bad = False, True  # "you're not very good"
    if good == bad:
        return None
    kind = "compliment" if good else "complaint"
    return Intent(kind, {}, text, confidence=STATEMENT_CONFIDENCE)


def hello_apart(found: Intent) -> Intent:
    """A hello with a name ("hi, i'm nina", "um hi it's uh it's sophie") is a hello, then who
    it is."""
    words = tidy(found.text).split()
    if found.name != "identify" or not words or words[0] not in GREETINGS:
        return found
    hello = Intent("greet", {}, words[0], confidence=found.confidence)
    alone = dataclasses.replace(found, also=())
    return dataclasses.replace(hello, text=found.text, also=(alone, *found.also))


def not_added_when_forgotten(intent: Intent) -> Intent:
    """ "forget that i like jazz" never adds jazz: a liking or a request to play said with a word
    of forgetting is a liking to forget, however else the words were read."""
    if not FORGET_WORDS & set(intent.text.split()):
        return intent
    own = [intent.text] + [part.text for part in intent.also]
    if intent.also:  # the first part's words are those before the second part's
        cut = intent.text.find(intent.also[0].text)
        own[0] = intent.text[:cut] if cut > 0 else intent.text
    parts = [
        dataclasses.replace(part, name="forget_preference")
        if part.name in ("add_preference", "play")
        and {"genre", "artist"} & part.slots.keys()
        and FORGET_WORDS & set(words.split())
        else part
        for part, words in zip(intent.each(), own, strict=True)
    ]
    first, *rest = parts
    return dataclasses.replace(first, also=tuple(rest))


THANKS_WORDS = frozenset({"thanks", "thank", "cheers", "ta", "danke", "gracias", "merci", "grazie"})
"""Words a thanks opens with, in English and in the few words of thanks everyone knows."""

BYE_WORDS = frozenset(
    {"bye", "goodbye", "goodnight", "nite", "laters", "cya", "adios", "adiós", "tchau", "ciao"}
    | {"cheerio", "farewell", "tschüss", "tschuss"}
)
"""Words a goodbye opens or ends with ("we're off now, goodbye")."""

BYE_OPENINGS = ("good night", "see you", "until next", "until tomorrow", "till next", "catch you")

HELLO_WORDS = frozenset(
    {"hi", "hey", "hello", "hiya", "heya", "howdy", "morning", "mornin", "evening", "afternoon"}
    | {"hallo", "oi", "yo", "good", "greetings"}
)
"""Words a hello opens with (a "good" only before morning, afternoon, evening or day)."""

TO_THE_SPEAKER = frozenset(
    {"dj", "speaker", "box", "machine", "robot", "qfzz", "there", "boss", "again", "pal"}
    | {"buddy", "mate", "friend", "dear", "music", "everyone", "all", "it's", "its"}
)
"""Words after a hello that make it one said to the DJ ("hi speaker", "hello there", "hey it's
me"), not a hello to someone in the room before a question to them."""

HOW_ARE_YOU = (
    "how are you",
    "how you been",
    "how you doing",
    "how've you",
    "how have you",
    "are you lonely",
    "are you bored",
    "are you tired",
    "are you awake",
    "are you sad",
    "are you happy",
    "do you get bored",
    "do you get lonely",
    "do you get tired",
    "do you get sick of",
    "do you ever get",
    "did you get lonely",
    "did you miss",
)
"""How asking after the DJ opens ("how are you settling in", "do you get bored of it")."""

ASKING_FOR = frozenset({"tell", "give", "another", "got", "know", "funniest", "have", "one"})
"""Words that ask for a joke or a fact beside the word for it."""

SMALL_TALK_CONFIDENCE = 0.7
"""How sure small talk is that only its opening (or closing) words told."""


def small_talk_told(text: str) -> Intent | None:
    """Small talk said in more words than a template has ("thanks for sitting up with us",
    "we're off to the shops, goodbye", "how are you settling in", "tell the kids a joke"):
    known by the words it opens with (a goodbye also by the word it ends with). Talk to
    someone else in the room ("hey can you pass the salt") opens no hello to the DJ."""
    words = text.split()
    if not words:
        return None
    said = set(words)
    kind = None
    if words[0] in THANKS_WORDS or text.startswith("many thanks"):
        kind = "thanks"
    elif words[0] in BYE_WORDS or words[-1] in BYE_WORDS or text.startswith(BYE_OPENINGS):
        kind = "bye"
    elif text.startswith(HOW_ARE_YOU):
        kind = "how_are_you"
    elif said & {"joke", "jokes"} and said & ASKING_FOR:
        kind = "joke"
    elif said & {"fact", "facts", "trivia"} and said & ASKING_FOR:
        kind = "fact"
    elif _hello_to_the_dj(words):
        kind = "greet"
    if kind is None:
        return None
    return Intent(kind, {}, text, confidence=SMALL_TALK_CONFIDENCE)


def _hello_to_the_dj(words: list[str]) -> bool:
    """A hello that opens the utterance and is said to the DJ by the word after it."""
    if words[0] == "good":
        words = words[1:] if words[1:2] and words[1] in {"morning", "afternoon", "evening"} else []
    if len(words) < 2 or words[0] not in HELLO_WORDS:
        return False
    return words[1] in TO_THE_SPEAKER

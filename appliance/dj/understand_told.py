"""What people tell rather than ask: how they feel, what they like, what they think of the DJ.

Statements in words no template or example has ("i just finished a long run", "not keen on bob
marley to be honest", "your picks today were rubbish") are read here from the words that carry
them; each reading is less sure than a template's, and anything else stays unknown.
"""

from __future__ import annotations

import dataclasses
import itertools

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
DJ_WORK |= {"choice", "selections", "transition", "transitions", "mixing", "answers", "jokes"}
DJ_WORK |= {"voice"}
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
    | {"wack", "shocking", "dreadful", "embarrassing", "weak", "naff", "dire", "cringe", "dull"}
    | {"cheesy", "criminal", "rotten", "repetitive", "mediocre", "sloppy", "racket", "killed"}
    | {"ruined", "lazy", "rude", "disaster", "fault"}
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
    forgotten = liking_to_forget(lexicon, names, text)
    if forgotten is not None:
        return forgotten
    words = text.split()
    said = set(words)
    if not FIRST_PERSON & said or (ABOUT_SOMEONE_ELSE | OTHER_PEOPLE) & said:
        return None
    slots = tastes_named(lexicon, names, text)
    if not slots:
        return None
    negative = bool(said & DISLIKING) or bool(said & NEGATIONS and said & LIKING)
    if not negative and not said & LIKING - {"for"}:
        return None
    kind = "remove_preference" if negative else "add_preference"
    return Intent(kind, slots, text, confidence=STATEMENT_CONFIDENCE)


KEEP_IT = (
    "remember that", "remember it", "remember", "make a note of that", "make a note of it",
    "note that down", "note it down", "note that", "put that down", "put it down",
    "put that in", "write that down", "write it down", "keep that in mind",
)  # fmt: skip
"""Asking the DJ to keep what was just said ("... remember that")."""

SOMEONE_LIKES = frozenset({"likes", "loves", "adores", "digs", "enjoys"})
"""How someone else's liking is told ("grandma loves bob marley")."""


def taste_to_keep(lexicon: Lexicon, names: NameIndex, text: str) -> Intent | None:
    """Someone's liking told and the DJ asked to keep it ("yusuf likes country music, remember
    that", "remember that my nan loves bob marley"): kept as a liking, as "remember we love lounge"
    is; told without the asking ("my dad loves reggae") it is talk, and stays so."""
    words = text.split()
    if words[:2] == ["remember", "that"]:  # "remember priya loves reggae" may be a memory
        rest = words[2:]
    else:
        ending = next((k for k in KEEP_IT if text.endswith(" " + k)), None)
        if ending is None:
            return None
        rest = words[: len(words) - len(ending.split())]
    liked = [at for at, word in enumerate(rest) if word in SOMEONE_LIKES]
    if not liked or not 0 < liked[0] <= 3 or NEGATIONS & set(rest):
        return None  # one to three words say who ("my nan", "dai's wife", "tunde")
    slots = tastes_named(lexicon, names, " ".join(rest[liked[0] + 1 :]))
    if not slots:
        return None
    return Intent("add_preference", slots, text, confidence=STATEMENT_CONFIDENCE)


def tastes_named(lexicon: Lexicon, names: NameIndex, text: str) -> dict[str, Slot]:
    """The genres ``text`` names, or else the first artist of the library it names."""
    named = lexicon.names_in(names, text)
    rest = lexicon.without_names(text, [name for _kind, name in named])
    slots: dict[str, Slot] = dict(lexicon.scan(rest, ("genre",), several=True))
    artists = [name for kind, name in named if kind == "artist"]
    return slots if slots or not artists else {"artist": artists[0]}


LIKES_SAID = frozenset(
    {"like", "likes", "liked", "love", "loves", "loved", "into", "keen", "fan", "partial"}
    | {"enjoy", "enjoys", "dig", "digs", "adore", "adores"}
)
"""Words that tell a liking after "forget (that) ..." ("forget i'm keen on smooth operator")."""

TOLD_AFTER = frozenset({"that", "it", "because", "cos", "as", "was", "were", "she", "he", "they"})
TOLD_AFTER |= {"i", "we", "overplayed", "please", "now", "anymore", "any"}
"""Words that end the name of a liking to forget and begin why ("... that was my sister")."""


POINTED = ABOUT_THE_MUSIC | {"it", "the", "these", "those", "them", "one", "some", "what", "a"}
"""Words that point at music rather than name it ("this one", "the one before")."""


def liking_to_forget(lexicon: Lexicon, names: NameIndex, text: str) -> Intent | None:
    """ "forget (that) <someone> <likes> <a name>" in words no template has ("forget i'm into
    random access memories, overplayed it", "forget that mum likes one more time", "for get i
    like bob marley"): a liking to forget, of the genre or artist named, or of the words named
    when the library has no such genre or artist (a title, an album, a name misheard)."""
    words = plainly(text).split()  # "for get" as meant
    while words[1:] and words[0] in {"and", "so", "please", "oh", "just", "can", "you"}:
        words = words[1:]
    if words[:1] != ["forget"] and words[:1] != ["unlearn"]:
        return None
    rest = words[1:]
    if rest[:1] in (["that"], ["about"]):
        rest = rest[1:]
    liking = next((at for at, word in enumerate(rest[:4]) if word in LIKES_SAID), None)
    if liking is None:
        return None
    named = rest[liking + 1 :]
    if named[:1] in (["on"], ["of"]):  # "keen on", "fan of"
        named = named[1:]
    said = " ".join(named)
    slots: dict[str, Slot] = dict(lexicon.scan(said, ("genre",), several=False))
    found = lexicon.names_in(names, said)
    if not slots and found:
        kind, name = found[0]
        slots = {"artist": name} if kind == "artist" else {"query": name}
    if not slots:
        query = list(itertools.takewhile(lambda word: word not in TOLD_AFTER, named))[:4]
        if not query or query[0] in POINTED:  # "forget that i like this one": what plays
            return None
        slots = {"query": " ".join(query)}
    return Intent("forget_preference", slots, text, confidence=STATEMENT_CONFIDENCE)


def about_the_dj(text: str) -> Intent | None:
    """Praise or blame said to the DJ in words no template has ("you're a total legend",
    "your picks today were rubbish"): the judging word said of "you're" / "you are" itself
    (only a few words may stand between) or of the DJ's picks; "your dad is better now" or
    "you're kind of late" judge no DJ, and blame of "you" to someone else is none either."""
    said_plainly = f" {plainly(text)} ".replace(" not going to lie ", " ngl ")  # no denial
    for opening in (" fair play ", " fair dos ", " credit where due "):  # "fair play, you did ..."
        said_plainly = said_plainly.replace(opening, " ")
    words = said_plainly.split()
    if not words:  # "fair play" alone: nothing said of anyone
        return None
    if words[:2] == ["i", "think"]:  # "i think you're better than my old hifi"
        words = words[2:]
    while words[1:] and words[0] in SAID_FIRST:  # "and you always go louder", "mate you're ..."
        words = words[1:]
    said = set(words)
    if _named_as_a_box(words) and _not_bad_of_you(words):  # "you're not half bad for a box"
        return Intent("compliment", {}, text, confidence=STATEMENT_CONFIDENCE)
    judged = _judged_of_you(words) or _judged_as_told(words)
    if judged is None and DJ_WORK & said and not _someone_elses(words):
        judged = [w for i, w in enumerate(words) if w in PRAISE | BLAME and _judges(words, i)]
    if not judged:
        judged = _judged_of_that(words) or _done_by_you(words)
    if not judged and _named_as_a_box(words):  # "you've got decent taste for a machine"
        judged = _judged_of_you(words, BETWEEN | OWNED_BY_A_BOX, PRAISE_OF_A_BOX)
    if not judged or _someone_elses(words):
        return None
    good = any(word in PRAISE | PRAISE_OF_A_BOX for word in judged)
    bad = any(word in BLAME for word in judged)
    if good and said & NOT_SO:
        good, bad = False, True  # "you're not very good"
    if good == bad:
        return None
    kind = "compliment" if good else "complaint"
    return Intent(kind, {}, text, confidence=STATEMENT_CONFIDENCE)


REPORTED = frozenset(
    {"says", "say", "said", "thinks", "think", "reckons", "reckon", "thought", "impressed"}
    | {"agree", "admit", "knows", "told", "guess", "honestly", "but", "and", "so", "also"}
)
"""Words before "you're" that tell or report a judgement of the DJ ("he says you're decent, i
say you're bostin", "see, she's impressed, you're a clever thing")."""

PRAISED_DEEDS = frozenset(
    {"answer", "call", "pick", "choice", "selection", "shout", "mix", "transition", "timing"}
    | {"mixing", "picking", "choosing", "answering", "guess"}
)
"""What the DJ did that a word of praise opens with ("good answer", "great shout")."""


ASKED_BACK = frozenset({"is", "are", "was", "were", "do", "did", "does", "can", "could", "will"})
ASKED_OF = frozenset({"it", "you", "that", "this", "there", "i", "we", "they", "he", "she"})


def _asked_after_told(words: list[str]) -> bool:
    """Whether a question follows what was told ("... is it the same reason", "are you?"): the
    turn asks about it rather than judges ("true" or "really" ask it too)."""
    if {"true", "really"} & set(words):
        return True
    return any(
        words[at] in ASKED_BACK
        and words[at + 1] in ASKED_OF
        and (at == 0 or words[at - 1] not in ASKED_OF | {"how", "what", "why", "to", "who"})
        for at in range(len(words) - 1)
    )


def _judged_as_told(words: list[str]) -> list[str] | None:
    """A judgement of "you're" said after a telling of it ("she says you're cool", "see she's
    impressed you're a clever thing"), or praise of what the DJ did said first ("good answer,
    i checked it"); or None."""
    if words[1:2] and words[0] in PRAISE | PRAISE_OF_YOU and words[1] in PRAISED_DEEDS:
        return [words[0]]
    if words[:2] in (["right", "answer"], ["correct", "answer"], ["spot", "on"]):
        return ["good"]  # "right answer, well done"
    for at in range(1, len(words) - 1):
        if words[at - 1] in REPORTED and words[at] in {"you're", "you", "youre", "your"}:
            if _asked_after_told(words[at + 1 :]):  # "priya says you're biased. are you?"
                return None
            judged = _judged_of_you(words[at:])
            if judged:
                return judged
    return None


YOU_ARE: tuple[str, ...] = ("you're", "you are", "youre", "you've been", "you were")
YOU_ARE += ("you really are", "your", "you have been", "you did", "you've done", "you have done")
YOU_ARE += ("you've", "you have")
"""... and "your a legend" as heard, "you did great", "you've improved"."""

SAID_FIRST = frozenset(
    {"and", "but", "so", "well", "honestly", "oh", "ok", "okay", "mate", "wow", "aw", "ah"}
    | {"yeah", "look", "dj", "man", "blimey", "god", "seriously", "ngl", "tbh", "bro", "see"}
)
"""Words a judgement may be opened with ("but you cut out in the bedroom")."""

NOT_SO = frozenset(
    {"not", "never", "don't", "isn't", "aren't", "no", "wasn't", "weren't", "ain't", "doesn't"}
)
"""Words that turn praise into blame ("that one wasn't funny")."""

PRAISE_OF_YOU = frozenset(
    {"lifesaver", "diamond", "selector", "help", "gem", "treasure", "hero", "champion", "champ"}
    | {"ace", "quick", "alright", "form", "class", "mint", "wicked", "banging", "fab", "magic"}
    | {"fabulous", "marvellous", "cracking", "belter", "smashing", "dope", "nicer", "well"}
    | {"informed", "helping", "grand", "decent", "sweet", "angel", "wizard", "pro", "bostin"}
    | {"lush", "tidy", "quality", "mate"}
)
"""Words that praise only said of "you're" itself ("you're a lifesaver", "you did well"): in
other talk they praise nothing ("can you help with my playlist")."""
"""How a judgement of the DJ itself opens ("you're so predictable")."""

BETWEEN = frozenset(
    {"so", "really", "very", "such", "a", "an", "the", "total", "absolute", "proper", "pretty"}
    | {"quite", "too", "just", "far", "much", "always", "not", "never", "being", "getting"}
    | {"truly", "actually", "definitely", "way", "doing", "ever", "having"}
    | {"rather", "bloody", "dead", "super", "honestly", "real", "on", "genuinely", "one", "of"}
    | {"little", "wee"}
)
"""Words that may stand between "you're" and the word that judges ("you're a total legend")."""


A_BOX = frozenset({"box", "machine", "thing", "gadget", "contraption", "computer", "robot"})
A_BOX |= {"speaker", "wireless", "jukebox", "radio", "tin"}
"""What the DJ is called when judged as a thing ("not bad for a box", "a fine wee machine")."""

OWNED_BY_A_BOX = frozenset({"got", "wee", "little", "old", "dead", "pure"})
PRAISE_OF_A_BOX = PRAISE_OF_YOU | {"canny", "fine", "decent", "braw", "good", "belting"}
"""Words between "you're" / "you've" and praise of a thing ("you've got decent taste", "a
fine wee machine"), and the praise, read only when the DJ is called a thing in the turn: "you've
got a fine mess there" to someone in the room calls nobody a box."""

NOT_BAD: tuple[list[str], ...] = (
    ["not", "half", "bad"],
    ["no", "half", "bad"],
    ["no", "bad"],
    ["not", "bad"],
)
NOT_BAD += (["not", "too", "bad"], ["no", "too", "bad"], ["not", "a", "bad"], ["no", "a", "bad"])
"""Praise said as "not bad" ("you're not half bad", "ye're no bad" in a Scots voice)."""


def _named_as_a_box(words: list[str]) -> bool:
    """The DJ called a thing in a judgement of it: "for a box", "a wee machine", "old thing"."""
    return any(
        word in A_BOX and before in {"a", "wee", "little", "old", "the", "this"}
        for before, word in itertools.pairwise(words)
    )


def _not_bad_of_you(words: list[str]) -> bool:
    """ "you're not half bad (company) for a box": "not bad" said straight after "you're"."""
    text = " ".join(words)
    opening = next((you for you in YOU_ARE if text.startswith(you + " ")), None)
    if opening is None:
        return False
    rest = words[len(opening.split()) :]
    while rest and rest[0] in {"really", "actually", "honestly", "just"}:
        rest = rest[1:]
    return any(rest[: len(said)] == said for said in NOT_BAD)


def _judged_of_you(
    words: list[str], between: frozenset[str] = BETWEEN, praise: frozenset[str] = PRAISE_OF_YOU
) -> list[str] | None:
    """The judging words said straight after "you're" / "you are", or None."""
    text = " ".join(words)
    for opening in YOU_ARE:
        if text.startswith(opening + " "):
            rest = words[len(opening.split()) :]
            while rest and rest[0] in between:
                rest = rest[1:]
            if rest and rest[0] in PRAISE | BLAME | praise and _judges(rest, 0):
                return [rest[0]]
            return None
    return None


THAT_ONE = frozenset({"that", "that's", "thats", "at"})
"""How a judgement of what was played or said opens ("at tune was wack", "at" as heard); "this
one is good" is liking what plays, not praise of the DJ."""

WORK_SAID = frozenset(
    {"song", "tune", "track", "one", "joke", "jokes", "choice", "pick", "record", "timing"}
    | {"mix", "selection", "playlist", "banger", "choon", "transition", "answer", "fade", "fact"}
)

WORK_PRAISE = frozenset({"clean", "slick", "smooth", "class", "mint", "quality", "tidy", "lush"})
WORK_PRAISE |= {"banging", "ace", "fab", "magic"}
"""Words that praise what the DJ did said of it ("that transition was actually clean"); "sick"
only before what it did ("that was a sick selection", not "that song makes me sick")."""
"""What of the DJ's a judgement opened by "that" may be of ("that was a poor choice")."""

TOO_AFTER = frozenset({"was", "is", "far", "way", "bit", "much", "little", "just", "that's"})
"""Words before "too" that make it blame ("that song was far too fast")."""


def _judged_of_that(words: list[str]) -> list[str] | None:
    """The judging word of "that song", "that choice", "that one" just played or told, or None
    ("that was a shocking choice", "that one wasn't funny")."""
    if words[0] not in THAT_ONE or not WORK_SAID & set(words[:6]):
        return None
    for at, word in enumerate(words[:9]):
        if word in PRAISE | BLAME and _judges(words, at):
            return [word]
        if word in WORK_PRAISE or (word == "sick" and set(words[at + 1 : at + 2]) & WORK_SAID):
            return ["good"]
        if word == "too" and 0 < at < len(words) - 1 and words[at - 1] in TOO_AFTER:
            return ["bad"]
    return None


DEEDS = (
    "you saved",
    "you've saved",
    "you made my",
    "you've made my",
    "you made the",
    "you've made the",
    "you got me through",
    "you got us through",
    "you kept me going",
    "you've kept me going",
    "you cheered",
    "you've cheered",
    "you brightened",
    "you've brightened",
    "you helped",
    "you've helped",
    "you always know",
)
"""What the DJ is praised for having done ("you saved the evening", "you got me through it")."""

HABITS = frozenset({"keep", "keeps", "kept", "always", "played", "play", "repeated", "sometimes"})
HABIT_BLAMED = frozenset(
    {"again", "twice", "times", "running", "same", "wrong", "already", "too", "though", "tho"}
    | {"row", "ages"}
)
REBUKES: tuple[str, ...] = (
    "sort it out",
    "give over",
    "not cool",
    "a bit much",
    "didn't ask",
    "did not ask",
)
REBUKES += ("pack it in", "not how", "not on", "don't do that", "not funny", "when i asked")
REBUKES += ("driving us mad", "driving me mad", "cut out", "cuts out", "cutting out", "i asked for")
"""What closes a telling of what the DJ did as blame ("... that's a bit much", "give over")."""

NOT_DEEDS = frozenset(
    {"know", "like", "love", "want", "need", "think", "can", "could", "will", "would", "should"}
    | {"might", "must", "do", "did", "are", "were", "have", "had", "said", "say", "mean", "see"}
    | {"look", "sound", "seem", "got", "get", "go", "may", "and", "as", "guys", "two", "lot"}
    | {"and", "or", "too", "again", "there", "ok", "okay", "alright"}
)
"""Words after "you" that tell no deed of the DJ's ("you know what, ...", "you can play it")."""
"""What the DJ does, and what makes it blame ("you played this twice today already", "you keep
cutting out though"); "you always play the best stuff" blames nothing."""


def _done_by_you(words: list[str]) -> list[str] | None:
    """Praise of what the DJ did, blame of what it keeps doing, or None; also blame of what
    the DJ did with a word that blames it ("you put smooth operator on three times yesterday",
    "you woke her up blasting it, not cool", "you're too slow to answer")."""
    text = " ".join(words)
    if text.startswith(DEEDS):
        return ["good"]
    if _too_much(words):
        return ["bad"]
    if words[0] not in {"you", "you're", "you've"} or not words[1:2] or words[1] in NOT_DEEDS:
        return None
    if words[0] != "you" and not (words[1] == "been" or words[1].endswith(("ing", "ed"))):
        return None  # "you've been playing ...", "you're cutting out", not "you're not half bad"
    if _asked_after_told(words[2:]):  # "you told me the reason was tempo, is it the same"
        return None
    if words[0] == "you" and words[1] in HABITS and "not fair" in text:
        return ["bad"]
    if set(words) & (HABIT_BLAMED | BLAME) or any(f" {r} " in f" {text} " for r in REBUKES):
        return ["bad"]
    return None


def _too_much(words: list[str]) -> bool:
    """ "you're too slow to answer", "you speak too fast", "you too slow": the DJ said to do
    too much of something, unless what it is too much of praises ("you're too kind")."""
    if words[0] not in {"you", "you're"} or words[:2] in (["you", "and"], ["you", "too"]):
        return False
    at = next((at for at, word in enumerate(words[:5]) if word == "too"), None)
    return at is not None and at + 1 < len(words) and words[at + 1] not in PRAISE | PRAISE_OF_YOU


def _judges(words: list[str], at: int) -> bool:
    """ "better" judges only as "better (referee) than ..." said of the DJ, "kind" never as
    "kind of"; every other word as said."""
    if words[at] == "kind":
        return words[at + 1 : at + 2] != ["of"]
    if words[at] != "better":
        return True
    return "than" in words[at + 1 : at + 3]


def _someone_elses(words: list[str]) -> bool:
    """ "your sister", "his mum": a judgement beside someone else's person is about them."""
    return any(
        word in {"your", "his", "her", "their"} and after in SOMEONE
        for word, after in itertools.pairwise(words)
    )


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

THANKS_ALONE = THANKS_WORDS | frozenset(
    {"you", "so", "much", "very", "a", "lot", "lots", "loads", "many", "again", "ever", "really"}
    | {"that's", "kindly", "muchly", "and", "then", "for", "that", "it", "everything", "all"}
    | {"anyway"}
)
"""Words a thanks said as the whole turn is made of ("thanks ever so much")."""

THANKED_FOR = frozenset(
    {"music", "tunes", "tune", "songs", "song", "track", "tracks", "playing", "playlist", "dj"}
    | {"mix", "choice", "choices", "pick", "picks", "company", "help", "reminder", "info", "fact"}
    | {"joke", "tip", "answer", "selection", "jams", "records", "suggestion", "record"}
)
"""What the DJ is thanked for ("thanks for the tunes"): what it did, not the tea or the lift."""

BIG_UP = ("big up yourself", "big up the dj", "big up dj", "big up you", "big ups", "props to you")
"""Thanks and praise in one, as said in the dance hall ("big up yourself")."""

CALLED = frozenset({"mate", "pal", "love", "dear", "boss", "buddy", "chief", "man", "bro", "fella"})
CALLED |= {"lad", "lass", "bab", "duck", "chuck", "hun", "kid", "cock"}
"""What the one spoken to may be called after a thanks or a hello ("cheers mate")."""

COMMENTED = frozenset(
    {"that's", "thats", "that", "at", "it's", "its", "this", "you're", "youre", "your", "you've"}
)
"""How a word about what was thanked for opens after the thanks ("thanks, that was grand")."""

SAID_BEFORE = frozenset(
    {"ok", "okay", "oh", "right", "fine", "well", "alright", "aw", "ah", "yeah", "yes", "anyway"}
    | {"so", "great", "lovely", "brilliant", "perfect", "grand", "that's", "thats", "shh", "hmm"}
    | {"um", "er", "erm", "then", "sound", "safe", "aye"}
)
"""Words a thanks or a goodbye may come after ("ok, bye", "fine, thanks i guess")."""


def _after_lead(words: list[str]) -> list[str]:
    """``words`` without up to three words said before a thanks or a goodbye."""
    rest = words
    while len(rest) > 1 and len(words) - len(rest) < 3 and rest[0] in SAID_BEFORE:
        rest = rest[1:]
    return rest


DJ_NAMES = frozenset({"dj", "speaker", "box", "machine", "robot", "qfzz", "jukebox", "radio"})
DJ_NAMES |= {"selector", "deejay", "wireless"}
"""Words that name the DJ when spoken to ("hi speaker", "bye dj")."""

BYE_WORDS = frozenset(
    {"bye", "goodbye", "goodnight", "nite", "laters", "cya", "adios", "adiós", "tchau", "ciao"}
    | {"cheerio", "farewell", "tschüss", "tschuss", "toodles", "tata", "tara", "ttfn", "ta-ta"}
    | {"ta-ra", "toodle-oo", "hasta"}
)
"""Words a goodbye opens or ends with ("we're off now, goodbye")."""

BYE_OPENINGS = (
    "good night",
    "see you later",
    "see you soon",
    "see you tomorrow",
    "see you in the morning",
    "until next time",
    "until tomorrow",
    "till next time",
    "catch you later",
    "night night",
    "ta ta",
    "ta ra",
    "see ya",
    "catch ya later",
    "catch you later",
    "so long",
    "take care",
    "peace out",
    "toodle pip",
    "toodle oo",
    "later",
    "laters",
)
"""Goodbyes in more than one word, said as the turn's opening."""

AFTER_BYE = (
    BYE_WORDS
    | DJ_NAMES
    | frozenset(
        {"then", "now", "for", "everyone", "all", "y'all", "and", "thanks", "thank", "you", "music"}
        | {"mr", "little", "again", "folks", "guys", "cheers", "night", "see", "later", "lads"}
        | {"everybody", "bless", "you", "soon", "tomorrow", "monday", "tuesday", "wednesday"}
        | {"thursday", "friday", "saturday", "sunday", "man"}
    )
)
"""Words that may follow a goodbye to the DJ ("bye for now dj"): a goodbye with anything else
after it ("bye bye birdie was a good film") is talk of something else."""

GOING_NOW: tuple[str, ...] = (
    "gotta go",
    "got to go",
    "gotta dash",
    "must dash",
    "have to go",
    "gotta run",
)
GOING_NOW += ("must go", "need to go", "better go", "best be off", "i'm off now", "off to bed")
"""What closes a turn that leaves ("fare's come in, gotta go"); a goodbye of its own."""

TOLD_OF = frozenset({"said", "say", "says", "saying", "wave", "waved", "kiss", "kissed", "to"})
"""Words before a closing goodbye that tell of one rather than say it ("she said goodbye")."""

GONE = frozenset({"my", "back"})
"""Words after a goodbye that tell what one goes to ("bye, back to the red pen")."""

SEEN = (["ya"], ["you"], ["yah"])
GOING_TO = frozenset(
    {"i", "i'll", "will", "can", "could", "to", "gonna", "we'll", "might", "did", "didn't", "you"}
    | {"do", "would", "i'd", "want", "wanna", "not", "never", "must", "should", "let's", "and"}
)
SEE_YOU_AT = frozenset({"there", "up", "the", "road", "in", "a", "bit", "around", "on", "next"})
SEE_YOU_AT |= {"week", "time", "side", "other", "while", "shortly", "after", "lot"}
SEE_YOU_AT |= {"spring", "summer", "autumn", "winter", "new", "year", "morning", "evening"}
"""A goodbye said last as "see ya" or "see you (up the road)", unless told of, planned ("i'll see
you there") or asked ("can i see you"); said after anything else that is no goodbye."""

HELLO_WORDS = frozenset(
    {"hi", "hey", "hello", "hiya", "heya", "howdy", "morning", "mornin", "evening", "afternoon"}
    | {"hallo", "oi", "yo", "good", "greetings", "alright", "hullo", "ello", "wotcha", "hola"}
    | {"bonjour", "sup", "g'day", "gday", "howdy"}
)
IT_IS_ME = frozenset({"me", "mr", "mrs", "ms", "miss", "dr", "only", "just"})
"""Who says "it's ..." after a hello to tell who they are ("hello love, it's me")."""
"""Words a hello opens with (a "good" only before morning, afternoon, evening or day)."""

HOW_ARE_YOU = (
    "how are you",
    "how you doing",
    "how you been",
    "how've you been",
    "how have you been",
    "how are things",
    "how's it going",
    "how is it going",
    "how's things",
    "how is things",
    "how's tricks",
    "how's life",
    "how're you",
    "how's you",
)
"""How asking after the DJ opens ("how are you settling in")."""

ASKED_AFTER_YOURSELF = ("how's yourself", "how is yourself", "and yourself", "how about yourself")
"""Asking after the DJ as "yourself" (said in Ireland and the North: "how's yourself"); the words
after it are those after "how are you" ("how's yourself this morning")."""

AFTER_HOW = DJ_NAMES | frozenset(
    {"doing", "today", "tonight", "this", "morning", "evening", "afternoon", "then", "now"}
    | {"keeping", "holding", "up", "settling", "in", "getting", "on", "going", "feeling"}
    | {"been", "lately", "my", "old", "friend", "there", "mr", "little", "music", "all", "well"}
    | {"these", "days", "fine", "alright", "at", "the", "moment", "anyway", "again", "pal"}
    | {"day", "yourself", "that", "coping", "managing", "treating", "lot", "lads", "thing"}
    | {"night", "week", "weekend"}
)
"""Words that may follow "how are you" said to the DJ; "how are you getting on with your
homework" asks someone else."""

PET_NAMES = frozenset(
    {"sweetie", "darling", "honey", "love", "sweetheart", "babe", "baby", "son", "kids"}
    | {"pet", "dear", "petal", "chick", "girls", "boys"}
)
"""Words that say someone in the room is spoken to ("are you tired sweetie")."""

ASKED_OF_THE_DJ = (
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
    "did you miss",
    "did you get lonely",
)
"""Asking after someone in words that ask the DJ only with its name said ("are you bored dj")."""

ASKED_FOR = ("tell me", "tell us", "give me", "give us", "got any", "know any", "got a", "another")
"""Words that ask the DJ for a joke or a fact ("got any facts about drums")."""

SMALL_TALK_CONFIDENCE = 0.7
"""How sure small talk is that only its opening (or closing) words told."""


DIALECT_NOW = {"the noo": "now", "the now": "now", "the day": "today", "the nicht": "tonight"}
DIALECT_NOW |= {"to day": "today", "too day": "today", "to night": "tonight", "for get": "forget"}
DIALECT_NOW |= {"all right": "alright"}
"""The Scots "the noo" / "the now" (for now), "the day" (today): "cheerio the now"; a word a
recogniser splits ("how are you to day")."""

DIALECT_HELLO = {"ey up": "hello there", "eh up": "hello there", "now then": "hello"}
DIALECT_HELLO |= {"by by": "bye bye", "bye by": "bye bye"}
"""The Northern hellos, said first ("ey up", "now then lad"); "bye bye" as heard."""


def plainly(text: str) -> str:
    """``text`` with the Scots "the noo" / "the day" as "now" / "today", the Northern hellos
    said first as hellos, and words a recogniser splits ("for get", "to day") as one. (The
    dialect's "ye", "yous", "tha" are mended before, with every other spelling.)"""
    plain = f" {text} "
    for said, meant in DIALECT_NOW.items():
        plain = plain.replace(f" {said} ", f" {meant} ")
    for said, meant in DIALECT_HELLO.items():
        if plain.startswith(f" {said} "):
            plain = f" {meant} {plain[len(said) + 2 :]}"
    return plain.strip()


def small_talk_told(text: str) -> Intent | None:
    """Small talk said in more words than a template has ("thanks for the tunes, dj", "we're
    off to the shops, goodbye", "how are you settling in", "tell us a joke about cats"), only
    as said to the DJ: "thank god it's friday", "she said goodbye", "are you tired sweetie",
    "the fact is ..." or "hey mate can you pass the salt" are talk to or of someone else. A
    dialect's "ye" is read as "you" ("how are ye keepin")."""
    found = _small_talk_told(plainly(text))
    return None if found is None else dataclasses.replace(found, text=text)


def _small_talk_told(text: str) -> Intent | None:
    words = text.split()
    if not words:
        return None
    said = set(words)
    kind = None
    lead = _after_lead(words)  # "ok thanks i guess", "that's grand, thank you for ..."
    if _thanks_to_the_dj(words) or (lead != words and _thanks_to_the_dj(lead)):
        kind = "thanks"
    elif _bye_to_the_dj(text, words) or (lead != words and _bye_to_the_dj(" ".join(lead), lead)):
        kind = "bye"
    elif _asked_after(text, words):
        kind = "how_are_you"
    elif said & {"joke", "jokes"} and _asked_for(text, ("joke", "jokes")):
        kind = "joke"
    elif said & {"fact", "facts", "trivia"} and _asked_for(text, ("fact", "facts", "trivia")):
        kind = "fact"
    elif "funny" in said and _asked_for(text, ("funny",)):  # "tell me something funny"
        kind = "joke"
    elif _named_first(words) or _asked_to_tell_about(words):
        kind = _named_first(words) or "fact"
    elif _hello_to_the_dj(words):
        kind = "greet"
    elif _asked_what_you_are(words):
        kind = "who_are_you"
    elif _asked_how_long_known(words):
        kind = "known_for"
    elif _asked_own_likes(words):
        kind = "my_likes"
    elif _asked_what_is_known(words):
        kind = "about_me"
    elif "trust" in said and _asked_own_trust(words):
        kind = "my_trust"
    else:
        kind = _asked_if_there(words)
    if kind is None:
        return None
    return Intent(kind, {}, text, confidence=SMALL_TALK_CONFIDENCE)


def _thanks_to_the_dj(words: list[str]) -> bool:
    """A thanks as the whole turn, to the DJ by name, or for what the DJ did."""
    if " ".join(words).startswith(BIG_UP):
        return True
    if words[:2] in (["ta", "ta"], ["ta", "ra"]):  # "ta ta for now": a goodbye
        return False
    closing = [at for at, word in enumerate(words) if word in THANKS_WORDS][-1:]
    if closing and closing[0] > 0 and DJ_NAMES & set(words[closing[0] - 1 :]):
        after = set(words[closing[0] :])  # "she's down, thank you little speaker"
        if after <= THANKS_ALONE | DJ_NAMES | {"little", "mr", "old"}:
            return True
    if words[0] not in THANKS_WORDS and words[:2] != ["many", "thanks"]:
        return False
    if set(words) <= THANKS_ALONE or DJ_NAMES & set(words):
        return True
    if words[1:2] == ["for"] or words[1:3] == ["you", "for"]:  # "thanks for the week"
        return not SOMEONE & set(words)  # not "thanks for the lift mum"
    rest = words[1:]
    while rest and rest[0] in THANKS_WORDS | {"you", "so", "much", "very"}:
        rest = rest[1:]
    if rest[:1] and rest[0] in CALLED:  # "cheers mate, that's kept me going"
        rest = rest[1:]
    if rest[:2] in (["i", "guess"], ["i", "suppose"]) or not rest:  # "thanks i guess"
        return True
    if rest[:2] == ["any", "way"] and set(rest[2:]) <= THANKS_ALONE | CALLED | DJ_NAMES:
        return True  # "cheers any way": "anyway" as heard
    if rest[0] == "for" and words[1:2] != ["for"]:  # "ta very much for keeping an eye on it"
        return not (SOMEONE | PET_NAMES) & set(words)  # not "... for the tea love"
    return rest[0] in COMMENTED and not SOMEONE & set(rest)  # "thanks, that's enough"


def _bye_to_the_dj(text: str, words: list[str]) -> bool:
    """A goodbye that opens the turn with nothing after it but the DJ's name or the like, or
    that closes it, not told of ("she said goodbye")."""
    for opening in BYE_OPENINGS:
        said_alone = text == opening or text.startswith(opening + " ")
        if said_alone and set(words[len(opening.split()) :]) <= AFTER_BYE:
            return True
        called = words[len(opening.split()) :][:1]
        if said_alone and called and called[0] in DJ_NAMES | CALLED:
            return True  # "later boss, shop's shut", "see ya dj i'm off"
    seen = [at for at, word in enumerate(words) if word == "see" and words[at + 1 : at + 2] in SEEN]
    if seen and seen[-1] > 0 and words[seen[-1] - 1] not in TOLD_OF | GOING_TO:
        after = set(words[seen[-1] + 2 :])  # "traffic's moving, see ya", "see you up the road"
        if after <= AFTER_BYE | SEE_YOU_AT and words[0] not in ABOUT_SOMEONE_ELSE:
            return True
    if words[0] in BYE_WORDS or text.startswith(("good night ", "see you ", "until next ")):
        rest = list(words)
        while rest and rest[0] in AFTER_BYE | {"good", "until", "next", "tomorrow", "week"}:
            if rest[0] in DJ_NAMES:  # "bye speaker, i'm off to bed"
                return True
            rest = rest[1:]
        return not rest or rest[0] in {"i", "we", "i'm", "we're", "i'll", "we'll", "god"} | GONE
    if text.endswith(GOING_NOW) and words[0] not in ABOUT_SOMEONE_ELSE | {"do", "you"}:
        return True  # "right, fare's come in, gotta go"
    if words[-1] in BYE_WORDS and len(words) > 1:
        before = words[-2]
        return before not in TOLD_OF and words[0] not in ABOUT_SOMEONE_ELSE
    return False


def _asked_after(text: str, words: list[str]) -> bool:
    """Asking after the DJ: "how are you" with words that could be said to it only, or other
    such questions with the DJ's name said."""
    said = set(words)
    if said & PET_NAMES or "your" in said:  # "how are you getting on with your homework"
        return False
    if words[:2] == ["how", "do"] and (len(words) == 2 or words[2] in CALLED | DJ_NAMES):
        return True  # the Northern "how do" said to someone ("how do lad, you all reet")
    asking = (*HOW_ARE_YOU, "how you")  # "how you today" (a "how you dey" is the model's)
    opening = next((how for how in asking if text == how or text.startswith(how + " ")), "")
    if opening:  # as understand_negation.asked_after_someone_else reads it, "ye" read as "you"
        return still_asked_after(text[len(opening) :].split())
    for how in ASKED_AFTER_YOURSELF:  # "how's yourself", "how's yersel this morning"
        if text == how or text.startswith(how + " "):
            return set(text[len(how) :].split()) <= AFTER_HOW
    if not text.startswith(ASKED_OF_THE_DJ):
        return False
    of_us = {"me", "us", "we", "i", "we're", "i'm", "our"}  # "are you lonely without me"
    return bool(DJ_NAMES & said or of_us & said or "in there" in text)


AFTER_ASKING = frozenset(
    {"you", "you've", "you're", "is", "been", "busy", "better", "are", "have", "has", "it's"}
    | {"she's", "he's", "they're", "we", "we're", "ready", "hope", "lots", "new", "long", "or"}
    | {"at", "since", "without", "after", "during", "through", "while", "because", "cos"}
    | {"i", "i'm", "i've", "i'd", "i'll", "and", "even", "so", "this", "on", "in", "with"}
)
"""How the words after asking how the DJ is may go on: a clause of their own ("how are you,
been up all night too", "how are you? better than me, i hope", "how are you today she's asking
too"), or when and where it is asked ("how are you doing after a busy lunch", "how are you
holding up on the night shift", "how have you been since yesterday")."""

NOT_AFTER_ASKING = frozenset(
    {"to", "gonna", "going", "supposed", "meant", "getting", "get", "finding", "spelling"}
    | {"called", "paying", "planning", "feeling"}
)
"""Words that make "how are you ..." ask how someone does a thing ("how are you going to get
there", "how are you getting home", "how are you finding the new job")."""


DETERMINERS = frozenset({"the", "this", "these", "that", "all", "a", "an"})


def still_asked_after(after: list[str]) -> bool:
    """Whether the words after "how are you" still ask how the DJ is: words such asking has
    (AFTER_HOW), then nothing, or a clause of its own or when and where it is asked
    (AFTER_ASKING); "how are you getting home tonight" asks someone in the room."""
    after = plainly(" ".join(after)).split()  # "how are you too day" as heard
    asked = 0
    while asked < len(after) and after[asked] in AFTER_HOW:
        asked += 1
    rest = after[asked:]
    if not rest:
        return True
    if rest[0] in {"a", "an"} and asked:  # "how are you, been a long week"
        asked, rest = asked + 1, rest[1:]
    pointed = [at for at in range(asked) if after[at] in DETERMINERS]  # "on the night shift"
    if pointed and after[pointed[-1] - 1 : pointed[-1]] != ["getting"]:
        return not NOT_AFTER_ASKING & set(rest[:3])  # "all night too", "all winter"
    if rest[0] not in AFTER_ASKING or rest[0] in NOT_AFTER_ASKING:
        return False
    if asked and after[asked - 1] in NOT_AFTER_ASKING | {"on"} and rest[0] == "with":
        return bool({"you", "yourself", "us", "me"} & set(rest[1:]))  # not "getting on with it"
    return not NOT_AFTER_ASKING & set(rest[:2])


SOMETHING = frozenset({"something", "summat", "somethin", "anything", "owt", "a", "one"})
"""How what is asked to be told of opens ("tell us something about reggae", "summat")."""

TOLD_TO = frozenset({"me", "us", "them", "him", "her", "my", "the", "everyone", "we"})
"""Who the DJ is asked to tell ("tell us", "tell my nephew", "tell the kids")."""


def _asked_to_tell_about(words: list[str]) -> bool:
    """A fact asked for as something to be told about a thing: "tell us something about billie
    holiday", "tell us summat about reggae music", "tell us a bit of music history", "tell them a
    thing of music they don't know"; not about the one asked ("tell me something about your
    day", "... about yourself" ask who the DJ is)."""
    if words[:1] != ["tell"] or not words[1:2] or words[1] not in TOLD_TO:
        return False
    rest = words[2:]
    if rest[:1] and words[1] in {"my", "the"}:  # "tell my nephew ...", "tell the kids ..."
        rest = rest[1:]
    if not rest or rest[0] not in SOMETHING:
        return False
    about = next((at for at, word in enumerate(rest[:6]) if word in {"about", "of", "on"}), None)
    if about is None or not rest[about + 1 :]:
        return False
    return not {"your", "yourself", "you", "yer", "urself"} & set(rest[about + 1 : about + 3])


JOKE_OR_FACT = {"joke": "joke", "jokes": "joke", "fact": "fact", "facts": "fact"}
NAMED_BEFORE = frozenset({"music", "a", "another", "one", "quick", "random", "little", "musical"})


def _named_first(words: list[str]) -> str | None:
    """A joke or a fact asked for by naming it first: "a music joke for the tie-break please",
    "music fact, go on, distract me"; not "the fact is ..." or "that joke was poor"."""
    at = next((at for at, word in enumerate(words[:4]) if word not in NAMED_BEFORE), 0)
    if not at or words[at] not in JOKE_OR_FACT:
        return None
    if words[at + 1 : at + 2] and words[at + 1] in {"is", "was", "were", "are", "about"} | NOT_SO:
        return None
    return JOKE_OR_FACT[words[at]]


def _asked_for(text: str, things: tuple[str, ...]) -> bool:
    """A joke or a fact asked for: "tell me", "give us", "got any" before the word for it."""
    if text.startswith(("tell ", "say ")) and set(things) & set(text.split()[2:5]):
        return True  # "tell grandad a joke": for the one in the room, asked of the DJ
    for asking in ASKED_FOR:
        at = f" {text} ".find(f" {asking} ")
        if at >= 0 and set(things) & set(text[at + len(asking) :].split()):
            return True
    return False


THERE_AS_HEARD = frozenset({"they're", "their", "theyre"})
"""What a recogniser hears for "there" said after a hello ("hi they're dj")."""

CALLING_FIRST = HELLO_WORDS | DJ_NAMES | {"psst", "um", "er", "erm"}
STILL_THERE = frozenset({"alright", "okay", "awake", "up", "still"})
"""Words said before "are you there" ("psst dj are you they're"), and of how the DJ is there
("you still awake in there")."""


def _asked_if_there(words: list[str]) -> str | None:
    """ "are you there" with "there" as heard ("hello are you their love", "psst dj are you
    they're"): a hello, or asking after the DJ when how it is there is asked ("you still awake
    in there then"); with nothing after it but what the DJ is called. "are you there yet" asks
    someone else."""
    rest = list(words)
    while rest[1:] and rest[0] in CALLING_FIRST and len(words) - len(rest) < 3:
        rest = rest[1:]
    asked = rest[:2] == ["are", "you"]
    rest = rest[2:] if asked else rest[1:] if rest[:1] == ["you"] else []
    how = list(itertools.takewhile(STILL_THERE.__contains__, rest[:2]))
    if not asked and not how:  # "you there, come here"
        return None
    rest = rest[len(how) :]
    inside = rest[:1] == ["in"]
    if inside:
        rest = rest[1:]
    if not rest or rest[0] not in THERE_AS_HEARD | {"there"}:
        return None
    if inside and how and rest[1:]:  # "you alright in there? it's freezing in this lobby"
        return "how_are_you"
    if not set(rest[1:]) <= CALLED | PET_NAMES | DJ_NAMES | HELLO_WORDS | {"then", "now"}:
        return None
    return "how_are_you" if set(how) - {"still"} else "greet"


TIMES_OF_DAY = frozenset({"morning", "mornin", "afternoon", "evening"})
"""A hello of the time of day, said before telling who it is ("evening, it's ron")."""

OLD_ONES = frozenset({"girl", "friend", "pal", "chap", "bean", "fruit", "timer", "mucker"})
"""What the one greeted may be called after "old" ("morning old friend", "hello old girl")."""


WHO_YOU_ARE: tuple[list[str], ...] = (
    ["who", "are", "you"],
    ["what", "are", "you"],
    ["remind", "me", "what", "you", "are"],
)
WHO_YOU_ARE += (["remind", "me", "who", "you", "are"], ["so", "what", "are", "you"])
WHO_YOU_ARE += (["so", "who", "are", "you"], ["and", "what", "are", "you"])
AGAIN_OR_REALLY = frozenset({"again", "anyway", "really", "exactly", "actually", "then"})
"""Asking what the DJ is with a word that asks it again or doubts it ("who are you again love
i forget", "what are ye anyway a wireless", "so what are you really a dj or a spy"): said of
the one asked, whatever follows; "what are you doing later" asks no such thing."""


BEINGS = A_BOX | DJ_NAMES | {"person", "human", "program", "programme", "ai", "app", "software"}
BEINGS |= {"playlist", "alexa", "siri", "bot", "spy", "assistant", "thing", "real", "actual"}
BEINGS |= {"speakers", "robots", "computers", "machines", "gadgets", "programs", "things"}
"""What the DJ may be asked if it is ("are you like an actual dj", "a person or a program")."""

WHAT_BEFORE_ARE = frozenset({"even", "exactly", "actually", "really", "then"})
"""Words that may stand between "what" and "are you" ("what even are you")."""

DOUBTED = AGAIN_OR_REALLY | {"underneath", "honestly", "even"}
"""Words after "what are you" said inside a longer turn that ask what the DJ is."""


def _asked_what_you_are(words: list[str]) -> bool:
    """ "who are you again", "what are you anyway": what the DJ is, asked again or doubted;
    or asked in other shapes (:func:`_what_you_are_said`)."""
    return _asked_again(words) or _what_you_are_said(words)


def _what_you_are_said(words: list[str]) -> bool:
    """What the DJ is asked in a longer turn: "who are you" said last ("who's that talking in
    the corner, who are you"), "what are you when you're at home", "what are you meant to be
    then", "what even are you honestly"; told to tell someone ("tell my nephew what you are",
    "my auntie wants to know who you are"); "what software are you"; "are you like an actual
    dj or just a playlist"."""
    words = [
        word
        for at, word in enumerate(words)
        if word not in WHAT_BEFORE_ARE
        or words[at - 1 : at] != ["what"]
        or words[at + 1 :][:1] != ["are"]
    ]
    return any(_what_you_are_at(words, at) for at in range(len(words) - 1))


def _what_you_are_at(words: list[str], at: int) -> bool:
    """Whether what the DJ is is asked at ``at`` (see :func:`_what_you_are_said`)."""
    two, three, after = words[at : at + 2], words[at : at + 3], words[at + 3 :]
    if three in (["who", "are", "you"], ["what", "are", "you"]):
        if not after:
            return at > 0
        if after[:2] in (["when", "you're"], ["when", "you"]):
            return True
        if after[0] in DOUBTED - {"then"}:  # not "what are you really thinking"
            return not after[1:2] or not after[1].endswith("ing")
        if after[:2] in (["running", "on"], ["made", "of"], ["built", "on"], ["made", "from"]):
            return True  # "who are you, like what are you running on"
        return after[0] in {"meant", "supposed"} and after[1:3] == ["to", "be"]
    if two in (["what", "you"], ["who", "you"]) and words[at + 2 : at + 3] == ["are"]:
        if not after:  # "tell her what you are", not "what you are doing"
            return at > 0
        # a new clause or a word said after ("... what you are he doesn't believe me"), never
        # more of the same ("what you are turning down": heard as "turn", no "-ing" left)
        return after[0] in SAID_AFTER_WHAT_YOU_ARE
    if words[at + 1 : at + 3] in (["kind", "of"], ["sort", "of"], ["type", "of"]):
        words = words[: at + 1] + words[at + 3 :]  # "what kind of software are you"
    if words[at] == "what" and words[at + 1 :][:1] and words[at + 1] in BEINGS - {"real", "actual"}:
        return words[at + 2 : at + 4] == ["are", "you"]  # "what software are you"
    if two != ["are", "you"]:
        return False
    rest = words[at + 2 :]
    while rest and rest[0] in {"like", "just", "really", "actually", "even", "inside", "in"}:
        rest = rest[1:]  # "are you inside the box"
    return bool(rest) and rest[0] in ARTICLES and bool(BEINGS & set(rest[:5]))


ARTICLES = frozenset({"a", "an", "the", "one", "some", "real", "actual"})

SAID_AFTER_WHAT_YOU_ARE = frozenset(
    {"he", "she", "they", "i", "we", "it's", "he's", "she's", "they're", "i'm", "because"}
    | {"cos", "so", "and", "but", "then", "exactly", "really", "anyway", "again", "actually"}
    | {"honestly", "please", "mate", "now", "dj", "speaker"}
)
"""What may follow "... what you are" when it asks what the DJ is: a new clause or a word
said after, not the rest of a question of what it does."""


def _asked_again(words: list[str]) -> bool:
    for asking in WHO_YOU_ARE:
        if words[: len(asking)] == asking:
            after = words[len(asking) : len(asking) + 2]
            if not after or after[0] not in AGAIN_OR_REALLY:
                return False
            # "what are you really thinking" asks what the one asked does, not what they are
            return "who" in asking or after[1:] in ([], ["a"], ["an"], ["some"], ["like"])
    return False


SPANS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years", "night"})
SPANS |= {"nights", "munths", "sessions", "times", "weaks", "weak"}
"""How long one has known the DJ is counted in ("how many weeks ...")."""

KNOWN_SINCE = frozenset(
    {"since", "been", "now", "know", "known", "together", "came", "come", "had", "done", "use"}
    | {"used", "first", "met", "got", "having", "knowed"}
)
"""Words that ask how long something has gone on until now ("since you came", "have you been
sat on my worktop now", "you know me")."""

NOT_KNOWN_SINCE = ABOUT_SOMEONE_ELSE | OTHER_PEOPLE | {"left", "till", "until", "will", "song"}
NOT_KNOWN_SINCE |= {"songs", "track", "tracks", "tune", "tunes", "music", "record", "album"}
"""Words that ask how long of a song or of someone else ("how long till it ends")."""

US_TWO = frozenset({"you", "we", "us", "our", "me", "i", "we've", "you've", "i've", "you're"})


def _asked_how_long_known(words: list[str]) -> bool:
    """How long the DJ and the one asking have known each other, in other words than a
    template's: "how long" or "how many weeks" (or "since how long") with "you" or "we" and a
    word of time until now ("how many weeks is it now since you came", "how long has tha been
    stood in my shed now", "how many week you know me"); never of a song, or of someone else
    ("how long has this been playing", "how long has she been asleep")."""
    if words[:1] == ["since"]:
        words = words[1:]
    said = set(words)
    if words[:2] == ["how", "long"] or words[:2] == ["how", "long's"]:
        pass
    elif not (words[:2] == ["how", "many"] and words[2:3] and words[2] in SPANS):
        return False
    if not US_TWO & said or not KNOWN_SINCE & said or NOT_KNOWN_SINCE & said:
        return False
    been = [at for at, word in enumerate(words) if word == "been"]
    return not (been and words[been[0] + 1 : been[0] + 2] and words[been[0] + 1].endswith("ing"))


OWN = frozenset({"i", "i'm", "im", "we", "we're", "my", "our", "i've", "we've"})
LIKED = frozenset({"like", "likes", "into", "partial", "prefer", "love", "enjoy", "favourite"})
LIKED |= {"favourites", "preferences", "taste", "fancy"}
KINDS_OF_LIST = frozenset({"preferences", "favourites", "likes", "taste", "favourite"})


def _asked_own_likes(words: list[str]) -> bool:
    """What one likes, asked in words no template has: "what" or "which" then oneself and a
    liking ("do you know what i'm partial to by now", "what do we like most, do you reckon"),
    "list my musical preferences", "the songs that i prefer, which are they"; never what one
    likes about something ("what i like about this place") or someone else's."""
    told_back = words[-2:] in (["are", "they"], ["is", "it"])  # "..., which are they"
    said = set(words[:-2] if told_back else words)
    if (ABOUT_SOMEONE_ELSE | OTHER_PEOPLE | {"about", "would", "should", "could"}) & said:
        return False
    if words[0] in {"list", "name"} and words[1:2] == ["my"]:
        return bool(KINDS_OF_LIST & set(words[2:5]))
    asked = [at for at, word in enumerate(words) if word in {"what", "which"}]
    if asked and told_back and OWN & said and LIKED & said:
        return True  # "the songs that i prefer, which are they"
    for at in asked:
        own = next((at + 1 + n for n, w in enumerate(words[at + 1 : at + 4]) if w in OWN), None)
        between = set(words[at + 1 : own])
        if own is None or not between <= {"do", "did", "am", "are", "is", "does", "exactly"}:
            continue
        liked = LIKED & set(words[own + 1 : own + 3])
        if liked and not (liked == {"like"} and between & {"am", "are", "is"}):
            return True  # not "what am i like" (what one is like)
    return False


def _asked_what_is_known(words: list[str]) -> bool:
    """What the DJ has on one ("what've you got on me in your memory", "what's tha got on me")."""
    text = f" {' '.join(words)} "
    return " got on me" in text and words[0] in {"what", "what've", "what's", "whats"}


def _asked_own_trust(words: list[str]) -> bool:
    """One's trust asked in words no template has ("how would you rate my trust", "what's our
    trust level after all this", "that trust thing, is it still going up"): "trust" said as
    one's own or as the DJ's thing, in a question."""
    at = words.index("trust")
    owned = words[at - 1 : at] in (["my"], ["our"]) or words[at + 1 : at + 2] == ["thing"]
    asks = {"what", "what's", "how", "how's", "is", "whats"} & set(words)
    return owned and bool(asks) and not (ABOUT_SOMEONE_ELSE | OTHER_PEOPLE) & set(words)


def _hello_to_the_dj(words: list[str]) -> bool:
    """A hello that opens the utterance and is said to the DJ by its name after it ("hi
    speaker"), or a hello said alone ("hello there")."""
    if words[0] == "good":
        words = words[1:] if words[1:2] and words[1] in {"morning", "afternoon", "evening"} else []
    if len(words) < 2 or words[0] not in HELLO_WORDS:
        return False
    if words[1] in THERE_AS_HEARD:  # "hi they're dj", "hello they're old thing" as heard
        words = [words[0], "there", *words[2:]]
    if words[1] in DJ_NAMES or set(words[1:]) <= {"there", "again", "everyone", "all", "you"}:
        return True
    rest = words[1:]
    while rest and rest[0] in {"there", "their", "again", "then"}:  # "hello their dj" as heard
        rest = rest[1:]
    if rest[:1] and rest[0] in DJ_NAMES:  # "hi again dj, corrections time"
        return True
    if rest[:1] and rest[0] in CALLED and len(rest) > 1:  # "hello love it's me doris"
        rest = rest[1:]
    if rest[:1] and rest[0] in CALLED:  # "morning boss"
        return True
    if rest[:1] == ["old"] and rest[1:2] and rest[1] in CALLED | A_BOX | OLD_ONES:
        return True  # "hello there old thing", "morning old friend"
    if rest[:1] in (["it's"], ["its"]) and rest[1:2] and rest[1] in IT_IS_ME:
        return True  # "evening again, it's mr hughes"
    if rest[:1] in (["it's"], ["its"]) and words[0] in TIMES_OF_DAY and rest[1:2]:
        return True  # "evening, it's ron with a wooden spoon in one hand"
    if rest[:2] == ["you", "again"] or rest[:1] == ["whoever"]:
        return True  # "hey you again", "evening then whoever you are"
    return words[1:2] == ["there"] and words[2:3] in (["it's"], ["its"])  # "hi there it's me"

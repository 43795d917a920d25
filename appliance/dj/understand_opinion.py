"""An opinion of the track that plays, said in anyone's words: "this tune is pure honking",
"cracking song this one", "not keen on this won", "my mum can't stand this track", "that song
gives me goosebumps". People have endless words for good and bad and few shapes to say them in,
so the words are data (sentences/en.yaml: ``opinions``) and the shapes are here, as one regular
expression each. Tried when no template read the words; the track is always pointed at, so
"this cake is lovely" is no verdict. A template matcher holding these lists cost the board's
recogniser its memory (every phrase multiplied by every other); a regular expression over them
costs next to nothing.

The model, too, reads "this traffic is terrible" as near to "this song is terrible": a like or
dislike it guesses is dropped when what "this" or "that" points at is a thing named that is not
music (``of_the_music``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from appliance.dj.understand_intent import Intent

PARTS = (
    "track",
    "track_back",
    "track_named",
    "track_is",
    "is",
    "not",
    "much",
    "good",
    "bad",
    "gives",
    "gives_good",
    "gives_bad",
    "thing",
    "who",
    "loves",
    "hates",
    "not_into",
    "said_before",
    "said_after",
)
"""The parts an opinion is said in (the names of the lists in sentences/en.yaml)."""

_SHAPES = (
    # the track, what it is ("this tune is pure honking", "this is my jam")
    ("(?:{track} {is}|{track_named} {is}|{track_is}) (?:{much} )*{VERDICT}(?: {track})?", False),
    # the verdict, then the track named ("cracking song this one", "what a tune that is")
    (
        "(?:{much} )*{VERDICT} (?:{thing}|one(?= this| that))(?: (?:this|that)(?: one| is| was)?)?",
        False,
    ),
    # a verdict denied ("this one isn't half bad", "this one's not great")
    ("(?:(?:{track}|{track_named}) {not}|{track_is} not) (?:{much} )*{VERDICT}", True),
    # a verdict denied, then the track ("not too shabby this one")
    ("not (?:{much} )*{VERDICT} {track}", True),
)
"""The shapes with a verdict in them, and whether the verdict is denied."""

OWN = "i|mi|me|ah|we"
"""Who says their own verdict."""

_LEAD = "^(?:(?:{said_before}) )*"
_OCCASION = r"(?: (?:for|in|on|at|after|during|with) [a-z']+(?: [a-z']+){{0,5}})?"
"""What a verdict is of, said after it ("too slow for five in the morning", "rubbish for a
wedding")."""

_TAIL = _OCCASION + "(?: (?:{said_after}))*$"


def _alternatives(phrases: Sequence[str]) -> str:
    """One group matching any of ``phrases``, the longest first."""
    ordered = sorted(set(phrases), key=lambda phrase: (-len(phrase), phrase))
    return "(?:" + "|".join(re.escape(phrase) for phrase in ordered) + ")"


class OpinionReader:
    """Reads a like or a dislike of the track that plays from the opinion phrases."""

    def __init__(self, phrases: Mapping[str, Sequence[str]]) -> None:
        groups = {part: _alternatives(phrases.get(part, ())) for part in PARTS}
        if not all(phrases.get(part) for part in ("track", "good", "bad")):
            self._shapes: list[tuple[re.Pattern[str], str]] = []
            return

        def compiled(shape: str) -> re.Pattern[str]:
            return re.compile((_LEAD + shape + _TAIL).format(**groups))

        shapes = []
        for shape, denied in _SHAPES:
            for verdict, meant in (("good", "like"), ("bad", "dislike")):
                if denied:
                    meant = "dislike" if meant == "like" else "like"
                shapes.append((compiled(shape.replace("{VERDICT}", "{" + verdict + "}")), meant))
        for verb, meant in (("{loves}", "like"), ("{hates}", "dislike")):
            # one's own verdict of the track pointed at ("mi nuh rate this one"); someone
            # else's of the music named ("she loves this song", not "she loves this")
            for who, track in (
                (OWN, "{track}|{track_back}|{track_named}"),
                ("{who}", "{track_named}"),
            ):
                felt = f"(?:{who}) (?:{{much}} )*{verb} (?:{track})(?: (?:{{much}}))*"
                shapes.append((compiled(felt), meant))
        shapes.append(
            (
                compiled(
                    "(?:(?:i'm|i am|am|we're|we are|ah'm) )?(?:just )?(?:not|no|nae) "
                    "(?:{much} )*(?:{not_into}) (?:{track}|{track_back}|{track_named})"
                    "(?: (?:{much}))*"
                ),
                "dislike",
            )
        )
        # too much of anything but loudness ("this one's too jarring", "this track is way too
        # slow"; "this is too loud" asks for it quieter, "too good" is praise)
        too = (
            "(?:{track} {is}|{track_named} {is}|{track_is}) (?:{much} )*(?:too|to) "
            "(?!(?:{good}|loud|quiet|soft|low|high|noisy|much|long)(?: |$))[a-z']+"
        )
        shapes.append((compiled(too), "dislike"))
        for effect, meant in (("{gives_good}", "like"), ("{gives_bad}", "dislike")):
            shapes.append(
                (compiled("(?:{track}|{track_back}|{track_named}) (?:{gives}) " + effect), meant)
            )
        self._shapes = shapes

    def read(self, text: str) -> Intent | None:
        """A like or a dislike when ``text`` is an opinion of the track in one of the shapes,
        said in the opinion phrases and maybe what the verdict is of; None otherwise."""
        for shape, meant in self._shapes:
            if shape.match(text):
                return Intent(meant, {}, text)
        return None


def opinion_reader(phrases: Mapping[str, Sequence[str]]) -> OpinionReader:
    """The reader of these phrases, compiled once per process (a tenth of a second): every
    understanding built from one templates file shares it."""
    return _compiled(tuple(sorted((part, tuple(said)) for part, said in phrases.items())))


@cache
def _compiled(phrases: tuple[tuple[str, tuple[str, ...]], ...]) -> OpinionReader:
    return OpinionReader(dict(phrases))


# -- a guess of an opinion of something else ---------------------------------------------------

POINTERS = frozenset({"this", "that", "these", "those"})

OPINIONS = frozenset({"like", "dislike"})

MUSIC_WORDS = frozenset(
    {"song", "songs", "track", "tracks", "tune", "tunes", "one", "ones", "won", "record"}
    | {"records", "number", "music", "beat", "beats", "bit", "part", "singer", "voice"}
    | {"artist", "band", "album", "piece", "mix", "jam", "choon", "chorus", "intro", "verse"}
    | {"bass", "drop", "melody", "rhythm", "riff", "solo", "sound", "stuff", "lyrics"}
    | {"playlist", "station", "station's", "remix", "version", "cover", "guitar", "drums"}
    | {"vocals", "production", "ending", "instrumental", "recording", "performance"}
    | {"rendition", "genre", "style", "vibe", "groove", "banger", "bop", "dj", "selection"}
)
"""What "this" or "that" may point at in an opinion of the music."""

SAID_OF = frozenset(
    {"is", "was", "isn't", "wasn't", "ain't", "gives", "gave", "makes", "made", "sucks"}
    | {"stinks", "looks", "smells", "tastes", "feels", "seems", "has", "are", "were", "be"}
)
"""Words after a thing named that say something of it ("this traffic is ...")."""

FELT = frozenset(
    {"love", "loves", "like", "likes", "hate", "hates", "adore", "adores", "enjoy", "enjoys"}
    | {"rate", "rates", "loving", "liking", "hating", "enjoying", "stand"}
)
"""Verbs of what one thinks of a thing, said before it ("she loves that dress")."""

NOT_THINGS = frozenset(
    {"really", "just", "totally", "honestly", "actually", "definitely", "so", "still", "here"}
    | {"now", "again", "also", "too", "certainly", "truly", "right", "new", "old", "last"}
    | {"please", "then", "though", "tho", "ngl", "mate", "man", "bro", "speaker", "dj", "lol"}
)
"""Words after "this" that name nothing ("this really is great", "this new one")."""


def named_thing(text: str) -> bool:
    """Whether ``text`` points at a thing it names that is not music: "this" or "that", a word
    that is no music word, then a verb saying something of it ("this traffic is terrible"), or
    said last after a verb of liking ("she loves that dress"); not a name or a "please" said
    after the music pointed at ("a banger this kayleigh", "more of this please")."""
    words = text.split()
    for i, word in enumerate(words[:-1]):
        if word not in POINTERS:
            continue
        thing = words[i + 1]
        if thing in MUSIC_WORDS or thing in SAID_OF or thing in POINTERS or thing in NOT_THINGS:
            continue
        after = words[i + 2] if i + 2 < len(words) else None
        if after in SAID_OF or (after is None and i > 0 and words[i - 1] in FELT):
            return True
    return False


def of_the_music(found: Intent | None, text: str) -> Intent | None:
    """The model's reading, unless it is an opinion of a thing named that is not music."""
    if found is None or found.name not in OPINIONS or found.also:
        return found
    return None if named_thing(text) else found

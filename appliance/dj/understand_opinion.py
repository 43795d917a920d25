"""An opinion is of the music only when it points at the music: the model reads "this traffic is
terrible" as near to "this song is terrible", but the thing pointed at is named and is no track.
A like or dislike the model guesses is no verdict on the music when what "this" or "that" points
at is a thing named that is not music ("this traffic is terrible", "she loves that dress");
"this is terrible", "this one's great" and "that singer is lovely" stay as they were. The
opinions the templates read (sentences/en.yaml: {opinion_track}) name only the music."""

from __future__ import annotations

from appliance.dj.understand_intent import Intent

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

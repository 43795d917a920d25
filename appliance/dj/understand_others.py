"""Other people, in what is said to the DJ: what a group listens to ("what do the regulars
like", "what do the other teams usually play", "what are the other dorms listening to"), which
is a question about the listeners around (community); and what someone else asks for, said of
them ("rosa wants some soul", "mrs okafor would like some gospel"), which asks the DJ as if they
had said it. Someone else's liking ("lena likes reggae") is not read: the DJ would keep it as
the listener's own.

A household speaks of its people by every name and role there is, so who is spoken of is read
from the shape of the sentence, not from a list of names: the words before the verb. Only the
shape is read here; what is asked for is read by the templates (appliance/dj/understand.py)."""

from __future__ import annotations

import re

_ADVERBS = r"(?:(?:usually|normally|generally|mostly|always|often|tend to|like to|all|really|"
_ADVERBS += r"been|else|most|actually|even) )*"

_GROUP_QUESTION = re.compile(
    r"^(?:(?:so|and|hey|oi|dj|speaker|coach|okay|right|just wondering|out of interest) )*"
    r"what(?:'s| is| are| do| does| did| have| has| would| will)? "
    r"(?P<group>(?:[a-z']+ ){1,6}?)" + _ADVERBS + r"(?P<verb>play|playing|played|plays|like|likes|"
    r"liking|listen to|listens to|listening to|listened to|enjoy|enjoys|enjoying|put on|puts on|"
    r"putting on|into|love|loves|prefer|prefers|go for|request|requests|requesting|ask for|"
    r"asking for|dance to|study to|work to|train to|sing along to|stick on|sticking on|"
    r"blast|blasting|spin|spinning|rate|rating|have on|has on|having on)(?: (?P<rest>.*))?$"
)
"""A question of what a group plays: what, its verb, who, maybe how often, the verb of music."""

_POPULAR = re.compile(
    r"^what(?:'s| is) (?:popular|big|hot|trending|the favourite|the most played|most played) "
    r"(?:on|in|with|among|at|round|around|across) (?P<group>.+)$"
)
"""A question of what a group plays most ("what's popular on the station")."""

GROUP_NEVER = frozenset(
    {"you", "u", "ya", "ye", "yous", "i", "we", "he", "she", "they", "it", "this", "that"}
    | {"these", "those", "there", "here", "me", "us", "him", "her", "them", "your", "yours"}
    | {"what", "who", "which", "why", "how", "when", "where", "kind", "sort", "type"}
    | {"song", "songs", "track", "tracks", "album", "band", "singer", "artist", "dj", "radio"}
    | {"speaker", "box", "playlist", "record", "tune", "music", "genre", "style", "one", "ones"}
    | {"a", "an", "to", "do", "does", "is", "are", "not", "next", "now", "then", "again"}
)
"""Words no group of listeners is named with: a pronoun, the music or the player itself, a
question's own words ("what do you like", "what does the band play", "what kind of ...")."""

OTHERS = frozenset(
    {"other", "others", "else", "everyone", "everybody", "people", "rest", "regulars"}
    | {"listeners", "neighbours", "neighbors", "folks", "folk"}
)
"""Words that name listeners other than the one asking, one of which a group of listeners is
named with: "what are the kids playing" may ask about a game, "what does my sister like" about
someone the DJ does not know."""

GROUP_STARTS = frozenset(
    {"the", "our", "my", "all", "other", "others", "everyone", "everybody", "people", "most"}
    | {"folk", "folks", "anyone", "anybody", "everyone's", "everybody's", "lots", "loads", "rest"}
)
"""How a group of people is named, first word ("the regulars", "our other flat", "other
teams"); a word said alone ending in s is a group too ("regulars", "listeners")."""

_ASKED_FOR = re.compile(
    r"^(?:(?:oh|so|and|hey|right|okay|speaker|dj|erm|um|er|uh) )*"
    r"(?P<who>(?:[a-z']+ ){0,4}?[a-z']+) (?:really |also |now |just )?"
    r"(?:wants|want|would like|would love|needs|need|fancies|fancy|is after|'s after|are after|"
    r"asked for|asks for|is asking for|'s asking for|are asking for|has asked for|have asked for|"
    r"requested|wanted|"
    r"would want|could do with|is in the mood for|'s in the mood for|is dying for|"
    r"is desperate for) (?P<rest>.+)$"
)
"""Someone else's request, said of them ("kylie wants the bob marley")."""

_RELAYED = re.compile(
    r"^(?:(?:oh|so|and|hey|right|okay|speaker|dj|erm|um|er|uh) )*"
    r"(?P<who>(?:[a-z']+ ){0,4}?[a-z']+) "
    r"(?:says|is saying|'s saying|say|reckons you should|says you should|said you should|"
    r"says can you|said can you|says could you|said could you|says will you|wants you to|"
    r"wanted you to|would like you to|asked you to|asks you to|is asking you to|"
    r"'s asking you to|asked me to ask you to|wants me to ask you to|told me to|told you to|"
    r"says to|said to) (?P<rest>.+)$"
)
"""Someone else's request passed on in their words ("uncle fai says play something happy",
"kelvin wants you to turn it down"). "she said play ..." alone is not one: it tells of what was
said, more often than it passes it on."""

_WOULD = re.compile(r"(?<=[a-z])'d ")
""""he'd love" said as "he would love"."""

WHO_NEVER = frozenset(
    {"i", "we", "you", "u", "ya", "it", "this", "that", "there", "what", "who", "which", "why"}
    | {"how", "when", "where", "if", "nobody", "no", "one", "everyone", "everybody", "anyone"}
    | {"anybody", "somebody", "someone", "i'm", "we're", "you're", "it's", "that's", "what's"}
    | {"do", "does", "did", "is", "are", "was", "not", "never", "and", "but", "or", "to", "of"}
    | {"play", "put", "get", "give", "find", "skip", "turn", "stop", "a", "an", "some"}
    | {"music", "song", "track", "tune", "album", "band", "speaker", "dj", "radio", "he's"}
    | {"she's", "they're", "like", "love", "just", "really", "also", "now", "so", "then"}
)
"""Words no one spoken of is named with: the speaker and the DJ themselves (their own words are
the templates'), a question, a request, a thing ("the music needs ...")."""


MAX_HABIT_GROUP = 4
"""At most this many words name whoever plays it as a habit."""

HABITS = frozenset({"usually", "normally", "generally", "mostly", "most", "always", "tend"})
"""Words that ask what someone plays as a habit ("what do the night porters play mostly")."""

PLAYED_VERBS = frozenset(
    {"play", "playing", "played", "plays", "listen to", "listens to", "listening to"}
    | {"listened to", "have on", "has on", "having on"}
)
"""Verbs of what is played ("put on" may be clothes: "what do the twins usually put on")."""


def _a_group(words: list[str]) -> bool:
    if not words or len(words) > 6 or GROUP_NEVER & set(words) or not OTHERS & set(words):
        return False
    return words[0] in GROUP_STARTS or (len(words) == 1 and words[0].endswith("s"))


def asks_about_others(text: str) -> bool:
    """Whether ``text`` asks what a group of other people plays or likes."""
    found = _GROUP_QUESTION.match(text) or _POPULAR.match(text)
    if found is None:
        return False
    group = found.group("group").split()
    rest = (found.groupdict().get("rest") or "").split()
    if len(rest) > 6:
        return False
    return _a_group(group) or _played_by_habit(found, group)


def _played_by_habit(found: re.Match[str], group: list[str]) -> bool:
    """What some people play as a habit ("what do the night porters play mostly", "what is
    niamh listening to usually"): a question of the household's listening, whoever is named,
    when it is not the DJ's or the music's own."""
    verb = found.groupdict().get("verb")
    return (
        verb in PLAYED_VERBS
        and bool(HABITS & set(found.group(0).split()))
        and 0 < len(group) <= MAX_HABIT_GROUP
        and not GROUP_NEVER & set(group)
    )


def _someone(words: list[str]) -> bool:
    return (
        bool(words)
        and len(words) <= 5
        and words[0] not in WHO_NEVER
        and not (WHO_NEVER & set(words[-1:]))
    )


def asked_for_someone(text: str) -> str | None:
    """What someone else asks for, as a request to play ("some soul" of "rosa wants some
    soul"), or None."""
    found = _ASKED_FOR.match(_WOULD.sub(" would ", text))
    if found is None or not _someone(found.group("who").split()):
        return None
    return found.group("rest")


def relayed(text: str) -> str | None:
    """The request someone else made, passed on in their words ("play something happy" of
    "uncle fai says play something happy"), or None."""
    found = _RELAYED.match(_WOULD.sub(" would ", text))
    if found is None or not _someone(found.group("who").split()):
        return None
    return found.group("rest")

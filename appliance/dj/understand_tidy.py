"""Speech as people say it, tidied: hesitations, false starts, openers and tags taken out.

People talk around a request: "so er yeah can you play something", "um hi it's uh it's sophie",
"turn it up bruv", "like can you just put on some like chill music or whatever". None of those
words changes what is asked, but each one takes the sentence further from every template. The
understanding tries the tidied words when the words as said meant nothing to it, so a sentence
the templates match as said is never changed by this. A question asked again ("what did you say
it was called") is read as it was asked first (:func:`asked_first`).
"""

from __future__ import annotations

HESITATIONS = frozenset({"er", "erm", "um", "umm", "uh", "uhh", "uhm", "hmm", "mm", "ah", "eh"})
"""Sounds that stand for nothing, wherever they come."""

OPENERS = (
    "you know what", "do one thing", "i dunno", "i don't know", "you know", "i mean", "so",
    "like", "yeah", "okay", "right", "well", "and", "but", "oh", "basically", "honestly",
    "alright", "anyway", "look", "listen", "now", "then", "sorry", "yes", "no", "fair enough",
    "fine", "whatever", "cool", "she'll be right", "by the way",
    "you've got that wrong", "you got that wrong", "you've got it wrong", "you got it wrong",
    "music box", "speaker", "hey speaker", "oi speaker", "dj", "hey dj", "oi dj",
)  # fmt: skip
"""Words a request may start with that only open it (taken off the front, again and again)."""

TAGS = (
    "or whatever", "or something", "you know", "music man", "young man", "innit", "bruv",
    "yaar", "dear", "ji", "only", "mate", "man", "though", "selecta", "please", "love",
    "darling", "fam", "bro", "buddy", "pal", "dude", "boss", "yeah", "me", "then", "now",
    "thanks", "thank you", "right", "okay", "by the way", "whenever you're ready",
    "when you're ready", "if you don't mind", "if you can", "put her on", "put him on",
    "put them on", "put it on", "stick it on", "stick her on", "stick him on",
    "music box", "speaker", "box", "machine", "sweetheart",
)  # fmt: skip
"""Words a request may end with that only address or soften it (taken off the end)."""

FILLER_LIKE_AFTER = frozenset({"some", "just", "so", "yeah", "is", "it's", "and", "on", "the"})
"""After these, "like" is a filler ("some like chill music"), not a liking ("i like")."""

MAX_REPEAT = 3
"""A group of up to this many words said twice in a row is said once ("it's it's sophie")."""


def strip_phrases(words: list[str], phrases: tuple[str, ...], front: bool) -> list[str]:
    """``words`` with any of ``phrases`` taken off the front (or the end), again and again; a
    phrase that is all there is stays."""
    changed = True
    while changed and words:
        changed = False
        for phrase in phrases:
            said = phrase.split()
            edge = words[: len(said)] if front else words[-len(said) :]
            if len(words) > len(said) and edge == said:
                words = words[len(said) :] if front else words[: -len(said)]
                changed = True
                break
    return words


def _once(words: list[str]) -> list[str]:
    """Groups said twice in a row, said once."""
    out: list[str] = []
    for word in words:
        out.append(word)
        for size in range(1, MAX_REPEAT + 1):
            if len(out) >= 2 * size and out[-size:] == out[-2 * size : -size]:
                del out[-size:]
                break
    return out


REPORTED = ("did you say", "you said", "d'you say")
"""What turns a question into one asked again ("what did you say it was called")."""

ASKED_WORDS = frozenset({"what", "who", "which", "when", "how", "where", "why"})

SUBJECT_WORDS = frozenset(
    {"it", "this", "that", "they", "he", "she", "the", "song", "track", "tune", "one"}
    | {"album", "record", "band", "artist", "singer", "last", "first", "next"}
)
"""Words of what a question asked again is about ("this song", "the album")."""

LINKS = frozenset({"was", "is", "were", "are"})


WONDERING = tuple(
    opener.split()
    for opener in (
        "i was just wondering", "i was wondering", "i'm wondering", "i wonder", "just wondering",
        "wondering", "i'd like to know", "i'd love to know", "i want to know", "i need to know",
        "i'd be curious to know", "i'm curious to know", "i'm curious", "i'm dying to know",
        "do you happen to know", "do you know", "d'you know", "any idea",
        "got any idea", "have you any idea", "have you got any idea", "do you have any idea",
        "any clue", "can you tell me", "could you tell me", "would you tell me",
        "would you be good enough to tell me", "please tell me", "tell me", "remind me",
        "can you remind me", "i forgot", "i've forgotten", "i can't remember", "i don't know",
        "no idea", "not sure", "i'm not sure", "i never know",
    )
)  # fmt: skip
"""What a question asked indirectly opens with ("i wonder who sings this"), longest first
where one opener holds another."""

ON_BEHALF = tuple(
    phrase.split()
    for phrase in (
        "wants to know", "want to know", "would like to know", "wants to ask", "is asking",
        "was asking", "asked", "asks", "is wondering", "was wondering", "wonders",
    )
)  # fmt: skip
"""What a question asked for someone else opens with after their name ("sam wants to know who
you are", "my son is asking if you can sing"): it is asked as if by the speaker."""

NOT_SOMEONE_ELSE = frozenset({"i", "you", "we", "i'm", "you're", "we're", "what", "who", "how"})
"""First words that make "... wants to know" not a question passed on for someone else."""

ON_BEHALF_NAME = 3
"""At most this many words name who a question is asked for ("my little brother")."""

IF_YOU_KNOW = (["if", "you", "know"], ["whether", "you", "know"], ["if"], ["whether"])
"""Said between the opener and the question ("i wonder if you know who ...")."""

ASKED_OF = {"have": "do", "like": "do", "know": "do", "can": "can", "could": "could"}
"""A yes-or-no question asked indirectly, as asked plainly: "if you have any reggae" -> "do
you have any reggae"."""

QUESTION_NOUNS = frozenset(
    {"album", "year", "song", "track", "band", "artist", "singer", "decade", "genre", "record"}
    | {"kind", "type", "style", "tune", "one", "instrument"}
)
"""What a question word may ask about before its subject ("what album this is from")."""


def _in_plain_order(words: list[str]) -> list[str]:
    """A question word and the words after it, in the order a question is asked: "who this
    is" -> "who is this", "what album this is from" -> "what album is this from"."""
    head, rest = words[:1], words[1:]
    if rest and rest[0] in QUESTION_NOUNS:
        head, rest = words[:2], words[2:]
    for link in range(1, min(4, len(rest))):
        if rest[link] in LINKS and set(rest[:link]) <= SUBJECT_WORDS:
            return [*head, rest[link], *rest[:link], *rest[link + 1 :]]
    return words


def _for_someone_else(words: list[str]) -> list[list[str]]:
    """The opener of a question asked for someone else ("sam wants to know"), if it is one."""
    if not words or words[0] in NOT_SOMEONE_ELSE:
        return []
    for start in range(1, ON_BEHALF_NAME + 1):
        for phrase in ON_BEHALF:
            if words[start : start + len(phrase)] == phrase:
                return [words[: start + len(phrase)]]
    return []


def asked_plainly(words: list[str]) -> list[str]:
    """A question asked indirectly, as asked plainly: "i wonder who this is" -> "who is this",
    "do you know what this song is called" -> "what is this song called", "i was wondering if
    you have any reggae" -> "do you have any reggae" (the words as they were when it is none of
    these)."""
    for opener in (*WONDERING, *_for_someone_else(words)):
        if words[: len(opener)] != opener:
            continue
        rest = words[len(opener) :]
        for joint in IF_YOU_KNOW:
            if rest[: len(joint)] == joint and len(rest) > len(joint):
                rest = rest[len(joint) :]
                break
        if len(rest) >= 2 and rest[0] in ASKED_WORDS:
            if rest[1:] == ["you", "are"]:  # "who you are": "who are you"
                return [rest[0], "are", "you"]
            return _in_plain_order(rest)
        if len(rest) >= 3 and rest[0] == "you" and rest[1] in ASKED_OF:
            verb = ASKED_OF[rest[1]]
            return [verb, "you", *rest[2 - (verb == "do") :]]
        return words
    return words


QUESTION_ENDS = frozenset({",", "but", "so", "and", "then", "because", "cause", "'cause"})
"""Words after which an indirect question has been asked and something else is said ("i wonder
what this is, skip it"; "i don't know why but every time it comes on i want to dance")."""


MEANT_ANYWAY = frozenset({"why", "how"})
"""Question words whose clause is meant all the same: said as true ("i don't know why i love
this song" loves it), or asking for it done ("do you know how to turn it up")."""


def only_asked(marked: list[str]) -> bool:
    """Whether ``marked`` (words, with "," where the speaker paused) is an indirect question and
    nothing else: the clause its question word opens runs to the end ("do you know what to play
    next"). Such words ask; whatever the words of that clause would do, they do not ask it."""
    words = [word for word in marked if word != ","]
    asked = asked_plainly(words)
    if asked == words or asked[0] not in ASKED_WORDS - MEANT_ANYWAY:
        return False
    start = marked.index(asked[0])
    return not QUESTION_ENDS & set(marked[start + 1 :])


def asked_first(words: list[str]) -> list[str]:
    """A question asked again, as it was asked first: "what did you say it was called" ->
    "what was it called", "who did you say this song was by" -> "who was this song by", "what
    did you say i liked" -> "what do i like" (the words as they were when it is none of these)."""
    for index in range(1, len(words)):
        if words[index - 1] not in ASKED_WORDS:
            continue
        for phrase in REPORTED:
            said = phrase.split()
            if words[index : index + len(said)] != said:
                continue
            rest = words[index + len(said) :]
            if len(rest) >= 2 and rest[0] == "i" and rest[1] in ("like", "liked"):
                return [*words[:index], "do", "i", "like", *rest[2:]]
            for link in range(1, min(4, len(rest))):
                if rest[link] in LINKS and set(rest[:link]) <= SUBJECT_WORDS:
                    asked = [rest[link], *rest[:link], *rest[link + 1 :]]
                    return [*words[:index], *asked]
            return words
    return words


def tidy(text: str) -> str:
    """``text`` (normalised words) without hesitations, repeats, openers and tags."""
    words = [word for word in text.split() if word not in HESITATIONS]
    words = [
        word
        for index, word in enumerate(words)
        if not (word == "like" and index > 0 and words[index - 1] in FILLER_LIKE_AFTER)
    ]
    words = strip_phrases(strip_phrases(_once(words), OPENERS, front=True), TAGS, front=False)
    return " ".join(words)

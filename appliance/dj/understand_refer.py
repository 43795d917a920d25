"""A search whose only "name" points at what was played is the follow-up it points to.

"play that one again dear", "play the one be four", "play a song like this one", "play the first
one you played": the loose templates read each as a play of a search for those words, and the
DJ would answer "I don't have That One Again here". Words that refer to a track already heard
("that one", "the one before", "the last one", "like this") name no music the library could
hold: they ask to hear it again (``replay``), to go back (``play_previous``) or for more like it
(``more_like``). The referring words must be the whole search (but for "please", "again", a new
clause ...), so a name that merely starts with such a word ("first aid kit", "back in black",
"before you go") is still searched for.

More like music heard is asked in many more ways than a search ("play more of the disco ones",
"more rock like that", "something like the trumpet one from last week"): :func:`asked_alike`
reads the whole utterance so, whatever its parts were read as, with the style it names; but
more of a thing that is not music ("any more of that cake", "more videos like this one", "we've
got one like it at home") is talk, not a request, however it was read.
"""

from __future__ import annotations

import dataclasses
import re

from appliance.dj.understand_intent import Intent, Slot
from appliance.dj.understand_lexicon import SCANNED_LISTS, VALUE_FILLERS, Lexicon
from appliance.dj.understand_names import NameIndex
from appliance.dj.understand_several import CONJUNCTIONS, REASONS
from appliance.dj.understand_slots import (
    AFTER_A_NAME,
    ASIDES,
    DESCRIBED,
    KIND_WORDS,
    NAME_TAGS,
    REFINE_WORDS,
    SEARCH_TAILS,
)
from appliance.dj.understand_told import FIRST_PERSON, TO_THE_DJ

LOOSE = 0.8
"""How sure a request for more like something heard is, found by its words (as the loose
templates are)."""

_POINT = r"(?:that|this|it|the|same)"
_MUSIC = r"(?:one|won|song|track|tune|number|record)"
"""Words that name the music itself ("won": "one" as a recogniser may hear it)."""
_ONE = rf"(?:{_MUSIC}|lot|thing|bit)"
_FROM_START = r"from (?:the )?(?:very )?(?:start|top|beginning|first bar)"
_ANEW = rf"(?:again|once more|one more time|(?:all )?over again|{_FROM_START})"
"""Words asking for a track anew wherever they stand; a bare "over" is not among them ("put it
over there", "play it over the kitchen speaker"): only "start it over" asks so."""
_AGAIN = rf"(?:{_ANEW}|over|back|another time)"
"""What may end a search pointing at a track heard to ask for it again ("that one over", "that
one back"); :func:`_may_follow` keeps "over" and "back" from starting a clause."""
_BEFORE = r"(?:before that|before this|before|from before|previous|earlier|prior)"
_HEARD = r"(?:you|we|i) (?:just )?(?:play|played|skip|skipped|had|put on|did)"
_ON_NOW = r"(?:on|(?:that's|that is|that are|thats) (?:on|playing)(?: now)?|(?:on|playing) now)"
"""Words saying the track is the one on air ("the one that's on", "this one playing now")."""
_WHEN = r"(?:first|last|earliest|previous)"
_TAIL = (
    r"(?: (?:please|dear|my love|again|once more|one more time|another time|now|for me|for us|"
    r"on|(?:when|after) (?:it|this|that) (?:ends|finishes|is done)))*"
)
"""Words that may follow any referring phrase: a please, an endearment, an "again"."""
_CLAUSE = re.compile(r" (?:i|we|you|it's|i'm|the one (?:with|that|where))\b")
"""A new clause after a phrase that points only through "the" ("the first you played")."""
_STRONG = re.compile(rf"\b(?:this|that|it|{_ONE})\b")
"""A phrase that points by itself ("that one again", "the song before"): whatever follows is
said about it ("..., dave missed it"), since no title starts that way."""
_AGAIN_ALONE = re.compile(r"^(?:again|once more|one more time|over again|another time)$")
_LEAD = re.compile(r" the one (?:with|that|where)\b")
"""All that may follow a bare "before" or "again", which start titles ("before you go")."""

_LIKE = (
    rf"(?:this|that|it|yesterday's|the (?:{_WHEN} )?{_ONE}|the {_WHEN}|the same)"
    rf"(?: {_ONE})?(?: {_BEFORE})?"
)
REFERRING = (
    # "a song like this one", "summing like this", "something like the last one"
    ("more_like", rf"(?:\w+ ){{0,3}}(?:like|similar to) {_LIKE}"),
    # "the one before", "one be four", "that song from before", "before the one with the horns"
    ("play_previous", rf"(?:{_POINT} )?(?:{_ONE} )?{_BEFORE}(?: {_ONE})?"),
    # "the first one you played", "the last track", "first", "the one you skipped first"
    ("play_previous", rf"(?:{_POINT} )?{_WHEN}(?: {_ONE})?"),
    ("play_previous", rf"(?:{_POINT} )?(?:{_ONE} )?{_HEARD}(?: {_WHEN})?"),
    # "that one again dear", "this again when it ends", "it once more i was humming", "that one
    # through once more", "the one that's on again"
    ("replay", rf"(?:{_POINT} )?(?:{_ONE} )?(?:{_ON_NOW} )?(?:through )?{_AGAIN}"),
    # "again that one", "once more this song": the again said first, then what it points at
    ("replay", rf"{_ANEW} (?:this|that|it|the same)(?: {_ONE})?"),
)
"""(intent, the referring phrase); the first whose phrase, with only what may follow it, is the
whole search says what is meant."""

_WHOLE = tuple(
    (intent, re.compile(rf"^(?P<phrase>{phrase}){_TAIL}(?P<rest>(?: .*)?)$"))
    for intent, phrase in REFERRING
)
_BY = re.compile(r"\bby\b")

_MISHEARD = (
    (re.compile(r"\bbe (?:four|for|fore)\b"), "before"),
    (re.compile(r"\ba gain\b"), "again"),
    (re.compile(r"\bwon more (?=time\b)"), "one more "),
    (re.compile(r"\byin\b"), "one"),
    (re.compile(r"\bafore\b"), "before"),
    (re.compile(r"\bfrae (?=(?:the )?(?:very )?(?:start|top|beginning)\b)"), "from "),
    (re.compile(r"^am (?=(?:again|once more|one more time|back)\b)"), "it "),
    (re.compile(r"\b(?:um|umm|uh|uhh|er|erm|em|eh) "), ""),
)
"""Words of a reference as a recogniser may hear them ("be four", "a gain", "won more time"), as
dialect says them ("that yin", "the yin afore this", "frae the start", "play am again": it), and
the fillers said while thinking ("play um again that one")."""


def _may_follow(phrase: str, rest: str) -> bool:
    """Whether ``rest`` may follow the referring ``phrase`` and leave it a reference."""
    if not rest:
        return True
    last = phrase.rsplit(" ", 1)[-1]
    if _STRONG.search(phrase) and last not in ("back", "over"):  # "that back in black"
        return True
    if _AGAIN_ALONE.match(phrase):  # "again, i missed it"; never "once more with feeling"
        return bool(_CLAUSE.match(rest))
    if re.search(r"\b(?:the|same|yesterday's)\b", phrase):
        return bool(_CLAUSE.match(rest))
    return bool(_LEAD.match(rest))


def referred(query: str) -> str | None:
    """The follow-up a play's search words point to, or None when they may name music: the
    referring phrase must be the whole search but for what may follow it (_may_follow) and
    never with a "by", so "back in black", "before you go" and "back to black by amy
    winehouse" are searched for."""
    words = " ".join(query.lower().replace(",", " ").split())
    for pattern, meant in _MISHEARD:
        words = pattern.sub(meant, words)
    if _BY.search(words):  # "one more time by daft punk": a title and its artist
        return None
    for intent, pattern in _WHOLE:
        found = pattern.match(words)
        if found is None:
            continue
        if _may_follow(found.group("phrase"), found.group("rest")):
            return intent
    return None


_THIS_SAID = rf"(?:(?:this|that) (?:same )?(?:(?:this|that) )?{_ONE}|this|that|the same {_ONE})"
_THIS = rf"(?:{_THIS_SAID}|it)"
_THE_MUSIC = rf"(?:(?:this|that|the) (?:same )?(?:(?:this|that) )?{_MUSIC})"
"""The track pointed at by a word naming it ("this one", "that song", "the same tune")."""
_REPLAYED = re.compile(
    r"^(?:(?:ok|okay|yes|yeah|and|so|then|now|dj|please|just|oh|right|can you|could you"
    r"|would you|will you) )*"
    rf"(?:(?:(?:do )?(?:play|spin|start|restart) {_THIS}|{_THIS_SAID}) (?:on )?{_ANEW}(?: {_ANEW})*"
    rf"|(?:start|restart) {_THIS} over(?: {_ANEW})*"
    rf"|(?:put|stick|take|run|do) (?:{_THIS} on|{_THE_MUSIC}(?: on)?) {_ANEW}(?: {_ANEW})*"
    rf"|(?:put|stick|take|run|do) {_THIS} (?:on )?{_FROM_START}(?: {_ANEW})*"
    rf"|{_ANEW}(?: {_ANEW})* {_THIS}"
    rf"|(?:restart|replay|re play|repeat|loop) {_THIS}(?: {_ANEW})*)"
    r"(?P<rest>(?: .*)?)$"
)
"""A replay said first, whatever is told after it ("start this one over, the lad missed it",
"play it from the top once more, i started the watch late", "and once more this same one when
it ends", "re play this one it's good for maths"): the words point at the track and ask for it
anew, so no name is asked for. Put, take, run and do ask for the music only with words naming
it or its start ("do that song again", "put it on from the top"): "put it over there", "do it
again and see what happens" and "take that one over to the sink" are no replay, nor a bare "it
again"."""
_LATER = (
    r"(?:tomorrow|tmrw|later|tonight|today|next|sometime|some time|another (?:day|time)|soon"
    r"|yesterday|this (?:morning|evening|afternoon|weekend)|in (?:the )?(?:morning|evening"
    r"|afternoon|a bit|a while|a minute|an hour)|on (?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|at (?:\d|noon|night))\b"
)
"""When a replay is asked for some other time ("again tomorrow", "again later"): not now, so no
replay."""
_AGAIN_FIRST = re.compile(
    rf"^(?:again|once more|{_ANEW} (?:again|once more))"
    rf"(?: (?!{_LATER})\w+| (?:after|when) (?:this|it)\b.*| from\b.*)?$"
)
""""Again pleeease", "from the start again sorry", "again after this, it works for the café":
a bare "again" with a word or a when (never a time: "again tomorrow")."""
_SPUN = re.compile(
    r"^(?:(?:ok|okay|yes|yeah|and|so|then|now|dj|please|just|oh|right|go on|can you|could you"
    r"|would you|will you) )*"
    r"(?:give|gie|gies|gimme) (?:(?:me|us) )?"
    rf"(?:{_THIS} (?:another|one more|a second) (?:spin|play|listen|airing|whirl|blast|outing)"
    rf"|{_THE_MUSIC} (?:another|one more|a second) (?:spin|play|listen|airing|whirl|blast|outing"
    r"|go|run|turn|try))\b"
)
""""Give it another spin from the beginning, i missed it", "give that track another go please":
the track given another hearing; "give it another go" (a task tried again) is no replay, nor a
go given to anything but the music."""
_ONCE_MORE_ASKED = re.compile(
    r"^(?:(?:ok|okay|yes|yeah|and|so|oh|go on|right) )*"
    r"(?:won more time|one more time|once more|from (?:the )?(?:very )?(?:start|top|beginning))"
    rf"(?: {_ANEW})*(?: please| for (?:me|us|her|him|them|the \w+))(?! {_LATER})(?: .*)?$"
)
""""One more time please, we lost the step", "once more for the lads, they missed it": the again
said first and asked for (a please, who it is for), whatever reason follows; never for some other
time ("one more time please tomorrow"), nor "one more time and you're grounded"."""
_NAMING = ("artist", "album", "title")
_AGAIN_TITLE = re.compile(rf"^{_ANEW}$")
"""A title that is itself a word asking anew ("one more time"): "play that one one more time, i
missed the words" points at the track and asks for it again, whatever title it holds; said
alone ("play one more time") or with its artist, it is the title."""


def _an_again_title(found: Intent) -> bool:
    """Whether ``found`` names only a title that asks anew (:data:`_AGAIN_TITLE`)."""
    title = found.slots.get("title")
    return found.slots.keys() == {"title"} and bool(_AGAIN_TITLE.match(str(title)))


def asked_again(found: Intent, said: str) -> Intent:
    """``found``, or a replay when the utterance starts with one (:data:`_REPLAYED`,
    :data:`_AGAIN_FIRST`) and was read as nothing or as a lone play naming no artist, album or
    title (the words pointing at the track taken for a name, or a story after it for a
    style): "play this this one again for ted" is this one again."""
    if found.also or not (
        found.name == "unknown"
        or (found.name == "play" and not any(key in found.slots for key in _NAMING))
        or (found.name == "play" and _an_again_title(found))
    ):
        return found
    words = " ".join(said.casefold().replace(",", " ").split())
    if _BY.search(words):  # "one more time by daft punk": a title and its artist
        return found
    if any(pattern.match(words) for pattern in (_REPLAYED, _AGAIN_FIRST, _SPUN, _ONCE_MORE_ASKED)):
        return Intent("replay", {}, said, confidence=min(found.confidence, LOOSE))
    return found


_LIKE_THIS = re.compile(
    r"\b(?:something|anything|some|more|one|ones|songs?|tracks?|tunes?|stuff|music) "
    r"(?:like|similar to) (?:this|that|it|the last)(?: one| song| track| tune)?"
    r"(?: please| then)?$"
)


_ASKED = re.compile(
    r"\b(?:play|playing|put on|put|hear|bring back|bring|give me|spin)\b(?: (?:me|us))? ?"
)


def after_the_ask(text: str) -> str:
    """The words after the first that asks to play ("can you play the one before" -> "the one
    before"), or "" when none does."""
    found = _ASKED.search(text)
    return text[found.end() :] if found else ""


def like_this(text: str) -> bool:
    """A play of nothing named that asks for "something like this": more like what plays."""
    return bool(_LIKE_THIS.search(text))


_POINTED = (
    r"(?:that|this|it|those|these|them|the same|"
    r"(?:the|that|this) (?:\w+ ){0,4}?(?:one|ones|songs?|tracks?|tunes?|stuff|kind|lot))\b"
)
"""What "like" or "more of" compares with when it points at music heard ("that", "the lofi
one", "that concrete sonnets one"), not at a name ("like the beatles")."""
_ALIKE = re.compile(
    r"\b(?:more|something|anything|stuff|songs?|tracks?|tunes?|ones?|music)"
    rf"(?: \w+){{0,2}} (?:like|similar to) {_POINTED}"
    rf"|\bmore of {_POINTED}"
    r"|(?<!\bno )\bmore(?: \w+){0,2} in (?:this|that|the|at) (?:same )?(?:\w+ )?"
    r"(?:style|vein|spirit|mould|mold)\b(?! of\b)"
    r"|\bkeep (?:them|'em|em|those|these|it|the \w+) coming in (?:this|that|the) (?:same )?"
    r"(?:\w+ )?(?:style|vein|spirit)\b(?! of\b)"
    r"|\blike (?:this|that) for the (?:next|rest)\b"
)
"""A request for more like something heard: "more rock like that", "something like the trumpet
one", "play more of the disco ones", "more of those"; more in its style or vein ("play me more in
this style", "keep them coming in that same moody vein", never "more in the style of abba"), or
the same for a while ("just like this for the next half hour")."""
_APPROVAL = re.compile(r"\b(?:that's|that is|this is|it's|is|was) more like it\b")
""""That's more like it", "stressed is more like it": praise, or a word put right, not a
request."""
_QUESTION = re.compile(
    r"\b(?:how (?:many|much)|do you have|have you got|you got any|got any|what|who|which|why)\b"
)
"""A question said with it ("..., do you have many of those"): the question is not mistaken
for a request."""
_BARE = frozenset({"that", "this", "it", "those", "these", "them"})
"""Words that point by themselves, unless a style follows ("that reggae")."""
_WON = re.compile(r"\bthe won\b")
_O = re.compile(r"(?<=\w )o\b")
""""o'" for "of", as Scots says it ("gie us more o' that kind o' thing")."""
_REFUSED = re.compile(
    r"\b(?:no more (?:of|\w+ like)|not|never(?! mind)|don't|dont|do not|won't|hate|can't stand"
    r"|cannot stand|sick of"
    r"|fed up|(?<!fair )enough|without)\b"
)
"""Words said before it that refuse what follows ("no more of that", "i hate songs like that",
"i don't want anything like that"): no request for more like it. "No, more like the one before"
(a correction) is not one of them."""
_ASKING = re.compile(
    r"(?:^|\b(?:play|put on|put|give|gimme|gie|gies|find|get|bring|queue|queue up|let's have"
    r"|lets have|can we have|could we have|can i have|can i get|i want|i'd like|id like|we want"
    r"|i need|and|some|any|please|ok|okay|yeah|yes|right|now|just|then)(?: me| us)?)\W*$"
)
"""What may come before a request for more like something heard that nothing else was read in
("play me something like ...", "ok, more like that"); anything else before it ("my mum loves
music like this", "she used to sing songs like that") tells, and asks nothing."""
_READ_AS = frozenset({"more_like", "play", "unknown", "count_songs", "like"})
"""Readings a request for more like something heard is mistaken for (a play of the style it
names, nothing, "how many of those", a liking of "like that one"), or given without the style
it names."""
_ALIKE_SLOTS = ("genre", "artist", "mood", "activity")
_COMPARED = re.compile(r"(?:like|similar to)\b")
"""A "liking" that is only the comparison ("... like that one"), not one said."""


_MUSIC_WORDS = (SEARCH_TAILS - {"please"}) | KIND_WORDS.keys() | {
    "one", "ones", "track", "tune", "sort", "sorts", "kind", "kinds", "type", "vibe", "vibes",
    "style", "styles", "genre", "genres", "artist", "artists", "band", "bands", "albums", "lot",
    "number", "numbers", "sound", "sounds", "beat", "beats", "groove", "bass", "energy", "tempo",
}  # fmt: skip
"""Words for music, or for how it sounds: more of "that kind", "more energy like this"."""
_ALONE_AFTER = (
    {phrase[0] for phrase in (*ASIDES, *(tag.split() for tag in NAME_TAGS))}
    | AFTER_A_NAME | CONJUNCTIONS | REASONS | FIRST_PERSON | TO_THE_DJ | DESCRIBED | {
        "please", "like", "on", "to", "till", "until", "in", "at", "from", "all", "too", "as",
        "then", "tonight", "today", "later", "ok", "okay", "alright", "right", "is", "was",
        "it", "it's", "that", "that's", "this", "they", "they're", "he", "he's", "she", "she's",
        "the", "a", "same", "once", "dj", "ta", "abeg", "keep", "play", "put", "give", "bring",
        "spin", "turn", "make", "let", "go", "stick",
    }
)  # fmt: skip
"""Words after "more of that" that leave "that" pointing at music heard ("more of that please",
"... for the drive", "... i love it", "... keep it coming"), not naming a thing ("more of that
cake")."""
_FILLING = VALUE_FILLERS | {"the", "lot", "else", "just", "really", "very", "quite", "same"}
"""Words between "more" and "like" that name nothing ("more of the same like this")."""
_OWNED = re.compile(
    r"(?<!can )(?<!could )(?<!may )(?<!will )(?<!would )(?<!shall )(?<!do )(?<!did )"
    r"\b(?!(?:let|that|it|what|here|there|who)'s)"
    r"(?:i|we|they|you|he|she|i've|we've|they've|you've|he's|she's|\w+'s)"
    r"(?: (?:already|also|just|even|still))? (?:(?:have |has |had )?got|have|has|had|own|owns|"
    r"owned|bought) (?:\w+ )?(?:one|ones|some) (?:like|similar to)\b"
)
"""An object owned like one seen ("we've got one like it at home", "my brother's got one like
that"): no music asked for ("can we have one like this", "let's have one like it" ask)."""
_NAMES = ("artist", "album", "title")


def _a_thing(
    asked: re.Match[str], rest: str, parts: tuple[Intent, ...], lexicon: Lexicon, names: NameIndex
) -> bool:
    """Whether what ``asked`` (an :data:`_ALIKE` match of ``rest``) asks more of is a thing,
    not music: "more of that cake" (the words after a bare "that" up to one that leaves it
    alone), "more videos like this one" (the words between "more" and "like"), "we've got one
    like it" (an object owned). Words for music, a genre, a mood or an occasion, or a library
    name (in ``names``, or read in ``parts``) name music."""
    if _OWNED.search(rest):
        return True
    words = asked.group().split()
    if words[:2] == ["more", "of"] and words[-1] in _BARE:
        named = []
        for word in rest[asked.end() :].split()[:4]:
            if word in _ALONE_AFTER:
                break
            named.append(word)
    elif words[0] == "more" and "like" in words:
        named = [word for word in words[1 : words.index("like")] if word not in _FILLING]
    else:
        return False
    thing = " ".join(named)
    if not named or _MUSIC_WORDS & set(named) or set(named) & REFINE_WORDS.keys():
        return False
    if lexicon.scan(thing, SCANNED_LISTS, False) or lexicon.names_in(names, thing):
        return False
    return not any(key in part.slots for part in parts for key in _NAMES)


def _asks_alike(rest: str) -> bool:
    """Whether a request for more like something heard in ``rest`` is asked: said first, after
    words that ask (:data:`_ASKING`), or right after another ("a song a lot like this, more of
    that sort please")."""
    end = 0
    for asked in _ALIKE.finditer(rest):
        before = rest[: asked.start()]
        if _ASKING.search(before) or (end and not before[end:].strip(" ,.")):
            return True
        end = asked.end()
    return False


def _unasked(found: Intent, said: str) -> Intent:
    """``found`` without the "more like" its parts were read as: nothing when that was all."""
    kept = [dataclasses.replace(part, also=()) for part in found.each() if part.name != "more_like"]
    if not kept:
        return Intent("unknown", {}, said)
    return dataclasses.replace(kept[0], also=tuple(kept[1:]))


def asked_alike(found: Intent, said: str, lexicon: Lexicon, names: NameIndex) -> Intent:
    """ "Play more of the disco ones", "something like the trumpet one from last week", "more
    rock like that" (``said``, the whole utterance): more like music heard (``more_like``), of
    the style or artist named when one is (the genres ``lexicon`` finds), however the parts were
    read: a play of the style, nothing, a count ("more of those") or a liking of "like that
    one". "That's more like it" said with it stays praise; a question ("how many like that") or
    any other request keeps its reading, and so does a play of a style named after "that"
    ("more of that reggae"). More of a thing that is not music ("any more of that cake", "more
    videos like this one", "we've got one like it") is no "more like", however it was read."""
    parts = found.each()
    text = _O.sub("of", _WON.sub("the one", said))
    rest = _APPROVAL.sub(" ", text)
    asked = _ALIKE.search(rest)
    if asked is not None and (
        _a_thing(asked, rest, parts, lexicon, names) or _REFUSED.search(rest[: asked.end()])
    ):
        return _unasked(found, said)
    if asked is not None and found.name == "unknown" and not _asks_alike(rest):
        return found  # "my mum loves music like this": told, not asked
    if (
        asked is None
        or any(part.name not in _READ_AS for part in parts)
        or all(part.name == "like" for part in parts)
        or _QUESTION.search(text)
    ):
        return found

    def genres(words: str) -> dict[str, Slot]:
        return lexicon.scan(words, ("genre",), False)

    pointer, after = asked.group().split()[-1], rest[asked.end() :].split()[:2]
    if pointer in _BARE and after and genres(" ".join(after)):
        return found  # "more of that reggae": a play of the style it names
    if found.name == "more_like" and not found.also:  # read so: with the style it names
        return found if found.slots else dataclasses.replace(found, slots=genres(asked.group()))
    slots: dict[str, Slot] = {}
    for part in parts:
        if part.name == "play":
            slots.update({k: v for k, v in part.slots.items() if k in _ALIKE_SLOTS})
    if not slots:  # the style said in the asking ("more rock like that"), not in a story
        slots = genres(asked.group())
    confidence = min([part.confidence for part in parts] + [LOOSE])
    alike = Intent("more_like", slots, said, confidence=confidence)
    kept: list[Intent] = []
    for part in parts:  # a liking said ("i love this, more of those") is kept, in its place
        if part.name == "like" and not _COMPARED.match(part.text):
            kept.append(dataclasses.replace(part, also=()))
        elif alike not in kept:
            kept.append(alike)
    return dataclasses.replace(kept[0], also=tuple(kept[1:]))

"""Understanding: one utterance from the recogniser in, its intents with their slots out.

The recogniser hands over lower-case words with its usual slips ("play sum jazz", "skip this
son", "miles davies"); Whisper hands over written English ("Set the volume to 30."). Both are
normalised alike (appliance.dj.understand_text), then tried in turn, each step only when the one
before found nothing:

1. the hassil sentence templates in ``sentences/en.yaml``, with genres, moods, activities, volume
   levels and library names as lists (confidence 1), their slots filled by
   appliance.dj.understand_slots;
2. the same with each unknown word mended to the nearest known word ("jaz" -> "jazz");
3. several requests in one breath ("i hate this, next"; "play some rock and some jazz"): the
   utterance cut at commas and at "and", "then", "also", each part understood on its own
   (appliance.dj.understand_several);
4. looser templates where a name is free text, looked up in the library by near miss (a search
   pointing at what plays in the DJ's own words, "play that same song once again", gives way to
   the model's reading when that is another request);
5. the model (appliance.dj.understand_guess): the intent of the closest example sentences
   (template expansions, paraphrases, and what people were heard saying in
   ``sentences/learned.tsv``), with slots taken from the genres, moods, activities, numbers and
   names the words mention, or else from what the closest example means unsaid; a statement of
   how one feels, of a taste, or of what one thinks of the DJ (appliance.dj.understand_told);
6. the words without what is said around a request (appliance.dj.understand_tidy: "so er yeah",
   "bruv", "or whatever"), through the templates again.

A question asked again ("what did you say it was called") goes through these steps as it was
asked first ("what was it called"), a little less sure.

What none of them understands confidently is ``unknown``: the DJ answers it as chat, never as a
wild guess. So is what a template reads as a request but asks nothing (a request taken back or
cut off, a caller asking to be heard: appliance.dj.understand_unasked), and an indirect question
and nothing else read as an act ("do you know what you could skip"). Results are cached per
normalised text, so a repeated command costs a dict lookup.

Several intents in one utterance come back as the first :class:`Intent` with the others in
``also``, in the order said; several values of one slot ("rock and jazz") as a tuple
(appliance.dj.understand_intent). What the understanding accepts goes to the recognisers as
sentences, a grammar and words (appliance.dj.understand_sentences); the words and lists every
step looks values up in are one :class:`~appliance.dj.understand_lexicon.Lexicon`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hassil import TextSlotList, TextSlotValue
from hassil.expression import TextChunk

from appliance.dj import understand_sentences
from appliance.dj.understand_guess import ADDRESS, Model, ModelStep
from appliance.dj.understand_intent import (
    ACTIVITIES,
    COMMAND_INTENTS,
    INTENTS,
    MOODS,
    TALK_INTENTS,
    TEMPLATE_INTENTS,
    Intent,
    Slot,
    Vocabulary,
    copy_intent,
)
from appliance.dj.understand_learned import LEARNED_FILE, load_learned
from appliance.dj.understand_lexicon import Lexicon
from appliance.dj.understand_match import TemplateMatcher
from appliance.dj.understand_names import KINDS, NameIndex, WordCorrector
from appliance.dj.understand_negation import (
    asked_after_someone_else,
    asked_for_time,
    changed_to,
    known_apart,
    not_done,
    not_known,
    said_before_left_out,
    who_is_named,
)
from appliance.dj.understand_opinion import of_the_music, opinion_reader
from appliance.dj.understand_others import asked_for_someone, asks_about_others, relayed
from appliance.dj.understand_refer import (
    after_the_ask,
    asked_again,
    asked_alike,
    like_this,
    referred,
)
from appliance.dj.understand_several import Readers, several
from appliance.dj.understand_slots import Candidate, as_said, described, ended, reading
from appliance.dj.understand_templates import (
    PARAPHRASE_LISTS,
    SENTENCES_FILE,
    Templates,
    load_templates,
)
from appliance.dj.understand_text import NUMBER_WORDS, Normaliser, dropped_g
from appliance.dj.understand_tidy import (
    ASKED_WORDS,
    OPENERS,
    asked_first,
    asked_plainly,
    only_asked,
    strip_phrases,
    tidy,
)
from appliance.dj.understand_told import (
    STATEMENT_STARTS,
    about_the_dj,
    hello_apart,
    not_added_when_forgotten,
    small_talk_told,
    statement,
    taste_to_keep,
    taste_told,
)
from appliance.dj.understand_unasked import asks_nothing
from appliance.grammar import Grammar
from appliance.library.genres import GenreMap, default_genres

__all__ = [
    "ACTIVITIES",
    "COMMAND_INTENTS",
    "INTENTS",
    "MAX_WORDS",
    "MOODS",
    "TALK_INTENTS",
    "TEMPLATE_INTENTS",
    "Intent",
    "Slot",
    "Understanding",
    "Vocabulary",
]

log = logging.getLogger(__name__)

CACHE_SIZE = 1024
"""Normalised utterances whose intent is kept; people repeat "skip" and "louder" a lot."""

MAX_WORDS = 40
"""Longer than this is not a command to a DJ (a recogniser running on, a pasted text): unknown."""

MENDED_CONFIDENCE = 0.85
"""How sure a template match is once words had to be mended to match ("jaz" -> "jazz")."""

LOOSE_CONFIDENCE = 0.8
"""How sure a match of the loose templates is (a name found by near miss, or not at all)."""

ACTING = frozenset(
    {"play", "skip", "like", "dislike", "replay", "pause", "resume", "stop", "volume_up"}
    | {"volume_down", "set_volume", "mood", "add_preference", "remove_preference"}
    | {"forget_preference", "identify", "correct", "refine", "room"}
)
"""Requests that change what plays or what is kept: never what a question asks."""

RELAYED = frozenset(
    {"play", "skip", "replay", "pause", "resume", "stop", "volume_up", "volume_down"}
    | {"set_volume", "mood"}
)
"""Requests someone else's words may pass on: to the music now, never to what is kept."""

LEVEL_VERBS = ("turn", "put", "set")
"""Verbs a level someone else wants is asked for with ("the volume at sixty": "set ...")."""
LEVELS = frozenset({"volume_up", "volume_down", "set_volume"})

TIDIED_CONFIDENCE = 0.85
"""How sure a request is that was understood only once the words around it were taken out."""

WRAPPED_WORDS = 6
"""From this many words, a request may be what the end of the utterance says."""

WRAP_BREAKS = frozenset(
    {"so", "but", "and", "just", "anyway", "now", "then", "well", "okay", "right"}
)
"""Words after which the request at the end of a longer utterance may begin."""

WRAPPED_CONFIDENCE = 0.75
"""How sure a request is that was found only at the end of a longer utterance."""

AFTER_WHY = frozenset({"volume_down", "volume_up", "set_volume", "pause", "skip", "stop"})
"""Requests to the player said after why with no pause between ("the shop's heaving turn it
up", "she's back turn it down quick")."""

AFTER_WHY_VERBS = frozenset({"turn", "skip", "stop", "pause", "mute", "crank", "lower"})
"""Verbs such a request begins with, after why (not "louder": "the foghorn's louder than you"
is no request)."""

NOT_BEFORE_REQUEST = frozenset(
    {"to", "you", "i", "we", "they", "he", "she", "me", "him", "her", "us", "them", "not"}
    | {"don't", "didn't", "can't", "won't", "never", "can", "could", "would", "will", "should"}
    | {"must", "let", "said", "says", "say", "told", "tells", "asked", "and", "or", "the", "a"}
)
"""Words after which a request's verb is no request to the player ("he wants me to turn it
up", "why did you turn it off", "she said turn it down"): someone's doing or a tale."""

AFTER_WHY_WORDS = 5
"""At most this many words ask a request said after why."""

ASKED_FIRST = frozenset({"volume_down", "volume_up", "pause", "replay", "mood"})
"""Requests said in a few words and then a reason ("quieter, gran's asleep"), and how one feels
and then why ("i'm fuming, the plumber's let me down"); not a skip, which "pass" asks in more
talk than requests."""

ASIDE_AFTER = frozenset(
    {"volume_up", "volume_down", "set_volume", "pause", "resume", "skip", "stop"}
    | {"add_preference", "remove_preference"}
)
"""Requests said whole and then followed by words to someone else or a reason: what one tells
a player to do, and a taste of music named ("no more country it's driving me mad"), not what
one thinks of the track (talk such as "i love this, it was our song" is as often said to
others)."""

TURNED_DOWN = frozenset({"deny", "dislike"})
"""Turning the track down ("not that one"), said whole before why when the why is of the
track ("not that one, that's too jolly for a storm")."""

OF_THE_TRACK = frozenset(
    {"that's", "it's", "this", "it", "too", "cos", "because", "they're", "we're"}
)
"""Words a why of the track begins with, or of whom it does not suit ("not that one they're
wanting something to dance to"); "not that one, the blue one" is said to a person."""

ASIDE_NOT_AFTER = frozenset({"stop it", "stop that", "stop this", "go on", "carry on"})
"""Openings said to people as often as to the player ("stop it, you two", "go on then")."""

ASIDE_NEVER_STARTS = frozenset(
    {"to", "and", "an", "then", "of", "when", "whenever", "if", "unless", "once", "or"}
    | {"what", "what's", "who", "who's", "where", "why", "how", "which", "whose"}
)
"""Words that carry a request on (a level, a second request, a when) or ask a question."""

PEOPLE_ADDRESSED = frozenset(
    {"two", "three", "lot", "guys", "kids", "lads", "boys", "girls", "pair", "both", "all"}
    | {"children", "people", "ladies", "gents", "folks", "monkeys", "horrors"}
)
"""After "you": people in the room told off or called, not the player ("you two", "you lot")."""

PURPOSE_STARTS = frozenset({"for", "cos", "because", "cause", "till", "until", "while"})
"""Words a reason or an occasion begins with, whatever it names ("... for the dancing")."""

OBJECT_STARTS = frozenset(
    {"the", "a", "an", "my", "your", "his", "her", "our", "their", "me", "us", "him", "them"}
    | {"some", "those", "these"}
)
"""Words an object begins with: after an opening with no object of its own, what it acts on."""

ASIDE_OBJECTS = frozenset(
    {"it", "this", "that", "music", "song", "track", "tune", "one", "volume", "sound"}
    | {"radio", "record", "noise", "stuff", "louder", "quieter", "loud", "quiet"}
)
"""Words that show an opening already names what it acts on ("turn it down, the drill ...")."""

SAID_AFTER_FOR_SOMEONE = PURPOSE_STARTS | frozenset(
    {"if", "please", "it's", "can", "could", "would", "all", "now", "again", "thanks", "as"}
)
"""Words that begin what is said after someone else's request ("... some gospel, if it's no
trouble"): the request is the words before."""

KNOWN_MUSIC = frozenset({"genre", "mood", "activity", *KINDS})
"""The slots of music the DJ knows (a library name or a list's value), not words to search:
what a request said for someone else, or before whom it is for, may name."""

PLAYED_FOR = PURPOSE_STARTS | frozenset({"to", "before", "during", "so"})
"""Words that begin whom or what music asked for is for ("something calm for the kennel")."""

ASIDE_FIRST_WORDS = 5
"""At most this many words open an utterance as a whole request before an aside."""

FIRST_WORDS = 4
"""At most this many words open an utterance as a request said before its reason."""

INTRODUCED_WORDS = 6
"""At most this many words say who speaks before a request ("morning, it's miss hyacinth")."""

INTRODUCED_ENDS = frozenset({"here", "again", "speaking"})
"""Words that end saying who speaks without a pause after it ("steve here turn it down")."""

REASON_STARTS = frozenset(
    {"i", "i'm", "i've", "i'd", "we", "we're", "we've", "she", "he", "they", "they're", "you"}
    | {"it's", "that's", "there's", "my", "our", "his", "her", "their", "somebody"}
    | {"someone", "everyone", "cos", "because", "cause", "as", "so", "too"}
)
"""Words a reason said after a request may begin with, when no pause parts them."""

ASKED_ALONE = frozenset({"louder", "quieter", "softer", "pause", "stop"})
"""The one-word requests a reason may follow with no pause ("louder she's on the phone"); any
other word alone must be followed by a pause to be one ("again, i missed it", not "again i
forgot my keys" or "up you get")."""

NAMED = frozenset({"artist", "album", "title", "query"})
"""Slots that name music: a play that names some is a search, whatever else it says."""

POINTING = frozenset({"it", "that", "this", "it's", "that's"})
"""Words a search may start with that point at what plays ("play it louder")."""

FOLLOW_ON_WORDS = frozenset({"and", "so", "but"})
"""Words a turn carrying on from the last may open with, before what it asks."""

SO_SAID_OF = frozenset(
    {"quiet", "loud", "noisy", "slow", "fast", "soft", "calm", "peaceful", "good", "bad"}
    | {"boring", "nice", "lovely", "sad", "happy", "sleepy", "tired", "chill", "relaxing", "low"}
)
"""Words "so" says how much of, not what follows on ("so quiet": a remark, not "quiet")."""

_CLAUSE_BREAK = re.compile(r"[,;.!?:]+(?:\s|$)")


@dataclass(frozen=True)
class _Built:
    """What reading a library's names takes, built from the templates, their lists and the
    names: the same for every understanding of the same (a tenth of a second per matcher)."""

    names: NameIndex
    matcher: TemplateMatcher
    fallback: TemplateMatcher
    corrector: WordCorrector


_BUILT_LOCK = threading.Lock()
_built_last: tuple[Hashable, _Built] | None = None
"""The last built, kept: an understanding built again for the same names (the DJ's, then a
command's; a rescan that found the same music) builds nothing."""
_built_alive: weakref.WeakValueDictionary[Hashable, _Built] = weakref.WeakValueDictionary()
"""Every one some understanding still uses (no more memory than they hold already)."""


@dataclass
class _State:
    """Everything that depends on the library; swapped whole when the library changes."""

    built: _Built
    cache: OrderedDict[str, Intent] = field(default_factory=OrderedDict)
    examples: list[tuple[str, str]] | None = None


def _asked_as_an_act(plain: str, found: Intent) -> bool:
    """A question asked indirectly ("tell me what you know about me") read as asked plainly is
    still a question: a reading that acts (a play, a skip) is not what it asks."""
    return plain.split()[0] in ASKED_WORDS and found.name in ACTING


def _so_said_of(text: str, tidied: str) -> bool:
    """Whether tidying took away the "so" that says how much of a word ("so quiet"): a remark,
    which the word alone ("quiet") is not."""
    words = text.split()
    return any(
        words[at] == "so" and words[at + 1] in SO_SAID_OF and f"so {words[at + 1]}" not in tidied
        for at in range(len(words) - 1)
    )


def _an_aside(opening: list[str], after: list[str], named: bool = False) -> bool:
    """Whether ``after`` is said beside the request ``opening`` rather than part of it: not a
    level or an object it goes on to ("turn it up to a hundred", "can you pass the salt", "turn
    up the heating"), not a when or a question ("turn it down when the neighbours knock", "hang
    on what was i"), and not said to children ("stop it, you two"). ``named``: the request
    names what it is of ("no more jazz the kids hate it"), so what follows is no object of it."""
    first = after[0]
    if " ".join(opening) in ASIDE_NOT_AFTER or first in ASIDE_NEVER_STARTS:
        return False
    if first in NUMBER_WORDS or (first.endswith("ing") and len(first) > 4):
        return False  # "put it on twenty too", "stop suggesting trance"
    if first == "you" and len(after) > 1 and after[1] in PEOPLE_ADDRESSED:
        return False  # "pause it, you lot"
    return named or first not in OBJECT_STARTS or bool(ASIDE_OBJECTS & set(opening))


def _followed_up(found: Intent) -> Intent:
    """A play whose only "name" points at what was played ("that one again", "the one
    before"), or that names nothing but asks for "something like this", is that follow-up
    (appliance.dj.understand_refer), never a search."""
    query = found.slots.get("query")
    if found.name != "play" or NAMED & found.slots.keys() - {"query"}:
        return found
    if isinstance(query, str) and set(found.slots) == {"query"}:
        # the template may have taken the words that point: "spin the track" + "before this"
        meant = referred(query) or referred(after_the_ask(found.text))
    else:  # the words it mentions read as a genre or a mood: "the one with the piano"
        meant = referred(after_the_ask(found.text))
        if meant in (None, "more_like"):  # "bebop, anything like that": a play of bebop
            meant = "more_like" if not found.slots and like_this(found.text) else None
    if meant is None:
        return found
    return Intent(meant, {}, found.text, confidence=min(found.confidence, LOOSE_CONFIDENCE))


class Understanding:
    """Turns recognised text into an :class:`Intent`; build once, then call :meth:`parse`."""

    def __init__(
        self,
        genres: GenreMap | None = None,
        vocabulary: Vocabulary | None = None,
        *,
        sentences_file: Path | None = None,
        cache_size: int = CACHE_SIZE,
        learned_file: Path | None = None,
    ) -> None:
        self._genres = genres or default_genres()
        self._cache_size = max(0, cache_size)
        self._templates: Templates = load_templates(
            Path(sentences_file or SENTENCES_FILE), TEMPLATE_INTENTS, MOODS, ACTIVITIES
        )
        self._learned = load_learned(
            Path(learned_file or LEARNED_FILE),
            INTENTS,
            PARAPHRASE_LISTS,
            {"genre": self._genres.names(), "mood": MOODS, "activity": ACTIVITIES},
        )
        self._normalise = Normaliser(
            {**dropped_g(self._templates.words), **self._templates.respellings},
            self._templates.slips,
            self._templates.number_slips,
        )
        self.lexicon = Lexicon(self._templates, self._learned, self._genres, self._normalise)
        """The known words and value lists."""
        self._model_step = ModelStep(self._templates, self._learned, self.lexicon)
        self._opinions = opinion_reader(self._templates.opinions)
        self._lexicon_key = (
            repr(
                sorted(
                    (name, sorted(map(repr, table.items())))
                    for name, table in self.lexicon.spoken.items()
                )
            ),
            self.lexicon.known_words,
        )
        self._lock = threading.Lock()
        self._vocabulary = vocabulary or Vocabulary()
        self._rooms: tuple[str, ...] = ()
        self._state = self._build_state(self._vocabulary)

    # -- the library -------------------------------------------------------------------------

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Use the library's current names (call when the library changed)."""
        with self._lock:
            self._vocabulary = vocabulary
        state = self._build_state(vocabulary)
        with self._lock:
            self._state = state

    def set_rooms(self, rooms: Sequence[str]) -> None:
        """Know the station's rooms by name ("the kitchen"), besides the common room words
        (call when the rooms changed; nothing is rebuilt when they did not)."""
        names = tuple(sorted({self._normalise(room) for room in rooms} - {""}))
        with self._lock:
            if names == self._rooms:
                return
            self._rooms = names
            vocabulary = self._vocabulary
        state = self._build_state(vocabulary)
        with self._lock:
            self._state = state

    def _room_list(self) -> dict[str, TextSlotList]:
        """{room}: the file's room words and the station's rooms (their names as said)."""
        written = self._templates.intents.slot_lists.get("room")
        if not self._rooms or not isinstance(written, TextSlotList):
            return {}
        known = {str(value.value_out) for value in written.values}
        values = list(written.values) + [
            TextSlotValue(text_in=TextChunk(name), value_out=name)
            for name in self._rooms
            if name not in known
        ]
        return {"room": TextSlotList(name="room", values=values)}

    def _build_state(self, vocabulary: Vocabulary) -> _State:
        global _built_last
        # the templates are read once per process and file (load_templates), so their identity
        # names them; the lists and words the lexicon adds depend on the genres and the learned
        # sentences too
        key = (id(self._templates), self._lexicon_key, vocabulary, self._rooms)
        with _BUILT_LOCK:
            built = _built_alive.get(key)
        if built is None:
            names = NameIndex(
                {
                    "artist": vocabulary.artists,
                    "album": vocabulary.albums,
                    "title": vocabulary.titles,
                },
                self._normalise,
            )
            lists = {**self.lexicon.fixed_lists, **names.slot_lists(), **self._room_list()}
            built = _Built(
                names=names,
                matcher=TemplateMatcher(self._templates.intents, lists),
                fallback=TemplateMatcher(self._templates.fallback, lists),
                corrector=WordCorrector(self.lexicon.known_words | names.words()),
            )
        with _BUILT_LOCK:
            _built_alive[key] = built
            _built_last = (key, built)
        return _State(built)

    # -- understanding -----------------------------------------------------------------------

    def parse(self, text: str) -> Intent:
        """The intent of one utterance; ``unknown`` for anything the DJ cannot act on."""
        understood = ""
        try:
            understood = self._normalise(text if isinstance(text, str) else str(text or ""))
            if not understood or understood.count(" ") >= MAX_WORDS:
                return Intent("unknown", {}, understood)
            key = understood
            if _CLAUSE_BREAK.search(text):  # commas may part two requests: keep them apart
                key = " , ".join(filter(None, map(self._normalise, _CLAUSE_BREAK.split(text))))
            state = self._state
            cached = state.cache.get(key)
            if cached is None:
                cached = self._understand(state, understood, key.split())
                if self._cache_size:
                    with self._lock:
                        state.cache[key] = cached
                        while len(state.cache) > self._cache_size:
                            state.cache.popitem(last=False)
            return copy_intent(cached)
        except Exception:  # a DJ that crashes on a sentence is worse than one that shrugs
            log.exception("could not understand %r", text)
            return Intent("unknown", {}, understood)

    def _understand(self, state: _State, text: str, marked: list[str]) -> Intent:
        """``marked``: the words with "," where the speaker paused (a comma in the text)."""
        marked = known_apart(marked)  # "i don't know this one skip it": the skip read apart
        found = not_added_when_forgotten(self._reading_of(state, text, marked))
        found = not_known(not_done(found, marked), marked)  # "don't stop": no stop
        found = asked_for_time(who_is_named(state.built.names, found))  # "it's raining now"
        found = asked_after_someone_else(found)  # "how are you getting home tonight"
        changed = changed_to(marked)  # "play jazz, no, play rock": the rock only
        if changed and found.name in ACTING:
            instead = not_done(self._reading_of(state, " ".join(changed), changed), changed)
            if instead.name == found.name and not instead.also:
                found = dataclasses.replace(instead, text=text)
        if asks_nothing(found, text):  # "play the, no, never mind": no request after all
            return Intent("unknown", {}, text)
        if only_asked(marked) and found.name in ACTING and not found.also:
            # "do you know what you could skip": no skip; but "i wonder what this is skip it"
            # is a question and then a request, read as two
            return Intent("unknown", {}, text)
        found = asked_alike(found, text, self.lexicon, state.built.names)
        first, *rest = (
            described(
                self.lexicon, _followed_up(ended(self.lexicon, state.built.names, part, marked))
            )
            for part in found.each()
        )
        found = asked_again(dataclasses.replace(first, also=tuple(rest)), text)
        before = said_before_left_out(found)  # "play miles davis but not kind of blue"
        if before is not None:
            kept = self._understand(state, " ".join(before), before) if before else found
            found = dataclasses.replace(
                found, slots=kept.slots if before and kept.name == "play" else {}
            )
        return found

    def _reading_of(self, state: _State, text: str, marked: list[str]) -> Intent:
        first = asked_first(text.split())
        if first != text.split():  # "what did you say it was called": asked again
            again = self._reading_of(state, " ".join(first), first)
            if again.name == "unknown":
                return Intent("unknown", {}, text)
            return dataclasses.replace(again, confidence=min(again.confidence, TIDIED_CONFIDENCE))
        found = self._exact(state, text)
        if found is not None:
            return self._told_apart(state, found, marked)
        found = self._followed_on(state, text)
        if found is not None:
            return found
        plain = " ".join(asked_plainly(text.split()))
        if plain != text:  # "i wonder who this is": as asked plainly, when a template knows it
            found = self._exact(state, plain)
            if found is not None and not _asked_as_an_act(plain, found):
                return dataclasses.replace(
                    found, text=text, confidence=min(found.confidence, TIDIED_CONFIDENCE)
                )
        found = self._introduced(state, marked) or self._several(state, marked)
        if found is not None:
            return hello_apart(self._name_not_cut(state, text, found))
        tidied = tidy(text)
        found = self._loose(state, text)
        if found is not None and "query" in found.slots and tidied and tidied != text:
            # "you've got that wrong by the way forget that i like ambient": a search of words
            # the library lacks is no request when the words that ask, tidied, are a template's
            asked = self._exact(state, tidied)
            if asked is not None:
                return dataclasses.replace(
                    asked, confidence=min(asked.confidence, TIDIED_CONFIDENCE)
                )
        if found is not None and self._dj_words_only(found):
            # "play that first one again": a search made only of the DJ's own words is more
            # likely what those words ask, when the model reads them as another request
            guess = self._guess(state, text)
            if guess is not None and guess.name not in ("play", "unknown"):
                return guess
        if found is None and asks_about_others(text):  # before the model: "what do the
            # other crews listen to" is no question about one's own likes
            found = Intent("community", {}, text, confidence=TIDIED_CONFIDENCE)
        found = (
            found
            or of_the_music(self._guessed_unless_only_asked(state, text, marked), text)
            or about_the_dj(text)
            or taste_told(self.lexicon, state.built.names, text)
            or taste_to_keep(self.lexicon, state.built.names, text)
        )
        if found is not None:
            return hello_apart(found)
        # said around a request ("so er yeah can you play something"): the words that ask, if
        # a template knows them (the model has too few words left to go on)
        if (
            tidied
            and tidied != text
            and not set(text.split()) <= ADDRESS  # not "music box"
            and not _so_said_of(text, tidied)  # not "so quiet"
        ):
            found = (
                self._exact(state, tidied)
                or self._several(state, tidy(" ".join(marked)).split())
                or self._loose(state, tidied)
                or statement(self.lexicon, tidied)
            )
            if found is not None:
                return dataclasses.replace(
                    found, confidence=min(found.confidence, TIDIED_CONFIDENCE)
                )
        found = (
            self._of_others(state, text)
            or self._relayed(state, text, marked)
            or self._asked_last(state, marked)
            or self._asked_first(state, marked)
        )
        if found is None and plain != text:  # asked plainly, understood any other way
            found = self._reading_of(state, plain, plain.split())
            if found.name == "unknown" or _asked_as_an_act(plain, found):
                found = None  # not understood asked plainly either: as not understood at all
            else:
                confidence = min(found.confidence, TIDIED_CONFIDENCE)
                found = dataclasses.replace(found, text=text, confidence=confidence)
        # small talk known only by its opening or closing words, when no part was understood
        # any other way ("cheers er pause it" is a pause)
        return (
            found
            or small_talk_told(text)
            or self._asked_before_aside(state, marked)
            or self._played_for(state, marked)
            or self._asked_after_why(state, marked)
            or Intent("unknown", {}, text)
        )

    def _name_not_cut(self, state: _State, text: str, found: Intent) -> Intent:
        """Several requests read where the templates read one play of more library names ("play
        daft punk one more time", "play nina simone feeling good"): the play, not a replay or a
        mood that a name's words also say."""
        said = {kind for part in found.each() for kind in part.slots if kind in KINDS}
        if not said:
            return found
        whole = self._loose(state, text)
        if whole is None or whole.name != "play" or whole.also:
            return found
        return whole if len(set(whole.slots) & set(KINDS)) > len(said) else found

    def _followed_on(self, state: _State, text: str) -> Intent | None:
        """A turn that carries on from the last ("and what's next after this", "so who sings
        it"): what a template reads in the words after the joining word, before the model has
        a go at the whole (it weighs the "and" as much as the question)."""
        first, _, rest = text.partition(" ")
        if first not in FOLLOW_ON_WORDS or not rest or (first == "so" and rest in SO_SAID_OF):
            return None
        found = self._exact(state, rest)
        if found is None:  # a looser template, but only word for word (no name left open)
            found = self._loose(state, rest)
            if found is not None and found.confidence < 1.0:
                return None
        if found is None or found.name == "unknown":
            return None
        return dataclasses.replace(
            found, text=text, confidence=min(found.confidence, TIDIED_CONFIDENCE)
        )

    def _guessed_unless_only_asked(
        self, state: _State, text: str, marked: list[str]
    ) -> Intent | None:
        """The model's reading, unless it acts on words that only ask a question indirectly
        ("do you know what to play next" is no skip); a request said after the question ("i
        wonder what this is, skip it") still acts."""
        guess = self._guess(state, text, statement_too=True)
        if guess is not None and guess.name in ACTING and only_asked(marked):
            return None
        return guess

    def _dj_words_only(self, found: Intent) -> bool:
        """A play of a search that points at what plays ("it", "that", "this") and whose every
        word is one the DJ's sentences use ("that first one again"): not a name the library
        lacks ("florence and the machine"), nor one misheard ("kind of louder")."""
        query = found.slots.get("query")
        if found.name != "play" or not isinstance(query, str):
            return False
        words = query.split()
        return words[0] in POINTING and all(word in self.lexicon.words for word in words)

    def _introduced(self, state: _State, marked: list[str]) -> Intent | None:
        """Who speaks, then a request in any words the DJ reads whole ("steve here, turn it
        down, building control's on site", "mikko here. something calm for the sauna"): the
        speaker said first, then the rest understood as if said alone."""
        words = [word for word in marked if word != ","]
        paused = {at - marked[:at].count(",") for at, word in enumerate(marked) if word == ","}
        for size in range(min(INTRODUCED_WORDS, len(words) - 2), 0, -1):
            if size not in paused and words[size - 1] not in INTRODUCED_ENDS:
                continue
            start = size + sum(1 for at in paused if at < size)  # in ``marked``, its commas
            who = self._exact(state, " ".join(words[:size])) or self._several(state, marked[:start])
            if who is None or [p.name for p in who.each()][-1:] != ["identify"]:
                continue
            if any(part.name not in ("greet", "identify") for part in who.each()):
                continue
            rest = marked[start:]
            while rest[:1] == [","]:
                rest = rest[1:]
            asked = self._understand(state, " ".join(w for w in rest if w != ","), rest)
            if asked.name in ("unknown", "identify", "greet"):
                return None
            return dataclasses.replace(
                who,
                also=(*who.also, *asked.each()),
                confidence=min(who.confidence, asked.confidence),
            )
        return None

    def _asked_last(self, state: _State, marked: list[str]) -> Intent | None:
        """A request said at the end of a story ("i was reading about how music helps you
        sleep, so maybe something for sleeping"): the longest ending after a pause or a joining
        word that a template reads, less sure."""
        words = [word for word in marked if word != ","]
        if len(words) < WRAPPED_WORDS:
            return None
        starts = [
            index + 1 for index, word in enumerate(marked) if word == "," or word in WRAP_BREAKS
        ]
        for start in starts:
            ending = " ".join(word for word in marked[start:] if word != ",")
            if ending.count(" ") < 1:
                continue
            found = self._exact(state, ending)
            if found is not None and found.name != "unknown":
                return dataclasses.replace(
                    found, confidence=min(found.confidence, WRAPPED_CONFIDENCE)
                )
        return None

    def _asked_after_why(self, state: _State, marked: list[str]) -> Intent | None:
        """Why, then a short request to the player with no pause between ("the shop's heaving
        turn it up", "she's back turn it down quick"): the longest ending of a few words that
        starts with a request's verb and is understood alone as one of :data:`AFTER_WHY`,
        less sure."""
        words = [word for word in marked if word != ","]
        for start in range(max(2, len(words) - AFTER_WHY_WORDS), len(words) - 1):
            if words[start] not in AFTER_WHY_VERBS or words[start - 1] in NOT_BEFORE_REQUEST:
                continue
            rest = words[start:]
            found = self._reading_of(state, " ".join(rest), rest)
            if found.name in AFTER_WHY and not found.also:
                return dataclasses.replace(
                    found,
                    text=" ".join(words),
                    confidence=min(found.confidence, WRAPPED_CONFIDENCE),
                )
        return None

    def _asked_first(self, state: _State, marked: list[str]) -> Intent | None:
        """A short request, then why ("quieter, gran's asleep", "lower it she's on the phone"):
        the longest opening of a few words a template reads as one of :data:`ASKED_FIRST`,
        less sure."""
        words = [word for word in marked if word != ","]
        paused = {at - marked[:at].count(",") for at, word in enumerate(marked) if word == ","}
        for size in range(min(FIRST_WORDS, len(words) - 2), 0, -1):
            why = words[size]
            if size not in paused and (
                (size == 1 and words[0] not in ASKED_ALONE)
                or (why not in REASON_STARTS and not why.endswith("'s"))
            ):
                continue  # "louder than bombs is my favourite album": no request then a reason
            found = self._exact(state, " ".join(words[:size]))
            if found is not None and found.name in ASKED_FIRST and not found.also:
                return dataclasses.replace(
                    found,
                    text=" ".join(words),
                    confidence=min(found.confidence, WRAPPED_CONFIDENCE),
                )
        return None

    def _asked_before_aside(self, state: _State, marked: list[str]) -> Intent | None:
        """A whole request of a few words, then words for someone else or about why ("turn it
        up kasia", "next song butt", "turn the music up for the chorus", "skip this one we
        don't like the intro"): the longest opening a template reads as one of
        :data:`ASIDE_AFTER`, when what follows asks nothing itself; as sure as a request with
        words taken out around it, so a skip or a stop heard less than surely is asked about."""
        words = [word for word in marked if word != ","]
        plain = strip_phrases(words, OPENERS, front=True)
        if plain[:1] == ["not"]:  # "no no, not this one, it's far too jumpy"
            words = plain
        for size in range(min(ASIDE_FIRST_WORDS, len(words) - 1), 1, -1):
            found = self._exact(state, " ".join(words[:size]))
            if found is None or found.also:
                continue
            turned_down = found.name in TURNED_DOWN and words[size] in OF_THE_TRACK
            if found.name not in ASIDE_AFTER and not turned_down:
                continue
            opening, after = words[:size], words[size:]
            if not _an_aside(opening, after, bool(found.slots)):
                return None
            rest = " ".join(after)
            said = self._exact(state, rest) or self._loose(state, rest)
            if said is not None and said.name in ACTING and said.name != found.name:
                return None  # two requests the readers of several did not part: not an aside
            if said is None and after[0] not in PURPOSE_STARTS:
                guess = self._guess(state, rest)
                if guess is not None and guess.name == "play":
                    return None  # a request to play said after ("hold on, stick something on")
            return dataclasses.replace(
                found, text=" ".join(words), confidence=min(found.confidence, TIDIED_CONFIDENCE)
            )
        return None

    def _of_others(self, state: _State, text: str) -> Intent | None:
        """Someone else's request, said of them (appliance.dj.understand_others), read as if
        they had said it, when it names music the DJ knows ("rosa wants some soul"; not "she
        wants a cup of tea") or a level ("kelvin wants it quieter"), maybe with a reason or a
        "please" after it. (Someone else's liking is not taken here: told alone it is talk;
        with the DJ asked to keep it, understand_told.taste_to_keep reads it.)"""
        words = (asked_for_someone(text) or "").split()
        for size in range(len(words), 0, -1):
            if size < len(words) and words[size] not in SAID_AFTER_FOR_SOMEONE:
                continue
            asked = " ".join(words[:size])
            found = self._exact(state, "play " + asked)
            if (
                found is not None
                and found.name == "play"
                and not found.also
                and found.slots
                and set(found.slots) <= KNOWN_MUSIC
            ):
                return dataclasses.replace(found, text=text, confidence=TIDIED_CONFIDENCE)
            for verb in LEVEL_VERBS:  # "kelvin wants the volume at sixty", "... it quieter"
                found = self._exact(state, f"{verb} {asked}")
                if found is not None and found.name in LEVELS and not found.also:
                    return dataclasses.replace(found, text=text, confidence=TIDIED_CONFIDENCE)
        return None

    def _relayed(self, state: _State, text: str, marked: list[str]) -> Intent | None:
        """Someone else's request to the music, passed on in their words ("kelvin says put on
        some reggae", "mum wants you to turn it down, the baby's asleep"): read as if they had
        said it, when a template reads the words passed on whole (up to a pause) as such a
        request. What they like or want kept is not taken: it would be kept as the listener's
        own."""
        said = relayed(" ".join(marked))
        if said is None:
            return None
        words = " ".join(said.split(" , ")[0].replace(",", " ").split())  # not the reason after
        found = self._exact(state, words)  # word for word: "he says play is good for kids"
        if found is None or any(
            part.name not in RELAYED or not set(part.slots) <= KNOWN_MUSIC | {"level"}
            for part in found.each()
        ):
            return None  # not "he says play is important" (no music the DJ knows)
        return dataclasses.replace(
            found, text=text, confidence=min(found.confidence, TIDIED_CONFIDENCE)
        )

    def _played_for(self, state: _State, marked: list[str]) -> Intent | None:
        """Music asked for, then whom or what it is for ("something calm for the kennel",
        "tango for the lady at table two", "something slow to end the night"): the longest
        opening a template reads as a play of music the DJ knows, with an occasion named after
        it kept; less sure, as a request with words taken out around it."""
        words = [word for word in marked if word != ","]
        for size in range(len(words) - 1, 0, -1):
            if words[size] not in PLAYED_FOR:
                continue
            found = self._exact(state, " ".join(words[:size]))
            if (
                found is None
                or found.name != "play"
                or found.also
                or not found.slots
                or not set(found.slots) <= KNOWN_MUSIC
            ):
                continue
            slots = dict(found.slots)
            if "activity" not in slots:
                slots.update(self.lexicon.scan(" ".join(words[size:]), ("activity",), False))
            return Intent(
                "play", slots, " ".join(words), confidence=min(found.confidence, TIDIED_CONFIDENCE)
            )
        return None

    def _told_apart(self, state: _State, found: Intent, marked: list[str]) -> Intent:
        """ "i'm cooking, put on some jazz": what one is doing, then a request, is two things
        said (the mood, and the music), though one template reads it whole; so is a hello
        with a name ("hi, i'm nina")."""
        words = found.text.split()
        if found.name == "identify":
            return hello_apart(found)
        if (
            found.name != "play"
            or not {"mood", "activity"} & found.slots.keys()
            or not words
            or words[0] not in STATEMENT_STARTS
        ):
            return found
        parts = self._several(state, marked, apart=True)
        if parts is None or [part.name for part in parts.each()] != ["mood", "play"]:
            return found
        return parts

    def _exact(self, state: _State, text: str) -> Intent | None:
        """The templates, word for word, then with unknown words mended."""
        best = self._best(state, state.built.matcher, text)
        if best is not None:
            return Intent(best.name, best.slots, text)
        corrected = " ".join(state.built.corrector.correct_all(text.split()))
        if corrected != text:
            best = self._best(state, state.built.matcher, corrected)
            if best is not None:
                return Intent(best.name, best.slots, corrected, confidence=MENDED_CONFIDENCE)
        return None

    def _loose(self, state: _State, text: str) -> Intent | None:
        """The fallback templates (names as free text), on the mended words (on the words as
        said first when a name is all they leave open: "i'm sam" is not "i'm same")."""
        corrected = " ".join(state.built.corrector.correct_all(text.split()))
        best = self._best(state, state.built.fallback, corrected)
        if corrected != text and (best is None or best.name == "identify"):
            heard = self._best(state, state.built.fallback, text)
            # a template's own words mended into others ("who composed it" is no "composer")
            if heard is not None and (best is None or heard.name == "identify"):
                best, corrected = heard, text
        if best is None:  # an opinion of the track in anyone's words ("this tune is pure mince")
            opinion = self._opinions.read(text)
            if opinion is None and corrected != text:
                opinion = self._opinions.read(corrected)
            if opinion is None:
                return None
            # read from phrases, not said as a template says it: as sure as a request with words
            # taken out around it, so a dislike heard less than surely is asked about first
            sure = LOOSE_CONFIDENCE if opinion.text != text else TIDIED_CONFIDENCE
            return dataclasses.replace(opinion, confidence=sure)
        if best.name == "correct" and set(best.slots) <= {"query"}:
            return None  # "no, i said hello to my neighbour": a correction names what it meant
        sure = best.rank[1] == 0 and corrected == text  # no free text, no word mended
        slots = dict(best.slots)
        for free in ("query", "name"):  # a search and a name are what was heard
            value = slots.get(free)
            if isinstance(value, str) and corrected != text:
                slots[free] = as_said(value, corrected.split(), text.split())
        if best.name == "identify" and not self.lexicon.person_name(str(slots.get("name", ""))):
            return None  # "i'm starving" mended to "i'm starting": a name only as heard
        return Intent(best.name, slots, corrected, confidence=1.0 if sure else LOOSE_CONFIDENCE)

    def _clause(self, state: _State, text: str) -> Intent | None:
        """One part of an utterance, understood on its own (None: not understood)."""
        if not text:
            return None
        return self._exact(state, text) or self._loose(state, text) or self._guess(state, text)

    def _several(self, state: _State, marked: list[str], apart: bool = False) -> Intent | None:
        """Several requests in one utterance (appliance.dj.understand_several), or None."""
        readers = Readers(
            exact=lambda text: self._exact(state, text),
            clause=lambda text: self._clause(state, text),
            plain=lambda text: state.built.matcher.variants(text)[0],
        )
        return several(self.lexicon, readers, marked, apart)

    def _guess(self, state: _State, text: str, statement_too: bool = False) -> Intent | None:
        """The model's intent, with slots from what the words mention; None when unsure.
        ``statement_too``: a statement about oneself ("just woke up") that the model does not
        take for talk or a request of its own sets the mood."""
        guess = self._model_step.guess(
            state.built.names, state.built.corrector, state.built.matcher.variants(text)
        )
        if not statement_too:
            return guess
        told = statement(self.lexicon, text)
        if told is not None and (guess is None or guess.name == "play"):
            return told
        return guess

    def _best(self, state: _State, matcher: TemplateMatcher, text: str) -> Candidate | None:
        """The best reading of ``text`` (without skip words first, then as said), if any."""
        for variant in matcher.variants(text):
            said = frozenset(variant.split())
            readings = (
                reading(self.lexicon, state.built.names, result, said)
                for result in matcher.recognize(variant)
            )
            best = min(
                (one for one in readings if one is not None),
                key=lambda one: one.rank,
                default=None,
            )
            if best is not None:
                return best
        return None

    # -- the model ---------------------------------------------------------------------------

    def warm(self) -> None:
        """Build the model now (at start-up), not on the listener's thread at the first
        sentence the templates miss (half a second)."""
        self._model()

    def _model(self) -> Model:
        return self._model_step.model()

    def training(self) -> list[tuple[str, str]]:
        """(intent, sentence) pairs the model learns from: random expansions of each template,
        each paraphrase and each learned sentence with its placeholders filled in."""
        return [(intent, text) for intent, text, _implied in self._model_step.examples()]

    # -- for the recognisers -----------------------------------------------------------------

    def sentences(self, limit: int | None = None) -> list[str]:
        """Example sentences of the templates with slot values filled in, for recogniser grammars.

        Every list value (genres, moods, activities, levels, library names) appears in at least
        one sentence. The plainest form of every template comes first and the sentences take
        turns across intents, so a short ``limit`` still covers every intent.
        """
        return [text for _intent, text in self.examples(limit)]

    def examples(self, limit: int | None = None) -> list[tuple[str, str]]:
        """:meth:`sentences` with the intent each came from: (intent, sentence) pairs."""
        state = self._state
        if state.examples is None:
            state.examples = understand_sentences.expand(
                self._templates, self.lexicon, state.built.names
            )
        return list(state.examples if limit is None else state.examples[: max(0, limit)])

    def grammar(self, names: Iterable[str] = ()) -> Grammar:
        """What the DJ understands as a compact grammar, for a recogniser; ``names``: people
        who may introduce themselves ("this is alex") besides a few common names."""
        return understand_sentences.grammar(
            self._templates, self.lexicon, self._genres, self._state.built.names, names
        )

    def vocabulary_words(self) -> list[str]:
        """Every word the appliance expects to hear, sorted: for recogniser grammars."""
        return understand_sentences.vocabulary_words(
            self._templates, self.lexicon, self._state.built.names
        )

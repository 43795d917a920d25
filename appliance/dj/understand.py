"""Understanding: one utterance from the recogniser in, its intents with their slots out.

The recogniser hands over lower-case words with its usual slips ("play sum jazz", "skip this
son", "miles davies"); Whisper hands over written English ("Set the volume to 30."). Both are
normalised alike (appliance.dj.understand_text), then tried in turn, each step only when the one
before found nothing:

1. the hassil sentence templates in ``sentences/en.yaml``, with genres, moods, activities, volume
   levels and library names as lists (confidence 1);
2. the same with each unknown word mended to the nearest known word ("jaz" -> "jazz");
3. several requests in one breath ("i hate this, next"; "play some rock and some jazz"): the
   utterance cut at commas and at "and", "then", "also", each part understood on its own;
4. looser templates where a name is free text, looked up in the library by near miss;
5. the model (appliance.dj.understand_model): the intent of the closest example sentences
   (template expansions, paraphrases, and what people were heard saying in
   ``sentences/learned.tsv``), with slots taken from the genres, moods, activities, numbers and
   names the words mention, or else from what the closest example means unsaid;
6. the words without what is said around a request (appliance.dj.understand_tidy: "so er yeah",
   "bruv", "or whatever"), through the templates again.

What none of them understands confidently is ``unknown``: the DJ answers it as chat, never as a
wild guess. Results are cached per normalised text, so a repeated command costs a dict lookup.

Several intents in one utterance come back as the first :class:`Intent` with the others in
``also``, in the order said; several values of one slot ("rock and jazz") as a tuple.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hassil import RecognizeResult, Sentence, TextSlotList, TextSlotValue
from hassil.expression import TextChunk

from appliance.dj.intents import IntentName
from appliance.dj.understand_grammar import LIST, build_grammar, convert
from appliance.dj.understand_learned import IMPLIED_SLOTS, LEARNED_FILE, load_learned
from appliance.dj.understand_match import RULE_LIST_PREFIX, TemplateMatcher
from appliance.dj.understand_model import Guess, NeighbourModel, word_features
from appliance.dj.understand_names import KINDS, NameIndex, WordCorrector
from appliance.dj.understand_templates import (
    PARAPHRASE_LISTS,
    SENTENCES_FILE,
    Expander,
    Templates,
    chunk_words,
    load_templates,
)
from appliance.dj.understand_text import Normaliser, number_words
from appliance.dj.understand_tidy import TAGS, tidy
from appliance.grammar import Alt, Grammar, Node, Ref, Seq, Words
from appliance.library.genres import GenreMap, default_genres

log = logging.getLogger(__name__)

MOODS: tuple[str, ...] = ("energetic", "happy", "calm", "sad", "focused", "romantic", "angry")
ACTIVITIES: tuple[str, ...] = (
    "workout",
    "running",
    "work",
    "study",
    "reading",
    "cooking",
    "dinner",
    "party",
    "relax",
    "sleep",
    "driving",
    "cleaning",
    "meditation",
    "morning",
)
INTENTS: tuple[str, ...] = tuple(IntentName)
TALK_INTENTS = frozenset(INTENTS[INTENTS.index("thanks") : INTENTS.index("unknown")])
"""Talk with the DJ rather than requests for music: questions, small talk, follow-ups."""

# What a listener says most (the music's controls): the recogniser's language model leans their way
COMMAND_INTENTS = (
    IntentName.PLAY, IntentName.SKIP, IntentName.LIKE, IntentName.DISLIKE, IntentName.REPLAY,
    IntentName.PAUSE, IntentName.RESUME, IntentName.STOP, IntentName.VOLUME_UP,
    IntentName.VOLUME_DOWN, IntentName.SET_VOLUME, IntentName.WHATS_PLAYING, IntentName.MOOD,
    IntentName.ADD_PREFERENCE,
)  # fmt: skip
COMMAND_WEIGHT = 3
TEMPLATE_INTENTS: tuple[str, ...] = tuple(name for name in INTENTS if name != "unknown")

CACHE_SIZE = 1024
"""Normalised utterances whose intent is kept; people repeat "skip" and "louder" a lot."""

MAX_WORDS = 40
"""Longer than this is not a command to a DJ (a recogniser running on, a pasted text): unknown."""

MAX_PERSON_NAME_WORDS = 3

NOT_NAMES = frozenset(
    {"home", "back", "here", "done", "ready", "fine", "okay", "good", "late", "early", "sorry"}
    | {"sure", "hungry", "starving", "cold", "hot", "freezing", "busy", "free", "awake", "up"}
    | {"out", "off", "in", "lost", "stuck", "finished", "leaving", "going", "coming", "sick"}
    | {"ill", "bored", "full", "thirsty", "confused", "alone", "outside", "inside", "upstairs"}
    | {"downstairs", "nobody", "someone", "everyone", "fed", "sorted", "noise", "mid", "it"}
)
"""Words said after "i'm" or "it's" that say how one is or what it is, never who."""
"""A listener's name ("this is alex", "mary jane here") is at most this many words."""

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

SCANNED_LISTS = ("genre", "mood", "activity")
"""Lists searched for in free text a play request left over ("play some jazz for grandma")."""

MENDED_CONFIDENCE = 0.85
"""How sure a template match is once words had to be mended to match ("jaz" -> "jazz")."""

LOOSE_CONFIDENCE = 0.8
"""How sure a match of the loose templates is (a name found by near miss, or not at all)."""

MODEL_FLOOR = 0.4
"""Below this similarity to its closest examples, the model's guess is not taken: unknown."""

UNKNOWN_WORD_FACTOR = 0.7
"""Each word the DJ has never heard of makes the model's guess this much less sure ("turn up the
heating" is not about the music)."""

IMPLIED_SIMILARITY = 0.5
"""How close the closest example must be for what it means unsaid to be taken."""

MODEL_MARGIN = 0.02
"""The model's intent must be at least this far ahead of the runner-up."""

TALK_SAMPLES = 1
"""The same for talk, whose many templates would otherwise crowd out the requests' examples
(household chatter drifted toward them)."""

LIGHT_INTENTS = frozenset({"refine", "room"})
"""Requests drawn from as sparingly as talk: their many templates with a few direction words
each would otherwise pull questions ("what can you play") toward them."""

MODEL_SAMPLES = 14
"""Random sentences drawn from each template to teach the model (plus every paraphrase)."""

LEARNED_DRAWS = 6
"""Sentences made from each paraphrase or learned sentence with placeholders, each with values
drawn at random."""

MAX_CUT_WORDS = 14
"""Up to this many words, an utterance may be cut anywhere when looking for several requests;
longer ones only at commas and joining words (the cuts to try grow with the square)."""

REASONS = frozenset(
    {"i'm", "we're", "i've", "we've", "so", "because", "cause", "cos", "while", "as", "since"}
    | {"someone's", "somebody's", "there's"}
)
"""Words that begin a reason given beside a request ("pause i'm on the phone")."""

REASON = "\x00reason"
"""Stands for a reason in a cut utterance; never an intent of its own."""

REASON_CONFIDENCE = 0.9
CONTRADICTING = frozenset(
    frozenset(pair)
    for pair in (
        ("volume_up", "volume_down"),
        ("stop", "volume_up"),
        ("pause", "volume_up"),
        ("pause", "resume"),
        ("stop", "resume"),
        ("like", "dislike"),
        ("skip", "replay"),
    )
)
"""Requests that undo each other: said in one breath ("quiet up": a stop and louder), they are
more likely a mishearing or talk than meant, so they are asked about, never acted on."""
CONTRADICTED_CONFIDENCE = 0.5
"""Below every bar of appliance.dj.confirm but the harmless one: each such request is asked."""

TIDIED_CONFIDENCE = 0.85
"""How sure a request is that was understood only once the words around it were taken out."""

STATEMENT_STARTS = frozenset({"i'm", "we're", "i've", "just", "feeling"})
"""How a statement about oneself begins; a past told ("we had", "i was") is not one."""

LOOSE_MOOD_WORDS = frozenset({"love", "good", "great", "fun", "amazing", "fantastic", "down"})
"""Mood words too common in other talk to set a mood from a statement on their own."""

ABOUT_THE_MUSIC = frozenset({"this", "that", "song", "track", "tune", "music"})
"""A statement with these words is about the music ("tired of this song"), not oneself."""

STATEMENT_CONFIDENCE = 0.7
"""How sure a mood is when only a mood or activity word said it."""
"""How sure a request is when it came with words understood only as a reason."""

TO_THE_DJ = frozenset({"you", "you're", "you've", "your", "you'll"})
"""How talk to the DJ about the DJ begins."""

DJ_WORK = frozenset({"dj", "picks", "pick", "choices", "selection", "taste", "playlist"})
"""Words that make a judgement about the DJ's work ("great selection today")."""

PRAISE = frozenset(
    {"good", "great", "best", "amazing", "awesome", "brilliant", "star", "legend", "genius"}
    | {"nice", "cool", "clever", "smart", "funny", "fantastic", "excellent", "wonderful"}
    | {"perfect", "rock", "talented", "superb", "lovely", "impressive", "spot", "nailed", "top"}
    | {"fire", "impressed", "genius", "killing"}
)
BLAME = frozenset(
    {"bad", "terrible", "awful", "useless", "rubbish", "worst", "boring", "annoying", "stupid"}
    | {"dumb", "hopeless", "wrong", "suck", "sucks", "lame", "crap", "pathetic", "poor"}
    | {"horrible", "clueless", "disappointing", "garbage", "trash", "worse", "disappointed"}
)
"""Words that judge, for :func:`_about_the_dj`."""

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

FORGET_WORDS = frozenset({"forget", "unlearn", "erase", "scrap", "forgot"})
"""Words that turn a liking said beside them into one to forget ("forget that i like jazz")."""

CONJUNCTIONS = frozenset({"and", "then", "also", "plus", "but", "or"})
"""Words that may join two requests ("pause and turn it down")."""

DESCRIBED = frozenset({"something", "anything", "me", "us", "music", "songs", "stuff"})
"""Free text after "play" that begins like this describes music rather than naming it."""

SEARCH_TAILS = frozenset({"songs", "song", "music", "tracks", "tunes", "stuff", "please"})
"""Words after a search text that say what kind of thing, not which."""

GREETINGS = frozenset({"hi", "hey", "hello", "hiya", "morning", "evening", "afternoon", "yo"})
"""Words a hello begins with: said before a name, a greeting of its own."""

GROANS = frozenset({"ugh", "ew", "yuck", "meh", "urgh", "argh", "eugh"})
"""A dislike said as a sound: dropped beside a request that says the dislike in words."""

VALUE_FILLERS = frozenset({"some", "a", "bit", "of", "little", "any", "more", "music", "too"})
"""Words around a bare value ("a bit of jazz too") that do not make it a request of its own."""

FILLER_TEXT = VALUE_FILLERS | {
    "again", "once", "one", "time", "it", "that", "this", "something", "anything", "please",
    "now", "then", "also", "instead", "the", "song", "track", "tune", "thing", "stuff",
}  # fmt: skip
"""Words that are never a search text on their own ("play again" is no search for "again")."""

HEDGES = FILLER_TEXT | {"kind", "sort", "very", "really", "quite", "pretty", "rather", "so"}
"""Words that only soften or stress: said alone ("sort of") they ask nothing."""

MERGED = frozenset({"play", "add_preference", "remove_preference", "mood"})
"""Intents whose repeats in one utterance are one request with several values ("play some rock
and some jazz")."""

NEEDS = {
    "set_volume": ("level",),
    "add_preference": ("genre", "artist"),
    "remove_preference": ("genre", "artist"),
    "forget_preference": ("genre", "artist"),
    "mood": ("mood", "activity"),
    "identify": ("name",),
    "correct": ("genre", "mood", "level", "artist", "album", "title"),
    "refine": ("side",),
    "room": ("change",),  # never found in the words: the model leaves rooms to the templates
}
"""Intents the model may only give with one of these slots found in the words."""

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

CUES = {
    "whats_playing": frozenset(
        {"song", "track", "tune", "playing", "this", "that", "it", "artist", "singer", "band"}
        | {"called", "name", "who", "who's", "album", "music", "singing", "sings", "sang"}
    ),
    "set_volume": frozenset(
        {"volume", "sound", "level", "loud", "louder", "quiet", "quieter", "turn", "crank"}
        | {"bump", "pump", "set"}
    ),
}
"""Intents the model may only give when the words hold one of these: asking what plays names
the music or asks who ("what's the level like" does neither); a level is for the sound ("my
phone's on twenty percent" is not)."""

ABOUT_SOMEONE_ELSE = frozenset(
    {"he", "she", "he's", "she's", "they", "they're", "they've", "his", "her", "their"}
    | {"he'll", "she'll", "they'll", "he'd", "she'd", "they'd", "them"}
)
"""Words a sentence about someone else begins with: never a request to the DJ, whatever
words it shares with one ("he's very much into punk these days")."""

SHORT_MODEL_FLOOR = 0.5
"""MODEL_FLOOR for two words: a short sentence shares its few words with many examples."""

SAID_AS_HEARD = 0.99
"""A single word the model takes only when an example is that word ("similar", heard said so
on its own); any other word alone is too little to go on."""

_CLAUSE_BREAK = re.compile(r"[,;.!?:]+(?:\s|$)")

Slot = str | int | tuple[str, ...]

COMMON_FRAMES = ("play some {}", "play {}", "put on some {}", "some {} please")
"""How the commonest request is said, for the recogniser's language model (one sample in
PARAPHRASE_SHARE + 1 is one of these, with a genre)."""

COMMON_LEVEL_FRAMES = ("set the volume to {}", "volume {}", "turn it to {}")
ROUND_LEVELS = range(10, 101, 10)
"""How a volume level is said most (for the recogniser's language model, as COMMON_FRAMES)."""

PARAPHRASE_SHARE = 8
"""One sentence in this many that the recogniser's language model learns from is a paraphrase
(more, and the commands the templates write are heard less surely: 'play some jazz' became
'play some nujazz' at one in four)."""

NAME_WORD = "xxname"
"""Stands for any library name in the model's example sentences."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_Found = TypeVar("_Found")
MODELS_KEPT = 4
"""Models kept for different templates or learned files (one, in the appliance)."""

_MODELS: dict[tuple[object, ...], _Model] = {}
_MODELS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Intent:
    """What one utterance asks for."""

    name: str
    """One of INTENTS."""
    slots: dict[str, Slot] = field(default_factory=dict)
    """Lower-case strings; set_volume's "level" is an int 0..100; several values of one slot
    ("rock and jazz") are a tuple of strings in the order said."""
    text: str = ""
    """The utterance as understood (normalised, slips mended)."""
    also: tuple[Intent, ...] = ()
    """Further requests said in the same breath, in order ("i hate this, next": dislike, then
    skip in ``also``)."""
    confidence: float = field(default=1.0, compare=False)
    """How sure the understanding is, 0..1: 1 for a template matched word for word, less for
    mended words, loose templates and the model's guesses."""

    def each(self) -> tuple[Intent, ...]:
        """This intent and those in ``also``, in the order said."""
        return (self, *self.also)

    def as_json(self) -> dict[str, Any]:
        """``{"intent": ..., "slots": {...}}``; several values of a slot are a list, and further
        requests of the same utterance come in ``"also"`` (a list of the same form)."""
        found: dict[str, Any] = {
            "intent": self.name,
            "slots": {k: list(v) if isinstance(v, tuple) else v for k, v in self.slots.items()},
        }
        if self.also:
            found["also"] = [intent.as_json() for intent in self.also]
        return found


@dataclass(frozen=True)
class Vocabulary:
    """Names from the music library, as the library spells them."""

    artists: tuple[str, ...] = ()
    albums: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    @classmethod
    def of(cls, library: Any) -> Vocabulary:
        """The names in ``library`` (an :class:`appliance.library.Library`)."""
        return cls(
            artists=tuple(library.artists()),
            albums=tuple(library.albums()),
            titles=tuple(library.titles()),
        )


@dataclass(frozen=True)
class _Candidate:
    """One reading of an utterance, with what makes it better or worse than another."""

    name: str
    slots: dict[str, Slot]
    rank: tuple[float, ...]


@dataclass(frozen=True)
class _Model:
    """The model with what each of its examples means without saying it."""

    neighbours: NeighbourModel
    implied: tuple[dict[str, str], ...]


@dataclass
class _State:
    """Everything that depends on the library; swapped whole when the library changes."""

    names: NameIndex
    matcher: TemplateMatcher
    fallback: TemplateMatcher
    corrector: WordCorrector
    cache: OrderedDict[str, Intent] = field(default_factory=OrderedDict)
    examples: list[tuple[str, str]] | None = None


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
            self._templates.respellings, self._templates.slips, self._templates.number_slips
        )
        self._fixed_lists = {
            "genre": self._genre_list(),
            "level": self._level_list(),
        }
        self._file_lists = {
            name: slot_list
            for name, slot_list in self._templates.intents.slot_lists.items()
            if isinstance(slot_list, TextSlotList)
        }
        self._spoken = {
            name: {_text_in(value): value.value_out for value in slot_list.values}
            for name, slot_list in {**self._file_lists, **self._fixed_lists}.items()
        }
        self._words = (
            self._templates.words
            | {word for table in self._spoken.values() for key in table for word in key.split()}
        ) - {""}
        self._first_words = {
            slot: frozenset(key.split()[0] for key in table if key)
            for slot, table in self._spoken.items()
        }
        """Per list, the words its phrases begin with (the rest need no look-up)."""
        self._heard_words = frozenset(
            word
            for line in self._learned.lines
            for word in _PLACEHOLDER.sub(" ", line.text).split()
        )
        """Words of the learned sentences: known, though no template uses them."""
        self._level_words = frozenset(
            word for key in self._spoken["level"] for word in key.split()
        ) | {"percent", "per", "cent"}
        self._genres_key = hash(frozenset(self._spoken["genre"].items()))
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
        names = NameIndex(
            {"artist": vocabulary.artists, "album": vocabulary.albums, "title": vocabulary.titles},
            self._normalise,
        )
        lists = {**self._fixed_lists, **names.slot_lists(), **self._room_list()}
        return _State(
            names=names,
            matcher=TemplateMatcher(self._templates.intents, lists),
            fallback=TemplateMatcher(self._templates.fallback, lists),
            corrector=WordCorrector(self._words | self._heard_words | names.words()),
        )

    def _genre_list(self) -> TextSlotList:
        spoken: dict[str, str] = {}
        forms = itertools.chain(
            self._genres.spoken_forms().items(),
            ((name, name) for name in self._genres.names()),
        )
        for form, canonical in forms:
            key = self._normalise(form)
            if key:
                spoken.setdefault(key, canonical)
        return _text_list("genre", spoken.items())

    def _level_list(self) -> TextSlotList:
        """The file's level words ("max", "half") and every number from zero to one hundred."""
        spoken = {number_words(level): level for level in range(101)}
        in_file = self._templates.intents.slot_lists.get("level")
        if isinstance(in_file, TextSlotList):
            spoken.update({_text_in(value): int(value.value_out) for value in in_file.values})
        return _text_list("level", spoken.items())

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
            return _copy(cached)
        except Exception:  # a DJ that crashes on a sentence is worse than one that shrugs
            log.exception("could not understand %r", text)
            return Intent("unknown", {}, understood)

    def _understand(self, state: _State, text: str, marked: list[str]) -> Intent:
        """``marked``: the words with "," where the speaker paused (a comma in the text)."""
        found = _not_added_when_forgotten(self._reading_of(state, text, marked))
        first, *rest = (self._described(state, part) for part in found.each())
        return dataclasses.replace(first, also=tuple(rest))

    def _reading_of(self, state: _State, text: str, marked: list[str]) -> Intent:
        found = self._exact(state, text)
        if found is not None:
            return self._told_apart(state, found, marked)
        found = self._several(state, marked)
        if found is not None:
            return found
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
        found = (
            found
            or self._guess(state, text, statement=True)
            or _about_the_dj(text)
            or self._taste_told(state, text)
        )
        if found is not None:
            return _hello_apart(found)
        # said around a request ("so er yeah can you play something"): the words that ask, if
        # a template knows them (the model has too few words left to go on)
        if tidied and tidied != text:
            found = (
                self._exact(state, tidied)
                or self._several(state, tidy(" ".join(marked)).split())
                or self._loose(state, tidied)
                or self._statement(tidied)
            )
            if found is not None:
                return dataclasses.replace(
                    found, confidence=min(found.confidence, TIDIED_CONFIDENCE)
                )
        return Intent("unknown", {}, text)

    def _told_apart(self, state: _State, found: Intent, marked: list[str]) -> Intent:
        """ "i'm cooking, put on some jazz": what one is doing, then a request, is two things
        said (the mood, and the music), though one template reads it whole; so is a hello
        with a name ("hi, i'm nina")."""
        words = found.text.split()
        if found.name == "identify":
            return _hello_apart(found)
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

    def _statement(self, text: str) -> Intent | None:
        """Someone saying what they are doing or how they feel, in words no template has ("i
        just finished a long run"): the mood, with what it names, but less sure."""
        words = text.split()
        if not words or words[0] not in STATEMENT_STARTS:
            return None
        if (LOOSE_MOOD_WORDS | ABOUT_THE_MUSIC) & set(words):
            return None
        slots = self._scan(text, ("mood", "activity"), several=False)
        if not slots:
            return None
        return Intent("mood", slots, text, confidence=STATEMENT_CONFIDENCE)

    def _exact(self, state: _State, text: str) -> Intent | None:
        """The templates, word for word, then with unknown words mended."""
        best = self._best(state, state.matcher, text)
        if best is not None:
            return Intent(best.name, best.slots, text)
        corrected = " ".join(state.corrector.correct_all(text.split()))
        if corrected != text:
            best = self._best(state, state.matcher, corrected)
            if best is not None:
                return Intent(best.name, best.slots, corrected, confidence=MENDED_CONFIDENCE)
        return None

    def _loose(self, state: _State, text: str) -> Intent | None:
        """The fallback templates (names as free text), on the mended words (on the words as
        said first when a name is all they leave open: "i'm sam" is not "i'm same")."""
        corrected = " ".join(state.corrector.correct_all(text.split()))
        best = self._best(state, state.fallback, corrected)
        if corrected != text and (best is None or best.name == "identify"):
            as_said = self._best(state, state.fallback, text)
            if as_said is not None and as_said.name == "identify":
                best, corrected = as_said, text
        if best is None:
            return None
        if best.name == "correct" and set(best.slots) <= {"query"}:
            return None  # "no, i said hello to my neighbour": a correction names what it meant
        sure = best.rank[1] == 0 and corrected == text  # no free text, no word mended
        slots = dict(best.slots)
        for free in ("query", "name"):  # a search and a name are what was heard
            value = slots.get(free)
            if isinstance(value, str) and corrected != text:
                slots[free] = _as_said(value, corrected.split(), text.split())
        if best.name == "identify" and not self._person_name(str(slots.get("name", ""))):
            return None  # "i'm starving" mended to "i'm starting": a name only as heard
        return Intent(best.name, slots, corrected, confidence=1.0 if sure else LOOSE_CONFIDENCE)

    def _clause(self, state: _State, text: str) -> Intent | None:
        """One part of an utterance, understood on its own (None: not understood)."""
        if not text:
            return None
        return self._exact(state, text) or self._loose(state, text) or self._guess(state, text)

    def _several(self, state: _State, marked: list[str], apart: bool = False) -> Intent | None:
        """Several requests in one utterance ("i hate this, next"; "boring next"; "pause i'm on
        the phone"), or None.

        The utterance may be cut anywhere. A part between natural breaks (the ends, a comma, a
        joining word such as "and") may be understood any way; a part cut elsewhere only by a
        template, word for word. A part that no template understands but that gives a reason
        ("i'm on the phone", "so we can talk") may stand beside a request, and is dropped. Of
        the cuts where every part counts, the best has the fewest parts that are not templates
        matched word for word, then the fewest reasons, then the fewest parts (so "drum and bass"
        stays one genre); it must hold two parts or more.
        """
        words: list[str] = []
        natural = {0}
        pauses = {0}  # the ends, and where a comma was
        for word in marked:
            if word == ",":
                pauses.add(len(words))
            if word == "," or word in CONJUNCTIONS:
                natural.add(len(words))
                if word != ",":
                    words.append(word)
                    natural.add(len(words))
                continue
            words.append(word)
        natural.add(len(words))
        pauses.add(len(words))
        if len(words) < 2:
            return None
        anywhere = len(words) <= MAX_CUT_WORDS
        known: dict[tuple[int, int], Intent | None] = {}

        def clause(start: int, end: int) -> Intent | None:
            """The part words[start:end] (joining words at its edges left out)."""
            if (start, end) not in known:
                inner = words[start:end]
                while inner and inner[0] in CONJUNCTIONS:
                    inner = inner[1:]
                while inner and inner[-1] in CONJUNCTIONS:
                    inner = inner[:-1]
                text = " ".join(inner)
                found: Intent | None = None
                if end == len(words) and start > 0 and text in TAGS and " " in text:
                    found = Intent(REASON, {}, text)  # "next song please music man"
                elif text:
                    if start in natural and end in natural:
                        found = self._clause(state, text)
                    else:
                        found = self._exact(state, text)
                        if (
                            found is not None
                            and found.name in ("play", "replay")
                            and (
                                self._only_values(text)
                                or (
                                    not found.slots
                                    and (
                                        " " not in state.matcher.variants(text)[0]
                                        or (found.name == "play" and end < len(words))
                                    )
                                )
                            )
                        ):  # "music", "house", "again", "can we hear", "please music man": a
                            # word of a request
                            found = None
                    if (found is None or found.name == "unknown") and inner[0] in REASONS:
                        found = Intent(REASON, {}, text)
                    elif (found is None or found.name == "unknown") and (
                        {start, end} <= pauses and end - start < len(words)
                    ):  # "toast's burning, turn it down": what goes on around a request
                        found = Intent(REASON, {}, text, confidence=0.0)
                known[start, end] = found if found is None or found.name != "unknown" else None
            return known[start, end]

        def cost(parts: list[Intent]) -> tuple[int, int, int]:
            reasons = sum(part.name == REASON for part in parts)
            inexact = sum(part.confidence < 1.0 for part in parts)
            return inexact, reasons, len(parts)

        cuts = range(len(words) + 1) if anywhere else sorted(natural)
        best: dict[int, list[Intent]] = {0: []}
        for end in cuts:
            for start in cuts:
                if start >= end or start not in best:
                    continue
                if apart and start == 0 and end == len(words):  # read in two parts or more
                    continue
                part = clause(start, end)
                if part is None:
                    continue
                candidate = [*best[start], part]
                if end not in best or cost(candidate) < cost(best[end]):
                    best[end] = candidate
        parts = best.get(len(words))
        if parts is None or len(parts) < 2:
            return None
        # "i like rock and jazz": a bare value after a request with values belongs to it;
        # "i love soul, put some on": a bare play is of what was just named
        for index in range(1, len(parts)):
            before, part = parts[index - 1], parts[index]
            if before.name in MERGED and part.name == "play" and self._only_values(part.text):
                parts[index] = Intent(before.name, part.slots, part.text, (), part.confidence)
            elif part.name == "play" and not part.slots and before.name in MERGED:
                named = {k: v for k, v in before.slots.items() if k in ("genre", "artist")}
                parts[index] = Intent("play", named, part.text, (), part.confidence)
        parts = _said_once(self._corrections(parts))
        requests = [part for part in parts if part.name != REASON]
        if any(part.name == REASON and not part.confidence for part in parts) and any(
            part.name in ("confirm", "deny") or part.confidence < 1.0
            for part in requests
        ):  # "yes, it's about the parcel", "put your shoes on, we're leaving": a request beside
            # talk is one a template says as heard
            return None
        if any(part.name in COMMAND_INTENTS for part in requests):  # "stop, thank you": a stop
            requests = [part for part in requests if part.name != "thanks"] or requests
        if not requests:
            return None
        names = {part.name for part in requests}
        if any(pair <= names for pair in CONTRADICTING):
            requests = [
                dataclasses.replace(r, confidence=min(r.confidence, CONTRADICTED_CONFIDENCE))
                for r in requests
            ]
        if len(requests) < len(parts):  # a request with its reason: a little less sure
            # "put on some jazz while i cook": what the reason says it is for goes with a play
            context: dict[str, Slot] = {}
            for part in parts:
                if part.name == REASON:
                    found = self._scan(part.text, ("activity",), several=False)
                    context = {**found, **context}
            requests = [
                Intent(
                    r.name,
                    {**context, **r.slots} if r.name == "play" else r.slots,
                    r.text,
                    confidence=min(r.confidence, REASON_CONFIDENCE),
                )
                for r in requests
            ]
        return _merge(requests, " ".join(words))

    def _corrections(self, parts: list[Intent]) -> list[Intent]:
        """ "no, not that, reggae!", "no, i said jazz! jazz!", "i said disco, not this": a no
        and a bare value, or a correction and its echoes, are one correction of that value."""
        mended: list[Intent] = []
        for part in parts:
            before = mended[-1] if mended else None
            oops = before is not None and (
                before.name == "deny"
                or (before.name == "dislike" and before.text.split()[0] in ("not", "no"))
            )
            values = part.name == "play" and self._only_values(part.text)
            if before is not None and values and (oops or before.name == "correct"):
                slots = {**(before.slots if before.name == "correct" else {}), **part.slots}
                mended[-1] = Intent("correct", slots, part.text, (), part.confidence)
                continue
            if before is not None and before.name == "correct" and part.name in ("dislike", "deny"):
                continue  # "i said disco, not this": what the correction undoes
            mended.append(part)
        return mended

    def _only_values(self, text: str) -> bool:
        """True when ``text`` names genres, moods or activities and nothing else ("some jazz")."""
        words = [w for w in text.split() if w not in VALUE_FILLERS]
        covered = sum(size for _start, size, _token in self._spans(words, SCANNED_LISTS))
        return bool(words) and covered == len(words)

    def _guess(self, state: _State, text: str, statement: bool = False) -> Intent | None:
        """The model's intent, with slots from what the words mention; None when unsure.
        ``statement``: a statement about oneself ("just woke up") that the model does not take
        for talk or a request of its own sets the mood."""
        guess = self._model_guess(state, text)
        if not statement:
            return guess
        told = self._statement(text)
        if told is not None and (guess is None or guess.name == "play"):
            return told
        return guess

    def _model_guess(self, state: _State, text: str) -> Intent | None:
        """The model's reading of the words without skip words (as the templates are written),
        or of the words as said (as people were heard: "thank you ever so much" is not "ever"),
        whichever is surer ("just a" is too short to be read as said)."""
        variants = state.matcher.variants(text)
        found = [
            self._model_reading(state, variant)
            for variant in variants
            if variant is variants[0] or variant.count(" ") >= 2
        ]
        return max(filter(None, found), key=lambda one: one.confidence, default=None)

    def _model_reading(self, state: _State, said: str) -> Intent | None:
        words = " ".join(state.corrector.correct_all(said.split()))
        if set(words.split()) <= HEDGES:  # "sort of", "kind of", "a bit": no request
            return None
        if ABOUT_SOMEONE_ELSE & set(words.split()[:2]):  # "he's into punk": talk about others
            return None
        model = self._model()
        guess = model.neighbours.guess(self._features(state, words))
        if guess is None or guess.intent == "unknown":  # closest to chatter
            return None
        if " " not in words and guess.nearest_similarity < SAID_AS_HEARD:
            return None  # one word no template knows ("so", "wow") is not a request
        names = state.names.words()  # a word mended to a known one still counts as unknown
        unknown = sum(
            w not in self._words and w not in self._heard_words and w not in names
            for w in said.split()
        )
        similarity = guess.confidence * UNKNOWN_WORD_FACTOR**unknown
        floor = MODEL_FLOOR if words.count(" ") > 1 else SHORT_MODEL_FLOOR
        if similarity < floor or guess.margin < MODEL_MARGIN:
            return None
        cues = CUES.get(guess.intent)
        if cues is not None and not cues & set(words.split()):
            return None
        slots = self._mentioned(state, words, guess.intent)
        slots = {**self._implied(model, guess, slots), **slots}
        needs = NEEDS.get(guess.intent)
        if needs is not None and not any(slot in slots for slot in needs):
            return None
        confidence = min(0.95, 0.55 + similarity * 0.5)
        return Intent(guess.intent, slots, words, confidence=round(confidence, 3))

    def _implied(self, model: _Model, guess: Guess, said: dict[str, Slot]) -> dict[str, Slot]:
        """What the closest example means without saying it ("my dog died": a sad mood), when
        the words name no value of their own and that example is close."""
        if guess.nearest_similarity < IMPLIED_SIMILARITY or set(IMPLIED_SLOTS) & said.keys():
            return {}
        return dict(model.implied[guess.nearest]) if guess.nearest >= 0 else {}

    def _mentioned(self, state: _State, text: str, intent: str) -> dict[str, Slot]:
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
            named = self._names_in(state, text, last=intent == "correct")
            rest = self._without_names(text, [name for _kind, name in named])
            slots: dict[str, Slot] = dict(self._scan(rest, lists, several=True))
            if intent == "correct":  # "not rock, jazz": the value said last is the one meant
                slots = {k: v[-1] if isinstance(v, tuple) else v for k, v in slots.items()}
            if intent in ("add_preference", "remove_preference", "forget_preference"):
                slots = {k: v for k, v in slots.items() if k == "genre"}
            if intent == "mood":
                slots = {k: v for k, v in slots.items() if k in ("mood", "activity")}
            for kind, name in named:
                slots.setdefault(kind, name)
            return slots
        if intent in ("count_songs", "have_any"):  # "how many reggae tracks": of what, if said
            named = self._names_in(state, text)
            rest = self._without_names(text, [name for _kind, name in named])
            found = self._scan(rest, ("genre",), several=False)
            artists = [name for kind, name in named if kind == "artist"]
            return {**found, "artist": artists[0]} if artists and not found else found
        if intent == "set_volume":
            levels = self._scan(text, ("level",), several=True).get("level")
            words = set(text.split()) - self._level_words - {"to", "at", "on", "the", "it"}
            if levels is None or not words:  # a bare number is not a volume command
                return {}
            level = levels[-1] if isinstance(levels, tuple) else levels
            return {"level": max(0, min(100, int(level)))}
        if intent == "refine":
            said = [REFINE_WORDS[w] for w in text.split() if w in REFINE_WORDS]
            return {"side": said[-1][0], "direction": said[-1][1]} if said else {}
        if intent == "identify":
            unknown = [w for w in text.split() if w not in self._words]
            name = " ".join(unknown)
            return {"name": name} if unknown and self._person_name(name) else {}
        return {}

    def _taste_told(self, state: _State, text: str) -> Intent | None:
        """A taste told in words no template or example has ("i've really got into trip hop
        lately", "not keen on bob marley to be honest"): a liking or a dislike of the genres or
        artist it names, said of oneself, less sure."""
        words = text.split()
        said = set(words)
        if not FIRST_PERSON & said or (ABOUT_SOMEONE_ELSE | OTHER_PEOPLE) & said:
            return None
        named = self._names_in(state, text)
        rest = self._without_names(text, [name for _kind, name in named])
        slots: dict[str, Slot] = dict(self._scan(rest, ("genre",), several=True))
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

    def _without_names(self, text: str, names: Iterable[str]) -> str:
        """``text`` with the library names said in it left out ("kind of blue" is no sad
        mood)."""
        words = text.split()
        for name in names:
            key = self._normalise(name).split()
            for start in range(len(words) - len(key) + 1):
                if key and words[start : start + len(key)] == key:
                    words[start : start + len(key)] = ["|"]
                    break
        return " ".join(words)

    def _described(self, state: _State, intent: Intent) -> Intent:
        """A play of a library name with a mood or an occasion said around it ("some sad nina
        simone", "daft punk for the party"): those too."""
        names = [
            str(intent.slots[kind]) for kind in ("artist", "album", "title") if kind in intent.slots
        ]
        if intent.name != "play" or not names or {"mood", "activity"} & intent.slots.keys():
            return intent
        found = self._scan(self._without_names(intent.text, names), ("mood", "activity"), False)
        if not found:
            return intent
        return dataclasses.replace(intent, slots={**intent.slots, **found})

    def _names_in(self, state: _State, text: str, last: bool = False) -> list[tuple[str, str]]:
        """Library names said exactly in ``text`` (a single word only when no template uses
        it), longest first; ``last``: the one said last first."""

        def name(phrase: str) -> tuple[str, str] | None:
            if " " not in phrase and phrase in self._words:
                return None
            return state.names.find_exact(phrase)

        found = _longest_phrases(text.split(), 6, name)
        found.sort(key=lambda span: span[0], reverse=last)
        return [hit for _start, _size, hit in found]

    # -- the model ---------------------------------------------------------------------------

    def warm(self) -> None:
        """Build the model now (at start-up), not on the listener's thread at the first
        sentence the templates miss (half a second)."""
        self._model()

    def _model(self) -> _Model:
        """Built on first use from the templates, paraphrases and learned sentences (the same
        for every library: names are words the examples do not need)."""
        key = (self._templates.digest, self._learned.digest, self._genres_key)
        model = _MODELS.get(key)
        if model is None:
            with _MODELS_LOCK:
                model = _MODELS.get(key)
                if model is None:
                    examples = self._examples()
                    model = _Model(
                        NeighbourModel(
                            (intent, self._features(None, text)) for intent, text, _ in examples
                        ),
                        tuple(implied for _intent, _text, implied in examples),
                    )
                    _MODELS[key] = model
                    while len(_MODELS) > MODELS_KEPT:  # a file edited again and again
                        _MODELS.pop(next(iter(_MODELS)))
        return model

    def training(self) -> list[tuple[str, str]]:
        """(intent, sentence) pairs the model learns from: random expansions of each template,
        each paraphrase and each learned sentence with its placeholders filled in."""
        return [(intent, text) for intent, text, _implied in self._examples()]

    def _examples(self) -> list[tuple[str, str, dict[str, str]]]:
        """:meth:`training` with the slots each sentence means without saying them."""
        lists = {name: list(table) for name, table in self._spoken.items() if name != "name"}
        for kind in (*KINDS, "named"):
            lists[kind] = [NAME_WORD]
        lists["name"] = list(self._templates.sample_names)
        grammar = build_grammar(self._templates.intents, self._templates.rules, lists)
        examples: list[tuple[str, str, dict[str, str]]] = []
        for intent in self._templates.intents.intents.values():
            # each intent draws on its own: a template added to one does not change the others'
            rng = random.Random(f"7:{intent.name}")
            for data in intent.data:
                for sentence in data.sentences:
                    node = convert(sentence.expression)
                    if node is None:
                        continue
                    one = Grammar(root=node, rules=grammar.rules, lists=grammar.lists)
                    light = intent.name in TALK_INTENTS or intent.name in LIGHT_INTENTS
                    samples = TALK_SAMPLES if light else MODEL_SAMPLES
                    examples.extend((intent.name, one.sample(rng), {}) for _ in range(samples))
        fill = {
            name: grammar.lists.get(LIST + ("named" if name == "artist" else name), [NAME_WORD])
            for name in PARAPHRASE_LISTS
        }
        written: list[tuple[str, str, dict[str, str]]] = [
            (intent_name, text, {})
            for intent_name, texts in self._templates.paraphrases.items()
            for text in texts
        ]
        learned = [(line.intent, line.text, dict(line.implied)) for line in self._learned.lines]
        for source, said in (("paraphrases", written), ("learned", learned)):
            for intent_name, text, implied in said:
                rng = random.Random(f"7:{intent_name}:{source}:{text}")

                def value(match: re.Match[str], rng: random.Random = rng) -> str:
                    return str(rng.choice(fill[match.group(1)]))

                draws = LEARNED_DRAWS if "{" in text else 1
                for _ in range(draws):
                    filled = _PLACEHOLDER.sub(value, text)
                    examples.append((intent_name, self._normalise(filled), implied))
        return examples

    def _features(self, state: _State | None, text: str) -> list[str]:
        """Words and word pairs, with genres and library names as placeholders (any genre is
        as good as another to tell intents apart), and marks for moods, activities, numbers."""
        words = text.split()
        marks: list[str] = []
        if words:
            spans = self._spans(words, ("genre",))
            if state is not None:
                spans += [
                    (start, size, NAME_WORD)
                    for start, size in self._name_spans(state, words)
                    if not any(start < s + z and s < start + size for s, z, _ in spans)
                ]
            for start, size, token in sorted(spans, reverse=True):
                words[start : start + size] = [token]
            for slot in ("mood", "activity", "level"):
                if self._spans(words, (slot,)):
                    marks.append(f"<{slot}>")
        return [*word_features(words), *marks]

    def _spans(self, words: list[str], lists: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """(start, length, "<list>") of each longest phrase of ``lists`` in ``words``."""

        def token(phrase: str) -> str | None:
            return next((f"<{slot}>" for slot in lists if phrase in self._spoken[slot]), None)

        firsts = frozenset().union(*(self._first_words[slot] for slot in lists))
        return _longest_phrases(words, 4, token, firsts)

    def _name_spans(self, state: _State, words: list[str]) -> list[tuple[int, int]]:
        spans = []
        text = " ".join(words)
        for _kind, name in self._names_in(state, text):
            key = self._normalise(name).split()
            for start in range(len(words) - len(key) + 1):
                if words[start : start + len(key)] == key:
                    spans.append((start, len(key)))
                    break
        return spans

    def _best(self, state: _State, matcher: TemplateMatcher, text: str) -> _Candidate | None:
        """The best reading of ``text`` (without skip words first, then as said), if any."""
        for variant in matcher.variants(text):
            said = frozenset(variant.split())
            readings = (self._reading(state, result, said) for result in matcher.recognize(variant))
            best = min(
                (reading for reading in readings if reading is not None),
                key=lambda reading: reading.rank,
                default=None,
            )
            if best is not None:
                return best
        return None

    def _reading(
        self, state: _State, result: RecognizeResult, said: frozenset[str] = frozenset()
    ) -> _Candidate | None:
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
                    if not self._person_name(words):
                        return None
                    slots["name"] = words.removesuffix("'s")  # "lucy's here"
                    continue
                found = self._resolve_free_text(state, name, words)
                if found is None:
                    misses += 1
                    slots.setdefault("query", _search_text(words))
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
        return _Candidate(result.intent.name, slots, rank)

    def _person_name(self, words: str) -> bool:
        """True when ``words`` can be a listener's name rather than more of a sentence."""
        parts = words.split()
        return (
            0 < len(parts) <= MAX_PERSON_NAME_WORDS
            and all(part.replace("'", "").isalpha() for part in parts)
            and not any(part in self._words or part in NOT_NAMES for part in parts)
        )

    def _resolve_free_text(
        self, state: _State, list_name: str, words: str
    ) -> dict[str, tuple[str, float]] | None:
        """Slots for free text in a fallback template: a library name, or what it mentions."""
        kinds = {
            "artist_text": ("artist",),
            "album_text": ("album",),
            "title_text": ("title",),
        }.get(list_name, KINDS)
        found = state.names.find(words, kinds)
        if found is not None:
            kind, library_name, score = found
            return {kind: (library_name, score)}
        if list_name == "artist_text":
            partial = state.names.find_by_word(words, "artist")
            return {"artist": (partial, 90.0)} if partial else None
        if list_name != "any_text":
            return None
        if " " not in words:  # "play some miles": one word of one artist's name
            partial = state.names.find_by_word(words, "artist")
            if partial:
                return {"artist": (partial, 90.0)}
        # "kind of blue by miles": a name, then its artist said short
        what, by, who = words.partition(" by ")
        if by and what and who:
            thing = state.names.find(what, ("title", "album"))
            artist = state.names.find(who, ("artist",))
            artist_name = artist[1] if artist else state.names.find_by_word(who, "artist")
            if thing is not None and artist_name:
                return {thing[0]: (thing[1], thing[2]), "artist": (artist_name, 90.0)}
        # "that get lucky song", "exodus the bob marley album": library names said whole inside
        named = self._names_in(state, words)
        if named:
            return {kind: (name, 100.0) for kind, name in reversed(named)}
        mentioned = self._scan(words)
        found_slots = {slot: (value, 100.0) for slot, value in mentioned.items()}
        if not found_slots and words.split()[0] in DESCRIBED and " by " not in f" {words} ":
            return {}  # "something for a rainy day": a wish, not a name to look for
        return found_slots or None  # type: ignore[return-value]

    def _scan(
        self, text: str, lists: tuple[str, ...] = SCANNED_LISTS, several: bool = True
    ) -> dict[str, Slot]:
        """Values of ``lists`` named anywhere in ``text`` (longest phrase first), in the order
        said; several values of one list ("rock and jazz") as a tuple when ``several``."""
        words = text.split()
        found: dict[str, list[tuple[int, str | int]]] = {}
        for start, size, token in self._spans(words, lists):
            slot = token[1:-1]
            value = self._spoken[slot][" ".join(words[start : start + size])]
            found.setdefault(slot, []).append((start, value))
        slots: dict[str, Slot] = {}
        for slot, values in found.items():
            ordered = list(dict.fromkeys(value for _start, value in sorted(values)))
            if slot == "level":
                slots[slot] = (
                    ordered[-1]
                    if len(ordered) == 1 or not several
                    else tuple(str(v) for v in ordered)
                )
            elif several and len(ordered) > 1:
                slots[slot] = tuple(str(v) for v in ordered)
            else:
                slots[slot] = str(ordered[0])
        return slots

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
            state.examples = self._expand(state)
        return list(state.examples if limit is None else state.examples[: max(0, limit)])

    def _expand(self, state: _State) -> list[tuple[str, str]]:
        keys = state.names.keys()
        values: dict[str, list[str]] = {
            name: list(table) for name, table in self._spoken.items() if name != "name"
        }
        values.update({kind: keys[kind] for kind in KINDS})
        values["named"] = [key for kind in KINDS for key in keys[kind]]
        values["name"] = list(self._templates.sample_names)
        rules = self._templates.rules
        expander = Expander(rules, values)
        intents = list(self._templates.intents.intents.values())
        # (round, variant, template order, sentence): variants of every template first (round
        # 0), then the extra sentences that give long lists their turn (round 1)
        per_intent: list[list[tuple[int, int, int, str]]] = [[] for _ in intents]
        templates: list[tuple[int, Sentence]] = [
            (index, sentence)
            for index, intent in enumerate(intents)
            for data in intent.data
            for sentence in data.sentences
        ]
        for order, (index, sentence) in enumerate(templates):
            per_intent[index].extend(
                (0, k, order, expander.variant(sentence.expression, k))
                for k in range(expander.width(sentence.expression))
            )
        # Lists longer than the variants so far (genres, library names): more sentences from the
        # templates that use the list, in turn, until every value has had its turn.
        for list_name in values:
            users = [
                (order, index, sentence)
                for order, (index, sentence) in enumerate(templates)
                if list_name in set(sentence.list_names(rules))
            ]
            for k in itertools.count(1):
                if not users or expander.unused(list_name) == 0:
                    break
                order, index, sentence = users[k % len(users)]
                text = expander.variant(sentence.expression, k)
                per_intent[index].append((1, k, order, text))
        turns = itertools.zip_longest(
            *(
                [(intents[index].name, text) for *_order, text in sorted(texts)]
                for index, texts in enumerate(per_intent)
            )
        )
        seen: set[str] = set()
        examples: list[tuple[str, str]] = []
        for pair in itertools.chain.from_iterable(turns):
            if pair is not None and pair[1] and pair[1] not in seen:
                seen.add(pair[1])
                examples.append(pair)
        return examples

    def grammar(self, names: Iterable[str] = ()) -> Grammar:
        """What the DJ understands as a compact grammar, for a recogniser; ``names``: people
        who may introduce themselves ("this is alex") besides a few common names."""
        state = self._state
        keys = state.names.keys()
        lists: dict[str, Iterable[str]] = {
            name: list(table) for name, table in self._spoken.items()
        }
        lists.update({kind: keys[kind] for kind in KINDS})
        lists["named"] = [key for kind in KINDS for key in keys[kind]]
        lists["name"] = [*self._templates.sample_names, *(n.lower() for n in names)]
        # an empty list (no albums yet) cannot be said: prune what needs one. The commands
        # weigh more than talk: a recogniser's language model worked out from the grammar should
        # expect "play some jazz" more than "tell me a joke", as people say them
        weights = {str(name): COMMAND_WEIGHT for name in COMMAND_INTENTS}
        grammar = build_grammar(self._templates.intents, self._templates.rules, lists, weights)
        # the paraphrases too, so that their words and word orders reach the recogniser's
        # language model: one sample in PARAPHRASE_SHARE (one intent, then one of its
        # paraphrases), the templates the rest
        paraphrases = Alt(
            tuple(
                Alt(tuple(_paraphrase_node(text) for text in texts))
                for intent, texts in self._templates.paraphrases.items()
                if texts and intent != "unknown"
            )
        )
        # and the commonest request of all, "play some jazz", for each genre: from the
        # templates alone it is rare (one genre among a hundred spoken forms, after one
        # optional word among many), and pocketsphinx then heard "play suggest"
        common = Alt(
            tuple(
                Words(frame.format(genre))
                for genre in self._genres.names()
                if re.fullmatch(r"[a-z ]+", genre)
                for frame in COMMON_FRAMES
            )
            # and a volume is said in round numbers far more often than in any other: sampled
            # alike, "fifty" was mostly followed by one more word ("fifty eight" was heard)
            + tuple(
                Words(frame.format(number_words(level)))
                for level in ROUND_LEVELS
                for frame in COMMON_LEVEL_FRAMES
            )
        )
        templates = grammar.root
        grammar.root = Alt((*[templates] * (PARAPHRASE_SHARE - 1), paraphrases, common))
        return grammar.pruned(lambda word: True)

    def vocabulary_words(self) -> list[str]:
        """Every word the appliance expects to hear, sorted: for recogniser grammars."""
        state = self._state
        words = set(self._words) | state.names.words() | set(self._templates.sample_names)
        fallback_words: set[str] = set()
        for intent in self._templates.fallback.intents.values():
            for data in intent.data:
                for sentence in data.sentences:
                    fallback_words |= chunk_words(sentence.expression)
        return sorted(words | fallback_words)


def _paraphrase_node(text: str) -> Node:
    """A paraphrase as a grammar node: its words, its placeholders as the lists they name."""
    parts: list[Node] = []
    for index, piece in enumerate(_PLACEHOLDER.split(text)):
        if index % 2:
            parts.append(Ref(LIST + ("named" if piece == "artist" else piece)))
        elif piece.strip():
            parts.append(Words(" ".join(piece.split())))
    return parts[0] if len(parts) == 1 else Seq(tuple(parts))


def _about_the_dj(text: str) -> Intent | None:
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


GO_AHEAD = frozenset({"replay", "resume"})
"""Intents a bare "play it", "go on" is read as: beside a request for music, they only say to
go ahead with it ("jazz, play it", "reggae, go on")."""


def _said_once(parts: list[Intent]) -> list[Intent]:
    """One request for music said with its go-ahead ("jazz, play it", "go on, surprise me"),
    or with the mood it names said again as the reason ("something angry, i'm furious"), is
    that one request."""
    plays = [part for part in parts if part.name == "play"]
    if len(plays) != 1:
        return parts
    play = plays[0]
    slots = {value for value in play.slots.values() if isinstance(value, str)}
    return [
        part
        for part in parts
        if not (part.name in GO_AHEAD and not part.slots)
        and not (part.name == "mood" and part.slots and set(part.slots.values()) <= slots)
    ]


def _hello_apart(found: Intent) -> Intent:
    """A hello with a name ("hi, i'm nina", "um hi it's uh it's sophie") is a hello, then who
    it is."""
    words = tidy(found.text).split()
    if found.name != "identify" or found.also or not words or words[0] not in GREETINGS:
        return found
    hello = Intent("greet", {}, words[0], confidence=found.confidence)
    return dataclasses.replace(hello, text=found.text, also=(found,))


def _not_added_when_forgotten(intent: Intent) -> Intent:
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


def _as_said(phrase: str, mended: list[str], said: list[str]) -> str:
    """``phrase``, found in the ``mended`` words, as it was said: a search text keeps the words
    that were heard ("frank sinatra", not "rank sinatra"); mending is one word for one."""
    size = len(phrase.split())
    for start in range(len(mended) - size + 1):
        if " ".join(mended[start : start + size]) == phrase:
            return " ".join(said[start : start + size])
    return phrase


def _copy(intent: Intent) -> Intent:
    """An independent copy (the cache keeps the original)."""
    return Intent(
        intent.name,
        dict(intent.slots),
        intent.text,
        tuple(_copy(other) for other in intent.also),
        intent.confidence,
    )


def _longest_phrases(
    words: list[str],
    most: int,
    lookup: Callable[[str], _Found | None],
    firsts: frozenset[str] | None = None,
) -> list[tuple[int, int, _Found]]:
    """(start, length, what ``lookup`` found) for each phrase of ``words`` (up to ``most`` words)
    it knows, longest first; a word belongs to one phrase at most. ``firsts``: the words a known
    phrase can begin with (others are not looked up)."""
    found: list[tuple[int, int, _Found]] = []
    used = [False] * len(words)
    for size in range(min(most, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if firsts is not None and words[start] not in firsts:
                continue
            if any(used[start : start + size]):
                continue
            hit = lookup(" ".join(words[start : start + size]))
            if hit is not None:
                found.append((start, size, hit))
                used[start : start + size] = [True] * size
    return found


def _search_text(words: str) -> str:
    """Free text as a search: without a trailing "songs" or "music" ("arijit singh songs")."""
    found = words.split()
    while len(found) > 1 and found[-1] in SEARCH_TAILS:
        found.pop()
    return " ".join(found)


def _dislike_first(parts: list[Intent]) -> list[Intent]:
    """ "skip this rubbish": the dislike is of the track on air, so it comes before the skip
    (after it, it would be of the next track)."""
    ordered = list(parts)
    for index in range(len(ordered) - 1):
        if ordered[index].name == "skip" and ordered[index + 1].name == "dislike":
            ordered[index], ordered[index + 1] = ordered[index + 1], ordered[index]
    return ordered


def _merge(parts: list[Intent], text: str) -> Intent:
    """Requests said together as one intent with ``also``: repeats of a MERGED intent in a row
    become one with several values ("play some rock" + "some jazz"), other repeats one."""
    if len(parts) > 1:  # "nah, skip it", "yes, play some jazz": a sound, not a request
        negative = any(p.name in ("dislike", "remove_preference") for p in parts[1:])
        parts = [
            p for p in parts if not _interjection(p) or (p.name == "dislike" and not negative)
        ] or parts[:1]
        parts = _dislike_first(parts)
    kept: list[Intent] = []
    for part in parts:
        previous = kept[-1] if kept else None
        if previous is not None and previous.name == part.name:
            slots = dict(previous.slots)
            if part.name in MERGED:
                for key, value in part.slots.items():
                    values = [*_values(slots.get(key)), *_values(value)]
                    unique = tuple(dict.fromkeys(values))
                    slots[key] = unique[0] if len(unique) == 1 else unique
            kept[-1] = Intent(
                part.name,
                slots,
                previous.text,
                confidence=min(previous.confidence, part.confidence),
            )
            continue
        kept.append(part)
    first, *rest = kept
    return Intent(
        first.name,
        dict(first.slots),
        text,
        tuple(Intent(p.name, dict(p.slots), p.text, confidence=p.confidence) for p in rest),
        min(p.confidence for p in kept),
    )


def _interjection(intent: Intent) -> bool:
    """A yes, a no or a sound of distaste said before or after a request ("ugh, i hate
    country": the dislike is in the request)."""
    if intent.name == "dislike":
        return intent.text in GROANS
    return intent.name in ("confirm", "deny") and len(intent.text.split()) <= 2


def _values(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, tuple) else [value]


def _text_in(value: TextSlotValue) -> str:
    text_in = value.text_in
    return text_in.text if isinstance(text_in, TextChunk) else ""


def _text_list(name: str, pairs: Iterable[tuple[str, Any]]) -> TextSlotList:
    return TextSlotList(
        name=name,
        values=[TextSlotValue(text_in=TextChunk(text), value_out=out) for text, out in pairs],
    )

"""Understanding: one utterance from the recogniser in, one intent with its slots out.

The recogniser hands over lower-case words with its usual slips ("play sum jazz", "skip this
son", "miles davies"). Understanding works in three passes, each tried only when the one before
found nothing:

1. the text, normalised (appliance.dj.understand_text), against the hassil sentence templates in
   ``sentences/en.yaml`` with genres, moods, activities, volume levels and library names as lists;
2. the same with each unknown word mended to the nearest known word ("jaz" -> "jazz");
3. looser templates where a name is free text, looked up in the library by near miss.

What none of them matches is ``unknown``: the DJ answers it as chat, never as a wild guess.
Results are cached per normalised text, so a repeated command costs a dictionary lookup.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hassil import RecognizeResult, Sentence, TextSlotList, TextSlotValue
from hassil.expression import TextChunk

from appliance.dj.understand_grammar import build_grammar
from appliance.dj.understand_match import RULE_LIST_PREFIX, TemplateMatcher
from appliance.dj.understand_names import KINDS, NameIndex, WordCorrector
from appliance.dj.understand_templates import (
    SENTENCES_FILE,
    Expander,
    Templates,
    chunk_words,
    load_templates,
)
from appliance.dj.understand_text import Normaliser, number_words
from appliance.grammar import Grammar
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
INTENTS: tuple[str, ...] = (
    "play",
    "skip",
    "like",
    "dislike",
    "replay",
    "pause",
    "resume",
    "stop",
    "volume_up",
    "volume_down",
    "set_volume",
    "whats_playing",
    "add_preference",
    "remove_preference",
    "mood",
    "community",
    "greet",
    "help",
    "identify",
    "unknown",
)
TEMPLATE_INTENTS: tuple[str, ...] = tuple(name for name in INTENTS if name != "unknown")

CACHE_SIZE = 1024
"""Normalised utterances whose intent is kept; people repeat "skip" and "louder" a lot."""

MAX_WORDS = 40
"""Longer than this is not a command to a DJ (a recogniser running on, a pasted text): unknown."""

MAX_PERSON_NAME_WORDS = 3
"""A listener's name ("this is alex", "mary jane here") is at most this many words."""

SLOTS = ("genre", "mood", "activity", "artist", "album", "title", "level", "name", "query")
"""Slots an intent can carry; anything else a template captures (words of a rule, a mood asked
to be avoided in "upbeat but not too intense") is not passed on."""

SCANNED_LISTS = ("genre", "mood", "activity")
"""Lists searched for in free text a play request left over ("play some jazz for grandma")."""


@dataclass(frozen=True)
class Intent:
    """What one utterance asks for."""

    name: str
    """One of INTENTS."""
    slots: dict[str, str | int] = field(default_factory=dict)
    """Lower-case strings; set_volume's "level" is an int 0..100."""
    text: str = ""
    """The utterance as understood (normalised, slips mended)."""

    def as_json(self) -> dict[str, Any]:
        return {"intent": self.name, "slots": dict(self.slots)}


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
    slots: dict[str, str | int]
    rank: tuple[float, ...]


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
    ) -> None:
        self._genres = genres or default_genres()
        self._cache_size = max(0, cache_size)
        self._templates: Templates = load_templates(
            Path(sentences_file or SENTENCES_FILE), TEMPLATE_INTENTS, MOODS, ACTIVITIES
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
        self._lock = threading.Lock()
        self._state = self._build_state(vocabulary or Vocabulary())

    # -- the library -------------------------------------------------------------------------

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Use the library's current names (call when the library changed)."""
        state = self._build_state(vocabulary)
        with self._lock:
            self._state = state

    def _build_state(self, vocabulary: Vocabulary) -> _State:
        names = NameIndex(
            {"artist": vocabulary.artists, "album": vocabulary.albums, "title": vocabulary.titles},
            self._normalise,
        )
        lists = {**self._fixed_lists, **names.slot_lists()}
        return _State(
            names=names,
            matcher=TemplateMatcher(self._templates.intents, lists),
            fallback=TemplateMatcher(self._templates.fallback, lists),
            corrector=WordCorrector(self._words | names.words()),
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
            state = self._state
            cached = state.cache.get(understood)
            if cached is None:
                cached = self._understand(state, understood)
                if self._cache_size:
                    with self._lock:
                        state.cache[understood] = cached
                        while len(state.cache) > self._cache_size:
                            state.cache.popitem(last=False)
            return Intent(cached.name, dict(cached.slots), cached.text)
        except Exception:  # a DJ that crashes on a sentence is worse than one that shrugs
            log.exception("could not understand %r", text)
            return Intent("unknown", {}, understood)

    def _understand(self, state: _State, text: str) -> Intent:
        best = self._best(state, state.matcher, text)
        if best is not None:
            return Intent(best.name, best.slots, text)
        corrected = " ".join(state.corrector.correct_all(text.split()))
        if corrected != text:
            best = self._best(state, state.matcher, corrected)
            if best is not None:
                return Intent(best.name, best.slots, corrected)
        best = self._best(state, state.fallback, corrected)
        if best is not None:
            return Intent(best.name, best.slots, corrected)
        return Intent("unknown", {}, text)

    def _best(self, state: _State, matcher: TemplateMatcher, text: str) -> _Candidate | None:
        """The best reading of ``text`` (without skip words first, then as said), if any."""
        for variant in matcher.variants(text):
            readings = (self._reading(state, result) for result in matcher.recognize(variant))
            best = min(
                (reading for reading in readings if reading is not None),
                key=lambda reading: reading.rank,
                default=None,
            )
            if best is not None:
                return best
        return None

    def _reading(self, state: _State, result: RecognizeResult) -> _Candidate | None:
        """Turn one hassil match into slots; None when it does not hold up."""
        slots: dict[str, str | int] = {}
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
                if name == "name":
                    if not self._person_name(words):
                        return None
                    slots["name"] = words
                    continue
                found = self._resolve_free_text(state, name, words)
                if found is None:
                    misses += 1
                    slots.setdefault("query", words)
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
            and not any(part in self._words for part in parts)
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
        if list_name != "any_text":
            return None
        mentioned = self._scan(words)
        return {slot: (value, 100.0) for slot, value in mentioned.items()} or None

    def _scan(self, text: str) -> dict[str, str]:
        """Genres, moods and activities named anywhere in ``text``, longest phrase first."""
        words = text.split()
        found: dict[str, str] = {}
        used = [False] * len(words)
        for size in range(min(4, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(used[start : start + size]):
                    continue
                phrase = " ".join(words[start : start + size])
                for slot in SCANNED_LISTS:
                    value = self._spoken[slot].get(phrase)
                    if value is not None and slot not in found:
                        found[slot] = str(value)
                        used[start : start + size] = [True] * size
                        break
        return found

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
                if list_name in set(sentence.expression.list_names(rules))
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
        # an empty list (no albums yet) cannot be said: prune what needs one
        return build_grammar(self._templates.intents, self._templates.rules, lists).pruned(
            lambda word: True
        )

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


def _text_in(value: TextSlotValue) -> str:
    text_in = value.text_in
    return text_in.text if isinstance(text_in, TextChunk) else ""


def _text_list(name: str, pairs: Iterable[tuple[str, Any]]) -> TextSlotList:
    return TextSlotList(
        name=name,
        values=[TextSlotValue(text_in=TextChunk(text), value_out=out) for text, out in pairs],
    )

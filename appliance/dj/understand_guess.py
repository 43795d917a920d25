"""The model step: what the templates missed, read by its closest example sentences.

The examples are random expansions of every template, every paraphrase and every learned
sentence (``sentences/learned.tsv``), with genres and library names as placeholders; the model
(appliance.dj.understand_model) gives the intent of the closest, and the slots come from what
the words mention (appliance.dj.understand_slots), or else from what the closest example means
unsaid. A guess is only taken when it is close enough, far enough ahead of the runner-up, and
names what its intent needs: the rest is unknown.
"""

from __future__ import annotations

import functools
import json
import logging
import multiprocessing
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from appliance.dj.understand_grammar import LIST, build_grammar, convert
from appliance.dj.understand_intent import QUESTION_INTENTS, TALK_INTENTS, Intent, Slot
from appliance.dj.understand_learned import IMPLIED_SLOTS, LearnedSet
from appliance.dj.understand_lexicon import PLACEHOLDER, Lexicon
from appliance.dj.understand_linear import LinearModel, char_grams
from appliance.dj.understand_model import Guess, Implied, NeighbourModel, word_features
from appliance.dj.understand_names import KINDS, NameIndex, WordCorrector
from appliance.dj.understand_slots import FILLER_TEXT, mentioned
from appliance.dj.understand_templates import PARAPHRASE_LISTS, Templates
from appliance.dj.understand_told import ABOUT_SOMEONE_ELSE, of_a_person
from appliance.dj.understand_weights import (
    code_key,
    fitted,
    hand_back,
    keep,
    models_folder,
    read_kept,
)
from appliance.dj.understand_weights import default_folder as weights_folder
from appliance.grammar import Grammar

log = logging.getLogger("appliance.dj.understand_guess")

CHILD_TIMEOUT = 900
"""Seconds a child process may take to build the model (a few on a server core, tens on a Pi
Zero) before it is stopped and the model built in the daemon's own process."""

MODEL_FLOOR = 0.4
"""Below this similarity to its closest examples, the model's guess is not taken: unknown."""

SHORT_MODEL_FLOOR = 0.5
"""MODEL_FLOOR for two words: a short sentence shares its few words with many examples."""

UNKNOWN_WORD_FACTOR = 0.7
"""Each word the DJ has never heard of makes the model's guess this much less sure ("turn up the
heating" is not about the music)."""

IMPLIED_SIMILARITY = 0.5
"""How close the closest example must be for what it means unsaid to be taken."""

MODEL_MARGIN = 0.02
"""The model's intent must be at least this far ahead of the runner-up."""

SAID_AS_HEARD = 0.99
"""A single word the model takes only when an example is that word ("similar", heard said so
on its own); any other word alone is too little to go on."""

MODEL_SAMPLES = 14
"""Random sentences drawn from each template to teach the model (plus every paraphrase)."""

TALK_SAMPLES = 1
"""The same for talk, whose many templates would otherwise crowd out the requests' examples
(household chatter drifted toward them)."""

LIGHT_INTENTS = frozenset({"refine", "room"})
"""Requests drawn from as sparingly as talk: their many templates with a few direction words
each would otherwise pull questions ("what can you play") toward them."""

LIGHT_MARKS = ("{decade", "<era>", "<of_named>", "<have_name>", "<have_tail>")
"""Templates drawn from as sparingly as talk: a decade's few words in many shapes ("from the
nineties", "nineties please") would otherwise pull any sentence with "the" or "some" toward a
play; a question of music named ("when did kind of blue come out", "do you have adele") pulls
others toward it."""

LEARNED_DRAWS = 6
"""Sentences made from each paraphrase or learned sentence with placeholders, each with values
drawn at random."""

NAME_WORD = "xxname"
"""Stands for any library name in the model's example sentences."""

HEDGES = FILLER_TEXT | {"kind", "sort", "very", "really", "quite", "pretty", "rather", "so"}
"""Words that only soften or stress: said alone ("sort of") they ask nothing."""

ADDRESS = frozenset(
    {"music", "box", "speaker", "dj", "machine", "robot", "qfzz", "the", "little", "my", "mr"}
    | {"mister", "musical", "friend", "hey", "oi", "you", "new"}
)
"""Words that only name who is spoken to ("music box", "hey speaker"): said alone, no request."""

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

CONTRARY = {
    "volume_up": frozenset({"down", "quieter", "lower", "softer"}),
    "volume_down": frozenset({"up", "louder", "higher"}),
}
"""Words that turn the sound the other way: the model may not give a change of the sound when
they are said and none of the other way are ("turn it down a wee bit" is never louder)."""

CONFIRMED_FLOOR = 0.3
"""A guess below MODEL_FLOOR is still taken down to this similarity when the trained
classifier, which sees words by their letters too, agrees with it at CONFIRMED_SHARE or more."""

CONFIRMED_SHARE = 0.8

QUESTION_SHARE = 0.45
"""CONFIRMED_SHARE for a question about the music or the listener that the classifier also
puts first ("how many more minutes is this one"): a wrong guess is an answer, not an act."""

DOUBTED_BELOW = 0.5
DOUBTED_SHARE = 0.1
"""A guess the neighbours took with less similarity than DOUBTED_BELOW is dropped when the
classifier gives its intent less than DOUBTED_SHARE: a sentence sharing a few words with one
long example ("the washing machine's finished", "okay so basically") is not what it asks."""

CONFIRMED_UNKNOWN_FACTOR = 0.85
"""UNKNOWN_WORD_FACTOR for a guess the classifier confirms: an unknown word is often one
known word inflected ("currently", "titles"), which the classifier's letters see."""

MODELS_KEPT = 4
"""Models kept for different templates or learned files (one, in the appliance)."""


_Made = TypeVar("_Made")


class Later(Generic[_Made]):
    """Something made on a thread of its own, started now; :meth:`get` waits for it."""

    def __init__(self, make: Callable[[], _Made]) -> None:
        self._made: list[_Made] = []
        self._failed: list[Exception] = []
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(make,), name="understand-fit", daemon=True).start()

    def _run(self, make: Callable[[], _Made]) -> None:
        try:
            self._made.append(make())
        except Exception as error:  # raised again by get(), on the caller's thread
            self._failed.append(error)
        finally:
            self._done.set()

    def get(self) -> _Made:
        self._done.wait()
        if self._failed:
            raise self._failed[0]
        return self._made[0]


@dataclass(frozen=True)
class Model:
    """The model with what each of its examples means without saying it."""

    neighbours: NeighbourModel
    implied: Implied
    linear: Later[LinearModel]
    """Fitted on a thread of its own when built in this process (no data folder, or no child
    could build it): start-up does not wait for it, only a guess it must confirm does."""


_MODELS: dict[tuple[object, ...], Model] = {}
_MODELS_LOCK = threading.Lock()


class ModelStep:
    """The model built from one templates file and learned file, and the guesses it makes."""

    def __init__(self, templates: Templates, learned: LearnedSet, lexicon: Lexicon) -> None:
        self._templates = templates
        self._learned = learned
        self._lexicon = lexicon

    def model(self) -> Model:
        """Built on first use from the templates, paraphrases and learned sentences (the same
        for every library: names are words the examples do not need); shared by every
        understanding of the same files."""
        key = (self._templates.digest, self._learned.digest, self._lexicon.genres_key)
        model = _MODELS.get(key)
        if model is None:
            with _MODELS_LOCK:
                model = _MODELS.get(key)
                if model is None:
                    model = self._built()
                    _MODELS[key] = model
                    while len(_MODELS) > MODELS_KEPT:  # a file edited again and again
                        _MODELS.pop(next(iter(_MODELS)))
                    hand_back()  # the examples are gone (see understand_weights.hand_back)
        return model

    def _built(self) -> Model:
        """Read whole from the data folder when kept there (no example is built at all), else
        built from the examples and kept once its classifier is fitted."""
        folder = models_folder()
        if folder is None:
            return self._made(None)
        path = folder / f"{self.key()}.npz"
        kept = read_kept(path, _restored, "understanding model")
        if kept is None and self._made_apart(path):
            kept = read_kept(path, _restored, "understanding model")
        if kept is None:
            log.warning("the understanding's model is built in the daemon's own process")
        return kept if kept is not None else self._made(path)

    def _made_apart(self, path: Path) -> bool:
        """Build the model and keep it in ``path`` in a forked child process, so the examples
        and the fit's memory never enter this process's heap (glibc would keep most of it);
        False, with a log line, when the child could not (this process builds it then)."""
        started = time.monotonic()
        try:
            child = multiprocessing.get_context("fork").Process(
                target=_build_and_keep, args=(self, path), name="understand-build", daemon=True
            )
            child.start()
        except (OSError, ValueError) as error:
            log.warning("no child process to build the understanding's model in: %s", error)
            return False
        child.join(CHILD_TIMEOUT)
        if child.is_alive():
            child.kill()
            child.join()
            log.warning("building the understanding's model took over %d s: stopped", CHILD_TIMEOUT)
            return False
        if child.exitcode != 0:
            log.warning("building the understanding's model ended with %s", child.exitcode)
            return False
        log.info("built the understanding's model in %.1f s", time.monotonic() - started)
        return True

    def key(self) -> str:
        """What the model is made from (templates, learned sentences, the lists filled in, the
        code), as a hash that names its kept file."""
        lists = {name: list(table) for name, table in sorted(self._lexicon.spoken.items())}
        made_of = [self._templates.digest, self._learned.digest, json.dumps(lists)]
        return code_key([*made_of, json.dumps(list(self._templates.sample_names))])

    def _made(self, path: Path | None) -> Model:
        examples = self.examples()
        features = [self.features(None, text) for _intent, text, _ in examples]
        neighbours = NeighbourModel(
            (intent, said) for (intent, _, _), said in zip(examples, features, strict=True)
        )
        implied = Implied(implied for _intent, _text, implied in examples)
        pending = [(examples, features)]
        del examples, features
        kept = functools.partial(_kept, path, neighbours, implied) if path else None
        return Model(neighbours, implied, Later(functools.partial(_fitted, pending, kept)))

    def examples(self) -> list[tuple[str, str, dict[str, str]]]:
        """(intent, sentence, slots meant unsaid) the model learns from: random expansions of
        each template, each paraphrase and each learned sentence with its placeholders filled."""
        lexicon = self._lexicon
        lists = {
            name: [said for said in table if said not in lexicon.unsampled.get(name, ())]
            for name, table in lexicon.spoken.items()
            if name != "name"
        }
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
                    light = light or any(mark in (sentence.text or "") for mark in LIGHT_MARKS)
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
                    filled = PLACEHOLDER.sub(value, text)
                    examples.append((intent_name, lexicon.normalise(filled), implied))
        return examples

    def features(self, names: NameIndex | None, text: str) -> list[str]:
        """Words and word pairs, with genres and library names as placeholders (any genre is
        as good as another to tell intents apart), and marks for moods, activities, numbers."""
        lexicon = self._lexicon
        words = text.split()
        marks: list[str] = []
        if words:
            spans = lexicon.spans(words, ("genre",))
            if names is not None:
                spans += [
                    (start, size, NAME_WORD)
                    for start, size in lexicon.name_spans(names, words)
                    if not any(start < s + z and s < start + size for s, z, _ in spans)
                ]
            for start, size, token in sorted(spans, reverse=True):
                words[start : start + size] = [token]
            for slot in ("mood", "activity", "level"):
                if lexicon.spans(words, (slot,)):
                    marks.append(f"<{slot}>")
        return [*word_features(words), *marks]

    def guess(
        self, names: NameIndex, corrector: WordCorrector, variants: list[str]
    ) -> Intent | None:
        """The model's reading of the words without skip words (``variants[0]``, as the
        templates are written), or of the words as said (as people were heard: "thank you ever
        so much" is not "ever"), whichever is surer ("just a" is too short to be read as
        said)."""
        found = [
            self._reading(names, corrector, variant)
            for variant in variants
            if variant is variants[0] or variant.count(" ") >= 2
        ]
        return max(filter(None, found), key=lambda one: one.confidence, default=None)

    def _reading(self, names: NameIndex, corrector: WordCorrector, said: str) -> Intent | None:
        lexicon = self._lexicon
        words = " ".join(corrector.correct_all(said.split()))
        if set(words.split()) <= HEDGES:  # "sort of", "kind of", "a bit": no request
            return None
        if set(words.split()) <= ADDRESS:  # "music box": who is spoken to, not what is asked
            return None
        if ABOUT_SOMEONE_ELSE & set(words.split()[:2]):  # "he's into punk": talk about others
            return None
        model = self.model()
        features = self.features(names, words)
        guess = model.neighbours.guess(features)
        if guess is None or guess.intent == "unknown":  # closest to chatter
            return None
        if " " not in words and guess.nearest_similarity < SAID_AS_HEARD:
            return None  # one word no template knows ("so", "wow") is not a request
        name_words = names.words()  # a word mended to a known one still counts as unknown
        unheard = [w for w in said.split() if w not in name_words]
        unknown = sum(not _known(lexicon, w) for w in unheard)
        similarity = guess.confidence * UNKNOWN_WORD_FACTOR**unknown
        floor = MODEL_FLOOR if words.count(" ") > 1 else SHORT_MODEL_FLOOR
        grams = [*features, *char_grams(words.split())]
        if similarity < floor or guess.margin < MODEL_MARGIN:
            if not _confirmed(model, guess, grams, unknown):
                return None
            similarity = min(similarity, floor)
        elif similarity < DOUBTED_BELOW and _doubted(model, guess, grams):
            return None
        if of_a_person(words, guess.intent):  # "i can't stand that bloke"
            return None
        if guess.intent == "help" and _a_hand_with_a_chore(words.split()):
            return None
        cues = CUES.get(guess.intent)
        if cues is not None and not cues & set(words.split()):
            return None
        contrary = CONTRARY.get(guess.intent)
        if contrary is not None and contrary & set(words.split()):
            other = "volume_down" if guess.intent == "volume_up" else "volume_up"
            if not CONTRARY[other] & set(words.split()):
                return None
        slots = mentioned(lexicon, names, words, guess.intent)
        slots = {**_implied(model, guess, slots), **slots}
        needs = NEEDS.get(guess.intent)
        if needs is not None and not any(slot in slots for slot in needs):
            return None
        confidence = min(0.95, 0.55 + similarity * 0.5)
        return Intent(guess.intent, slots, words, confidence=round(confidence, 3))


HELP_WITH = frozenset(
    {"use", "understand", "work", "figure", "learn", "get", "set", "start", "find", "choose"}
    | {"pick", "know", "talk", "ask", "say", "tell", "make", "out", "with", "please", "dj"}
)
"""What "help me ..." goes on with when the help asked is with the DJ ("help me use this");
any other doing ("help me carry this upstairs") is a hand asked of someone in the room."""


def _a_hand_with_a_chore(words: list[str]) -> bool:
    """ "help me lift this sofa": help with something the DJ cannot do."""
    for index in range(len(words) - 2):
        if words[index : index + 2] == ["help", "me"]:
            return words[index + 2] not in HELP_WITH
    return False


ENDINGS = ("s", "es", "ed", "d", "ing", "'s")
"""Endings that leave a known word's meaning ("weeks", "changed", "feels")."""


def _known(lexicon: Lexicon, word: str) -> bool:
    """A word the DJ has heard, or one of them with a regular ending ("weeks": "week"): an
    inflection makes a guess no less sure."""
    heard = (lexicon.words, lexicon.heard_words)
    if any(word in words for words in heard):
        return True
    return any(
        word.endswith(end) and any(word[: -len(end)] in words for words in heard)
        for end in ENDINGS
        if len(word) > len(end) + 2
    )


def _implied(model: Model, guess: Guess, said: dict[str, Slot]) -> dict[str, Slot]:
    """What the closest example means without saying it ("my dog died": a sad mood), when
    the words name no value of their own and that example is close."""
    if guess.nearest_similarity < IMPLIED_SIMILARITY or set(IMPLIED_SLOTS) & said.keys():
        return {}
    return dict(model.implied[guess.nearest]) if guess.nearest >= 0 else {}


def _fitted(
    pending: list[tuple[list[tuple[str, str, dict[str, str]]], list[list[str]]]],
    kept: Callable[[LinearModel], object] | None = None,
) -> LinearModel:
    """The classifier of the examples and their features in ``pending``, taken out of it so
    that nothing holds them once it is fitted (or read), and their memory handed back."""
    examples, features = pending.pop()
    said = [
        (intent, [*words, *char_grams(text.split())])
        for (intent, text, _), words in zip(examples, features, strict=True)
    ]
    del examples, features
    model = fitted(said, weights_folder())
    del said
    if kept is not None:
        kept(model)
    hand_back()
    return model


def _kept(path: Path, neighbours: NeighbourModel, implied: Implied, linear: LinearModel) -> bool:
    """Keep the whole model in ``path``: the next start reads it and builds no examples."""
    intents, vocabulary, weights = linear.saved()
    arrays = {f"neighbours_{name}": array for name, array in neighbours.saved().items()}
    arrays.update(implied=implied.saved(), intents=intents, vocabulary=vocabulary)
    return keep(path, {**arrays, "weights": weights}, "understanding model")


def _build_and_keep(step: ModelStep, path: Path) -> None:
    """In the child process: build the model, fit its classifier and keep them in ``path``
    (exit status 1 when they could not be kept)."""
    step._made(path).linear.get()
    if not path.exists():
        sys.exit(1)


def _restored(saved: Mapping[str, np.ndarray]) -> Model:
    """The model :func:`_kept` kept (ValueError, KeyError: it does not fit together)."""
    prefix = "neighbours_"
    neighbours = NeighbourModel.restored(
        {name[len(prefix) :]: saved[name] for name in saved if name.startswith(prefix)}
    )
    implied = Implied.restored(saved["implied"])
    intents = saved["intents"]
    if intents.dtype.kind != "U" or intents.ndim != 1:
        raise ValueError(f"intents of type {intents.dtype}")
    linear = LinearModel.restored(tuple(intents.tolist()), saved["vocabulary"], saved["weights"])
    return Model(neighbours, implied, Later(lambda: linear))


def _doubted(model: Model, guess: Guess, features: list[str]) -> bool:
    """True when the classifier all but rules out a guess the neighbours only just took."""
    return model.linear.get().probabilities(features).get(guess.intent, 0.0) < DOUBTED_SHARE


def _confirmed(model: Model, guess: Guess, features: list[str], unknown: int) -> bool:
    """True when the classifier agrees with a guess the neighbours were not sure enough of,
    and the guess is still near what the DJ knows (chatter stays far)."""
    if guess.confidence * CONFIRMED_UNKNOWN_FACTOR**unknown < CONFIRMED_FLOOR:
        return False
    shares = model.linear.get().probabilities(features)
    share = shares.get(guess.intent, 0.0)
    if guess.intent in QUESTION_INTENTS and share >= max(shares.values()):
        return share >= QUESTION_SHARE  # a question is answered, never acted on
    return share >= CONFIRMED_SHARE

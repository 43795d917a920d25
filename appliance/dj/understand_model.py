"""What catches the paraphrases no template foresaw: nearest neighbours over example sentences.

The templates are precise but literal; people say "could you go to the next song" or "hold on a
second". This model compares an utterance with a few thousand example sentences (random
expansions of the templates plus hand-written paraphrases in several styles) as sets of words
and word pairs weighted by rarity (cosine similarity of idf-weighted binary vectors), and gives
the intent whose closest examples are closest, with that similarity as its confidence.

Why neighbours and not a trained classifier: nothing to fit (built in a fraction of a second from
the templates at start-up), and the similarity to the closest example is also an honest measure
of how far an utterance is from anything the DJ knows, which is what rejects chatter. Words the
examples never use count against the confidence, so "what's the weather like" stays far from
"what's playing". Pure numpy: about a tenth of a millisecond per utterance.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from appliance.dj.understand_linear import SEPARATOR, feature_keys

NEIGHBOURS = 3
"""How many of an intent's closest examples its score averages (one lucky example is not enough
to win, a few agreeing ones are)."""

CLOSEST_WEIGHT = 0.3
"""How much of an intent's score is its single closest example (the rest: the mean of its
NEIGHBOURS closest), so one sentence people said counts though no other is like it."""

PAIR_WEIGHT = 0.6
"""A word pair counts for less than a word: short requests share few pairs with anything."""


@dataclass(frozen=True)
class Guess:
    """The model's best intent for an utterance."""

    intent: str
    confidence: float
    """Mean similarity (0..1) of the intent's closest examples, lowered by unknown words."""
    margin: float
    """How far ahead of the runner-up intent it is."""
    nearest: int = -1
    """The position, among the examples the model was built from, of the intent's closest
    example (what it says without naming it may be meant too)."""
    nearest_similarity: float = 0.0


def word_features(words: list[str]) -> list[str]:
    """Each word and each pair of neighbouring words (with the sentence's edges), interned:
    thousands of examples share them, and one copy of each is kept (about 12 MB less)."""
    padded = ["^", *words, "$"]
    pairs = [sys.intern(f"{a} {b}") for a, b in itertools.pairwise(padded)]
    return [*map(sys.intern, words), *pairs]


class Implied:
    """What each example means without saying it, by the example's position: only the few
    examples that mean something unsaid are kept (not an empty dict for each of thousands)."""

    def __init__(self, implied: Iterable[Mapping[str, str]]) -> None:
        self._said = {position: dict(meant) for position, meant in enumerate(implied) if meant}

    def saved(self) -> np.ndarray:
        """The meanings as UTF-8 JSON bytes, for :meth:`restored`."""
        text = json.dumps(sorted(self._said.items()), ensure_ascii=False)
        return np.frombuffer(text.encode(), np.uint8)

    @classmethod
    def restored(cls, saved: np.ndarray) -> Implied:
        """The meanings :meth:`saved` wrote (ValueError: not what it writes)."""
        rows = json.loads(_text(saved))
        implied = cls(())
        for row in rows:
            position, meant = row
            if not isinstance(position, int) or not isinstance(meant, dict):
                raise ValueError("an unsaid meaning that is not a position and its slots")
            if not all(isinstance(v, str) for v in [*meant, *meant.values()]):
                raise ValueError("an unsaid meaning that is not text")
            implied._said[position] = meant
        return implied

    def __getitem__(self, position: int) -> Mapping[str, str]:
        return self._said.get(position, _NOTHING)


_NOTHING: Mapping[str, str] = MappingProxyType({})

_ARRAYS = ("idf", "norms", "posted", "bounds", "labels", "origins")
"""The arrays a kept model is made of, besides its features' names and intents."""


def _text(saved: np.ndarray) -> str:
    if saved.dtype != np.uint8 or saved.ndim != 1:
        raise ValueError(f"text of type {saved.dtype}")
    return saved.tobytes().decode()


class NeighbourModel:
    """Intent by the nearest examples; build once from (intent, sentence) pairs."""

    def __init__(self, examples: Iterable[tuple[str, Sequence[str]]]) -> None:
        """``examples``: (intent, features of one example sentence) pairs."""
        unique: dict[tuple[str, frozenset[str]], int] = {}
        for position, (intent, sentence_features) in enumerate(examples):
            features = frozenset(sentence_features)
            if features:
                unique.setdefault((intent, features), position)
        ordered = sorted(unique, key=lambda row: row[0])
        self._origins = np.asarray([unique[row] for row in ordered], dtype=np.int64)
        self.intents: tuple[str, ...] = tuple(sorted({intent for intent, _ in ordered}))
        vocabulary: dict[str, int] = {}
        document_frequency: list[int] = []
        indices: list[int] = []
        lengths: list[int] = []
        labels: list[int] = []
        for intent, features in ordered:
            for feature in features:
                index = vocabulary.setdefault(feature, len(vocabulary))
                if index == len(document_frequency):
                    document_frequency.append(0)
                document_frequency[index] += 1
                indices.append(index)
            lengths.append(len(features))
            labels.append(self.intents.index(intent))
        count = len(ordered)
        # the features by their 64-bit keys, not a dict of strings: tens of thousands of
        # strings made while building would stay scattered over the heap for good
        keys = feature_keys(vocabulary)
        self._order = np.argsort(keys, kind="stable")
        self._keys = keys[self._order]
        if np.any(self._keys[1:] == self._keys[:-1]):
            raise ValueError("a feature is named twice")
        idf = np.log((count + 1) / (np.asarray(document_frequency, dtype=np.float64) + 1)) + 1
        size = len(vocabulary)
        pairs = np.fromiter((" " in feature for feature in vocabulary), bool, size)
        self._names: bytes | None = SEPARATOR.join(vocabulary).encode()
        del vocabulary
        self._idf = np.where(pairs, idf * PAIR_WEIGHT, idf)
        self._unknown_idf = float(math.log(count + 1) + 1)
        index_array = np.asarray(indices, dtype=np.int64)
        squares = self._idf[index_array] ** 2
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        self._norms = np.sqrt(np.add.reduceat(squares, starts))
        # for each feature, the examples that have it (an utterance touches few features)
        rows = np.repeat(np.arange(count, dtype=np.int64), lengths)
        order = np.argsort(index_array, kind="stable")
        bounds = np.searchsorted(index_array[order], np.arange(size + 1))
        # one array of every feature's examples and where each feature's run starts, rather
        # than a small array per feature (tens of thousands of them)
        self._posted = rows[order].astype(np.int32)
        self._bounds = bounds
        self._count = count
        self._labels = np.asarray(labels, dtype=np.int64)

    def __len__(self) -> int:
        return self._count

    def saved(self) -> dict[str, np.ndarray]:
        """The model's parts as arrays, for :meth:`restored` (a model restored has them no
        more: it is never kept again)."""
        if self._names is None:
            raise ValueError("a restored model is not kept again")
        arrays = {name: getattr(self, f"_{name}") for name in _ARRAYS}
        return {
            **arrays,
            "intents": np.asarray(self.intents),
            "names": np.frombuffer(self._names, np.uint8),
            "unknown_idf": np.asarray([self._unknown_idf]),
        }

    @classmethod
    def restored(cls, saved: Mapping[str, np.ndarray]) -> NeighbourModel:
        """The model whose :meth:`saved` parts these are, with its features' keys made in this
        process (ValueError or KeyError: they do not fit together)."""
        text = _text(saved["names"])
        names = text.split(SEPARATOR) if text else []
        intents = saved["intents"]
        if intents.dtype.kind != "U" or intents.ndim != 1:
            raise ValueError(f"intents of type {intents.dtype}")
        model = cls.__new__(cls)
        model.intents = tuple(intents.tolist())
        model._names = None
        for name in _ARRAYS:
            setattr(model, f"_{name}", np.ascontiguousarray(saved[name]))
        if any(getattr(model, f"_{name}").dtype.kind != "i" for name in _ARRAYS[2:]):
            raise ValueError("positions that are not whole numbers")
        model._unknown_idf = float(saved["unknown_idf"][0])
        model._count = len(model._norms)
        keys = feature_keys(names)
        model._order = np.argsort(keys, kind="stable")
        model._keys = keys[model._order]
        sizes = (len(model._idf), len(model._bounds) - 1, len(names))
        if len(set(sizes)) != 1 or np.any(model._keys[1:] == model._keys[:-1]):
            raise ValueError("features that do not fit their arrays")
        rows = (len(model._labels), len(model._origins))
        if rows != (model._count, model._count) or model._bounds[-1] != len(model._posted):
            raise ValueError("examples that do not fit their arrays")
        if model._count and (
            model._labels.max() >= len(intents) or model._posted.max() >= model._count
        ):
            raise ValueError("an example or an intent out of range")
        if not (np.isfinite(model._idf).all() and np.isfinite(model._norms).all()):
            raise ValueError("weights that are not numbers")
        return model

    def _known(self, features: list[str]) -> tuple[list[int], list[bool]]:
        """The numbers of the known ``features``, in their order, and which are known."""
        keys = feature_keys(features)
        at = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        found = self._keys[at] == keys if len(self._keys) else np.zeros(len(keys), bool)
        return self._order[at[found]].tolist(), found.tolist()

    def guess(self, features: Iterable[str]) -> Guess | None:
        """The closest intent for an utterance's features; None when none of them is known."""
        features = list(set(features))
        known, found = self._known(features)
        if not known:
            return None
        unknown = sum(PAIR_WEIGHT**2 if " " in f else 1.0 for f in features) - sum(
            PAIR_WEIGHT**2 if " " in f else 1.0
            for f, seen in zip(features, found, strict=True)
            if seen
        )
        query_norm = math.sqrt(
            float(np.sum(self._idf[known] ** 2)) + unknown * self._unknown_idf**2
        )
        starts, ends = self._bounds[known], self._bounds[np.asarray(known) + 1]
        rows = np.concatenate([self._posted[a:b] for a, b in zip(starts, ends, strict=True)])
        weights = np.repeat(self._idf[known] ** 2, ends - starts)
        dots = np.bincount(rows, weights=weights, minlength=self._count)
        near = np.flatnonzero(dots)
        similarity = dots[near] / (self._norms[near] * query_norm)
        labels = self._labels[near]
        # each intent's NEIGHBOURS closest examples: sorted by intent, then closest first
        order = np.lexsort((-similarity, labels))
        labels, similarity, near = labels[order], similarity[order], near[order]
        firsts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
        sizes = np.diff(np.r_[firsts, len(labels)])
        rank = np.arange(len(labels)) - np.repeat(firsts, sizes)
        kept = rank < NEIGHBOURS
        scores = (
            np.bincount(labels[kept], weights=similarity[kept], minlength=len(self.intents))
            / NEIGHBOURS
        )
        if CLOSEST_WEIGHT:
            single = np.zeros(len(self.intents))
            single[labels[firsts]] = similarity[firsts]
            scores = (1 - CLOSEST_WEIGHT) * scores + CLOSEST_WEIGHT * single
        best, runner_up = np.argsort(-scores)[:2]
        closest = int(np.searchsorted(labels, best))  # the best intent's closest example
        return Guess(
            self.intents[int(best)],
            float(scores[best]),
            float(scores[best] - scores[runner_up]),
            int(self._origins[near[closest]]),
            float(similarity[closest]),
        )

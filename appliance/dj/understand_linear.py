"""A trained linear classifier over the model's example sentences: softmax regression.

The neighbour model (appliance.dj.understand_model) is honest about distance but literal: a
request in words one inflection away from every example ("what's currently playing", "how many
titles of techno") is far from all of them. A classifier fitted to the same examples weighs
each word by how much it tells the intents apart, and with character n-grams of each word it
sees "currently" near "current" and "titles" near "title". It never decides alone: it only
confirms what the neighbours found (appliance.dj.understand_guess), so chatter stays rejected by
distance. Pure numpy; fitted on a thread of its own so that start-up does not wait for it (a
few seconds on a loaded two-core machine, several times the neighbours' build), and kept in the
data folder (appliance.dj.understand_weights) so that the next start reads it.

Lean, as it lives in a small board's daemon for good: float32 weights; features are looked up
as sorted 64-bit keys by binary search (no dict of strings: their names are kept as one block of
text, for the file); a feature of a single example is dropped (it only memorises that sentence);
the fit works on arrays of feature numbers in mini-batches, and the letter n-grams are interned,
so the examples' hundreds of thousands of grams are a few thousand strings.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Iterable, Sequence

import numpy as np

GRAMS = 3
"""Character n-grams of each word (with its edges marked) added to the word features."""

EPOCHS = 6
BATCH = 512
LEARNING_RATE = 1.5
L2 = 1e-5
"""How hard the fit is pushed, and how much large weights cost (against memorising)."""

MIN_EXAMPLES = 2
"""A feature is learned only when at least this many examples have it."""

SEED = 7

SEPARATOR = "\n"
"""Between the features' names in the block that keeps them (no feature holds it)."""

fits = 0
"""Fits made in this process (a start that reads kept weights makes none)."""


def char_grams(words: Iterable[str]) -> list[str]:
    """The character trigrams of each word, edges marked ("#cu", "cur", ..., "ly#")."""
    grams: list[str] = []
    for word in words:
        if word.startswith("<") or len(word) < 3:
            continue  # a placeholder ("<genre>") or a short word: the word feature says it all
        marked = f"#{word}#"
        # interned: the examples' grams are few strings shared, not one string each
        grams.extend(
            sys.intern("~" + marked[i : i + GRAMS]) for i in range(len(marked) - GRAMS + 1)
        )
    return grams


WIDE_HASH = sys.hash_info.width >= 64
"""A 64-bit Python's string hash is wide enough to key tens of thousands of features (two of
them share a key about once in 10^11 starts); a 32-bit one's is not (once in ten starts)."""


def feature_keys(features: Iterable[str]) -> np.ndarray:
    """Each feature's 64-bit key in this process: on a 64-bit Python the string's own hash,
    cached on it, so a lookup costs next to nothing (it differs between processes: files keep
    the names); on a 32-bit board (armv7l) eight bytes of the name's BLAKE2 digest."""
    if WIDE_HASH:
        return np.fromiter(map(hash, features), dtype=np.int64)
    return np.fromiter(map(_digest_key, features), dtype=np.int64)


def _digest_key(feature: str) -> int:
    digest = hashlib.blake2b(feature.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class LinearModel:
    """Intent probabilities by softmax regression over sparse binary features."""

    def __init__(self, examples: Iterable[tuple[str, Sequence[str]]]) -> None:
        """``examples``: (intent, features of one example sentence) pairs."""
        global fits
        fits += 1
        vocabulary: dict[str, int] = {}
        named: dict[str, int] = {}
        numbers = array("i")  # each example's features (sorted by name), one after another
        sizes = array("i")
        said = array("i")  # each example's intent, by number in order of appearance
        for intent, features in examples:
            unique = sorted(set(features))
            if not unique:
                continue
            said.append(named.setdefault(intent, len(named)))
            sizes.append(len(unique))
            numbers.extend([vocabulary.setdefault(f, len(vocabulary)) for f in unique])
        self.intents: tuple[str, ...] = tuple(sorted(named))
        rank = np.empty(len(named), np.int64)
        rank[list(named.values())] = [self.intents.index(intent) for intent in named]
        labels = rank[np.frombuffer(said, np.int32)]
        indices, lengths, names = _common(
            np.frombuffer(numbers, np.int32), np.frombuffer(sizes, np.int32), vocabulary
        )
        del vocabulary, numbers
        weights = _fit(indices, lengths, labels, len(names), len(self.intents))
        self._index(names, weights)

    def _index(self, names: list[str], weights: np.ndarray) -> None:
        """Rows of ``weights`` (one per name, the bias last) sorted by the names' keys."""
        keys = feature_keys(names)
        order = np.argsort(keys, kind="stable")
        self._keys: np.ndarray = keys[order]
        if np.any(self._keys[1:] == self._keys[:-1]):
            raise ValueError("a feature is named twice")
        self._weights: np.ndarray = weights[np.r_[order, len(names)]]  # the bias row last
        self._names = SEPARATOR.join([names[i] for i in order.tolist()]).encode()

    @classmethod
    def restored(
        cls, intents: tuple[str, ...], vocabulary: np.ndarray, weights: np.ndarray
    ) -> LinearModel:
        """The model whose :meth:`saved` parts these are: ``vocabulary`` is the features' names
        as UTF-8 bytes, one after another (ValueError: they do not fit)."""
        if vocabulary.dtype != np.uint8 or vocabulary.ndim != 1:
            raise ValueError(f"feature names of type {vocabulary.dtype}")
        text = vocabulary.tobytes().decode()
        names = text.split(SEPARATOR) if text else []
        if weights.shape != (len(names) + 1, len(intents)) or weights.dtype != np.float32:
            raise ValueError(f"weights of shape {weights.shape} for {len(intents)} intents")
        if not np.isfinite(weights).all():
            raise ValueError("weights that are not numbers")
        model = cls.__new__(cls)
        model.intents = intents
        model._index(names, weights)
        return model

    def saved(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Intents, feature names (UTF-8, in weight-row order) and weights, for :meth:`restored`."""
        return np.asarray(self.intents), np.frombuffer(self._names, np.uint8), self._weights

    def probabilities(self, features: Iterable[str]) -> dict[str, float]:
        """Each intent's probability for an utterance's features (unseen features ignored)."""
        keys = feature_keys(set(features))
        at = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        known = at[self._keys[at] == keys] if len(self._keys) else at[:0]
        logits = self._weights[known].sum(axis=0, dtype=np.float64) + self._weights[-1]
        return dict(zip(self.intents, _softmax(logits[None, :])[0].tolist(), strict=True))


def _common(
    numbers: np.ndarray, sizes: np.ndarray, vocabulary: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The examples' features without those of fewer than :data:`MIN_EXAMPLES` examples,
    renumbered, each example's list ended by the bias (a feature every sentence has): (feature
    numbers, each example's count with the bias, the kept features' names by number)."""
    kept = np.bincount(numbers, minlength=len(vocabulary)) >= MIN_EXAMPLES
    renumbered = (np.cumsum(kept) - 1).astype(np.int32)
    keep = kept[numbers]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    counts = np.add.reduceat(keep.astype(np.int32), starts) if len(sizes) else sizes
    bias = int(kept.sum())
    ends = np.cumsum(counts)
    indices = np.insert(renumbered[numbers[keep]], ends, bias)
    names = [feature for feature, number in vocabulary.items() if kept[number]]
    return indices, (counts + 1).astype(np.int64), names


def _fit(
    indices: np.ndarray, sizes: np.ndarray, labels: np.ndarray, features: int, intents: int
) -> np.ndarray:
    """The weights (one row per feature, the bias last) by mini-batch gradient descent: only a
    batch's rows of the weights are touched and held at a time."""
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    counts = np.bincount(labels, minlength=intents).astype(np.float32)
    # every intent weighs about alike however many examples it has (play has a hundred
    # times more than a joke)
    class_weight = (counts.sum() / (len(counts) * np.maximum(counts, 1))) ** 0.5
    weights = np.zeros((features + 1, intents), np.float32)
    rng = np.random.default_rng(SEED)
    for epoch in range(EPOCHS):
        rate = LEARNING_RATE / (1 + epoch * 0.3)
        order = rng.permutation(len(labels))
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            lengths = sizes[batch]
            ends = np.cumsum(lengths)
            within = np.arange(ends[-1]) - np.repeat(ends - lengths, lengths)
            flat = indices[np.repeat(offsets[batch], lengths) + within]
            logits = np.add.reduceat(weights[flat], ends - lengths, axis=0)
            errors = _softmax(logits)
            errors[np.arange(len(batch)), labels[batch]] -= 1.0
            errors *= class_weight[labels[batch]][:, None] / len(batch)
            # each touched feature's rows of errors, summed: sorted by feature, added in runs
            by_feature = np.argsort(flat, kind="stable")
            ordered = flat[by_feature]
            runs = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            touched = ordered[runs]
            owners = np.repeat(np.arange(len(batch)), lengths)[by_feature]
            gradient = np.add.reduceat(errors[owners], runs, axis=0)
            old = weights[touched]
            weights[touched] = old - rate * (gradient + L2 * old)
    return weights


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)

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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

GRAMS = 3
"""Character n-grams of each word (with its edges marked) added to the word features."""

EPOCHS = 6
BATCH = 512
LEARNING_RATE = 1.5
L2 = 1e-5
"""How hard the fit is pushed, and how much large weights cost (against memorising)."""

SEED = 7

fits = 0
"""Fits made in this process (a start that reads kept weights makes none)."""


def char_grams(words: Iterable[str]) -> list[str]:
    """The character trigrams of each word, edges marked ("#cu", "cur", ..., "ly#")."""
    grams: list[str] = []
    for word in words:
        if word.startswith("<") or len(word) < 3:
            continue  # a placeholder ("<genre>") or a short word: the word feature says it all
        marked = f"#{word}#"
        grams.extend("~" + marked[i : i + GRAMS] for i in range(len(marked) - GRAMS + 1))
    return grams


class LinearModel:
    """Intent probabilities by softmax regression over sparse binary features."""

    def __init__(self, examples: Iterable[tuple[str, Sequence[str]]]) -> None:
        """``examples``: (intent, features of one example sentence) pairs."""
        global fits
        fits += 1
        rows = [(intent, sorted(set(features))) for intent, features in examples if features]
        self.intents: tuple[str, ...] = tuple(sorted({intent for intent, _ in rows}))
        self._vocabulary: dict[str, int] = {}
        for _intent, features in rows:
            for feature in features:
                self._vocabulary.setdefault(feature, len(self._vocabulary))
        labels = np.asarray([self.intents.index(intent) for intent, _ in rows], dtype=np.int64)
        bias = len(self._vocabulary)  # a feature every sentence has
        sizes = np.asarray([len(features) + 1 for _, features in rows], dtype=np.int64)
        known = self._vocabulary
        indices = np.asarray(
            [i for _, features in rows for i in (*(known[f] for f in features), bias)], np.int64
        )
        offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        counts = np.bincount(labels, minlength=len(self.intents)).astype(np.float64)
        # every intent weighs about alike however many examples it has (play has a hundred
        # times more than a joke)
        class_weight = (counts.sum() / (len(counts) * np.maximum(counts, 1))) ** 0.5
        intents = len(self.intents)
        self._weights = np.zeros((bias + 1, intents), np.float64)
        rng = np.random.default_rng(SEED)
        for epoch in range(EPOCHS):
            rate = LEARNING_RATE / (1 + epoch * 0.3)
            order = rng.permutation(len(rows))
            for start in range(0, len(order), BATCH):
                batch = order[start : start + BATCH]
                lengths = sizes[batch]
                ends = np.cumsum(lengths)
                within = np.arange(ends[-1]) - np.repeat(ends - lengths, lengths)
                flat = indices[np.repeat(offsets[batch], lengths) + within]
                logits = np.add.reduceat(self._weights[flat], ends - lengths, axis=0)
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
                old = self._weights[touched]
                self._weights[touched] = old - rate * (gradient + L2 * old)

    @classmethod
    def restored(
        cls, intents: tuple[str, ...], vocabulary: list[str], weights: np.ndarray
    ) -> LinearModel:
        """The model whose :meth:`saved` parts these are (ValueError: they do not fit)."""
        if weights.shape != (len(vocabulary) + 1, len(intents)) or weights.dtype != np.float64:
            raise ValueError(f"weights of shape {weights.shape} for {len(intents)} intents")
        model = cls.__new__(cls)
        model.intents = intents
        model._vocabulary = {feature: index for index, feature in enumerate(vocabulary)}
        if len(model._vocabulary) != len(vocabulary):
            raise ValueError("a feature is named twice")
        model._weights = weights
        return model

    def saved(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Intents, features (in weight-row order) and weights, for :meth:`restored`."""
        return np.asarray(self.intents), np.asarray(list(self._vocabulary)), self._weights

    def probabilities(self, features: Iterable[str]) -> dict[str, float]:
        """Each intent's probability for an utterance's features (unseen features ignored)."""
        known = [self._vocabulary[f] for f in set(features) if f in self._vocabulary]
        logits = self._weights[[*known, len(self._vocabulary)]].sum(axis=0)
        return dict(zip(self.intents, _softmax(logits[None, :])[0].tolist(), strict=True))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)

"""The neighbours' model and what it keeps for good are lean (no dict of strings, no empty dict
per example), and the examples it was built from are let go once the classifier is ready."""

from __future__ import annotations

import numpy as np

from appliance.dj.understand_guess import _fitted
from appliance.dj.understand_linear import LinearModel
from appliance.dj.understand_model import Implied, NeighbourModel, word_features

ROWS = [
    ("play", "play some jazz"),
    ("play", "put on some jazz"),
    ("skip", "skip this one"),
    ("skip", "next track please"),
    ("pause", "pause the music"),
]


def test_the_neighbours_keep_arrays_and_find_features_by_key() -> None:
    model = NeighbourModel((intent, word_features(text.split())) for intent, text in ROWS)
    kept = vars(model)
    assert not [name for name, value in kept.items() if isinstance(value, (dict, list, set))]
    assert all(value.dtype != object for value in kept.values() if isinstance(value, np.ndarray))
    guess = model.guess(word_features(["skip", "this", "track"]))
    assert guess is not None and guess.intent == "skip"
    # a word no example has counts against the confidence; none known: no guess
    said = model.guess(word_features(["skip", "this"]))
    unknown = model.guess(word_features(["skip", "this", "zebra"]))
    assert said is not None and unknown is not None and unknown.confidence < said.confidence
    assert model.guess(["zebra", "giraffe"]) is None


def test_only_what_an_example_means_unsaid_is_kept() -> None:
    implied = Implied([{}, {"mood": "sad"}, {}, {}])
    assert implied[1] == {"mood": "sad"} and implied[0] == {} and implied[3] == {}
    assert len(vars(implied)["_said"]) == 1


def test_the_fit_lets_go_of_the_examples() -> None:
    examples: list[tuple[str, str, dict[str, str]]] = [(i, text, {}) for i, text in ROWS]
    pending = [(examples, [word_features(text.split()) for _, text, _ in examples])]
    model = _fitted(pending)
    assert pending == [] and isinstance(model, LinearModel)
    assert max(model.probabilities(["skip", "this"]).items(), key=lambda kv: kv[1])[0] == "skip"

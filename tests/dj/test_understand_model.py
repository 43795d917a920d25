"""The neighbours' model and what it keeps for good are lean (no dict of strings, no empty dict
per example), the examples it was built from are let go once the classifier is ready, and the
whole model is kept in the data folder so a start reads it and builds no example."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from appliance.dj import understand_guess, understand_linear
from appliance.dj.understand import Understanding
from appliance.dj.understand_guess import Model, ModelStep, _fitted
from appliance.dj.understand_linear import LinearModel
from appliance.dj.understand_model import Guess, Implied, NeighbourModel, word_features
from appliance.dj.understand_weights import MODELS, code_key

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


EXAMPLES: list[tuple[str, str, dict[str, str]]] = [
    *[(intent, text, {}) for intent, text in ROWS],
    ("mood", "my dog died", {"mood": "sad"}),
]
SAID = ["skip this track", "play jazz", "my dog died today", "pause it"]


@pytest.fixture
def step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModelStep:
    """The real model step of the real templates, its examples a few sentences (fast)."""
    monkeypatch.setenv("APPLIANCE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(ModelStep, "examples", lambda self: list(EXAMPLES))
    return Understanding()._model_step


Reading = tuple[Guess, dict[str, str], dict[str, float]]


def readings(step: ModelStep, model: Model) -> list[Reading]:
    rows: list[Reading] = []
    for text in SAID:
        features = step.features(None, text)
        guess = model.neighbours.guess(features)
        assert guess is not None
        implied = model.implied[guess.nearest]
        rows.append((guess, dict(implied), model.linear.get().probabilities(features)))
    return rows


def test_a_start_reads_the_whole_model_kept_and_builds_no_example(
    step: ModelStep, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fits = understand_linear.fits
    built = step._built()
    made = readings(step, built)  # the classifier fitted, the whole model kept
    assert understand_linear.fits == fits  # in a child process: this one only read it
    (path,) = (tmp_path / MODELS).glob("*.npz")
    assert path.name == f"{step.key()}.npz" and not list(path.parent.glob(".*.tmp"))

    def no_examples(self: ModelStep) -> list[tuple[str, str, dict[str, str]]]:
        raise AssertionError("examples built though the model is kept")

    monkeypatch.setattr(ModelStep, "examples", no_examples)
    read = step._built()
    assert understand_linear.fits == fits
    assert readings(step, read) == made
    assert made[2][1] == {"mood": "sad"}  # what the closest example means unsaid


@pytest.mark.parametrize("damage", ["garbage", "truncated", "arrays that do not fit"])
def test_a_damaged_model_is_built_again_with_a_log_line(
    step: ModelStep, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    made = readings(step, step._built())
    (path,) = (tmp_path / MODELS).glob("*.npz")
    if damage == "garbage":
        path.write_bytes(b"not a model at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:300])
    else:
        with np.load(path) as saved:
            arrays = dict(saved)
        arrays["neighbours_labels"] = arrays["neighbours_labels"][:-1]
        np.savez(path, **arrays)
    with caplog.at_level(logging.WARNING, logger="appliance.dj.understand_weights"):
        again = step._built()
    assert "damaged" in caplog.text and path.name in caplog.text
    assert readings(step, again) == made
    assert readings(step, step._built()) == made  # kept whole again, and read


def test_a_model_of_other_templates_or_code_is_not_read(step: ModelStep) -> None:
    key = step.key()
    assert step.key() == key
    other = ModelStep(
        dataclasses.replace(step._templates, digest="other"), step._learned, step._lexicon
    )
    assert other.key() != key
    assert code_key(["a"]) != code_key(["b"])


def test_a_restored_model_checks_its_arrays() -> None:
    model = NeighbourModel((intent, word_features(text.split())) for intent, text in ROWS)
    saved = model.saved()
    restored = NeighbourModel.restored(saved)
    features = word_features(["skip", "this", "track"])
    assert restored.guess(features) == model.guess(features)
    with pytest.raises(ValueError):
        NeighbourModel.restored({**saved, "posted": saved["posted"] + len(ROWS)})
    with pytest.raises(ValueError):
        Implied.restored(np.frombuffer(b'[[1, ["mood"]]]', np.uint8))


def test_a_child_that_dies_leaves_the_model_built_in_process(
    step: ModelStep,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def killed(step: ModelStep, path: Path) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(understand_guess, "_build_and_keep", killed)
    fits = understand_linear.fits
    with caplog.at_level(logging.WARNING, logger="appliance.dj.understand_guess"):
        model = step._built()
        made = readings(step, model)
    assert "ended with -9" in caplog.text and "in the daemon's own process" in caplog.text
    assert understand_linear.fits == fits + 1
    assert made[0][0].intent == "skip" and made[2][1] == {"mood": "sad"}
    assert [path.name for path in (tmp_path / MODELS).glob("*.npz")] == [f"{step.key()}.npz"]

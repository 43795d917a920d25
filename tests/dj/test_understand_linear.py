"""The classifier is lean where it lives for good (the daemon, the kept file): float32 weights,
features found by 64-bit keys rather than in a dict of strings, their names one block of text,
nothing learned from a feature of one example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from appliance.dj import understand_linear
from appliance.dj.understand_linear import SEPARATOR, LinearModel, char_grams
from appliance.dj.understand_weights import fitted

ROWS = [
    ("play", "play some jazz"),
    ("play", "put on some jazz"),
    ("play", "play a little bossa nova"),
    ("skip", "skip this one"),
    ("skip", "skip this track zebra"),
    ("skip", "next track please"),
    ("pause", "pause the music"),
    ("pause", "hold the music"),
]


def features(text: str) -> list[str]:
    return [*text.split(), *char_grams(text.split())]


def test_the_kept_weights_are_float32_beside_one_block_of_names(tmp_path: Path) -> None:
    model = fitted([(intent, features(text)) for intent, text in ROWS], tmp_path)
    (path,) = tmp_path.glob("*.npz")
    with np.load(path, allow_pickle=False) as kept:
        assert kept["weights"].dtype == np.float32 and kept["vocabulary"].dtype == np.uint8
        names = kept["vocabulary"].tobytes().decode().split(SEPARATOR)
        assert kept["weights"].shape == (len(names) + 1, 3)
        assert "skip" in names and "zebra" not in names
    said = features("skip the track")
    assert fitted([(intent, features(text)) for intent, text in ROWS], tmp_path).probabilities(
        said
    ) == model.probabilities(said)


def test_a_feature_of_one_example_is_not_learned() -> None:
    model = LinearModel((intent, features(text)) for intent, text in ROWS)
    assert model.probabilities(["skip", "zebra"]) == model.probabilities(["skip"])
    assert model.probabilities(["skip", "track"]) != model.probabilities(["skip"])  # in two
    assert max(model.probabilities(features("play jazz")).items(), key=lambda kv: kv[1])[0] == (
        "play"
    )


def test_the_letter_grams_of_many_sentences_are_shared_strings() -> None:
    first, second = char_grams(["playing"]), char_grams(["playing", "it", "again"])
    assert first == ["~#pl", "~pla", "~lay", "~ayi", "~yin", "~ing", "~ng#"]
    assert all(a is b for a, b in zip(first, second[: len(first)], strict=True))


def test_a_32_bit_board_keys_features_by_their_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 32-bit Python's 32-bit string hash gave two of the understanding's tens of thousands of
    features one key in about one start of ten, and the model refused to build; the digest's
    keys find the same weights."""
    said = ("skip the track", "play jazz", "hold it")
    wide = LinearModel((intent, features(text)) for intent, text in ROWS)
    heard = [wide.probabilities(features(text)) for text in said]
    monkeypatch.setattr(understand_linear, "WIDE_HASH", False)
    narrow = LinearModel((intent, features(text)) for intent, text in ROWS)
    for text, before in zip(said, heard, strict=True):
        assert narrow.probabilities(features(text)) == pytest.approx(before)
    assert max(heard[0], key=heard[0].__getitem__) == "skip"
    names = [f"w{number}" for number in range(40_000)]
    assert len(set(understand_linear.feature_keys(names).tolist())) == len(names)

"""Kept classifier files of any content: read when whole, else fitted again with a log line;
never an exception, never probabilities that are not numbers."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from appliance.dj import understand_linear
from appliance.dj.understand_linear import char_grams
from appliance.dj.understand_weights import fitted, weights_key

pytestmark = pytest.mark.fuzz

ROWS = [
    ("play", "play some jazz"),
    ("play", "play some rock"),
    ("skip", "skip this one"),
    ("skip", "skip the track"),
]
EXAMPLES = [(intent, [*text.split(), *char_grams(text.split())]) for intent, text in ROWS]

_names = st.lists(st.sampled_from(["play", "skip", "some", "~ski", "", "\n", "é"]), max_size=5)
_arrays = st.one_of(
    _names.map(lambda names: np.asarray(names) if names else np.zeros(0, "<U1")),
    _names.map(lambda names: np.frombuffer("\n".join(names).encode(), np.uint8)),
    st.binary(max_size=12).map(lambda raw: np.frombuffer(raw, np.uint8)),
    st.tuples(st.integers(0, 6), st.integers(0, 3), st.sampled_from(["<f4", "<f8", "<i8"])).map(
        lambda shape: (
            np.full(shape[:2], np.nan if shape[0] == 5 else 0.5, dtype=shape[2])
            if shape[2] != "<i8"
            else np.zeros(shape[:2], dtype=shape[2])
        )
    ),
    st.just(np.asarray("play")),
    st.just(np.asarray(["pause", "play", "skip"])),
)


@given(
    parts=st.dictionaries(st.sampled_from(["intents", "vocabulary", "weights", "x"]), _arrays),
    cut=st.one_of(st.none(), st.integers(0, 400)),
)
@example(  # whole and of the right shape, but not numbers
    parts={
        "intents": np.asarray(["pause", "play", "skip"]),
        "vocabulary": np.frombuffer(b"play\nskip\nsome\n~ski", np.uint8),
        "weights": np.full((5, 3), np.nan, np.float32),
    },
    cut=None,
)
def test_any_kept_file_is_read_or_fitted_again(
    tmp_path_factory: pytest.TempPathFactory, parts: dict[str, np.ndarray], cut: int | None
) -> None:
    folder = tmp_path_factory.mktemp("understanding")
    packed = io.BytesIO()
    np.savez(packed, **parts)
    raw = packed.getvalue()
    path = folder / f"{weights_key(EXAMPLES)}.npz"
    path.write_bytes(raw if cut is None else raw[:cut])
    model = fitted(EXAMPLES, folder)
    found = model.probabilities(["skip", "the", *char_grams(["skip"])])
    assert set(found) == set(model.intents)
    assert all(math.isfinite(p) for p in found.values())
    assert math.isclose(sum(found.values()), 1.0, rel_tol=1e-6)


def test_a_refitted_file_is_read_next_time(tmp_path: Path) -> None:
    (tmp_path / f"{weights_key(EXAMPLES)}.npz").write_bytes(b"PK\x03\x04 not a zip")
    fitted(EXAMPLES, tmp_path)
    before = understand_linear.fits
    fitted(EXAMPLES, tmp_path)
    assert understand_linear.fits == before

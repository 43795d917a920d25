"""The classifier's weights kept in the data folder: a second start reads them, a damaged file is
fitted again (and said so), and only the newest few are kept."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from appliance.dj import understand_linear, understand_weights
from appliance.dj.understand_linear import char_grams
from appliance.dj.understand_weights import FOLDER, KEEP, default_folder, fitted

SENTENCES = [
    ("play", "play some jazz"),
    ("play", "put on a little bossa nova"),
    ("skip", "skip this one"),
    ("skip", "skip the track"),
    ("skip", "next track please"),
    ("pause", "pause the music"),
    ("pause", "hold on a second"),
]


def examples(extra: str = "") -> list[tuple[str, list[str]]]:
    rows = [*SENTENCES, *([("play", extra)] if extra else [])]
    return [(intent, [*text.split(), *char_grams(text.split())]) for intent, text in rows]


def test_a_second_build_reads_the_weights_instead_of_fitting(tmp_path: Path) -> None:
    before = understand_linear.fits
    first = fitted(examples(), tmp_path)
    assert understand_linear.fits == before + 1
    assert len(list(tmp_path.glob("*.npz"))) == 1
    second = fitted(examples(), tmp_path)
    assert understand_linear.fits == before + 1  # read, not fitted
    features = ["skip", "the", "track", *char_grams(["skip", "track"])]
    assert second.probabilities(features) == first.probabilities(features)
    assert max(second.probabilities(features).items(), key=lambda kv: kv[1])[0] == "skip"


def test_other_examples_are_fitted_anew(tmp_path: Path) -> None:
    fitted(examples(), tmp_path)
    before = understand_linear.fits
    fitted(examples("play something by sade"), tmp_path)
    assert understand_linear.fits == before + 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape"])
def test_a_damaged_file_is_fitted_again_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    fitted(examples(), tmp_path)
    (path,) = tmp_path.glob("*.npz")
    if damage == "garbage":
        path.write_bytes(b"not weights at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    else:
        np.savez(path, intents=np.asarray(["play"]), vocabulary=np.asarray(["a"]),
                 weights=np.zeros((5, 5)))  # fmt: skip
    before = understand_linear.fits
    with caplog.at_level(logging.WARNING, logger="appliance.dj.understand_weights"):
        model = fitted(examples(), tmp_path)
    assert understand_linear.fits == before + 1
    assert "damaged" in caplog.text and path.name in caplog.text
    assert model.intents == ("pause", "play", "skip")
    fitted(examples(), tmp_path)
    assert understand_linear.fits == before + 1  # the new file is whole


def test_only_the_newest_few_are_kept(tmp_path: Path) -> None:
    for number in range(KEEP + 2):
        fitted(examples(f"play number {number}"), tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == KEEP
    assert list(tmp_path.glob(".*.tmp")) == []
    before = understand_linear.fits
    fitted(examples(f"play number {KEEP + 1}"), tmp_path)  # the newest is one kept
    assert understand_linear.fits == before


def test_without_a_data_folder_nothing_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPLIANCE_DATA_DIR", str(tmp_path / "absent"))
    assert default_folder() is None
    before = understand_linear.fits
    fitted(examples(), None)
    fitted(examples(), None)
    assert understand_linear.fits == before + 2
    assert not (tmp_path / "absent").exists()
    (tmp_path / "absent").mkdir()
    assert understand_weights.default_folder() == tmp_path / "absent" / FOLDER

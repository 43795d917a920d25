"""The recogniser's language models kept in the data folder (appliance/voice/lm_cache.py): a
start with a grammar seen before reads the model instead of working it out."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from appliance.dj.understand import Understanding, Vocabulary
from appliance.grammar import Alt, Grammar, Ref, Seq, Words
from appliance.voice import lm_cache, ngram, stt_pocketsphinx
from appliance.voice.stt_pocketsphinx import PocketsphinxRecognizer


def small_grammar(genre: str = "jazz") -> Grammar:
    return Grammar(
        root=Alt((Seq((Words("play some"), Ref("genre"))), Words("skip this song"))),
        lists={"genre": [genre, "rock"]},
    )


class Counting:
    """ngram.grammar_arpa, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, grammar: Grammar) -> str:
        self.calls += 1
        return ngram.grammar_arpa(grammar)


@pytest.fixture
def builder(monkeypatch: pytest.MonkeyPatch) -> Counting:
    counting = Counting()
    monkeypatch.setattr(stt_pocketsphinx, "grammar_arpa", counting)
    return counting


def kept(data: Path) -> list[Path]:
    return sorted((data / lm_cache.FOLDER).glob("*.arpa"))


def test_a_second_start_with_the_same_grammar_reads_the_kept_model(
    builder: Counting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"  # not the session's cache (tests/conftest.py): none kept yet
    monkeypatch.setenv("APPLIANCE_DATA_DIR", str(data))
    # the DJ's own grammar: pocketsphinx loads a model this size in under a second (a model of
    # a handful of sentences takes it ten times longer)
    grammar = Understanding(vocabulary=Vocabulary(artists=("Sade",))).grammar(names=["alex"])
    first = PocketsphinxRecognizer(grammar=grammar, wake_phrases=["okay nabu"])
    assert builder.calls == 1 and len(kept(data)) == 1
    second = PocketsphinxRecognizer(grammar=grammar, wake_phrases=["okay nabu"])
    assert builder.calls == 1  # read, not worked out
    assert second.mode == first.mode == "grammar" and second.dropped == first.dropped


def test_another_grammar_is_worked_out_anew(tmp_path: Path) -> None:
    builds = Counting()
    for genre in ("jazz", "blues", "jazz"):
        lm_cache.language_model(small_grammar(genre), builds, tmp_path)
    assert builds.calls == 2
    for prefixes, share in [(["nabu"], 0.2), (["nabu"], 0.1), (["jarvis"], 0.1), (["nabu"], 0.2)]:
        lm_cache.language_model(small_grammar(), builds, tmp_path, prefixes, share)
    assert builds.calls == 5
    # the prefixes are in the model
    assert "nabu" in lm_cache.language_model(small_grammar(), builds, tmp_path, ["nabu"], 0.2)


def test_the_kept_text_is_what_the_builder_gives(tmp_path: Path) -> None:
    built = lm_cache.language_model(small_grammar(), ngram.grammar_arpa, tmp_path)
    again = lm_cache.language_model(small_grammar(), lambda g: pytest.fail("built"), tmp_path)
    assert again == built == ngram.grammar_arpa(small_grammar())


def test_the_ngram_settings_are_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = lm_cache.model_key(small_grammar())
    monkeypatch.setattr(ngram, "FLOOR", ngram.FLOOR * 2)
    assert lm_cache.model_key(small_grammar()) != before


@pytest.mark.parametrize("damage", ["truncated", "garbled", "not text"])
def test_a_damaged_model_is_rebuilt_with_a_log_line(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    built = lm_cache.language_model(small_grammar(), ngram.grammar_arpa, tmp_path)
    [path] = sorted(tmp_path.glob("*.arpa"))
    raw = path.read_bytes()
    damaged = {
        "truncated": raw[: len(raw) // 2],
        "garbled": raw.replace(b"play", b"pray", 1),
        "not text": b"\xff\xfe" + raw,
    }[damage]
    path.write_bytes(damaged)
    builds = Counting()
    with caplog.at_level(logging.WARNING, logger="appliance.voice.lm_cache"):
        again = lm_cache.language_model(small_grammar(), builds, tmp_path)
    assert again == built and builds.calls == 1
    assert "building it" in caplog.text and str(path) in caplog.text
    assert path.read_bytes() == raw  # kept whole again


def test_only_the_newest_models_are_kept(tmp_path: Path) -> None:
    genres = ["jazz", "blues", "soul", "funk", "disco", "house"]
    for genre in genres:
        lm_cache.language_model(small_grammar(genre), ngram.grammar_arpa, tmp_path)
    names = {p.name.split(".")[0] for p in tmp_path.glob("*.arpa")}
    assert names == {lm_cache.model_key(small_grammar(g)) for g in genres[-lm_cache.KEEP :]}
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind

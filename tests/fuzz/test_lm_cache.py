"""The kept language models (appliance/voice/lm_cache.py) under faults: a read-only or full data
folder, writers racing and writers killed mid-write. A model is read whole or not at all."""

from __future__ import annotations

import logging
import multiprocessing
import random
import time
from pathlib import Path

import pytest

from appliance.grammar import Alt, Grammar, Words
from appliance.voice import lm_cache
from tests.fuzz.conftest import fuzz_rounds
from tests.support.disks import fill, make_read_only

pytestmark = pytest.mark.fuzz

GRAMMAR = Grammar(root=Alt((Words("play some jazz"), Words("skip this song"))))
TEXT = "\\data\\\n" + "-1.0\tplay\n" * 300_000 + "\\end\\\n"  # 3 MB: more than the small disk


def build(grammar: Grammar) -> str:
    return TEXT


def test_a_read_only_data_folder_still_gives_the_model(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_read_only(small_disk)
    with caplog.at_level(logging.WARNING, logger="appliance.voice.lm_cache"):
        assert lm_cache.language_model(GRAMMAR, build, small_disk / "cache") == TEXT
    assert "not kept" in caplog.text and "read-only" in caplog.text.lower()


def test_a_model_kept_before_the_disk_went_read_only_is_read(small_disk: Path) -> None:
    small = "\\data\\\nngram 1=1\n\\end\\\n"
    lm_cache.language_model(GRAMMAR, lambda g: small, small_disk)
    make_read_only(small_disk)
    assert lm_cache.language_model(GRAMMAR, lambda g: pytest.fail("built"), small_disk) == small


@pytest.mark.parametrize("filled", [True, False], ids=["full", "too-small"])
def test_a_full_disk_keeps_nothing_half_written(
    small_disk: Path, filled: bool, caplog: pytest.LogCaptureFixture
) -> None:
    if filled:
        fill(small_disk)
    with caplog.at_level(logging.WARNING, logger="appliance.voice.lm_cache"):
        assert lm_cache.language_model(GRAMMAR, build, small_disk / "cache") == TEXT
    assert "not kept" in caplog.text
    left = [p.name for p in (small_disk / "cache").glob("*")] if not filled else []
    assert left == []  # the temporary file is gone too


class Missing(Exception):
    pass


def _missing(grammar: Grammar) -> str:
    raise Missing


def _read(folder: Path) -> str | None:
    """The kept model, or None: never building one."""
    try:
        return lm_cache.language_model(GRAMMAR, _missing, folder)
    except Missing:
        return None


def _write_slowly(folder: Path, seed: int) -> None:
    time.sleep(random.Random(seed).random() * 0.05)
    lm_cache.language_model(GRAMMAR, build, folder)


def test_racing_and_killed_writers_never_leave_a_partial_model(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    folder = tmp_path / "cache"
    for round_ in range(fuzz_rounds(3, 40)):
        for path in folder.glob("*"):
            path.unlink()
        writers = [
            context.Process(target=_write_slowly, args=(folder, round_ * 10 + i)) for i in range(4)
        ]
        for writer in writers:
            writer.start()
        victim = writers[round_ % len(writers)]
        time.sleep(random.Random(round_).random() * 0.05)
        victim.kill()  # a power cut, for this one (a writer already done and reaped is let be)
        seen = []
        deadline = time.monotonic() + 60  # a writer stuck after the fork fails, never hangs
        while any(w.is_alive() for w in writers) and time.monotonic() < deadline:
            seen.append(_read(folder))
        stuck = [w.pid for w in writers if w.is_alive()]
        for writer in writers:
            if writer.is_alive():
                writer.kill()
        assert not stuck, f"round {round_}: writers {stuck} never finished"
        for writer in writers:
            writer.join()
        codes = [w.exitcode for w in writers]
        assert codes.count(0) >= len(writers) - 1, codes  # the others ended cleanly
        assert {len(t) if t else t for t in seen} <= {len(TEXT), None}
        models = sorted(p.name for p in folder.glob("*.arpa"))
        assert len(models) == 1, (round_, models, codes)
        assert (folder / models[0]).read_text() == TEXT
        assert lm_cache.language_model(GRAMMAR, lambda g: pytest.fail("built"), folder) == TEXT

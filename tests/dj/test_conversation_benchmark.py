"""The conversation benchmark (tests/benchmarks/bench_conversation.py), run fast on every test run:
its turns written apart from the templates (those also found in a tuning corpus are said but not
scored), the demo library playing. It asserts the issue's aims (under 5 % "did not
understand", every factual answer right, no sentence repeated within 20 answers) and, for the
ones not met yet, that the figures reached so far do not slip back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks.bench_conversation import HELD_OUT, UNKNOWN_SHARE, Figures, run

REACHED = {
    **{"unknown_share": 0.029, "factual_right_share": 0.977, "follow_ups": 0.915},
}
"""The figures as they stand (see the commit that set them); none may get worse: 12 of 418 turns
not understood (0.0287, once a whole request with words beside it is read; 13 with small talk
said to the DJ in more ways; 14 before that, 12 while
small talk was read from a few words wherever it was said, which answered talk to others and
swallowed requests said beside it) and
174 of 178 factual answers right (0.9775; 173 before), follow-ups 54 of 59 (0.915; 53 before a
request with a reason after it was read). 418 turns are
scored (36 more are tuning lines, said but not scored). An answer is right only when the turn was
understood as its kind is meant (never by chance of another intent). No sentence is said again
within 20 answers (an aim met: asserted below), put another way ("..., like I said") or not."""


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Figures:
    return run(Path(tmp_path_factory.mktemp("conversation")))


@pytest.mark.parametrize("name", sorted(path.name for path in HELD_OUT))
def test_no_held_out_file_is_shown_line_by_line(tmp_path: Path, name: str) -> None:
    """Wherever it lies (a copy too): showing misses is for tuning corpora only."""
    copy = tmp_path / name
    copy.write_text("hello\tgreeting\n", encoding="utf-8")
    for path in (Path(__file__).parent / "corpus" / name, copy):
        with pytest.raises(ValueError, match="held out"):
            run(tmp_path / "run", path, show=lambda *_: None)


def test_the_conversation_is_no_worse_than_before(figures: Figures) -> None:
    found = figures.as_dict()
    print(f"\nconversation: {found}")
    assert found["unknown_share"] <= REACHED["unknown_share"]
    assert found["factual_right_share"] >= REACHED["factual_right_share"]
    assert found["follow_ups_acting_right_share"] >= REACHED["follow_ups"]


def test_no_sentence_comes_back_within_20_answers(figures: Figures) -> None:
    """A sentence said again counts as a repeat whether or not it was put another way ("...,
    like I said"); the rewordings are a figure of their own."""
    assert figures.repeats == 0, dict(figures.repeated)  # kinds only
    assert figures.rewordings == 0, dict(figures.reworded)


def test_under_5_percent_is_not_understood(figures: Figures) -> None:
    assert figures.as_dict()["unknown_share"] < UNKNOWN_SHARE


@pytest.mark.xfail(strict=True, reason="not met yet: see REACHED for where it stands")
def test_every_factual_answer_is_right(figures: Figures) -> None:
    assert figures.as_dict()["factual_right_share"] == 1.0

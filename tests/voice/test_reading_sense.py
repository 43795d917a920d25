"""The DJ's verdicts on a recogniser's readings: a failing or odd callback costs the choice of a
reading, never the command (appliance/voice/reading_sense.py)."""

from __future__ import annotations

import math

import pytest

from appliance.voice.reading_sense import judged, meaning_of


def _fails(_text: str) -> float:
    raise RuntimeError("the understanding broke")


@pytest.mark.parametrize(
    ("verdict", "expected"), [(0.7, 0.7), (1.5, 1.0), (-2.0, 0.0), (math.nan, 0.0), (math.inf, 0.0)]
)
def test_a_verdict_is_kept_within_0_and_1(verdict: float, expected: float) -> None:
    assert judged(lambda _text: verdict, "play some jazz") == expected


def test_a_failing_judge_or_meaning_gives_nothing_and_empty_text_is_not_judged() -> None:
    asked: list[str] = []
    assert judged(_fails, "play some jazz") == 0.0
    assert judged(lambda text: asked.append(text) or 1.0, " , ") == 0.0 and not asked
    assert meaning_of(_fails, "play some jazz") is None
    assert meaning_of(lambda text: ("play", text), "jazz") == ("play", "jazz")

"""Fuzzing the recognisers' edges: any text Whisper may write, any audio a microphone may give.

Text: cutting the wake word's leftover never invents or reorders words, and the prompt always
fits Whisper's limit with the commands whole. Audio: odd lengths, clipping, DC, random bytes
come out as a transcript with a confidence in 0..1, never an exception.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.voice.stt import Vocabulary, normalise
from appliance.voice.stt_whisper import (
    PROMPT_TOKENS,
    Hypothesis,
    WhisperRecognizer,
    build_prompt,
    choose,
    strip_wake,
)
from tests.fuzz.conftest import fuzz_rounds

pytestmark = pytest.mark.fuzz

WAKE = Vocabulary.build((), (), ["hey jarvis", "okay nabu"])
WORDS = st.sampled_from(
    ["hey", "Jarvis,", "jarvis", "okay", "Nabu.", "play", "some", "jazz.", "Skip!", "30", "...",
     "-", "it's", "Ünïcode", "", "  "]
)  # fmt: skip


@given(st.lists(WORDS, max_size=12))
def test_cutting_the_wake_word_keeps_the_rest_as_written(words: list[str]) -> None:
    text = " ".join(words)
    cut = strip_wake(text, WAKE)
    assert cut in text  # nothing invented, nothing reordered: a tail of what was written
    said = normalise(text)
    # the exact wake phrase's leftover goes, and perhaps words sounding like its tail after it
    assert (" " + WAKE.strip_wake(said)).endswith(" " + normalise(cut)) or not normalise(cut)


@given(
    st.lists(st.text(min_size=1, max_size=40), max_size=60),
    st.lists(st.text(min_size=1, max_size=30), max_size=300),
)
def test_the_prompt_always_fits(commands: list[str], names: list[str]) -> None:
    def count(text: str) -> int:
        return len(text.encode()) // 3 + 1

    prompt = build_prompt(commands, names, count)
    assert count(prompt) <= PROMPT_TOKENS + 2  # separators joined after counting


@given(
    st.lists(st.tuples(st.text(max_size=30), st.floats(0, 1, allow_nan=False)), max_size=6),
    st.one_of(st.floats(), st.just(None)),
)
def test_the_chosen_reading_is_one_of_them_with_a_confidence_in_0_to_1(
    readings: list[tuple[str, float]], verdict: float | None
) -> None:
    hypotheses = [Hypothesis(text, score) for text, score in readings]
    judge = None if verdict is None else (lambda _text: verdict)
    text, confidence = choose(hypotheses, judge)
    assert 0.0 <= confidence <= 1.0
    assert text in [h.text for h in hypotheses] or (not hypotheses and text == "")


@pytest.fixture(scope="module")
def whisper() -> Any:
    """The short-prompt recogniser, on the model the other Whisper tests loaded already."""
    from tests.support import whisper as shared

    return WhisperRecognizer(shared.model_path(), ["play", "skip"], model=shared.shared_model())


def test_any_microphone_audio_gives_a_transcript(whisper: WhisperRecognizer) -> None:
    rng = np.random.default_rng(8)
    for round_ in range(fuzz_rounds(4, 60)):  # 0.2-0.6 s each (random audio loops to the cap)
        kind = round_ % 4
        length = int(rng.integers(0, 16000 * 2)) * 2 + int(rng.integers(0, 2))  # odd bytes too
        step = length + 1  # in one piece
        if kind == 0:
            pcm = rng.bytes(length)
        elif kind == 1:  # clipped square waves
            pcm = (np.sign(np.sin(np.arange(length // 2) / 7.0)) * 32767).astype("<i2").tobytes()
        elif kind == 2:  # a constant offset
            pcm = np.full(length // 2, -20000, dtype="<i2").tobytes()
        else:  # random bytes in uneven pieces, torn samples between them
            pcm = rng.bytes(length)
            step = int(rng.integers(1, 4000))
        whisper.start()
        for offset in range(0, len(pcm), step):
            assert whisper.accept(pcm[offset : offset + step]) is None
        transcript = whisper.finish()
        assert 0.0 <= transcript.confidence <= 1.0
        assert transcript.text == "" or normalise(transcript.text)

"""End of speech under arbitrary speech, silence and "is it whole yet?" answers, and the wake
detectors under arbitrary audio: the endpointer keeps its promises frame by frame, a detector
never raises and always answers yes or no."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.dj import PersonalizedDJ
from appliance.dj.complete import LINKS, is_complete
from appliance.dj.understand import Understanding
from appliance.voice.vad import Endpointer, EndReason
from appliance.voice.wake import BUILTIN_MODELS, MicroWakeWord

pytestmark = pytest.mark.fuzz

runs = st.lists(
    st.tuples(st.booleans(), st.integers(1, 80), st.booleans()), min_size=1, max_size=40
)  # (speech?, frames, whole command?)


@given(runs, st.sampled_from([300, 500, 700]), st.sampled_from([0, 100, 200, 300]))
def test_the_endpointer_ends_only_when_its_rules_say(
    pattern: list[tuple[bool, int, bool]], trailing: int, early: int
) -> None:
    endpointer = Endpointer(trailing_silence_ms=trailing, early_silence_ms=early,
                            max_utterance_s=4.0, no_speech_s=2.0)  # fmt: skip
    silence = run = 0
    started = False
    for speech, frames, whole in pattern:
        for _ in range(frames):
            reason = endpointer.update(speech, complete=whole)
            run = run + 10 if speech else 0
            silence = 0 if speech else silence + 10
            started = started or run >= endpointer.min_speech_ms
            if reason is EndReason.SILENCE:
                assert started and silence >= trailing
            elif reason is EndReason.COMPLETE:
                assert whole and early and started and early <= silence < trailing
            elif reason is EndReason.NO_SPEECH:
                assert not started
            elif reason is EndReason.MAX_LENGTH:
                assert started and endpointer.elapsed_ms >= 4000
            else:
                assert not (started and silence >= trailing)
                assert not (whole and early and started and silence >= early)
            if reason is not None:
                return


@pytest.fixture(scope="module")
def detectors() -> list[MicroWakeWord]:
    return [MicroWakeWord(model) for model in BUILTIN_MODELS]


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.01, 0.3, 1.0]), st.booleans())
def test_wake_detectors_take_any_audio(
    detectors: list[MicroWakeWord], seed: int, level: float, strict: bool
) -> None:
    rng = np.random.default_rng(seed)
    audio = (rng.standard_normal(16000) * level * 32767).clip(-32768, 32767).astype("<i2")
    pcm = audio.tobytes()
    for detector in detectors:
        detector.set_strict(strict)
        detector.reset()
        for offset in range(0, len(pcm), 320):  # the last frame may be short
            assert detector.process(pcm[offset : offset + 320]) in (True, False)
        detector.set_strict(False)


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return PersonalizedDJ().understanding


WORDS = ("play", "some", "jazz", "rock", "turn", "it", "up", "down", "set", "the", "volume",
         "to", "skip", "pause", "stop", "this", "song", "i", "love", "one", "twenty", "please",
         "next", "and", "by", "for", "miles", "davis", "no", "not", "what's")  # fmt: skip


@given(st.lists(st.sampled_from(WORDS), min_size=0, max_size=8), st.sampled_from(sorted(LINKS)))
def test_a_partial_ending_on_a_linking_word_is_never_whole(
    understanding: Understanding, words: list[str], link: str
) -> None:
    """Whatever came before, "... and" / "... to" / "... for" waits for the rest."""
    assert not is_complete(understanding.parse(" ".join([*words, link])))


@given(st.lists(st.sampled_from(WORDS), min_size=0, max_size=6),
       st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))  # fmt: skip
def test_a_partial_naming_someone_after_by_is_never_whole(
    understanding: Understanding, before: list[str], after: list[str]
) -> None:
    assert not is_complete(understanding.parse(" ".join([*before, "by", *after])))

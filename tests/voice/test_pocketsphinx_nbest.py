"""pocketsphinx's n-best readings chosen by the understanding, and a confidence that a leftover
of the wake word does not drag down: real speech (Piper's joe) through the DJ's template
language model."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from appliance.dj.confirm import NEEDED_ORDINARY
from appliance.dj.understand import Understanding, Vocabulary
from appliance.events import Transcript
from appliance.voice.stt import load_recognizer
from appliance.voice.stt_pocketsphinx import PocketsphinxRecognizer, Reading, choose
from tests.support.speech import silence, speech_pcm
from tests.voice.conftest import recognise


@pytest.fixture(scope="module")
def ears() -> tuple[PocketsphinxRecognizer, Understanding]:
    understanding = Understanding(
        vocabulary=Vocabulary(artists=("Miles Davis", "Sade", "Daft Punk"), titles=("So What",))
    )
    recognizer = load_recognizer(
        "pocketsphinx", None, grammar=understanding.grammar(names=["alex"]),
        wake_phrases=["hey jarvis"],
    )  # fmt: skip
    assert isinstance(recognizer, PocketsphinxRecognizer)
    return recognizer, understanding


def heard(
    recognizer: PocketsphinxRecognizer, text: str, judge: Callable[[str], float] | None
) -> Transcript:
    recognizer.judge = judge
    try:
        return recognise(recognizer, silence(0.3) + speech_pcm(text) + silence(0.5))[0]
    finally:
        recognizer.judge = None


def test_the_understanding_picks_a_nearly_as_likely_reading(
    ears: tuple[PocketsphinxRecognizer, Understanding],
) -> None:
    """Among readings pocketsphinx finds about as likely ("play some jazz" / "play some jazz
    stuff"), the one the understanding accepts wins; with no judge the search's best stands."""
    recognizer, _ = ears
    tried = {}
    for said in ("play some jazz", "turn the music off", "what's playing", "i love this song"):
        alone = heard(recognizer, said, None)
        assert alone.text == said
        top = recognizer.readings[0].score
        close = [r.text for r in recognizer.readings if r.text != said and r.score > top / 2]
        tried[said] = recognizer.readings[:4]
        if close:
            break
    else:
        raise AssertionError(f"no reading nearly as likely as the best: {tried}")
    readings = recognizer.readings
    wanted = close[0]
    assert choose(readings, lambda text: float(text == wanted)) == wanted
    assert choose(readings, lambda text: float(text == said)) == said
    assert choose(readings, lambda text: 1.0) == said  # a tie keeps the search's best

    # and the recogniser reads with the judge it is given, as choose() does
    def anything_else(text: str) -> float:
        return float(text != said)

    transcript = heard(recognizer, said, anything_else)
    assert transcript.text == choose(recognizer.readings, anything_else)


def test_a_far_less_likely_reading_never_wins() -> None:
    """Readings of another tier of the n-best (e-20 and below) are not nearly as likely: the
    understanding's verdict cannot lift them over the search's best."""
    readings = [Reading("turn the music off", 0.092), Reading("turn the music on", 3.4e-21)]
    assert choose(readings, lambda text: float(text.endswith("on"))) == "turn the music off"
    close = [Reading("play some jazz", 0.09), Reading("play some jazz stuff", 0.085)]
    assert choose(close, lambda text: float(text.endswith("stuff"))) == "play some jazz stuff"


def test_a_failing_judge_keeps_the_search_s_best(
    ears: tuple[PocketsphinxRecognizer, Understanding], caplog: pytest.LogCaptureFixture
) -> None:
    recognizer, _ = ears

    def broken(text: str) -> float:
        raise ValueError("no")

    assert heard(recognizer, "what's playing", broken).text == "what's playing"
    assert "could not judge" in caplog.text


def test_readings_that_say_the_same_words_agree(
    ears: tuple[PocketsphinxRecognizer, Understanding],
) -> None:
    recognizer, _ = ears
    transcript = heard(recognizer, "play some jazz", None)
    assert 0.0 < recognizer.agreement(transcript.text) <= 1.0
    assert recognizer.agreement("something else entirely") == 0.0


@pytest.mark.parametrize("take", [1, 2])
def test_a_clean_command_after_the_wake_word_s_tail_is_sure_enough_to_play(
    ears: tuple[PocketsphinxRecognizer, Understanding], take: int
) -> None:
    """The listener hands the recogniser the command from a little before the wake word fired,
    so the end of "jarvis" often comes first. Its posterior was shared between every cut of
    that tail, and joe's clean "play some jazz" came out at 0.35-0.55: the DJ asked "Play
    jazz?" (tests/test_end_to_end.py, now and then). It must be sure enough to just play."""
    recognizer, _ = ears
    wake = speech_pcm("hey jarvis", take=take)
    command = speech_pcm("play some jazz", take=take)
    for tail_s in (0.0, 0.3, 0.4, 0.5, 0.7):
        recognizer.adapt(wake)  # as the listener does, on the wake word
        tail = wake[len(wake) - int(tail_s * 16000) * 2 :] if tail_s else b""
        transcript = recognise(recognizer, tail + command + silence(0.5))[0]
        assert transcript.text == "play some jazz", tail_s
        assert transcript.confidence >= NEEDED_ORDINARY, (tail_s, transcript.confidence)

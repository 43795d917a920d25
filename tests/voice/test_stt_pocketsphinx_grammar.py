"""pocketsphinx with the DJ's language model: a reading the command grammar says whole is
surer than one it does not (tests of appliance/voice/grammar_match.py's part in the confidence),
and n-best readings that mean the same to the understanding agree. Real speech (Piper's joe)
through the DJ's template language model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appliance.dj.confirm import NEEDED_DESTRUCTIVE
from appliance.dj.understand import Understanding, Vocabulary
from appliance.dj.understand_verdict import meaning, verdict
from appliance.voice.stt import CONFIDENT, load_recognizer
from appliance.voice.stt_pocketsphinx import PocketsphinxRecognizer
from tests.support.speech import silence, speech_pcm
from tests.voice.conftest import recognise


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(vocabulary=Vocabulary(artists=("Miles Davis", "Sade")))


@pytest.fixture(scope="module")
def ears(understanding: Understanding) -> PocketsphinxRecognizer:
    recognizer = load_recognizer(
        "pocketsphinx", None, grammar=understanding.grammar(names=["alex"])
    )
    assert isinstance(recognizer, PocketsphinxRecognizer)
    return recognizer


@pytest.fixture
def judged(
    ears: PocketsphinxRecognizer, understanding: Understanding
) -> Iterator[PocketsphinxRecognizer]:
    """The recogniser with the understanding's verdict and meaning, as the station gives them."""

    ears.judge = lambda text: verdict(understanding.parse(text))
    ears.meaning = lambda text: meaning(understanding.parse(text))
    yield ears
    ears.judge = ears.meaning = None


def test_commands_the_grammar_says_whole_are_surer_than_chatter(
    judged: PocketsphinxRecognizer,
) -> None:
    """Heard exactly, these came out at 0.2-0.45 from the word posteriors and the n-best alone,
    below chatter heard as nonsense. With the grammar's part and the understanding's meaning, as
    the station weighs them, they are above any chatter. 'next song please' splits the n-best in
    words ('next on please') that mean the same skip to the understanding: sure enough for a
    skip (on words alone 0.33; the fit before put it at 0.37-0.57: asked about)."""
    ears = judged
    chatter = recognise(ears, silence(0.3) + speech_pcm("i had pasta for dinner") + silence(0.5))
    for said in ("hold on a second", "i'm working out", "next song please"):
        transcript = recognise(ears, silence(0.3) + speech_pcm(said) + silence(0.5))[0]
        assert transcript.text == said
        assert transcript.confidence > 0.4 > chatter[0].confidence, (said, transcript.confidence)
    assert ears.agreement(said) < ears.meaning_agreement(said)
    assert transcript.confidence >= NEEDED_DESTRUCTIVE


def test_chatter_the_grammar_does_not_say_stays_unsure(judged: PocketsphinxRecognizer) -> None:
    """Also with the understanding's meaning: chatter read as words it half places agrees with
    nothing."""
    ears = judged
    for said in ("i had pasta for dinner yesterday", "what is the weather like in paris"):
        transcript = recognise(ears, silence(0.3) + speech_pcm(said) + silence(0.5))[0]
        assert transcript.confidence < CONFIDENT, (said, transcript.text, transcript.confidence)

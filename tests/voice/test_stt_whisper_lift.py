"""What makes a Whisper reading sure enough to act on, or not, beyond its calibrated confidence:
a reading read word for word that nothing doubts is lifted, readings that all mean the same all
agree, and readings that mostly ask for another request are a sign of mishearing. Stored real
readings of TUNE voices (tests/support/voices.py) and real audio through Whisper, with the
understanding and helpers of test_stt_whisper_nbest.py."""

from __future__ import annotations

import pytest

from appliance.voice import stt_whisper, whisper_doubt
from appliance.voice.stt_whisper import (
    FULL_WINDOW_S,
    QUICK_WINDOW_S,
    SURE_WORDS_CONFIDENCE,
    SURE_WORDS_FROM,
    Hypothesis,
    weigh,
)
from tests.support import whisper as shared
from tests.voice.test_stt_whisper_nbest import acted_on, heard, judge, meaning, said


def readings(full: list[tuple[str, float]], quick: list[tuple[str, float]]) -> list[Hypothesis]:
    return [
        *(Hypothesis(text, score, FULL_WINDOW_S) for text, score in full),
        *(Hypothesis(text, score, QUICK_WINDOW_S) for text, score in quick),
    ]


# nyc_f4_music's "it's priya" (music underneath): a like chosen, the others read names
BRILLIANT_NYC_F4 = readings(
    [("It's brilliant.", 0.610), ("It's real.", 0.504), ("It's video.", 0.438),
     ("It's me, ya.", 0.395), ("It's me.", 0.395)],
    [("It's real.", 0.592), ("It's brilliant.", 0.499), ("It's clear.", 0.458),
     ("It's weird.", 0.446), ("It's really.", 0.380)],
)  # fmt: skip
# gb_f2's "this is alex", heard right: the other readings name other people
ALEX_GB_F2 = readings(
    [("This is Alex.", 0.643), ("This is Malik.", 0.487), ("This is Marcus.", 0.389),
     ("This is Molly.", 0.355), ("This is Malyks.", 0.314)],
    [("This is Alex.", 0.581), ("This is Marley.", 0.391), ("This is Malik.", 0.373),
     ("This is Marcus.", 0.340), ("This is Marley,", 0.216)],
)  # fmt: skip
# us_m3's "please no more techno for me ever", heard right: every reading drops techno
TECHNO_US_M3 = readings(
    [("Please no more techno for me, Amber.", 0.689),
     ("Please, no more techno for me, Amber.", 0.667),
     ("Please, no more techno for me ever.", 0.611),
     ("Please, no more techno for me, Amberg.", 0.506),
     ("Please, no more techno for me, Amra.", 0.504)],
    [("Please no more techno for me, Amber.", 0.677),
     ("Please, no more techno for me, Amber.", 0.653),
     ("Please, no more techno for me ever.", 0.621),
     ("Please, no more techno for me, Annberg.", 0.532),
     ("Please, no more techno for me, Amberg.", 0.521)],
)  # fmt: skip
# joe_up200's "can you pass the salt" (chatter): a reading read whole as a skip, under 0.7
SALT_JOE_UP200 = readings(
    [("Can you pass the salt?", 0.937), ("Can you pass the salt.", 0.666),
     ("Can you pass this all?", 0.532), ("Can you pass this song?", 0.527),
     ("Can you pass the song?", 0.514)],
    [("Can you pass the salt?", 0.902), ("Can you pass the salt.", 0.682),
     ("Can you pass this song?", 0.563), ("Can you pass the sult?", 0.552),
     ("Can you pass this salt?", 0.553)],
)  # fmt: skip


def test_readings_mostly_asking_for_another_request_are_asked_about(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """nyc_f4_music's "it's priya" was liked as "It's brilliant." (0.64, acted on): the other
    readings the understanding reads whole ask for someone to be known, and outweigh it. The
    people gb_f2's "This is Alex." might have been ("This is Malik.") ask for the same request
    with another name: it is still acted on."""
    weighed = weigh(BRILLIANT_NYC_F4, judge, meaning)
    assert weighed.text == "It's brilliant." and weighed.doubt == whisper_doubt.OTHER_REQUEST
    assert not acted_on(weighed.text, weighed.confidence), weighed.confidence
    alex = weigh(ALEX_GB_F2, judge, meaning)
    assert alex.text == "This is Alex." and alex.doubt is None
    assert acted_on(alex.text, alex.confidence), alex
    without = tuple(d for d in whisper_doubt.DOUBTS if d != whisper_doubt.OTHER_REQUEST)
    monkeypatch.setattr(whisper_doubt, "DOUBTS", without)
    before = weigh(BRILLIANT_NYC_F4, judge, meaning)
    assert before.text == weighed.text and acted_on(before.text, before.confidence), before


def test_readings_that_all_mean_the_same_all_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """us_m3: every reading drops techno, most with a word left over ("..., Amber.") that the
    understanding reads loosely; the one read word for word was asked about (0.64), as only
    readings read nearly whole voted for it. Now all of them agree and it is acted on."""
    weighed = weigh(TECHNO_US_M3, judge, meaning)
    assert weighed.text == "Please, no more techno for me ever.", weighed
    assert weighed.agreement == 1.0 and acted_on(weighed.text, weighed.confidence), weighed
    monkeypatch.setattr(stt_whisper, "UNANIMOUS", False)
    before = weigh(TECHNO_US_M3, judge, meaning)
    assert not acted_on(before.text, before.confidence), before.confidence


@pytest.mark.parametrize(
    ("voice", "text"),
    [("joe", "no i said jazz"), ("nyc_f4_music", "not really feeling this")],
)
def test_a_request_read_whole_and_undoubted_is_acted_on(
    voice: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Heard right and read word for word, nothing doubting it, at 0.74-0.77: under the bar of
    a correction or a dislike (0.8), so asked about before; such readings were right 28 times
    of 28 at 0.7-0.8 on the TUNE voices. Real audio through Whisper."""
    pcm = said(text, voice)
    text_heard, confidence = heard(pcm)
    assert meaning(text_heard) == meaning(text), text_heard
    with monkeypatch.context() as unlifted:
        unlifted.setattr(stt_whisper, "SURE_WORDS_FROM", 1.01)
        before_text, before = heard(pcm)
    assert before_text == text_heard
    shared.premise(SURE_WORDS_FROM <= before < SURE_WORDS_CONFIDENCE, "in the lift's range")
    assert confidence == SURE_WORDS_CONFIDENCE and acted_on(text_heard, confidence)
    assert not acted_on(before_text, before), before


def test_a_reading_read_whole_under_the_lift_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """joe_up200's chatter "can you pass the salt": the reading chosen is read whole as a
    request (the understanding's verdict lifts it over "the salt"), but Whisper agreed on it
    little: under :data:`SURE_WORDS_FROM`, its confidence stays as calibrated. Whisper found
    the table talk, read as no request, far likelier in the full window: that doubts it too."""
    weighed = weigh(SALT_JOE_UP200, judge, meaning)
    assert weighed.doubt == whisper_doubt.NOTHING_LIKELIER, weighed
    assert not acted_on(weighed.text, weighed.confidence), weighed.confidence
    without = tuple(d for d in whisper_doubt.DOUBTS if d != whisper_doubt.NOTHING_LIKELIER)
    monkeypatch.setattr(whisper_doubt, "DOUBTS", without)
    weighed = weigh(SALT_JOE_UP200, judge, meaning)
    assert weighed.read_whole and weighed.doubt is None and not weighed.toss_up, weighed
    assert weighed.confidence == weighed.capped < SURE_WORDS_FROM

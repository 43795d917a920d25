"""Fuzzing the Whisper tier's choice when readings' meanings are known: the meaning only ever
moves the confidence (never which reading is chosen), keeps it in 0..1, caps a toss-up between
two meanings (a rival in the chosen reading's window or the full one), and a meaning that fails
or answers oddly costs the agreement, never the command; the same readings from a second window
count as one window's did. The signs of mishearing (appliance/voice/whisper_doubt.py) only ever
lower the confidence, to a toss-up's at most, never which reading is chosen.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.voice import stt_whisper, whisper_doubt
from appliance.voice.stt_whisper import (
    AMBIGUOUS_CAP,
    AMBIGUOUS_MARGIN,
    FULL_WINDOW_S,
    JUDGE_WEIGHT,
    QUICK_WINDOW_S,
    SURE_WORDS_CONFIDENCE,
    Hypothesis,
    Weighing,
    choose,
    weigh,
)

pytestmark = pytest.mark.fuzz

TEXTS = st.sampled_from(
    ["Skip it.", "Skip it!", "Keep it.", "Play jazz.", "Play chess.", "", "Stop it."]
)
WINDOWS = st.sampled_from([FULL_WINDOW_S, QUICK_WINDOW_S])
READINGS = st.lists(st.tuples(TEXTS, st.floats(0, 1, allow_nan=False), WINDOWS), max_size=10)
VERDICTS = st.dictionaries(TEXTS, st.one_of(st.floats(), st.sampled_from([0.0, 0.8, 0.9, 1.0])))
MEANINGS = st.dictionaries(
    TEXTS,
    st.one_of(st.none(), st.sampled_from(["to skip", "to play", "to stop"]), st.just(RuntimeError)),
)


@given(READINGS, VERDICTS, MEANINGS)
def test_the_meaning_moves_only_the_confidence(
    readings: list[tuple[str, float, float]],
    verdicts: dict[str, float],
    meanings: dict[str, object],
) -> None:
    hypotheses = [Hypothesis(text, score, window) for text, score, window in readings]

    def judge(text: str) -> float:
        return verdicts.get(text, 0.5)

    def meaning(text: str) -> Hashable | None:
        found = meanings.get(text)
        if found is RuntimeError:
            raise RuntimeError("no meaning")
        return found if isinstance(found, str) else None

    text, confidence = choose(hypotheses, judge, meaning)
    assert text == choose(hypotheses, judge)[0]
    assert 0.0 <= confidence <= 1.0
    if not hypotheses:
        return

    def sure(verdict: float) -> float:
        return max(0.0, min(1.0, verdict)) if math.isfinite(verdict) else 0.0

    def rank(h: Hypothesis) -> float:
        verdict = sure(judge(h.text)) if h.text.strip(" .!") else 0.0
        return math.log(max(h.score, 1e-4)) + JUDGE_WEIGHT * verdict

    chosen = max(hypotheses, key=rank)
    meant = meanings.get(chosen.text)
    rivals = [
        h
        for h in hypotheses
        if meanings.get(h.text) not in (None, RuntimeError, meant)
        and sure(judge(h.text)) > 0
        and rank(h) >= rank(chosen) - AMBIGUOUS_MARGIN
        and h.window in (chosen.window, FULL_WINDOW_S)
    ]
    if meant not in (None, RuntimeError) and sure(judge(chosen.text)) > 0 and rivals:
        assert confidence <= AMBIGUOUS_CAP
    quick = [Hypothesis(h.text, h.score, QUICK_WINDOW_S) for h in hypotheses]
    full = [Hypothesis(h.text, h.score, FULL_WINDOW_S) for h in hypotheses]
    assert choose(full + quick, judge, meaning) == choose(full, judge, meaning)


ECHOING = st.sampled_from(
    ["Skip it.", "Skip it. Skip it.", "Play jazz.", "Play jazz. Play jazz.", "Play chess.", ""]
)
SHAPED = st.sampled_from(
    [
        None,
        (("skip", ()),),
        (("play", (("genre", "jazz"),)),),
        (("play", (("genre", "chess"),)),),
        (("play", ()),),
        (("play", (("genre", "jazz"),)), ("skip", ())),
    ]
)


@given(
    st.lists(st.tuples(ECHOING, st.floats(0, 1, allow_nan=False), WINDOWS), max_size=10),
    st.dictionaries(ECHOING, st.sampled_from([0.0, 0.5, 0.8, 0.9, 1.0])),
    st.dictionaries(ECHOING, SHAPED),
)
def test_a_sign_of_mishearing_only_lowers_the_confidence(
    readings: list[tuple[str, float, float]],
    verdicts: dict[str, float],
    meanings: dict[str, Hashable | None],
) -> None:
    hypotheses = [Hypothesis(text, score, window) for text, score, window in readings]
    if not hypotheses:
        return

    def judge(text: str) -> float:
        return verdicts.get(text, 0.5)

    def meaning(text: str) -> Hashable | None:
        return meanings.get(text)

    doubted = weigh(hypotheses, judge, meaning)
    doubts, whisper_doubt.DOUBTS = whisper_doubt.DOUBTS, ()
    try:
        plain = weigh(hypotheses, judge, meaning)
    finally:
        whisper_doubt.DOUBTS = doubts
    assert doubted.text == plain.text and plain.doubt is None
    assert doubted.confidence <= plain.confidence
    if doubted.doubt is not None:
        assert doubted.confidence <= AMBIGUOUS_CAP


def _an_unsaid_repeat_is_an_echo(hypotheses: list[Hypothesis], verdicts: dict[str, float]) -> None:
    """A reading chosen that repeats a sentence no reading says once is doubted as an echo."""
    weighed = weigh(hypotheses, lambda text: verdicts.get(text, 0.5))
    sentences = [s for s in weighed.text.split(".") if s.strip()]
    repeated = len(sentences) != len({s.strip() for s in sentences})
    said_once = any(h.text.count(".") == 1 and h.text in weighed.text for h in hypotheses)
    if repeated and not said_once:
        assert weighed.doubt == whisper_doubt.ECHO and weighed.confidence <= AMBIGUOUS_CAP


@given(
    st.lists(st.tuples(ECHOING, st.floats(0, 1, allow_nan=False)), min_size=1, max_size=10),
    st.dictionaries(ECHOING, st.sampled_from([0.0, 0.5, 0.8, 0.9, 1.0])),
)
def test_a_repeat_the_quick_window_alone_read_is_always_an_echo(
    readings: list[tuple[str, float]], verdicts: dict[str, float]
) -> None:
    """Only readings of the full window can tell a command said twice from Whisper's loop: the
    quick window's alone never lift the echo, so a looped quick reading is never kept."""
    hypotheses = [Hypothesis(text, score, QUICK_WINDOW_S) for text, score in readings]
    _an_unsaid_repeat_is_an_echo(hypotheses, verdicts)


@given(
    st.lists(st.tuples(ECHOING, st.floats(0, 1, allow_nan=False)), min_size=1, max_size=6),
    st.lists(
        st.tuples(st.sampled_from(["Play chess.", "Play chest.", "Skip it.", ""]), st.floats(0, 1)),
        min_size=1,
        max_size=6,
    ),
    st.dictionaries(ECHOING, st.sampled_from([0.0, 0.5, 0.8, 0.9, 1.0])),
)
def test_a_repeat_the_full_window_never_wrote_is_always_an_echo(
    quick: list[tuple[str, float]], full: list[tuple[str, float]], verdicts: dict[str, float]
) -> None:
    """A quick window that loops in all its readings makes half the agreement by itself; a full
    window that never writes the repeat keeps it an echo however sure the quick one was."""
    hypotheses = [Hypothesis(text, score, QUICK_WINDOW_S) for text, score in quick]
    hypotheses += [Hypothesis(text, score, FULL_WINDOW_S) for text, score in full]
    _an_unsaid_repeat_is_an_echo(hypotheses, verdicts)


SHAPED_PLAY = (("play", ()),)
READS = st.lists(
    st.builds(
        whisper_doubt.Read,
        st.sampled_from(["Play happy ready.", "Play happy, ready.", "Play happy radio.", "Play."]),
        st.sampled_from([0.0, 0.5, 0.8, 0.89, 0.9, 1.0]),
        SHAPED,
    ),
    min_size=1,
    max_size=8,
)


@given(READS, st.data())
def test_words_set_aside_doubt_only_what_no_reading_read_whole(
    readings: list[whisper_doubt.Read], data: st.DataObject
) -> None:
    """The left-over sign ("Play happy ready / radio", all a play of "happy") never holds with
    a reading read word for word among them, nor once a reading of other words means something
    else; readings of the chosen words read in part change nothing."""
    chosen = data.draw(st.sampled_from(readings))
    found = whisper_doubt.split_on_left_over(chosen, readings)
    if found:
        assert chosen.meaning is not None and chosen.verdict < whisper_doubt.SURE_READ
    whole = whisper_doubt.Read("Play happy reggae.", whisper_doubt.SURE_READ, SHAPED_PLAY)
    assert not whisper_doubt.split_on_left_over(chosen, [*readings, whole])
    again = whisper_doubt.Read(chosen.text.upper(), 0.5, data.draw(SHAPED))
    assert whisper_doubt.split_on_left_over(chosen, [*readings, again]) == found
    other = data.draw(SHAPED.filter(lambda m: m is not None and m != chosen.meaning))
    elsewhere = whisper_doubt.Read("Play hoppy reggae.", 0.8, other)
    assert not whisper_doubt.split_on_left_over(chosen, [*readings, elsewhere])


LIFTED = st.sampled_from(["Skip it.", "Keep it.", "Play jazz.", "Play jazz. Play jazz.", ""])


def _weighed_with(
    hypotheses: list[Hypothesis],
    verdicts: dict[str, float],
    meanings: dict[str, Hashable | None],
    **settings: float,
) -> tuple[Weighing, float]:
    """``weigh`` and the confidence it gives with stt_whisper's module settings set to
    ``settings`` meanwhile."""
    saved = {name: getattr(stt_whisper, name) for name in settings}
    for name, value in settings.items():
        setattr(stt_whisper, name, value)
    try:
        weighed = weigh(hypotheses, lambda t: verdicts.get(t, 0.5), lambda t: meanings.get(t))
        return weighed, weighed.confidence
    finally:
        for name, value in saved.items():
            setattr(stt_whisper, name, value)


@given(
    st.lists(st.tuples(LIFTED, st.floats(0, 1, allow_nan=False), WINDOWS), min_size=1, max_size=9),
    st.dictionaries(LIFTED, st.sampled_from([0.0, 0.5, 0.8, 0.89, 0.9, 1.0])),
    st.dictionaries(LIFTED, SHAPED),
    st.floats(0, 1.01),
    st.floats(0, 1.01),
)
def test_only_an_undoubted_reading_read_whole_is_lifted_and_a_higher_bar_lifts_less(
    readings: list[tuple[str, float, float]],
    verdicts: dict[str, float],
    meanings: dict[str, Hashable | None],
    low: float,
    high: float,
) -> None:
    """The lift (SURE_WORDS_FROM) moves only the confidence, only up, only to
    SURE_WORDS_CONFIDENCE, and only for a reading read whole that nothing doubts; all readings
    meaning the same (UNANIMOUS) only ever add agreement; a higher bar never lifts more."""
    low, high = sorted((low, high))
    hypotheses = [Hypothesis(text, score, window) for text, score, window in readings]
    lifted, up = _weighed_with(hypotheses, verdicts, meanings, SURE_WORDS_FROM=low)
    less, some = _weighed_with(hypotheses, verdicts, meanings, SURE_WORDS_FROM=high)
    never, none = _weighed_with(hypotheses, verdicts, meanings, SURE_WORDS_FROM=1.01)
    assert lifted.text == less.text == never.text
    assert lifted.capped == never.capped == none
    assert none <= some <= up <= 1.0
    if up != lifted.capped:
        assert lifted.read_whole and lifted.doubt is None and not lifted.toss_up
        assert lifted.capped >= low and up == SURE_WORDS_CONFIDENCE
    bar, stt_whisper.SURE_WORDS_FROM = stt_whisper.SURE_WORDS_FROM, low
    try:  # at any bar, a doubted reading or a toss-up keeps its capped confidence
        for odd in (replace(lifted, doubt=whisper_doubt.ECHO), replace(lifted, toss_up=True)):
            assert odd.confidence == odd.capped <= AMBIGUOUS_CAP
    finally:
        stt_whisper.SURE_WORDS_FROM = bar
    alone, _ = _weighed_with(hypotheses, verdicts, meanings, UNANIMOUS=False)
    assert alone.text == lifted.text and alone.agreement <= lifted.agreement


KINDS = st.sampled_from(
    [
        (("like", ()),),
        (("identify", (("name", "video"),)),),
        (("identify", (("name", "priya"),)),),
        (("play", (("genre", "jazz"),)),),
        "another form",
    ]
)
READ_WEIGHED = st.builds(
    whisper_doubt.Read,
    st.sampled_from(["It's brilliant.", "It's video.", "It's Priya.", "It's real."]),
    st.sampled_from([0.0, 0.5, 0.8, 0.89, 0.9, 1.0]),
    st.one_of(st.none(), KINDS),
    st.floats(0, 1, allow_nan=False),
    WINDOWS,
)


@given(st.lists(READ_WEIGHED, min_size=1, max_size=10), st.data())
def test_readings_asking_for_another_request_doubt_only_by_their_weight(
    readings: list[whisper_doubt.Read], data: st.DataObject
) -> None:
    """The other-request sign holds only for a reading with a meaning, when readings of its
    window read whole asking for other requests outweigh those asking for its own: a reading
    of another window, or one asking for its requests with other values, never makes it
    hold; enough weight on either side settles it."""
    chosen = data.draw(st.sampled_from(readings))
    found = whisper_doubt.outweighed(chosen, readings)
    if chosen.meaning is None:
        assert not found
        return
    other_window = FULL_WINDOW_S if chosen.window == QUICK_WINDOW_S else QUICK_WINDOW_S
    asked = whisper_doubt._asked(chosen.meaning)
    rival = data.draw(KINDS.filter(lambda m: whisper_doubt._asked(m) != asked))
    elsewhere = whisper_doubt.Read("It's real.", 1.0, rival, 100.0, other_window)
    assert whisper_doubt.outweighed(chosen, [*readings, elsewhere]) == found
    alike = whisper_doubt.Read("It's Priya.", 0.5, chosen.meaning, 100.0, chosen.window)
    assert not whisper_doubt.outweighed(chosen, [*readings, alike])
    loud = whisper_doubt.Read("It's video.", 0.9, rival, 100.0, chosen.window)
    assert whisper_doubt.outweighed(chosen, [*readings, loud])
    unsure = whisper_doubt.Read("It's video.", 0.89, rival, 100.0, chosen.window)
    assert whisper_doubt.outweighed(chosen, [*readings, unsure]) == found

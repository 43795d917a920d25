"""Follow-ups that refer to what plays, said in more of people's words: a play of words pointing
at the track with an "again" and an aside, dialect and misheard pointing words ("that yin", "the
yin afore this", "a gain"), the again said before what it points at; none of it taken for a
title, and titles that start with pointing words still searched for."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import LIBRARY


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(vocabulary=LIBRARY)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # pointing words, an again and then an aside or a reason
        ("play that one through once more we nearly had the turn", "replay"),
        ("play the one that's on again i didn't hear the words", "replay"),
        ("play this track that's playing now again for my sister", "replay"),
        ("play that one one more time, i missed the words", "replay"),
        ("do play that one again, it reminded me of our wedding", "replay"),
        # the again first, a filler between
        ("play um again that one", "replay"),
        ("put on once more this song", "replay"),
        # dialect and misheard pointing words
        ("play that yin again frae the start", "replay"),
        ("put on the yin afore this again", "play_previous"),
        ("play that one a gain", "replay"),
        ("play it won more time for the lads", "replay"),
        ("play am again again", "replay"),
    ],
)
def test_pointing_words_and_an_again_are_a_replay(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("play one more time", {"title": "one more time"}),
        ("play one more time by daft punk", {"title": "one more time", "artist": "daft punk"}),
        ("play once more with feeling", {"query": "once more with feeling"}),
        ("play this is america", {"query": "this is america"}),
        ("play that's what friends are for", {"query": "that's what friends are for"}),
        ("play the one that's on the radio", {"query": "one that's on the radio"}),
    ],
)
def test_titles_that_start_with_pointing_or_again_words_are_searched(
    understanding: Understanding, text: str, slots: dict[str, str]
) -> None:
    found = understanding.parse(text)
    assert (found.name, found.slots) == ("play", slots)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # the track given another hearing, with a reason after
        ("give it another spin from the beginning i missed it on the stairs", "replay"),
        ("give that track another go please", "replay"),
        ("gie us that song another blast", "replay"),
        # the again said first and asked for, whatever reason follows
        ("won more time please we lost the step", "replay"),
        ("once more for the lads they missed the chorus", "replay"),
        # a task tried again, a warning, another day: no replay
        ("give it another go you'll get it", "unknown"),
        ("one more time and you're grounded", "unknown"),
    ],
)
def test_another_hearing_asked_is_a_replay(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # more in the style or the vein of what plays, or the same for a while
        ("play me more in this style please", "more_like"),
        ("keep them coming in that same moody vein for the rest of my break", "more_like"),
        ("gie us more o' that kind o' thing", "more_like"),
        ("just like this for the next half hour please", "more_like"),
        # in the style of someone named, or more of a thing: no more like what plays
        ("play more in the style of abba", "play"),
        ("gie us more o' that cake", "unknown"),
    ],
)
def test_more_of_what_plays_in_other_words(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).name == intent

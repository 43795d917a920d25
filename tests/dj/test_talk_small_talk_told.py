"""Small talk said in more words than a template has (issue 15): a thanks, a goodbye, asking
after the DJ, a joke or a fact asked for, a hello to the DJ, known by the words they open (or a
goodbye by the word it ends) with, and only as said to the DJ; talk to or of someone else in the
room stays unknown, and a request said beside small talk is still read."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from appliance.dj.understand_told import about_the_dj, small_talk_told


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("thanks for all the songs tonight", "thanks"),
        ("cheers speaker that was grand", "thanks"),
        ("thank you ever so much", "thanks"),
        ("we're heading to the beach now goodbye", "bye"),
        ("goodbye for now speaker", "bye"),
        ("see you later then dj", "bye"),
        ("how are you keeping these days", "how_are_you"),
        ("how've you been lately", "how_are_you"),
        ("do you get bored of playing all day dj", "how_are_you"),
        ("give us a joke about cats", "joke"),
        ("got any facts about drums for the quiz", "fact"),
        ("hello speaker we've got visitors tonight", "greet"),
        ("good evening dj the storm is back", "greet"),
    ],
)
def test_small_talk_is_known_by_its_opening_words(text: str, kind: str) -> None:
    found = small_talk_told(text)
    assert found is not None and found.name == kind, found


@pytest.mark.parametrize(
    "text",
    [
        "hey can you pass the salt",
        "hey pal it's your go with the hoover",
        "yo it's freezing in the hall",
        "how was your day at school",
        "how are you getting on with your reading",
        "are you hungry darling",
        "did you miss the train",
        "good luck with the exam",
        "do you get what i mean",
        "thank heavens the rain stopped",
        "cheers to the happy couple",
        "thanks for the lift mum",
        "he waved goodbye from the platform",
        "goodbye mr chips is on tonight",
        "see you at the match",
        "as a matter of fact the car needs fuel",
        "did you hear that joke about the vicar",
        "that's a funny story about your aunt",
        "night shifts are the worst",
    ],
)
def test_talk_to_someone_else_is_no_small_talk_to_the_dj(text: str) -> None:
    assert small_talk_told(text) is None


def test_small_talk_in_more_words_is_understood_when_nothing_else_is(
    understanding: Understanding,
) -> None:
    found = understanding.parse("thanks for keeping the songs going all evening")
    assert found.name == "thanks"
    assert understanding.parse("hey can you pass the salt").name != "greet"


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("cheers um stop it", "stop"),
        ("right then switch it off goodbye", "stop"),
        ("how are you doing er next one", "skip"),
    ],
)
def test_a_request_beside_small_talk_is_still_read(
    understanding: Understanding, text: str, asked: str
) -> None:
    assert asked in [part.name for part in understanding.parse(text).each()]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("you're far better than my old radio", "compliment"),
        ("you've been really helpful this week", "compliment"),
        ("your picks are improving", "compliment"),
        ("you're so predictable", "complaint"),
        ("you're biased towards the old stuff", "complaint"),
        ("you really are a star", "compliment"),
    ],
)
def test_praise_and_blame_of_the_dj_in_other_words(text: str, kind: str) -> None:
    found = about_the_dj(text)
    assert found is not None and found.name == kind, found


@pytest.mark.parametrize(
    "text",
    [
        "you're kind of quiet today",
        "you'll be better once you've eaten",
        "you lot had better tidy up",
        "your nan is better after her operation",
        "you're so rude to your brother",
        "you're not better at this than me",
    ],
)
def test_judging_words_not_said_of_the_dj_judge_nothing(text: str) -> None:
    assert about_the_dj(text) is None


def test_an_opener_said_alone_is_no_judgement_and_no_error() -> None:
    """ "fair play" is taken off the front of praise ("fair play, you did well"); said alone it
    leaves nothing to judge, and nothing to fail on."""
    assert about_the_dj("fair play") is None
    assert about_the_dj("fair play you did well") is not None

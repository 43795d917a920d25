"""Small talk said in more words than a template has (issue 15): a thanks, a goodbye, asking
after the DJ, a joke or a fact asked for, a hello to the DJ, known by the words they open (or a
goodbye by the word it ends) with; talk to someone else in the room stays unknown."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from appliance.dj.understand_told import about_the_dj, small_talk_told


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("thanks for putting up with the racket", "thanks"),
        ("cheers for the evening pal", "thanks"),
        ("gracias amigo", "thanks"),
        ("we're heading to the beach now goodbye", "bye"),
        ("see you after the holidays", "bye"),
        ("until next saturday then", "bye"),
        ("how are you finding the new shelf", "how_are_you"),
        ("how've you managed without us", "how_are_you"),
        ("do you get bored of playing all day", "how_are_you"),
        ("give grandma a joke about cats", "joke"),
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
        "how was your day at school",
        "good luck with the exam",
        "do you get what i mean",
        "that's a funny story about your aunt",
        "night shifts are the worst",
    ],
)
def test_talk_to_someone_else_is_no_small_talk_to_the_dj(text: str) -> None:
    assert small_talk_told(text) is None


def test_small_talk_in_more_words_is_understood_when_nothing_else_is(
    understanding: Understanding,
) -> None:
    found = understanding.parse("thanks for sitting through the whole film with me")
    assert found.name == "thanks"
    assert understanding.parse("hey can you pass the salt").name != "greet"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("you're far better than my old radio", "compliment"),
        ("you've been really helpful this week", "compliment"),
        ("your picks are improving", "compliment"),
        ("you're so predictable", "complaint"),
        ("you're biased towards my brother", "complaint"),
    ],
)
def test_praise_and_blame_of_the_dj_in_other_words(text: str, kind: str) -> None:
    found = about_the_dj(text)
    assert found is not None and found.name == kind, found

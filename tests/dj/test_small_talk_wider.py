"""Small talk to the DJ in more of the ways people say it: thanks, goodbyes and hellos after a
word or two ("ok thanks i guess"), with what the DJ is called ("cheers mate", "morning
selector"), in dialect ("ta ta for now", "big up yourself", "later dj") and as heard ("hello
their dj"); praise and blame of the DJ in more words ("you're a lifesaver", "you saved the
party", "you played that one again", "that was a shocking choice"). Talk to or of someone else,
and liking what plays, stay what they were."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from appliance.dj.understand_told import about_the_dj, small_talk_told


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ok thanks i guess", "thanks"),
        ("fine thanks", "thanks"),
        ("right ok thanks for explaining", "thanks"),
        ("lovely thank you for the reminder", "thanks"),
        ("cheers mate that's sorted me right out", "thanks"),
        ("thanks pal you're a star", "thanks"),
        ("thanks that was just the job", "thanks"),
        ("lovely stuff thank you speaker", "thanks"),
        ("nice one dj cheers", "thanks"),
        ("big up yourself", "thanks"),
        ("ta ta for now", "bye"),
        ("ta ra dj", "bye"),
        ("later dj the shop's closing", "bye"),
        ("take care speaker", "bye"),
        ("ok bye my tea's ready", "bye"),
        ("goodnight then my friend", "bye"),
        ("bye back to the marking", "bye"),
        ("right that's me done see ya", "bye"),
        ("we're off now see you up the road", "bye"),
        ("hi again dj it's the late shift", "greet"),
        ("hello their speaker", "greet"),
        ("morning selector", "greet"),
        ("alright dj", "greet"),
        ("hello love it's me again", "greet"),
        ("evening again it's mr jones", "greet"),
        ("morning boss", "greet"),
    ],
)
def test_more_small_talk_is_known(text: str, kind: str) -> None:
    found = small_talk_told(text)
    assert found is not None and found.name == kind, found


@pytest.mark.parametrize(
    "text",
    [
        "cheers mate can you grab the door",
        "thanks mum that's lovely",
        "morning boss the lorry's here",
        "later i'll do the dishes",
        "i'll see you there",
        "can i see you tomorrow",
        "she said see ya",
        "he waved and said see you",
        "hey pal it's cold in here",
        "hello love can you put the kettle on",
    ],
)
def test_talk_to_someone_else_stays_unknown(text: str) -> None:
    assert small_talk_told(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("you're a lifesaver", "compliment"),
        ("your a legend mate", "compliment"),
        ("you're a proper gem you are", "compliment"),
        ("you've been a real help this month", "compliment"),
        ("honestly you've been on form today", "compliment"),
        ("you did great at the party", "compliment"),
        ("you have improved", "compliment"),
        ("you saved the party", "compliment"),
        ("you got me through the night shift", "compliment"),
        ("you played that one again", "complaint"),
        ("you keep playing the same three songs", "complaint"),
        ("and you always get the names wrong", "complaint"),
        ("you sometimes play far too much techno though", "complaint"),
        ("that was a shocking choice for a wedding", "complaint"),
        ("at tune was dreadful", "complaint"),
        ("that song was way too slow for the gym", "complaint"),
        ("that joke wasn't funny", "complaint"),
        ("that tune was brilliant", "compliment"),
    ],
)
def test_more_praise_and_blame_of_the_dj(text: str, kind: str) -> None:
    found = about_the_dj(text)
    assert found is not None and found.name == kind, found


@pytest.mark.parametrize(
    "text",
    [
        "this one is good for work",
        "this song is boring",
        "the speaker's great we've got one like it",
        "you always leave the lights on",
        "you played football yesterday",
        "you did it",
        "you've got that wrong way round",
        "your mum did great at the party",
        "can you help me with my homework",
    ],
)
def test_what_plays_and_other_talk_judge_no_dj(text: str) -> None:
    assert about_the_dj(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ta ta for now dj", "bye"),
        ("you're a lifesaver", "compliment"),
        ("that was a shocking choice for a wedding", "complaint"),
        ("ok thanks i guess", "thanks"),
    ],
)
def test_wider_small_talk_is_understood(understanding: Understanding, text: str, kind: str) -> None:
    assert understanding.parse(text).name == kind


def test_a_request_beside_wider_small_talk_is_still_read(understanding: Understanding) -> None:
    assert "skip" in [part.name for part in understanding.parse("ok thanks now skip this").each()]

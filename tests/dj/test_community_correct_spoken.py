"""Community questions and corrections said in more of people's words.

A community question asks what the household or the community plays, likes or shares ("what's
the rest of the house been listening to", "how many folk listen tae ye", "do i have any music
buddies"); talk about other people that asks nothing of the DJ stays unknown. A correction pushes
the wrong one aside and names the music meant ("no no the other one, norah jones", "not this
one, i said daft punk"); a "no, i said ..." that names no music is no correction.
"""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import LIBRARY


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(vocabulary=LIBRARY)


@pytest.mark.parametrize(
    "text",
    [
        "what's the rest of the family been listening to lately",
        "what is everybody else on here playing these days",
        "what are the others into at the moment",
        "the others, what do they listen to?",
        "how many people use this speaker",
        "how many kids listen to you",
        "how many folk are using this thing wi us",
        "how minnie folk listen tae ye",
        "are there many listeners on here",
        "is anybody else at home using this speaker tonight",
        "does anyone else in the house listen to this",
        "what's the most popular music in this house",
        "what's the favourite song in our household right now",
        "what's trending round here",
        "who's number one on here",
        "who's used this speaker the most",
        "do i have any listening buddies",
        "who are my music buddies",
        "who's got the same taste in music as me",
        "who likes the same stuff as me",
        "does anyone else here like jazz",
    ],
)
def test_community_questions(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "community"


@pytest.mark.parametrize(
    "text",
    [
        "what's everyone doing tonight",
        "how many people are coming to dinner",
        "what are the kids up to",
        "the others are at the pub",
        "what's the rest of the family doing tonight",
        "is anybody else at home tonight",
        "who's used the car the most",
        "what's the most popular dish in this house",
        "what are the others having for dinner",
        "who likes the same food as me",
    ],
)
def test_talk_about_others_stays_unknown(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("no no, the other one, norah jones", "artist", "norah jones"),
        ("nah, not that one, the other one, get lucky", "title", "get lucky"),
        ("the other one i said redemption song", "title", "redemption song"),
        ("nope not this one, i said sade", "artist", "sade"),
        ("not that song i meant something calm", "mood", "calm"),
        ("naw no the seventies punk", "genre", "punk"),
        ("no be this one i want, i talk reggae", "genre", "reggae"),
        ("no no, for cleaning not for sleep", "activity", "cleaning"),
        ("that's not it, i wanted redemption song", "title", "redemption song"),
        ("that's the wrong one, i asked for jazz", "genre", "jazz"),
        ("that is not the one i meant, i meant daft punk", "artist", "daft punk"),
    ],
)
def test_corrections_name_the_music(
    understanding: Understanding, text: str, slot: str, value: str
) -> None:
    intent = understanding.parse(text)
    assert intent.name == "correct"
    assert intent.slots.get(slot) == value


@pytest.mark.parametrize(
    "text",
    [
        "no i said tuesday",
        "no i meant the sofa not the chair",
        "no not tonight",
    ],
)
def test_no_i_said_without_music_is_no_correction(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name != "correct"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("diamond life please", "play"),
        ("play so what, the miles davis one", "play"),
    ],
)
def test_a_name_alone_is_no_correction(understanding: Understanding, text: str, name: str) -> None:
    assert understanding.parse(text).name == name

"""Words people use that the genre map, the greetings and the plain requests lack: styles named
by a country, a dance or an occasion take the closest genre the appliance knows; hellos in the
other languages of a household greet; a formal or polite register asks what the plain one
asks."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import LIBRARY, understood_as


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(vocabulary=LIBRARY)


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        ("put on some ceilidh tunes", ("play",), {"genre": "celtic"}),
        ("play a few jigs and reels", ("play",), {"genre": "celtic"}),
        ("play some irish trad", ("play",), {"genre": "celtic"}),
        ("put on some afro pop please", ("play",), {"genre": "afrobeat"}),
        ("play some lullabies", ("play",), {"genre": "children's"}),
        ("play a lullaby for the little one", ("play",), {"genre": "children's"}),
        ("play some greek music", ("play",), {"genre": "world"}),
        ("i love polish songs", ("add_preference",), {"genre": "world"}),
        ("put on a polka", ("play",), {"genre": "world"}),
        ("play some sea shanties", ("play",), {"genre": "folk"}),
        ("play some video game music", ("play",), {"genre": "soundtrack"}),
    ],
)
def test_a_style_takes_the_closest_genre(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict
) -> None:
    assert understood_as(understanding.parse(text)) == (intents, slots)


def test_a_country_word_alone_is_no_genre(understanding: Understanding) -> None:
    assert "genre" not in understanding.parse("i need to polish the table first").slots


@pytest.mark.parametrize(
    "text",
    [
        "sawubona dj",
        "Shwmae!",
        "bore da speaker",
        "nos da",
        "dzień dobry",
        "Cześć!",
        "hallo",
        "kia ora",
        "hwyl fawr qfzz",
        "magandang umaga",
    ],
)
def test_a_hello_in_another_language_greets(understanding: Understanding, text: str) -> None:
    assert understood_as(understanding.parse(text)) == (("greet",), {})


@pytest.mark.parametrize("text", ["that lecture will bore the students", "the hall is booked"])
def test_words_of_a_greeting_inside_a_sentence_do_not_greet(
    understanding: Understanding, text: str
) -> None:
    assert understanding.parse(text).name != "greet"


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        ("would you be so kind as to skip this piece", ("skip",), {}),
        ("proceed to the next track please", ("skip",), {}),
        ("would you be so good as to play some jazz", ("play",), {"genre": "jazz"}),
        ("I find this recording quite delightful.", ("like",), {}),
        ("that is a most charming piece", ("like",), {}),
        ("I find this song most tiresome.", ("dislike",), {}),
        ("i'm going to read the paper", ("mood",), {"activity": "reading"}),
        ("what functions do you provide", ("help",), {}),
        ("i require some assistance with this device", ("help",), {}),
    ],
)
def test_a_formal_register_asks_what_the_plain_one_asks(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict
) -> None:
    assert understood_as(understanding.parse(text)) == (intents, slots)


def test_a_formal_word_about_something_else_is_no_verdict(understanding: Understanding) -> None:
    assert understanding.parse("that is a splendid idea").name not in {"like", "dislike"}

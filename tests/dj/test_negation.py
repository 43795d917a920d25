"""Never act on words that say otherwise (appliance.dj.understand_negation and its kin): a
request said not to be made, a request changed in one breath, a name left out of a play, a day
or the weather taken for a listener's name, a song not known taken for a dislike."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from appliance.dj.understand_negation import changed_to, known_apart, negated_verbs
from tests.dj.test_understand import understood_as


def _read(understanding: Understanding, text: str) -> tuple[tuple[str, ...], dict]:
    return understood_as(understanding.parse(text))


@pytest.mark.parametrize(
    "text",
    [
        "don't stop",
        "don't skip this one",
        "please don't turn it down",
        "never skip this",
        "do not pause",
        "no don't change it",
        "you don't need to stop the music",
        "don't stop the music",
        "no need to skip",
        "there's no need to skip this",
        "do not skip this song",
        "don't pause the music",
        "do not turn the volume up",
        "let's not stop",
        "felix don't skip this",
        "never skip this one, it's my favourite",
    ],
)
def test_a_request_said_not_to_be_made_is_not_made(understanding: Understanding, text: str) -> None:
    assert _read(understanding, text) == (("unknown",), {})


@pytest.mark.parametrize(
    "text",
    ["don't play that again", "don't play this again", "please don't play that one again"],
)
def test_not_to_play_what_plays_again_is_a_dislike(understanding: Understanding, text: str) -> None:
    assert _read(understanding, text) == (("dislike",), {})


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        # a taste told in negated words stays what the corpora label it
        ("don't play jazz", ("remove_preference",), {"genre": "jazz"}),
        ("never play me any country, ever", ("remove_preference",), {"genre": "country"}),
        (
            "I don't like country at all so don't play it.",
            ("remove_preference",),
            {"genre": "country"},
        ),
        ("i don't like this", ("dislike",), {}),
        # the request said besides the one taken back
        ("don't skip this one, play jazz", ("play",), {"genre": "jazz"}),
        ("i love this don't skip", ("like",), {}),
        # a negation in a name or a suggestion takes nothing back
        ("play don't know why", ("play",), {"title": "don't know why"}),
        ("play don't stop me now", ("play",), {"query": "don't stop me"}),
        ("why don't you skip this", ("skip",), {}),
        ("stop", ("stop",), {}),
    ],
)
def test_what_negated_words_do_ask_stays(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict
) -> None:
    assert _read(understanding, text) == (intents, slots)


def test_the_negated_verb_is_found_where_no_name_holds_it() -> None:
    assert negated_verbs(["please", "don't", "turn", "it", "down"]) == [(2, "turn")]
    assert negated_verbs(["you", "don't", "need", "to", "stop"]) == [(4, "stop")]
    assert negated_verbs(["play", "don't", "stop", "me", "now"]) == []
    assert negated_verbs(["don't", "know", "why"]) == []


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("play jazz, no, play rock", {"genre": "rock"}),
        ("play jazz no play rock", {"genre": "rock"}),
        ("play some jazz, actually no, play rock", {"genre": "rock"}),
        ("play jazz, no wait, play rock", {"genre": "rock"}),
    ],
)
def test_a_request_changed_in_one_breath_is_what_it_was_changed_to(
    understanding: Understanding, text: str, slots: dict
) -> None:
    assert _read(understanding, text) == (("play",), slots)


def test_several_requests_are_not_a_change() -> None:
    assert changed_to(["play", "jazz", ",", "and", "rock"]) is None
    assert changed_to(["no", "no", "play", "rock"]) is None


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        ("so, stop. play jazz", ("stop", "play"), {"genre": "jazz"}),
        ("stop, play jazz", ("stop", "play"), {"genre": "jazz"}),
        ("stop playing jazz", ("remove_preference",), {"genre": "jazz"}),
    ],
)
def test_a_stop_then_a_play_is_no_taste(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict
) -> None:
    assert _read(understanding, text) == (intents, slots)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("play miles davis but not kind of blue", {"artist": "miles davis"}),
        ("play rock but not metal", {"genre": "rock"}),
        ("play anything except rap", {}),
        ("anything but rap this morning", {}),
    ],
)
def test_a_name_left_out_is_not_played(
    understanding: Understanding, text: str, slots: dict
) -> None:
    assert _read(understanding, text) == (("play",), slots)


@pytest.mark.parametrize(
    "text", ["it's raining now", "it's tuesday now", "it's friday", "it's sade again"]
)
def test_a_day_the_weather_or_a_singer_is_no_listener(
    understanding: Understanding, text: str
) -> None:
    assert _read(understanding, text) == (("unknown",), {})


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        ("it's nina", ("identify",), {"name": "nina"}),
        ("it's friday, play something fun", ("play",), {"mood": "happy"}),
        ("this is distracting, something else", ("skip",), {}),
    ],
)
def test_a_listener_is_still_named(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict
) -> None:
    assert _read(understanding, text) == (intents, slots)


def test_a_song_not_known_is_no_dislike(understanding: Understanding) -> None:
    assert _read(understanding, "I don't know this one, skip it") == (("skip",), {})
    assert _read(understanding, "i don't like this one, skip it") == (("dislike", "skip"), {})


@pytest.mark.parametrize("text", ["so quiet", "so slow"])
def test_so_and_a_word_is_a_remark(understanding: Understanding, text: str) -> None:
    assert _read(understanding, text) == (("unknown",), {})


@pytest.mark.parametrize(
    "text", ["have you got a second", "have you got a minute", "can you spare a moment"]
)
def test_asking_for_a_moment_of_someones_time_is_no_pause(
    understanding: Understanding, text: str
) -> None:
    assert _read(understanding, text) == (("unknown",), {})


@pytest.mark.parametrize("text", ["pause for a second", "hang on a second"])
def test_a_pause_for_a_moment_is_still_a_pause(understanding: Understanding, text: str) -> None:
    assert _read(understanding, text) == (("pause",), {})


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("how are you getting home tonight", ("unknown",)),
        ("how are you finding the new flat", ("unknown",)),
        ("how are you getting on", ("how_are_you",)),
        ("how are you doing today", ("how_are_you",)),
    ],
)
def test_how_are_you_said_of_something_else_asks_after_someone_else(
    understanding: Understanding, text: str, intents: tuple[str, ...]
) -> None:
    assert _read(understanding, text) == (intents, {})


# As recognisers deliver speech: no commas, no full stops. Each case the tests above read with
# punctuation is read the same from the words alone.


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        ("never skip this one it's my favourite", ("unknown",), {}),
        ("never play me any country ever", ("remove_preference",), {"genre": "country"}),
        (
            "i don't like country at all so don't play it",
            ("remove_preference",),
            {"genre": "country"},
        ),
        ("don't skip this one play jazz", ("play",), {"genre": "jazz"}),
        ("play some jazz actually no play rock", ("play",), {"genre": "rock"}),
        ("play jazz no wait play rock", ("play",), {"genre": "rock"}),
        ("so stop play jazz", ("stop", "play"), {"genre": "jazz"}),
        ("stop play jazz", ("stop", "play"), {"genre": "jazz"}),
        ("it's friday play something fun", ("play",), {"mood": "happy"}),
        ("this is distracting something else", ("skip",), {}),
        ("i don't like this one skip it", ("dislike", "skip"), {}),
    ],
)
def test_speech_without_punctuation_is_read_alike(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict
) -> None:
    assert _read(understanding, text) == (intents, slots)


@pytest.mark.parametrize(
    "text",
    [
        "i don't know this one skip it",
        "i don't know it skip",
        "don't know this one next please",
        "i do not know this song skip it",
    ],
)
def test_a_song_not_known_is_no_dislike_without_a_pause(
    understanding: Understanding, text: str
) -> None:
    assert _read(understanding, text) == (("skip",), {})


def test_a_request_after_not_knowing_a_song_is_read_apart() -> None:
    assert known_apart(["i", "don't", "know", "this", "one", "skip", "it"]) == [
        *["i", "don't", "know", "this", "one"],
        ",",
        *["skip", "it"],
    ]
    assert known_apart(["i", "don't", "know", "why"]) == ["i", "don't", "know", "why"]
    assert known_apart(["play", "don't", "know", "why"]) == ["play", "don't", "know", "why"]


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("play jazz not rock", {"genre": "jazz"}),
        ("play jazz and not rock", {"genre": "jazz"}),
        ("some rock not metal", {"genre": "rock"}),
        ("play miles davis not kind of blue", {"artist": "miles davis"}),
        ("play rock not any metal", {"genre": "rock"}),
        # "not" with no value before it, or none after it, leaves nothing out
        ("play something not too loud", {}),
    ],
)
def test_a_bare_not_leaves_a_name_out(understanding: Understanding, text: str, slots: dict) -> None:
    assert _read(understanding, text) == (("play",), slots)


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        ("turn it up, no wait, skip it", ("skip",), {}),
        ("turn it up no wait skip it", ("skip",), {}),
        ("skip this hang on no turn it up", ("volume_up",), {}),
        ("play jazz, wait no, play rock", ("play",), {"genre": "rock"}),
        # with no request on both sides, a wait is still a pause
        ("wait", ("pause",), {}),
        ("wait no", ("pause",), {}),
        ("hang on no", ("pause",), {}),
    ],
)
def test_a_change_of_mind_between_two_requests_is_the_later_only(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict
) -> None:
    assert _read(understanding, text) == (intents, slots)

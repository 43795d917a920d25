"""Small talk and judgements of the DJ as people say them aloud: in a dialect's words ("how are
ye the day", "thank ye kindly"), with the recogniser's slips ("cheers any way", "hi they're
dj"), and put indirectly ("you're not half bad for a box"); talk to or of someone else in the
room, in the same words, stays unknown."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from appliance.dj.understand_told import about_the_dj, small_talk_told


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("how are ye the day", "how_are_you"),
        ("how are ye keepin", "how_are_you"),
        ("how are yous all doing tonight", "how_are_you"),
        ("how's yourself", "how_are_you"),
        ("how's yersel this morning", "how_are_you"),
        ("thank ye kindly", "thanks"),
        ("that's grand thank ye", "thanks"),
        ("cheerio the noo dj", "bye"),
        ("how's tha been all summer", "how_are_you"),
    ],
)
def test_small_talk_in_a_dialects_you(understanding: Understanding, text: str, kind: str) -> None:
    """As heard: "ye", "yous" and "yersel" are mended to "you" with the other spellings."""
    found = understanding.parse(text)
    assert found.name == kind, found


@pytest.mark.parametrize(
    "text",
    ["how are ye getting home", "how's yourself getting on with the essay", "thank ye mum"],
)
def test_a_dialects_you_said_to_someone_else_is_no_small_talk(
    understanding: Understanding, text: str
) -> None:
    assert understanding.parse(text).name == "unknown"


@pytest.mark.parametrize(
    ("text", "kind"), [("ye're a legend", "compliment"), ("ye're useless the day", "complaint")]
)
def test_a_judgement_of_the_dj_in_a_dialects_you(
    understanding: Understanding, text: str, kind: str
) -> None:
    assert understanding.parse(text).name == kind


@pytest.mark.parametrize(
    "text",
    ["cheers any way", "thanks any way", "thanks anyway", "ta very much for keeping an eye on it"],
)
def test_thanks_with_anyway_as_heard_or_for_what_was_done(text: str) -> None:
    found = small_talk_told(text)
    assert found is not None and found.name == "thanks", found


@pytest.mark.parametrize(
    "text",
    [
        "thanks any way you can get it",
        "thanks so much for the lift mum",
        "ta very much for the tea love",
    ],
)
def test_thanks_to_someone_else_stays_unknown(text: str) -> None:
    assert small_talk_told(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "you're not half bad company for a box",
        "ye're no bad for a wee box",
        "you've got decent taste for a machine",
        "ye're a fine wee machine",
        "ye're a canny wee thing",
    ],
)
def test_praise_of_the_dj_called_a_thing(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "compliment"


@pytest.mark.parametrize(
    "text",
    ["you're not half bad at this", "you've got decent taste", "you've got a fine mess there"],
)
def test_the_same_praise_of_no_box_judges_no_dj(text: str) -> None:
    assert about_the_dj(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "hi they're dj its the night guard",
        "hello they're old thing",
        "hi they're its bath time",
        "morning old friend",
    ],
)
def test_a_hello_with_there_as_heard(text: str) -> None:
    found = small_talk_told(text)
    assert found is not None and found.name == "greet", found


@pytest.mark.parametrize(
    "text",
    [
        "hey they're coming up the stairs",
        "morning they're both walking now",
        "hello old man's here",
    ],
)
def test_a_hello_then_talk_of_others_stays_unknown(text: str) -> None:
    assert small_talk_told(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "what are you anyway a wireless",
        "so what are you really a dj or a spy",
        "who are you again love i forget",
        "remind me what you are again a jukebox with opinions",
    ],
)
def test_what_the_dj_is_asked_again_or_doubted(text: str) -> None:
    found = small_talk_told(text)
    assert found is not None and found.name == "who_are_you", found


@pytest.mark.parametrize(
    "text", ["what are you really thinking", "what are you doing later", "who are you going with"]
)
def test_what_someone_does_is_not_what_the_dj_is(text: str) -> None:
    assert small_talk_told(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hello are you their love", "greet"),
        ("psst dj are you they're", "greet"),
        ("are you their dear hello", "greet"),
        ("you still awake in there then", "how_are_you"),
        ("you alright their", "how_are_you"),
    ],
)
def test_are_you_there_with_there_as_heard(text: str, kind: str) -> None:
    found = small_talk_told(text)
    assert found is not None and found.name == kind, found


@pytest.mark.parametrize(
    "text",
    [
        "are you there yet",
        "you there come here",
        "are you their friends",
        "are you they're parents",
    ],
)
def test_are_you_there_said_to_someone_else_stays_unknown(text: str) -> None:
    assert small_talk_told(text) is None


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("gwen likes bluegrass, remember that", {"genre": "bluegrass"}),
        ("my uncle loves sade, write that down", {"artist": "sade"}),
        ("remember that my nan adores soul music", {"genre": "soul"}),
    ],
)
def test_someones_liking_with_the_dj_asked_to_keep_it_is_kept(
    understanding: Understanding, text: str, slots: dict
) -> None:
    found = understanding.parse(text)
    assert (found.name, found.slots) == ("add_preference", slots)


@pytest.mark.parametrize(
    "text", ["my uncle loves sade", "gwen likes bluegrass", "remember that gig in leeds"]
)
def test_someones_liking_told_alone_is_talk(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"

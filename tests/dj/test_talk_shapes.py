"""Small talk and questions about oneself read by their shape (issue 15), not by single phrases:
asking after the DJ with a clause or a when-and-where after it, a judgement of the DJ reported
or said after what it did, what the DJ is asked inside a longer turn, how long the DJ and the
listener have known each other, a liking to forget named after "forget (that) ...", a fact or a
joke asked to be told, the Northern "tha" and "ey up". Talk of or to someone else stays unknown."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from appliance.dj.understand_intent import Intent
from appliance.dj.understand_negation import asked_after_someone_else
from appliance.dj.understand_told import about_the_dj, small_talk_told


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # asking after the DJ, then a clause of one's own or when and where it is asked
        ("how are you doing been a long week here", "how_are_you"),
        ("how are you this morning we're all asking", "how_are_you"),
        ("how are you holding up on the late shift", "how_are_you"),
        ("how have you been since the weekend", "how_are_you"),
        ("how's tricks dj", "how_are_you"),
        ("how are you to night", "how_are_you"),
        ("how do duck", "how_are_you"),
        # what the DJ is, asked inside a longer turn
        ("what are you when you're at home then", "who_are_you"),
        ("the kids set you up what are you supposed to be", "who_are_you"),
        ("tell my granddad what you are he doesn't believe me", "who_are_you"),
        ("my neighbour wants to know who you are", "who_are_you"),
        ("what kind of software are you", "who_are_you"),
        ("are you like a real person or a robot", "who_are_you"),
        ("what exactly are you underneath", "who_are_you"),
        ("someone's talking in the kitchen who are you", "who_are_you"),
        ("so what are you made of then", "who_are_you"),
        ("are you one of those talking robots", "who_are_you"),
        ("you alright in there the heating's off again", "how_are_you"),
        # how long the DJ and the listener have known each other
        ("how many months is it since you arrived", "known_for"),
        ("how long have you been sat in my kitchen now", "known_for"),
        ("how many years you know me", "known_for"),
        # one's likes, what the DJ has on one, one's trust
        ("have you worked out what i'm into yet", "my_likes"),
        ("list my favourites please", "my_likes"),
        ("the bands that i love which are they", "my_likes"),
        ("what have you got on me so far", "about_me"),
        ("how's my trust doing these days", "my_trust"),
        ("that trust thing what level am i on", "my_trust"),
        # a fact or a joke asked to be told
        ("tell us something about nina simone", "fact"),
        ("tell the kids summat about jazz drummers", "fact"),
        ("a quick music fact before i go", "fact"),
        ("cheer me up tell me something funny", "joke"),
        ("say a joke for the birthday boy", "joke"),
        # hellos and goodbyes in other registers
        ("ey up speaker", "greet"),
        ("now then duck", "greet"),
        ("morning it's dev from upstairs", "greet"),
        ("right the taxi's here gotta go", "bye"),
        ("that's us done see you in summer", "bye"),  # "thee", once the respellings read it
        ("ta lass", "thanks"),
    ],
)
def test_small_talk_is_read_by_its_shape(text: str, kind: str) -> None:
    found = small_talk_told(text)
    assert found is not None and found.name == kind, found


@pytest.mark.parametrize(
    "text",
    [
        "how are you getting home tonight",
        "how are you going to fit that in the car",
        "how are you finding the new school",
        "how are you getting on with the washing up",
        "what are you doing later",
        "i know what you are doing",
        "tell me what you are playing",
        "are you a fan of the blues",
        "are you in the kitchen",
        "you alright there mate i'll be with you in a minute",
        "how long is this song",
        "how long has she been asleep",
        "how many songs have you got",
        "how long till the end",
        "tell me something about your day",
        "the fact is i'm shattered",
        "a joke is a joke",
        "how do i turn it up",
        "what would i like for dinner",
        "what am i like honestly",
        "what i like about this place is the view",
        "what does my sister like",
        "i trust my gut",
    ],
)
def test_other_talk_is_no_small_talk(text: str) -> None:
    assert small_talk_told(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a judgement reported or said after telling of it
        ("my son says you're brilliant", "compliment"),
        ("see she's impressed you're a smart thing", "compliment"),
        ("honestly you're a little genius", "compliment"),
        ("tha's a grand little box", "compliment"),
        ("good answer i looked it up", "compliment"),
        ("that mix was proper slick", "compliment"),
        ("that was a sick transition", "compliment"),
        ("that fade was clean not gonna lie", "compliment"),
        ("your choice of tunes is always perfect", "compliment"),
        # what the DJ did, with a word that blames it
        ("you put the same track on three times today that's a bit much", "complaint"),
        ("you told me the wrong singer last week", "complaint"),
        ("you woke the baby blasting it not cool", "complaint"),
        ("you talk too fast", "complaint"),
        ("you're too slow answering", "complaint"),
        ("tha keeps talking over the intro give over", "complaint"),
        ("you're too kind", "compliment"),
        ("you took ages to find that one", "complaint"),
        ("you keep cutting out in the hall", "complaint"),
        ("your jokes are not that funny", "complaint"),
        ("correct answer my friend", "compliment"),
        ("fair play you did all right there", "compliment"),
    ],
)
def test_judgements_of_the_dj_by_their_shape(
    understanding: Understanding, text: str, kind: str
) -> None:
    # through the whole understanding: the words as heard are normalised first ("gonna")
    assert understanding.parse(text).name == kind


@pytest.mark.parametrize(
    "text",
    [
        "my sister says you're playing it too loud are you",  # asked, not judged
        "you told me the reason was the tempo is it the same one",
        "you can play it again",
        "you know what play it again",
        "that song makes me sick",
        "you too have a good one",
    ],
)
def test_asked_or_requested_is_no_judgement(text: str) -> None:
    assert about_the_dj(text) is None


def test_asking_after_the_dj_with_a_clause_after_it_is_kept() -> None:
    """A model's reading of "how are you" is kept when what follows is a clause or a when and
    where of it, and dropped when it asks how someone does a thing."""
    kept = Intent("how_are_you", {}, "how are you today she's asking too", confidence=0.8)
    assert asked_after_someone_else(kept).name == "how_are_you"
    dropped = Intent("how_are_you", {}, "how are you getting home tonight", confidence=0.8)
    assert asked_after_someone_else(dropped).name == "unknown"


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    from tests.dj.test_understand import LIBRARY

    return Understanding(vocabulary=LIBRARY)


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("forget i'm into bob marley he was for a party", "artist", "bob marley"),
        ("forget that i'm keen on smooth operator it was a one off", "query", "smooth operator"),
        ("for get i like bob marley", "artist", "bob marley"),
    ],
)
def test_a_liking_to_forget_is_read_after_forget(
    understanding: Understanding, text: str, slot: str, value: str
) -> None:
    found = understanding.parse(text)
    assert found.name == "forget_preference", found
    assert found.slots.get(slot) == value, found

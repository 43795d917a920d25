"""Understanding: a name said as people say it. The search ends where the name does (at a pause,
before an aside such as "while i ..." or "for my ...", at "by" when neither name is in the
library); a name heard a little wrong beside one said exactly, a genre heard a little wrong and
an album said with "album" after it still land. A listener's name ends at a pause or before
what is said after it ("this is jo talking"). A short request, or how one feels, then why
("pause it i need to sign for a parcel") is that request, never a title that starts like one.
Each is a phrasing of our own, not a line of any corpus."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import LIBRARY, understood_as


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(vocabulary=LIBRARY)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # the search ends where the name does
        ("play ed sheeran for my mum", {"query": "ed sheeran"}),
        ("play coldplay if you have them", {"query": "coldplay"}),
        ("play the killers or someone", {"query": "killers"}),
        ("play velvet harbour, the new one", {"query": "velvet harbour"}),
        ("Play Mr. Brightside, cheers.", {"query": "mr brightside"}),
        ('Play "Gravel Hearts" by Iron Lilac, please.', {"query": "gravel hearts"}),
        ("play summat by burna boy", {"query": "burna boy"}),
        ("play some nora jones while i do the dishes", {"artist": "norah jones"}),
        # a second name heard a little wrong beside one said exactly
        ("play get lucky by daft pank", {"title": "get lucky", "artist": "daft punk"}),
        ("play norah jones dont know wy", {"artist": "norah jones", "title": "don't know why"}),
        # an album said with "album", a genre heard a little wrong
        ("play the random access memory album", {"album": "random access memories"}),
        ("play some hip hap", {"genre": "hip hop"}),
        ("play a bit of drum and bas", {"genre": "drum and bass"}),
        # a word a letter away from a genre is not it: the search as said
        ("play the robots song", {"query": "robots"}),
    ],
)
def test_a_name_as_people_say_it(understanding: Understanding, text: str, slots: dict) -> None:
    names, found = understood_as(understanding.parse(text))
    assert names == ("play",)
    assert {key: found.get(key) for key in slots} == slots
    assert not found.keys() - slots.keys() - {"mood", "activity"}


@pytest.mark.parametrize(
    ("text", "intents", "name"),
    [
        ("this is priya talkin", ("identify",), "priya"),
        ("morning, it's lena, shop's open", ("greet", "identify"), "lena"),
        ("hi, it's tom, aye", ("greet", "identify"), "tom"),
    ],
)
def test_a_name_ends_where_it_is_said(
    understanding: Understanding, text: str, intents: tuple, name: str
) -> None:
    names, found = understood_as(understanding.parse(text))
    assert (names, found) == (intents, {"name": name})


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("pause it i need to sign for a parcel", "pause"),
        ("quieter, the baby's asleep", "volume_down"),
        ("i'm fuming, the plumber's let me down", "mood"),
        # no request and then its reason: as before, nothing to act on
        ("louder than words is a good book", "unknown"),
        ("pass the salt, she's waiting", "unknown"),
    ],
)
def test_a_short_request_then_why(understanding: Understanding, text: str, intent: str) -> None:
    assert understood_as(understanding.parse(text))[0] == (intent,)

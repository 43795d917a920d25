"""Understanding, an opinion of the track that plays said in the many ways people say one: the
verdict in a dialect's or a generation's words, the track named after the verdict, a verdict
denied ("not bad"), someone else's verdict reported, a name or a filler said after it. And
never an opinion of anything that is not the music. Each is a phrasing of our own, not a line of
any corpus."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import understood_as


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # the track, then a verdict in regional or young people's words
        ("that record is pure minging", "dislike"),
        ("this one's well mid", "dislike"),
        ("this tune is proper lush", "like"),
        ("that song is absolutely braw", "like"),
        ("this track is a certified banger no cap", "like"),
        ("this beat is lowkey fire", "like"),
        ("that one is a load of old tosh", "dislike"),
        ("this is my anthem", "like"),
        # the verdict, then the track pointed at
        ("cracking song this one", "like"),
        ("dreadful tune that", "dislike"),
        ("what a stonking record this is", "like"),
        # a verdict denied
        ("this one isn't half bad", "like"),
        ("not too shabby this one", "like"),
        ("that track isn't great", "dislike"),
        ("i'm not fussed on this tune at all", "dislike"),
        ("we're not sold on this one", "dislike"),
        # what it does to one
        ("this track gives me the ick", "dislike"),
        ("that song gives me goosebumps", "like"),
        # in Nigerian pidgin and Jamaican patois
        ("that one e dey sweet me", "like"),
        ("this song no go sweet me", "dislike"),
        ("mi love this tune bad", "like"),
        ("mi nuh rate this one", "dislike"),
        # someone else's verdict, reported to the DJ
        ("my husband loves this tune", "like"),
        ("the kids are loving this one", "like"),
        ("my mum can't stand this track", "dislike"),
        # a name or a filler after it
        ("this song is rank buddy", "dislike"),
        ("this tune is sweet as mate honestly", "like"),
    ],
)
def test_an_opinion_of_the_track_in_other_words(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understood_as(understanding.parse(text)) == ((intent,), {})


@pytest.mark.parametrize(
    "text",
    [
        "this cake is pure lush",
        # things named the way a track is, and said of the way a track is
        "this traffic is terrible",
        "this coffee is amazing",
        "she loves that dress",
        "that film gave me the creeps",
        "this weather is minging",
        "my husband loves this jumper",
        "the kids can't stand this cereal",
        "cracking pint this one",
        "this sofa isn't half bad",
        "that pizza no dey sweet me",
    ],
)
def test_an_opinion_of_anything_else_is_no_verdict_on_the_music(
    understanding: Understanding, text: str
) -> None:
    assert understood_as(understanding.parse(text))[0] not in (("like",), ("dislike",))

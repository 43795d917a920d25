"""Understanding, other people spoken of: what a group of other listeners plays asks about the
community; someone else's request asks the DJ as if they had said it, but their liking is no
liking of the listener's. Each is a phrasing of our own, not a line of any corpus."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import understood_as


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        # what a group of other listeners plays
        ("what do the other crews usually listen to", ("community",), {}),
        ("what are the regulars into these days", ("community",), {}),
        ("what's everybody else on the ward been putting on", ("community",), {}),
        ("what's popular with the other listeners", ("community",), {}),
        # what some people play as a habit, whoever they are
        ("what do the night shift play mostly", ("community",), {}),
        ("what is tariq listening to usually", ("community",), {}),
        ("what do my pupils usually have on", ("community",), {}),
        # someone else's request, said of them
        ("the twins want some pop", ("play",), {"genre": "pop"}),
        ("grandad would like some jazz if that's alright", ("play",), {"genre": "jazz"}),
        ("she'd love something romantic for the first dance", ("play",), {"mood": "romantic"}),
        ("uncle ray is after some nina simone", ("play",), {"artist": "nina simone"}),
        # a level someone else wants
        ("the lads want the volume at eighty for the match", ("set_volume",), {"level": 80}),
        ("my nan wants it quieter", ("volume_down",), {}),
        # someone else's request, passed on in their words
        ("auntie says put on something happy", ("play",), {"mood": "happy"}),
        ("the boss wants you to turn it down, a customer's on the phone", ("volume_down",), {}),
        ("grandad reckons you should skip this", ("skip",), {}),
        ("kemi says pause it", ("pause",), {}),
    ],
)
def test_other_people_spoken_of(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict[str, str]
) -> None:
    assert understood_as(understanding.parse(text)) == (intents, slots)


@pytest.mark.parametrize(
    "text",
    [
        # a group without other listeners in it: people the DJ does not know
        "what does my sister listen to",
        "what do the twins usually put on",  # clothes, as often as music
        "what do the twins play",  # a game, as often as music: no habit asked
        # what a band, the radio or the DJ plays is no question about listeners
        "what does the band usually play",
        "what do you listen to",
        # someone else wanting what is not music, or a search of words the DJ does not know
        "she wants a cup of tea",
        "the dog needs a walk",
        "he wants to go home",
        # words passed on that ask the DJ for nothing it plays, or a tale of what was said
        "he says play is good for children",
        "she says no more chocolate before tea",
        "she said play whatever gets the dancers up",
        # someone else's liking, even asked to be kept: the DJ would keep it as the listener's
        "my mum loves reggae",
        "remember priya loves reggae",
    ],
)
def test_talk_about_other_people_asks_nothing(understanding: Understanding, text: str) -> None:
    assert understood_as(understanding.parse(text))[0] not in (
        ("community",),
        ("play",),
        ("add_preference",),
        ("remove_preference",),
    )

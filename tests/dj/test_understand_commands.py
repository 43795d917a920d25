"""Understanding, the commands other than play in more of people's words: a name said with
"again" or "is here" (or "hear", as a recogniser writes it), a hello said as "alright" or "how
far"; a liking or a dislike of the track on air said as people say it ("i rate this", "i've gone
off this", "mark it as a dislike", someone else loving it); a replay asked as "do it again", a
pause as "put it on hold", a resume as "put it back on", the volume as "vol", "lower it", "crank
it"; a correction opened with "naw" or "no love", and a liking taken off as "forget my liking
for ...". Each is a phrasing of our own, not a line of any corpus."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import understood_as


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        ("mabel here again", ("identify",), {"name": "mabel"}),
        ("it's me yusuf again", ("identify",), {"name": "yusuf"}),
        ("its ingrid hear", ("identify",), {"name": "ingrid"}),
        ("ingrid hear", ("identify",), {"name": "ingrid"}),
        ("ingrid speaking now", ("identify",), {"name": "ingrid"}),
        ("alright music box", ("greet",), {}),
        ("how far speaker", ("greet",), {}),
        ("i rate this track", ("like",), {}),
        ("this tune makes me want to dance", ("like",), {}),
        ("mark this song as liked", ("like",), {}),
        ("i don't really like this song much", ("dislike",), {}),
        ("not keen on this one", ("dislike",), {}),
        ("i've gone off this song", ("dislike",), {}),
        ("this is rotten", ("dislike",), {}),
        ("mark this as a dislike", ("dislike",), {}),
        ("oh no not this song again", ("dislike",), {}),
        ("not that tune again", ("dislike",), {}),
        ("that record gets on my nerves", ("dislike",), {}),
        ("give us that tune again", ("replay",), {}),
        ("pop the music on hold", ("pause",), {}),
        ("you can put the music back on now", ("resume",), {}),
        ("carry on from the same spot", ("resume",), {}),
        ("stop everything altogether", ("stop",), {}),
        ("vol up", ("volume_up",), {}),
        ("a bit more volume please", ("volume_up",), {}),
        ("fade the music down a bit", ("volume_down",), {}),
        ("keep it quiet please", ("volume_down",), {}),
        ("no love, i said the blues", ("correct",), {"genre": "blues"}),
        ("naw i say reggae", ("correct",), {"genre": "reggae"}),
        ("forget my liking for sade", ("forget_preference",), {"artist": "sade"}),
        ("i no longer want funk on my list", ("forget_preference",), {"genre": "funk"}),
    ],
)
def test_commands_in_peoples_own_words(
    understanding: Understanding, text: str, intents: tuple, slots: dict
) -> None:
    assert understood_as(understanding.parse(text)) == (intents, slots)


@pytest.mark.parametrize(
    "text",
    ["this again", "jazz again", "the same again"],
)
def test_again_after_no_name_names_no_one(understanding: Understanding, text: str) -> None:
    assert understood_as(understanding.parse(text))[0] != ("identify",)


@pytest.mark.parametrize(
    "text",
    [
        "auntie is here",
        "dad is talking",
        "grandpa is speaking",
        "bob marley again",
        "sade again",
        "tuesday again",
        "snow again",
        "its snowing now",
    ],
)
def test_talk_about_someone_or_something_takes_on_no_listener(
    understanding: Understanding, text: str
) -> None:
    """Who is in the room, or a name said with "again", is ordinary talk, not a listener
    saying who they are (a library name with "again" least of all)."""
    assert understood_as(understanding.parse(text))[0] != ("identify",)


@pytest.mark.parametrize(
    "text",
    [
        "that does my head in",
        "it drives me mad",
        "not that again",
        "not again",
        "he loves it",
        "my sister likes this",
        "they adore that",
    ],
)
def test_talk_that_names_no_music_is_no_verdict_on_the_track(
    understanding: Understanding, text: str
) -> None:
    """A grumble that names no song may be about anything, and someone else liking the track
    asks the DJ for nothing: neither is acted on as a like or a dislike."""
    intent = understanding.parse(text)
    acted = [part.name for part in intent.each() if part.confidence >= 0.8]
    assert not {"like", "dislike"} & set(acted)

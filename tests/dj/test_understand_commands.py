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
        ("yusuf again", ("identify",), {"name": "yusuf"}),
        ("its ingrid now", ("identify",), {"name": "ingrid"}),
        ("ingrid hear", ("identify",), {"name": "ingrid"}),
        ("ingrid is speaking now", ("identify",), {"name": "ingrid"}),
        ("alright music box", ("greet",), {}),
        ("how far speaker", ("greet",), {}),
        ("i rate this track", ("like",), {}),
        ("the kids love this one", ("like",), {}),
        ("this tune makes me want to dance", ("like",), {}),
        ("mark this song as liked", ("like",), {}),
        ("i don't really like this song much", ("dislike",), {}),
        ("not keen on this one", ("dislike",), {}),
        ("i've gone off this song", ("dislike",), {}),
        ("this is rotten", ("dislike",), {}),
        ("mark this as a dislike", ("dislike",), {}),
        ("oh no not this song again", ("dislike",), {}),
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

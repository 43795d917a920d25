"""Follow-ups that point at music heard: "more like" a style or a track named, read as the
follow-up it is and checked against what the conversation benchmark's player really plays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appliance.dj import PersonalizedDJ
from appliance.library import Library
from tests.benchmarks.bench_conversation import Player
from tests.dj.test_talk import library, on_air  # noqa: F401  (the module's small library fixture)
from tests.support.conversation_truth import same, started

USER = "noor"


@pytest.fixture
def rig(library: Library) -> Iterator[tuple[PersonalizedDJ, Player]]:  # noqa: F811
    with on_air(library, USER, seed=5) as both:
        yield both


def said(dj: PersonalizedDJ, player: Player, text: str) -> None:
    player.apply(dj.respond(USER, text))


def _other_style(dj: PersonalizedDJ, player: Player) -> str:
    """Put jazz on air; the style it is not of ("rock"), for asking more of that one."""
    said(dj, player, "put some jazz on")
    assert player.track is not None and "jazz" in player.track.genres, player.track
    return "rock"


@pytest.mark.parametrize(
    "text",
    [
        "could we have more of the {style} ones for the kids",
        "can you stick on more like the {style} one",
        "more {style} like that one for the drive",
    ],
)
def test_more_like_a_style_named_plays_that_style(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    """ "More like the rock one" over jazz: more like the one named, read as the follow-up it
    is, not a plain play nor nothing understood."""
    dj, player = rig
    style = _other_style(dj, player)
    reply = dj.respond(USER, text.format(style=style))
    assert reply.intents == ("more_like",), reply
    track = started(reply)
    assert track is not None and style in track.genres, (track, reply.text)


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("now that's more like it, more of those please", ("like", "more_like")),
        ("give me something like the one with the horns from last night", ("more_like",)),
    ],
)
def test_more_like_music_heard_plays_more_like_what_plays(
    rig: tuple[PersonalizedDJ, Player], text: str, intents: tuple[str, ...]
) -> None:
    dj, player = rig
    _other_style(dj, player)
    now = player.track
    reply = dj.respond(USER, text)
    assert reply.intents == intents, reply
    track = started(reply)
    assert track is not None and now is not None and not same(track, now), reply
    assert "jazz" in track.genres, (track, reply.text)


@pytest.mark.parametrize(
    "text",
    ["tired is more like it", "put on more of that rock please", "how many songs like that one"],
)
def test_words_of_more_that_ask_no_more_like_are_not_read_so(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    """A word put right, a style named after "that", a question: no "more like" read."""
    dj, _player = rig
    assert "more_like" not in dj.respond(USER, text).intents


@pytest.mark.parametrize(
    "text",
    [
        "is there any more of that cake",
        "Subscribe for more videos like this one.",
        "the speaker's great, we've got one like it at home",
        "my brother's got one like that in his car",
        "any more of that wine",
        "i'd like some more of that pasta",
        "more of those biscuits please",
        "i hate songs like that",
        "i don't want anything like that",
        "not more of those",
        "no more of that",
        "i can't stand stuff like this",
        "i never hear songs like that anymore",
        "my mum loves music like this",
        "she used to sing songs like that",
    ],
)
def test_more_of_a_thing_not_music_starts_no_music(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    """More of the cake, videos like this one, one like it owned at home: talk about food or
    things asks nothing of the DJ, nor does music like this refused ("i hate songs like that",
    "no more of that") or only told of ("my mum loves music like this"); no "more like" read,
    and the track on air plays on."""
    dj, player = rig
    _other_style(dj, player)
    reply = dj.respond(USER, text)
    assert "more_like" not in reply.intents, reply
    assert started(reply) is None, reply


@pytest.mark.parametrize(
    "text",
    [
        "no, more like the one before",
        "fair enough, play me more of the calm stuff like this",
        "a song a lot like this one, more of that sort please",
        "ok more like that",
    ],
)
def test_more_like_asked_after_a_correction_or_a_story_is_still_asked(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    """A correction ("no, more like ..."), "fair enough" and a story said before the asking keep
    the request for more like it."""
    dj, player = rig
    _other_style(dj, player)
    assert "more_like" in dj.respond(USER, text).intents


@pytest.mark.parametrize(
    "text",
    [
        "could we have another one like this",
        "let's have one like this",
        "some more of that kind of thing for the drive",
    ],
)
def test_more_of_music_heard_beside_such_words_is_still_more_like(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    """Asking to have one like this, or more of that kind of thing for a while, is still more
    like what plays."""
    dj, player = rig
    _other_style(dj, player)
    reply = dj.respond(USER, text)
    assert reply.intents == ("more_like",), reply
    track = started(reply)
    assert track is not None and "jazz" in track.genres, (track, reply.text)

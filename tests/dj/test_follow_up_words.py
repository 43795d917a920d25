"""Follow-ups as people say them: a replay said first whatever is told after it ("start this
one over, the lad missed it"), more in the same vein, more like an artist named."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.dj.reply import PlayTrack


def _started(reply: object) -> object:
    return next((a.track for a in getattr(reply, "actions", ()) if isinstance(a, PlayTrack)), None)


@pytest.fixture(scope="module")
def understanding() -> object:
    from appliance.dj.understand import Understanding

    return Understanding()


@pytest.mark.parametrize(
    "said",
    [
        "start this one over the lad missed it",
        "play it from the top once more, i started the watch late",
        "and once more this same one when it ends",
        "re play this one it's good for maths",
        "this song one more time my friends did not hear it",
        "play this this one again for ted",
        "can you just loop this one",
        "again pleeease",
        "from the start again sorry",
        "again after this, it works for the cafe",
        "start it over",
        "start this one over",
        "play it all over again",
        "put it on from the top",
        "do that song again before she cries",
        "take this track from the beginning",
        "play from the beginning",
        "start that won again she's just settling",
    ],
)
def test_a_replay_said_first_is_a_replay_whatever_is_told_after_it(
    understanding: object, said: str
) -> None:
    from appliance.dj.understand import Understanding

    assert isinstance(understanding, Understanding)
    assert understanding.parse(said).name == "replay"


@pytest.mark.parametrize(
    "said", ["i heard this song again on the radio", "again i hate this", "over it"]
)
def test_again_in_talk_is_no_replay(understanding: object, said: str) -> None:
    from appliance.dj.understand import Understanding

    assert isinstance(understanding, Understanding)
    assert understanding.parse(said).name != "replay"


@pytest.mark.parametrize(
    "said",
    [
        "put it over there",
        "put that over there please",
        "just put it over there on the table",
        "take it over to nan's",
        "run it over to your dad",
        "take that one over to the sink",
        "do that again and you're grounded",
        "do it again and see what happens",
        "again tomorrow",
        "again later",
        "again tonight",
        "again next week",
        "it again",
    ],
)
def test_moving_a_thing_doing_it_again_or_a_later_time_is_no_replay(
    understanding: object, said: str
) -> None:
    """A bare "over" asks for nothing anew, put/take/run/do ask for the music only with words
    naming it, a replay asked for another time is not one now, and "it again" points at
    nothing said: all stay what they were (not understood)."""
    from appliance.dj.understand import Understanding

    assert isinstance(understanding, Understanding)
    assert understanding.parse(said).name == "unknown"


def test_playing_over_a_speaker_is_no_replay(understanding: object) -> None:
    """An "over" before a speaker says where, not again: "play it over the kitchen speaker"
    stays a play for cooking."""
    from appliance.dj.understand import Understanding

    assert isinstance(understanding, Understanding)
    found = understanding.parse("play it over the kitchen speaker")
    assert found.name == "play" and found.slots.get("activity") == "cooking"
    assert understanding.parse("play this over the speakers").name != "replay"


@pytest.mark.parametrize(
    "said",
    ["more pieces in the vein", "more in that vein", "more songs in this direction", "more same"],
)
def test_more_in_the_same_vein_is_more_like_this(understanding: object, said: str) -> None:
    from appliance.dj.understand import Understanding

    assert isinstance(understanding, Understanding)
    assert understanding.parse(said).name == "more_like"


def test_more_like_an_artist_named_plays_theirs(tmp_path: Path) -> None:
    """The demo library playing: "more like velvet harbour, then" and "more along the lines of
    the marisol quartet" play more of the artist named, as more like them."""
    from tests.benchmarks.bench_conversation import USER, conversation_rig

    with conversation_rig(tmp_path) as (dj, _library, player):
        for said, artist in (
            ("Fine. More like Velvet Harbour, then.", "Velvet Harbour"),
            ("then more along the lines of the marisol quartet", "Marisol Quartet"),
        ):
            reply = dj.respond(USER, said)
            assert reply.intent == "more_like", said
            track = _started(reply)
            assert track is not None and getattr(track, "artist", None) == artist, said
            player.apply(reply)

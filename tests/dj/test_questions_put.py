"""Questions about the music and about oneself as people put them (issue 15): roundabout, terse,
or asked of what the DJ keeps; each is understood as the question it is, so its answer can be
the truth."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what is this song you're playing", "whats_playing"),
        ("what's the year of release", "whats_playing"),
        ("made what year", "whats_playing"),
        ("do you remember who i am", "about_me"),
        ("is that all you have got on me", "about_me"),
        ("could you read me my full profile", "about_me"),
        ("what are my favourite bands", "my_likes"),
        ("what am i into these days", "my_likes"),
        ("which genres are on my list", "my_likes"),
        ("what would make my trust level go up", "my_trust"),
        ("how do i improve my level", "my_trust"),
        ("what do i have to do to become your best friend", "my_trust"),
        ("have you got music by the blue rivers", "have_any"),
    ],
)
def test_a_question_put_roundabout_is_that_question(
    understanding: Understanding,
    text: str,
    intent: str,
) -> None:
    found = understanding.parse(text)
    assert (found.name, found.also) == (intent, ()), found


@pytest.mark.parametrize(
    "text", ["have you got a minute", "do you have a favourite song", "you have a nice voice"]
)
def test_have_you_got_of_no_music_is_no_question_of_the_library(
    understanding: Understanding,
    text: str,
) -> None:
    assert understanding.parse(text).name != "have_any"

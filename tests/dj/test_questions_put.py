"""Questions about the music and about oneself as people put them (issue 15): roundabout, terse,
or asked of what the DJ keeps; each is understood as the question it is, so its answer can be
the truth."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_questions_more import ASKED_ANOTHER_WAY


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
        ("do you have any tracks from the blue rivers", "have_any"),
        ("have you got the lighthouse keeper song", "have_any"),
        ("what in the world is that song", "whats_playing"),
        ("by whom", "whats_playing"),
        ("is this a band or a solo artist", "whats_playing"),
        ("what are you playing for us right now", "whats_playing"),
        ("what's the tune tonight", "whats_playing"),
        ("do you know what year this was from", "whats_playing"),
        ("what's next after that one", "whats_next"),
        ("the song after this one", "whats_next"),
        ("what have we just skipped", "whats_previous"),
        ("what is the following level up", "my_trust"),
        ("am i your close friend already", "my_trust"),
        ("why aren't i a close friend yet", "my_trust"),
        ("how is my trust level worked out", "my_trust"),
        ("how long has it been since we first talked", "known_for"),
        ("how many weeks have you known me", "known_for"),
        ("do you still know me from last week", "about_me"),
        ("what did i say i loved earlier", "my_likes"),
        ("what have you got me down as not liking", "my_likes"),
        ("what do you reckon i dislike", "my_likes"),
        ("why does this sound so mellow", "why_this"),
        ("why are you playing reggae now", "why_this"),
        ("what made you go for this one for a sunday morning", "why_this"),
        *ASKED_ANOTHER_WAY,
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
    "text",
    [
        "have you got a minute",
        "do you have a favourite song",
        "you have a nice voice",
        "you have how many users",
        "do you do requests",
        "do you know sarah",
        "is mum in there",
    ],
)
def test_have_you_got_of_no_music_is_no_question_of_the_library(
    understanding: Understanding,
    text: str,
) -> None:
    assert understanding.parse(text).name != "have_any"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("and what's next after that one", "whats_next"),
        ("so how many weeks have you known me", "known_for"),
        ("but why are you playing reggae now", "why_this"),
        ("and play some reggae", "play"),
    ],
)
def test_a_turn_carrying_on_with_and_is_what_follows_the_and(
    understanding: Understanding,
    text: str,
    intent: str,
) -> None:
    """The joining word is no part of the question: the model, weighing it, once took "and
    what's next after this" for a question about what plays."""
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    "text", ["start this song over", "from the beginning once more", "play it from the top again"]
)
def test_from_the_start_again_is_this_one_again(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "replay"


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("do you have edith piaf", "edith piaf"),
        ("have you got adele then", "adele"),
        ("got edith piaf", "edith piaf"),
        ("is edith piaf on here", "edith piaf"),
        ("you don't have rick ashley seriously", "rick ashley"),
        ("what have you got by edith piaf", "edith piaf"),
        ("do you even have edith piaf", "edith piaf"),
        ("do you have a song by edith piaf", "edith piaf"),
        ("what about edith piaf have you got her", "edith piaf"),
    ],
)
def test_a_name_alone_asked_after_is_a_question_of_the_library(
    understanding: Understanding, text: str, query: str
) -> None:
    """ "do you have edith piaf": the DJ says honestly whether it has her, and what is near."""
    found = understanding.parse(text)
    assert (found.name, found.slots) == ("have_any", {"query": query}), found

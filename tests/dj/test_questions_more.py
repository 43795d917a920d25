"""Questions about the music and about oneself, and the one before asked for, in more of the ways
people say them (issue 15): the answer doubted ("you sure that's the title"), the standing beside
another's ("why is mine lower than his"), a pick asked about though it keeps coming ("why do you
always play them for me"), a name as heard in a count ("how many sunsplash songs have you"), the
one before at more length ("go back, the track from a minute ago"); each is understood as the
question or request it is, and a name heard near an artist's is counted as theirs."""

from __future__ import annotations

import pytest

from appliance.dj.answers_music import heard_artist
from appliance.dj.understand import Understanding

ASKED_ANOTHER_WAY = [
    # the fact asked again, or asked in a few words
    ("you sure that's the title", "whats_playing"),
    ("are you sure it's the right year", "whats_playing"),
    ("i don't suppose you know what year it's from", "whats_playing"),
    ("whose this by then", "whats_playing"),
    ("who his singing it", "whats_playing"),
    ("and the singer", "whats_playing"),
    ("what about the band", "whats_playing"),
    ("who composed it", "whats_playing"),
    ("what's this we're hearing", "whats_playing"),
    ("what's that piece called", "whats_playing"),
    ("is this from the same album as the one before", "whats_playing"),
    # trust, and the standing beside another's
    ("how does the trust thing work", "my_trust"),
    ("and how is it worked out", "my_trust"),
    ("trust level", "my_trust"),
    ("why is my level lower than my brother's", "my_trust"),
    ("why is hers higher than mine", "my_trust"),
    ("do you like her more than me", "my_trust"),
    ("she reckons you like her better", "my_trust"),
    ("what happens when i reach the next level", "my_trust"),
    # how well the DJ knows one's taste: what the trust level tells
    ("how sure are you about what i like", "my_trust"),
    ("how confident are you in my taste", "my_trust"),
    ("do you trust what i tell you", "my_trust"),
    # what one is known for, one's usual: the summary
    ("what am i known for round here", "about_me"),
    ("what would you say my go-to is", "about_me"),
    ("what's my usual these days", "about_me"),
    # the one before, asked about or asked for at more length
    ("what were you playing a sec ago", "whats_previous"),
    ("name the song that was playing just before this one", "whats_previous"),
    ("go back, the track from a minute ago", "play_previous"),
    ("return to the song we had on earlier", "play_previous"),
    ("i'd like to hear the tune before this one once more", "play_previous"),
    # why, of a pick that keeps coming or for an occasion
    ("why do you always go for these guys", "why_this"),
    ("why do you always put reggae on", "why_this"),
    ("why did you put this on for my nan", "why_this"),
    ("what made you settle on soul for the drive", "why_this"),
    ("so why do you think i'd like this one", "why_this"),
    # counts, what comes, what came, what one likes, one's mood
    ("what share of the library is jazz", "count_songs"),
    ("what follows this one", "whats_next"),
    ("and then what plays", "whats_next"),
    ("what was the song we had on before this", "whats_previous"),
    ("the singer of the previous track", "whats_previous"),
    ("what are my favourites again", "my_likes"),
    ("what's still on my list now", "my_likes"),
    ("how could you tell", "my_mood"),
    ("how do you know i'm so tired", "my_mood"),
    ("did you figure out how i'm feeling tonight", "my_mood"),
    ("what's my mood been like lately", "my_mood"),
]
"""Questions asked in more of people's words, tested with the roundabout ones
(tests/dj/test_questions_put.py)."""


@pytest.mark.parametrize(
    "text",
    ["play some jazz", "i'm starving", "you're the best", "how are you", "thank you"],
)
def test_other_talk_is_not_taken_for_these_questions(
    understanding: Understanding,
    text: str,
) -> None:
    found = understanding.parse(text)
    assert found.name not in ("my_trust", "why_this", "count_songs", "my_mood"), found


def test_a_count_keeps_a_name_as_heard(understanding: Understanding) -> None:
    found = understanding.parse("how many moonbeam songs have you got")
    assert found.name == "count_songs"
    assert found.slots.get("query") == "moonbeam"


ARTISTS = ["Sunsplash Collective", "Kilowatt Brothers", "Marisol Quartet", "Sade"]


@pytest.mark.parametrize(
    ("said", "artist"),
    [
        ("sunsplash", "Sunsplash Collective"),  # their first word, long enough to be theirs
        ("kilo what brothers", "Kilowatt Brothers"),  # nearly letter for letter
        ("marisol quartet", "Marisol Quartet"),
        ("nina simone", None),  # no artist near
        ("of their", None),
        ("sad", None),  # too short a word to stand for anyone
    ],
)
def test_a_name_as_heard_is_the_artist_near_it(said: str, artist: str | None) -> None:
    assert heard_artist(said, ARTISTS) == artist

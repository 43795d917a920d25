"""Understanding, a whole request with words beside it: a name, a reason or a remark said after a
player's request with no pause ("turn it up kasia", "skip this one we never liked the intro"),
whom or what music asked for is for ("something calm for the kennel"),
and words said with a stammer ("t-t-turn it up", "pl- play daft punk"). Each is a phrasing of
our own, not a line of any corpus."""

from __future__ import annotations

import pytest

from appliance.dj.understand import TIDIED_CONFIDENCE, Understanding
from appliance.dj.understand_text import Normaliser, dropped_g
from tests.dj.test_understand import understood_as


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a name after the request: someone in the room, or the speaker's own name
        ("turn it up shona", "volume_up", {}),
        ("turn the music down gerald", "volume_down", {}),
        ("next track gary", "skip", {}),
        # a reason or remark after it, no pause and no word that starts a reason
        ("turn it up for the last chorus", "volume_up", {}),
        ("turn it down the hoover is loud enough", "volume_down", {}),
        ("skip this one nobody likes the ending", "skip", {}),
        ("kill the music the taxi is here", "stop", {}),
        ("mute the music the bride is speaking", "set_volume", {"level": 0}),
        ("pause the music the kettle has boiled", "pause", {}),
        # a taste of music named, then a reason: "the" after it is no object of it
        ("no more techno the neighbours are complaining", "remove_preference", {"genre": "techno"}),
        # music asked for, then whom or what it is for: an occasion named there is kept
        ("tango for the couple at table six", "play", {"genre": "tango"}),
        ("something slow to end the evening", "play", {"mood": "calm"}),
        ("something upbeat for the last lap", "play", {"mood": "energetic"}),
        (
            "something lively for the cleaning crew",
            "play",
            {"mood": "energetic", "activity": "cleaning"},
        ),
    ],
)
def test_a_request_then_an_aside_is_the_request(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    found = understanding.parse(text)
    assert understood_as(found) == ((intent,), slots)
    # read around the words beside it: as sure as a request with words taken out around it
    assert found.confidence <= TIDIED_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "can you pass the pepper grinder",  # the request's verb goes on to its object
        "can you pass me the tongs",
        "turn up the radiator in the hall",  # an opening with no object of its own
        "turn it down when the baby goes off",  # not now: when
        "hang on what was i saying",  # a question after
        "stop it you two",  # said to children
        "please stop sending me adverts",  # the verb goes on ("stop sending")
    ],
)
def test_words_that_carry_the_request_on_are_no_aside(
    understanding: Understanding, text: str
) -> None:
    names, _ = understood_as(understanding.parse(text))
    assert names not in (("skip",), ("stop",), ("volume_up",), ("volume_down",), ("pause",))


@pytest.mark.parametrize(
    "text", ["turn it up to a hundred while we hoover", "volume up to max while we dance"]
)
def test_a_level_after_the_request_is_part_of_it(understanding: Understanding, text: str) -> None:
    names, _ = understood_as(understanding.parse(text))
    assert names != ("volume_up",)  # never read as "up" with the level dropped


@pytest.mark.parametrize(
    ("said", "normalised"),
    [
        ("t-t-turn it up", "turn it up"),
        ("wh-what's playing", "what's playing"),
        ("I l-l-like jazz", "i like jazz"),
        ("pl- play some soul", "play some soul"),
        ("B-B-B-Benny and the Jets", "benny and the jets"),
        # hyphenated words are no stammer
        ("k-pop", "k pop"),
        ("lo-fi beats", "lo fi beats"),
        ("go-go music", "go go music"),
        ("hip-hop", "hip hop"),
        ("a-ha", "a ha"),
    ],
)
def test_a_stammer_is_read_as_the_word_it_leads_to(said: str, normalised: str) -> None:
    assert Normaliser()(said) == normalised


def test_a_respelled_word_keeps_what_is_joined_to_it() -> None:
    normalise = Normaliser({"wot": "what", "im": "i'm", "luv": "love"})
    assert normalise("wot's this") == "what's this"
    assert normalise("wot this") == "what this"
    assert normalise("im here") == "i'm here"  # a respelling with its own apostrophe stays whole
    assert normalise("wotsit's gone") == "wotsit's gone"  # only the whole word
    assert normalise("luv's 'wot' luv") == "love's what love"  # quotes are no joining


def test_the_dropped_g_of_a_word_the_dj_knows_is_that_word() -> None:
    table = dropped_g({"playing", "coming", "something", "bangin", "banging", "thing", "sing"})
    assert table == {"playin": "playing", "comin": "coming", "somethin": "something"}


@pytest.mark.parametrize(
    ("said", "normalised"),
    [
        ("were hoovering the landing now", "we're hoovering the landing now"),
        ("we jogging now", "we're jogging now"),
        ("were you playing that", "were you playing that"),  # a question, not "we're"
        ("we bring the cake", "we bring the cake"),
        ("weren't cooking", "weren't cooking"),
    ],
)
def test_were_before_what_is_being_done_is_we_are(said: str, normalised: str) -> None:
    assert Normaliser()(said) == normalised


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("what's playin now", "whats_playing", {}),
        ("whats comin on after this", "whats_next", {}),
        ("play somethin for the mornin", "play", {"activity": "morning"}),
        ("i'm feelin sad", "mood", {"mood": "sad"}),
        ("a bit o' reggae for the cookin", "play", {"genre": "reggae", "activity": "cooking"}),
    ],
)
def test_a_word_said_without_its_g_is_understood(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    assert understood_as(understanding.parse(text)) == ((intent,), slots)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("p-p-pause it", "pause", {}),
        ("s-skip this one", "skip", {}),
        ("pl- play daft punk", "play", {"artist": "daft punk"}),
        ("v-v-volume to forty", "set_volume", {"level": 40}),
    ],
)
def test_a_request_said_with_a_stammer_is_understood(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    assert understood_as(understanding.parse(text)) == ((intent,), slots)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("this track is horrible qfzz", "dislike"),
        ("good song qfzz", "like"),
        ("what's this qfzz", "whats_playing"),
    ],
)
def test_the_speakers_own_name_after_a_request_asks_nothing_more(
    understanding: Understanding, text: str, intent: str
) -> None:
    """QFZZ is what the speaker is called: said after what is asked, as "dj" is."""
    assert understood_as(understanding.parse(text)) == ((intent,), {})


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "kwame here, turn it down, the inspector's on site",
            [("identify", {"name": "kwame"}), ("volume_down", {})],
        ),
        (
            "ossie here. something calm for the hot tub",
            [("identify", {"name": "ossie"}), ("play", {"mood": "calm"})],
        ),
        (
            "it's tobias again, play some jazz for the washing up",
            [("identify", {"name": "tobias"}), ("play", {"genre": "jazz", "activity": "cleaning"})],
        ),
    ],
)
def test_who_speaks_then_a_request_with_more_words_is_both(
    understanding: Understanding, text: str, parts: list
) -> None:
    found = understanding.parse(text)
    assert [(part.name, part.slots) for part in found.each()] == parts


def test_who_speaks_then_no_request_is_who_speaks_alone(understanding: Understanding) -> None:
    found = understanding.parse("gwen here, just back from the shops")
    assert [part.name for part in found.each()] == ["identify"]


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("whit year wis this", "whats_playing", {}),
        ("switch it aff ah'm away oot", "stop", {}),
        ("ah dinnae like this wan", "dislike", {}),
        ("how are ye the day", "how_are_you", {}),
    ],
)
def test_scots_words_are_read_as_the_plain_ones(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    assert understood_as(understanding.parse(text)) == ((intent,), slots)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("turn it down, that'll do", "volume_down", {}),
        ("put it on twenty that will do", "set_volume", {"level": 20}),
        ("that'll do", "stop", {}),  # alone, it is enough of the music
    ],
)
def test_thatll_do_after_a_request_is_no_stop(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    assert understood_as(understanding.parse(text)) == ((intent,), slots)


def test_the_model_never_turns_the_sound_the_other_way_than_said(
    understanding: Understanding,
) -> None:
    for text in ("turn it down a wee bit", "turn it doon a wee tad", "bring it lower a smidge"):
        assert understanding.parse(text).name != "volume_up", text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("not that one, that's too cheery for a funeral", "deny"),
        ("not that, that's too bouncy for this hour", "deny"),
        ("not that one it's too brassy for the baby", "deny"),
    ],
)
def test_a_track_turned_down_then_why_is_turned_down(
    understanding: Understanding, text: str, intent: str
) -> None:
    found = understanding.parse(text)
    assert (found.name, found.also) == (intent, ())
    assert found.confidence < 1.0  # words taken out around it: a little less sure


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("has tha got owt by daft punk", "play"),  # a play put as a question of having
        ("whatever made thee pick that", "why_this"),
        ("stick that un from afore back on", "play_previous"),
        ("gi' us summat cheerful", "play"),
    ],
)
def test_yorkshire_words_are_read_as_the_plain_ones(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("i divvent like this song", "dislike"),
        ("gie's some reggae", "play"),
        ("ah dinna want ony mair jazz", "remove_preference"),
        ("hae ye got ony sade", "play"),
    ],
)
def test_doric_and_north_east_words_are_read_as_the_plain_ones(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    "text",
    [
        "something in the same genre please",
        "find her more in the same style",
        "more tracks with that same groove",
        "pick us one of a similar sort",
    ],
)
def test_the_same_kind_in_its_own_words_is_more_like_it(
    understanding: Understanding, text: str
) -> None:
    assert understanding.parse(text).name == "more_like"


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("we're sweeping up now", "mood", {"activity": "cleaning"}),
        ("i'm on my break", "mood", {"activity": "relax"}),
        ("we're having our tea", "mood", {"activity": "dinner"}),
        ("it's way to loud", "volume_down", {}),
    ],
)
def test_what_is_being_done_in_words_of_its_own(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    assert understood_as(understanding.parse(text)) == ((intent,), slots)

"""Understanding what no template or example says word for word: the trained classifier that
confirms the neighbours' near misses, and statements that tell rather than ask."""

from __future__ import annotations

import threading

import pytest

from appliance.dj.understand import Understanding
from appliance.dj.understand_guess import Later
from appliance.dj.understand_linear import LinearModel, char_grams


def test_the_classifier_learns_words_by_their_letters() -> None:
    """A word never seen whole ("skipping") is placed by its letters ("skip")."""
    examples = [
        ("skip", ["skip", "this"]),
        ("skip", ["skip", "it"]),
        ("skip", ["next", "one"]),
        ("pause", ["pause", "it"]),
        ("pause", ["hold", "on"]),
        ("pause", ["pause", "this"]),
    ]
    model = LinearModel((intent, [*words, *char_grams(words)]) for intent, words in examples)
    said = ["skipping", "that"]
    found = model.probabilities([*said, *char_grams(said)])
    assert found["skip"] > 0.6 > found["pause"]
    assert char_grams(["skips"]) == ["~#sk", "~ski", "~kip", "~ips", "~ps#"]
    assert char_grams(["<genre>", "it"]) == []  # placeholders and short words say it whole


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("what's the name of the track that's currently on", "whats_playing", {}),
        ("which artist is currently singing", "whats_playing", {}),
        ("why have you chosen precisely this one", "why_this", {}),
        ("turn it up a few notches please", "volume_up", {}),
        ("give it a couple of notches more volume", "volume_up", {}),
        ("could you shuffle some soul", "play", {"genre": "soul"}),
        ("how many albums of jazz do you hold", "count_songs", {"genre": "jazz"}),
    ],
)
def test_a_request_in_words_one_form_away_is_understood(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    """Inflected or unusual words ("currently", "notches", "shuffle") made every example too
    far for the neighbours alone: these were all unknown."""
    found = understanding.parse(text)
    assert (found.name, found.slots) == (intent, slots)


@pytest.mark.parametrize("text", ["got any gamelan", "have you got any zydeco"])
def test_a_style_the_library_lacks_is_asked_after_by_name(
    understanding: Understanding, text: str
) -> None:
    """Asked as a have-question, the style is searched for, so the DJ can say it has none and
    what is nearest (it was a have-question of nothing, or not understood)."""
    found = understanding.parse(text)
    assert found.name == "have_any"
    assert found.slots == {"query": text.split()[-1]}


def test_a_dislike_of_a_person_is_not_of_the_music(understanding: Understanding) -> None:
    assert understanding.parse("i can't stand that bloke next door").name == "unknown"


def test_a_skip_said_as_pass_the_song_is_not_taken_as_surely_as_skip(
    understanding: Understanding,
) -> None:
    """ "pass this song" is a skip as learners say it; "pass the song" is no template's, so the
    model reads it, less surely than a skip said plainly (the DJ asks below its bar)."""
    assert understanding.parse("pass this song").confidence == 1.0
    assert understanding.parse("can you pass the song").confidence < 1.0


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        (
            "my sister got me this thing for christmas and honestly i have no idea how it "
            "works, so play some jazz",
            "play",
            {"genre": "jazz"},
        ),
        ("i was going to ask you something else but now pause the music", "pause", {}),
    ],
)
def test_a_request_at_the_end_of_a_story_is_understood(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    """What goes on is told first, the request comes last: the ending a template reads is the
    request, less sure than said alone (both were unknown)."""
    found = understanding.parse(text)
    assert (found.name, found.slots) == (intent, slots)
    assert found.confidence < 1.0


def test_the_classifier_is_fitted_beside_start_up_and_waited_for_when_needed() -> None:
    """Start-up does not wait for the fit (several seconds on a small board); a guess that
    needs it waits, and a fit that failed fails there, not silently."""
    release = threading.Event()
    later = Later(lambda: release.wait(10) and "fitted")
    assert not later._done.is_set()  # made on its own thread: the caller goes on
    release.set()
    assert later.get() == "fitted"

    def broken() -> str:
        raise ValueError("no examples")

    with pytest.raises(ValueError, match="no examples"):
        Later(broken).get()

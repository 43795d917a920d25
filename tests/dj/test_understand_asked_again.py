"""Understanding, the second round of misses heard on tuning lines: each class as a few phrasings
no template said before (the track before asked again, a why asked as a doubt, the profile and
the favourites in other words, a detail of the track said alone, a filler around a request)."""

from __future__ import annotations

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.confirm import NEEDED_ORDINARY, unsure
from appliance.dj.understand import Understanding
from appliance.library import Library
from tests.dj.test_talk import library as talk_library  # noqa: F401  (a fixture)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # the previous track, asked again, is the one before, never the one on air (nor a level 1)
        ("play the previous one again", "play_previous", {}),
        ("hear the previous song once more", "play_previous", {}),
        ("put that one back on", "play_previous", {}),
        ("bung the one before back on", "play_previous", {}),
        # a why said as a doubt or as a guess at the reason
        ("how you know i like this", "why_this", {}),
        ("how did you know i'd like this one", "why_this", {}),
        ("i'm sure there's a brilliant reason you picked this go on", "why_this", {}),
        ("there must be a good reason you chose that", "why_this", {}),
        # the profile and more of the same in other words, with a Nigerian "abeg"
        ("give me the rundown of my profile", "about_me", {}),
        ("what's the lowdown on me", "about_me", {}),
        ("play another one like this abeg", "more_like", {}),
        ("give me one more song like that", "more_like", {}),
        # taking a genre off the favourites forgets the liking; it does not block the genre
        ("remove bossa nova from my favorite", "forget_preference", {"genre": "bossa nova"}),
        ("drop techno from my likes", "forget_preference", {"genre": "techno"}),
        # a detail of the track said alone, a count of an artist's songs
        ("title", "whats_playing", {}),
        ("the year of this one", "whats_playing", {}),
        ("how many daft punk songs", "count_songs", {"artist": "daft punk"}),
        # never again, said with its emphasis, is as sure as without it
        ("no more techno for me ever", "remove_preference", {"genre": "techno"}),
        # Whisper's written sentences, heard right: as sure as their plain forms
        ("We will move on to the next track.", "skip", {}),
        ("Winding down after the long day.", "mood", {"activity": "relax"}),
    ],
)
def test_asked_in_other_words(
    understanding: Understanding, text: str, intent: str, slots: dict[str, str]
) -> None:
    got = understanding.parse(text)
    assert (got.name, {k: str(v).casefold() for k, v in got.slots.items()}, got.also) == (
        intent,
        slots,
        (),
    )
    assert got.confidence >= 0.95


def test_an_opener_said_before_a_question_leaves_the_question(understanding: Understanding) -> None:
    """Australian "she'll be right" only opens what is asked (understood once tidied)."""
    got = understanding.parse("she'll be right what's next")
    assert (got.name, got.also) == ("whats_next", ())
    assert got.confidence >= 0.8


@pytest.mark.parametrize(
    "text",
    ["Quiet up, please.", "turn it up turn it down", "pause, resume", "i love it, i hate it"],
)
def test_requests_that_undo_each_other_are_asked_about(
    understanding: Understanding, text: str
) -> None:
    """Two requests of one breath that contradict ("quiet up": a stop and louder) are more likely
    misheard or talk: the DJ asks before it does either."""
    got = understanding.parse(text)
    assert len(got.each()) == 2
    assert unsure(got) == got.each()[0]
    assert all(part.confidence < NEEDED_ORDINARY for part in got.each())


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("i hate this, next", ("dislike", "skip")),
        ("stop this and play some rock", ("stop", "play")),
        ("turn it up and skip", ("volume_up", "skip")),
    ],
)
def test_requests_that_go_together_are_acted_on(
    understanding: Understanding, text: str, intents: tuple[str, ...]
) -> None:
    got = understanding.parse(text)
    assert tuple(part.name for part in got.each()) == intents
    assert unsure(got) is None


@pytest.mark.parametrize(
    "text", ["Put your shoes on. We're leaving.", "He never listens to that word, I say."]
)
def test_room_talk_the_model_alone_reads_as_a_request_is_not_acted_on(
    understanding: Understanding, text: str
) -> None:
    """Between pauses, talk beside a request is kept only when a template says the request as
    heard; a part only the model places is as likely more of the same talk."""
    assert understanding.parse(text).name == "unknown"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("tell me who is this playing, my hearing's going", "whats_playing"),
        ("now who's this singing then, the radio never plays her", "whats_playing"),
        ("what else is coming after this, dinner's nearly ready", "whats_next"),
    ],
)
def test_a_question_beside_room_talk_is_answered(
    understanding: Understanding, text: str, intent: str
) -> None:
    """A question only the model places is kept beside talk: answering it changes nothing, so
    the doubt that keeps a command from being acted on does not apply."""
    got = understanding.parse(text)
    assert (got.name, got.also) == (intent, ())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("who did you say this was by", "whats_playing"),
        ("what did you say this song was called", "whats_playing"),
        ("what did you say i liked again", "my_likes"),
        ("what did you say to him", "unknown"),
    ],
)
def test_a_question_asked_again_is_the_question(
    understanding: Understanding, text: str, intent: str
) -> None:
    """ "what did you say it was called" is read as it was asked first ("what was it called");
    "did you say" before anything else is no question of the DJ's."""
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how many more minutes has this one got", "time_left"),
        ("how many minutes till this finishes", "time_left"),
    ],
)
def test_a_question_the_classifier_puts_first_is_answered(
    understanding: Understanding, text: str, intent: str
) -> None:
    """A question about the music the neighbours find but are not sure of is taken when the
    classifier also puts it first, at less agreement than a command needs."""
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("this is too loud for phone calls", "volume_down"),
        ("hello again dj, quick couple of questions", "greet"),
    ],
)
def test_a_known_word_with_an_ending_is_no_unknown_word(
    understanding: Understanding, text: str, intent: str
) -> None:
    """ "calls", "questions": a word the DJ knows, with a regular ending, makes a guess no less
    sure than the word itself would."""
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("the kettle's whistling, turn it down", "volume_down"), ("pause it, toilet break", "pause")],
)
def test_a_request_a_template_says_beside_room_talk_is_kept(
    understanding: Understanding, text: str, intent: str
) -> None:
    got = understanding.parse(text)
    assert (got.name, got.also) == (intent, ())


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        (
            "you've got that wrong by the way forget that i like ambient",
            "forget_preference",
            {"genre": "ambient"},
        ),
        ("you got that wrong by the way what's next", "whats_next", {}),
    ],
)
def test_a_search_of_words_around_a_request_is_the_request(
    understanding: Understanding, text: str, intent: str, slots: dict[str, str]
) -> None:
    """Free text after "you've got" read as a search ("play 'that wrong'") is no request when
    the words that ask, once what opens them is taken off, are a template's."""
    got = understanding.parse(text)
    assert (got.name, {k: str(v) for k, v in got.slots.items()}) == (intent, slots)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("play it a bit quieter", "volume_down"),
        ("play it a little louder", "volume_up"),
        ("play that same song once again", "replay"),
    ],
)
def test_a_search_of_the_djs_own_words_is_what_they_ask(
    understanding: Understanding, text: str, intent: str
) -> None:
    """ "play that same song once again" is no search for a title 'that same song once again':
    every word of it is the DJ's own, and the model reads them as another request."""
    got = understanding.parse(text)
    assert (got.name, got.slots) == (intent, {})


def test_a_search_the_library_lacks_is_still_a_search(understanding: Understanding) -> None:
    got = understanding.parse("put on some florence and the machine")
    assert (got.name, got.slots) == ("play", {"query": "florence and the machine"})


def test_and_an_artist_after_a_question_asks_it_of_the_artist(
    talk_library: Library,  # noqa: F811  (the fixture imported above)
) -> None:
    """ "And the kilowatt brothers" alone, after "do you have anything by ...": the same question
    of that artist (the DJ's follow-on of a request naming it), never not understood."""
    dj = PersonalizedDJ(library=talk_library, seed=5)
    try:
        dj.respond("ana", "do you have anything by marisol quartet")
        reply = dj.respond("ana", "and iron lilac")
        assert not reply.actions, reply.text
        assert "Iron Lilac" in reply.text, reply.text
    finally:
        dj.close()

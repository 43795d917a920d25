"""Answers about the music (appliance/dj/answers_music.py): the fact a question asks for, said
from the track on air."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from appliance.dj import PersonalizedDJ
from appliance.library import Library
from tests.dj.test_talk import Clock, library  # noqa: F401  (the module's small library fixture)
from tests.support.conversation_truth import _says_no


@pytest.fixture
def dj(library: Library) -> Iterator[PersonalizedDJ]:  # noqa: F811
    dj = PersonalizedDJ(library=library, seed=3, clock=Clock())
    yield dj
    dj.close()


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("how old's this track", "year"),
        ("which record's this off", "album"),
        ("who's singing please", "artist"),
    ],
)
def test_a_word_with_s_asks_for_its_fact(dj: PersonalizedDJ, text: str, fact: str) -> None:
    """ "how old's this", "which record's this": the fact the word names, not the title."""
    _answers_with(dj, text, fact)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("what year did the album come out", "year"),
        ("when was the album released", "year"),
        ("which album was it released on", "album"),
        ("did this come out lately", "year"),
        ("what's this tune that's come on", "title"),
    ],
)
def test_a_year_named_outright_wins_over_the_album(
    dj: PersonalizedDJ, text: str, fact: str
) -> None:
    """The year is asked of the album; a looser word for it ("released") does not ask it."""
    _answers_with(dj, text, fact)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("when did loud weather come out", "2014"),
        ("what year was the loud weather album released", "2014"),
        ("who sings rock tune 2", "Iron Lilac"),
        ("what album is rock tune 1 on", "Loud Weather"),
        ("when did iron lilac come out", "2014"),
        # pointing at what plays: of that, whatever it names
        ("is this from loud weather", "Marisol Quartet"),
    ],
)
def test_a_fact_of_music_named_is_of_that_music(dj: PersonalizedDJ, text: str, said: str) -> None:
    """ "when did loud weather come out", asked while jazz plays: the rock album's year."""
    dj.respond("ana", "play some jazz for me")
    assert dj.now_playing is not None and dj.now_playing.artist == "Marisol Quartet"
    reply = dj.respond("ana", text)
    assert reply.intent == "whats_playing" and said in reply.text, reply


def test_before_a_clause_of_its_own_is_no_track_before(dj: PersonalizedDJ) -> None:
    """ "when's this from, before i was born i bet": the year of what plays, not the last."""
    dj.respond("ana", "play some jazz for me")
    dj.respond("ana", "play some rock")
    track = dj.now_playing
    assert track is not None and track.artist == "Iron Lilac"
    reply = dj.respond("ana", "when's this from before i was born i bet")
    assert "2014" in reply.text and "2015" not in reply.text, reply.text


def _answers_with(dj: PersonalizedDJ, text: str, fact: str) -> None:
    dj.respond("ana", "play some jazz for me")
    track = dj.now_playing
    assert track is not None
    reply = dj.respond("ana", text)
    assert reply.intent == "whats_playing", reply
    expected = {"year": str(track.year), "album": track.album, "artist": track.artist}.get(
        fact, track.title
    )
    assert expected in reply.text, reply.text


@pytest.mark.parametrize(
    "texts",
    [["how many bluegrass songs have you got"], ["how many jazz songs are there", "and bluegrass"]],
)
def test_a_count_of_none_says_no_and_the_nearest(dj: PersonalizedDJ, texts: list[str]) -> None:
    """Counting a style the library lacks ("and bluegrass" after a count too) is a plain no with
    the nearest honest alternative, not "I have 0 bluegrass tracks"."""
    for text in texts:
        reply = dj.respond("ana", text)
    assert reply.intent in ("count_songs", "have_any"), reply
    assert "bluegrass" in reply.text and _says_no(reply.text), reply.text
    assert not re.search(r"\b0\b", reply.text), reply.text

"""Answers about the music (appliance/dj/answers_music.py): the fact a question asks for, said
from the track on air."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appliance.dj import PersonalizedDJ
from appliance.library import Library
from tests.dj.test_talk import Clock, library  # noqa: F401  (the module's small library fixture)


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
    dj.respond("ana", "play some jazz for me")
    track = dj.now_playing
    assert track is not None
    reply = dj.respond("ana", text)
    assert reply.intent == "whats_playing", reply
    expected = {"year": str(track.year), "album": track.album, "artist": track.artist}[fact]
    assert expected in reply.text, reply.text

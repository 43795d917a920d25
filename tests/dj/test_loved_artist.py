"""What the DJ says it learned from "i love <artist>" (or a style) is what it stored: the artist
is named back by "what do I like", favoured by the picks, kept across a restart, and forgotten
when asked; a style the library lacks is said to be missing and remembered all the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.dj import PersonalizedDJ
from appliance.library import Library
from tests.dj.test_talk import Clock, library  # noqa: F401  (the module's small library fixture)

USER = "ana"


@pytest.fixture
def dj(library: Library, tmp_path: Path) -> Iterator[PersonalizedDJ]:  # noqa: F811
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db", library=library, seed=3, clock=Clock())
    yield dj
    dj.close()


@pytest.mark.parametrize("said", ["i love iron lilac", "i really like iron lilac"])
def test_a_loved_artist_is_stored_and_named_back(
    dj: PersonalizedDJ,
    library: Library,  # noqa: F811
    tmp_path: Path,
    said: str,
) -> None:
    reply = dj.respond(USER, said)
    assert reply.intents == ("add_preference",), reply
    assert "Iron Lilac" in reply.text, reply.text  # named as the library writes it
    assert dj.liked_artists(USER) == ["Iron Lilac"]
    assert "Iron Lilac" in dj.respond(USER, "so what do i like then").text
    dj.close()
    again = PersonalizedDJ(db_path=tmp_path / "dj.db", library=library, seed=3, clock=Clock())
    try:  # acknowledged, so kept
        assert again.liked_artists(USER) == ["Iron Lilac"]
    finally:
        again.close()


def test_a_loved_artist_is_favoured_by_the_picks(library: Library) -> None:  # noqa: F811
    """Three picks each for a new listener, on the same seeds: after "i love iron lilac" every
    one is theirs, where without it the other artist comes up too."""
    counts = {}
    for love in (False, True):
        heard = []
        for seed in (0, 1):
            dj = PersonalizedDJ(library=library, seed=seed, clock=Clock())
            try:
                if love:
                    dj.respond(USER, "i love iron lilac")
                heard += [dj.next_track(USER).artist for _ in range(3)]
            finally:
                dj.close()
        counts[love] = heard.count("Iron Lilac")
    assert counts[True] == 6 and counts[False] < 6, counts


def test_a_loved_artist_said_again_adds_nothing_and_lifts_a_dislike(dj: PersonalizedDJ) -> None:
    dj.respond(USER, "i don't like iron lilac")
    assert "iron lilac" in dj.taste_of(USER).blocked_artists()
    dj.respond(USER, "i love iron lilac")
    assert not dj.taste_of(USER).blocked_artists()
    lead = dj.taste_of(USER).net("artist", "iron lilac")
    assert lead > 1
    dj.respond(USER, "i love iron lilac")
    assert dj.taste_of(USER).net("artist", "iron lilac") == lead


def test_a_loved_artist_forgotten_is_not_said_to_be_learned_from_listening(
    dj: PersonalizedDJ,
) -> None:
    dj.respond(USER, "i love iron lilac")
    assert dj.liked_artists(USER) == ["Iron Lilac"]
    answer = dj.respond(USER, "forget that i like iron lilac").text
    assert "Iron Lilac" in answer and "listening" not in answer, answer
    assert dj.liked_artists(USER) == []


def test_a_loved_style_the_library_lacks_is_said_missing_and_remembered(
    dj: PersonalizedDJ,
) -> None:
    answer = dj.respond(USER, "i totally love deep house").text
    assert "deep house" in answer and ("no " in answer or "n't" in answer or "none" in answer)
    profile = dj.load_profile(USER)
    assert profile is not None and "deep house" in profile.music_preferences
    had = dj.respond(USER, "i love jazz").text  # in the library: no word of missing
    assert "jazz" in had.casefold() and "yet" not in had, had


def test_a_name_the_library_lacks_asked_to_be_kept_is_said_missing_and_kept(
    dj: PersonalizedDJ,
) -> None:
    """ "remember i like taylor swift", of a library without her: kept as an artist (named
    back by "what do I like", picked if she comes), and said to be missing now."""
    reply = dj.respond(USER, "remember i like taylor swift")
    assert reply.intents == ("add_preference",), reply
    assert "taylor swift" in reply.text.casefold(), reply.text
    assert "no " in reply.text or "n't" in reply.text or "none" in reply.text, reply.text
    assert "taylor swift" in dj.respond(USER, "what do i like").text.casefold()
    assert dj.respond(USER, "remember i like my tea strong").intents != ("add_preference",)

"""No sentence the DJ says comes back within 20 answers, whatever it is: a greeting, a welcome, a
track announced, commentary between tracks, a notice, a question when unsure, "not sure I
caught that", a command's okay, a fact asked again. Not even put another way ("..., like I
said"): a sentence said again in other words is counted as the repeat it is. And a listener who
asks again gets the facts again, in other words, not fewer of them."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.pool import MEMORY, LinePool, sentences
from appliance.dj.talk import SECTIONS, fill, load_phrasebook, sayable
from appliance.library import Library
from tests.dj.test_talk import Clock, library  # noqa: F401  (the module's small library fixture)
from tests.support.conversation_truth import again_forms, plain

TURNS = (
    *("hi there dj", "hello once more", "what's playing please", "who sings this please"),
    *("what year is this", "what album is this", "louder for me", "quieter for me"),
    *("pause please", "resume please", "skip please", "next please", "blorp the wibble"),
    *("asdf qwerty", "i love this please", "i don't like this one", "what's next please"),
    *("what do you know about me please", "how long have we known each other please"),
    *("what's my trust level please", "what mood am i in please", "what do i like please"),
    *("thanks a bunch dj", "tell me a joke please", "no", "yes", "play some jazz for me"),
    *("play it again please", "more like this", "why this one", "do you have any reggae"),
    *("how many jazz songs do you have please", "set the volume to 40", "i'm feeling happy"),
    *("i love jazz", "what did we just hear please", "play the one before", "stop please"),
    *("something slower", "good night please", "how are you please", "who are you please"),
)
"""Turns of every kind, each said many times in a long conversation."""


def repeated(answers: list[str]) -> list[tuple[int, str, set[str]]]:
    """(index, answer, sentences) of each answer saying a sentence of the 19 answers before it,
    the words that say a sentence again ("..., like I said") taken off."""
    forms = again_forms()
    said = [{plain(sentence, forms) for sentence in sentences(text)} for text in answers]
    found = []
    for index, text in enumerate(answers):
        again = said[index] & set().union(*said[max(0, index - MEMORY + 1) : index])
        if again:
            found.append((index, text, again))
    return found


@pytest.fixture
def dj(library: Library) -> Iterator[PersonalizedDJ]:  # noqa: F811
    dj = PersonalizedDJ(library=library, seed=7, clock=Clock())
    yield dj
    dj.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_long_conversation_of_every_kind_repeats_no_sentence(
    dj: PersonalizedDJ, seed: int
) -> None:
    """Greetings, commentary and answers mixed, the same turns again and again (six tracks
    only: the same facts come back), every answer checked against the 19 before it."""
    rng = random.Random(seed)
    said = [dj.greet_user("ana", "Ana")]
    for _ in range(160):
        roll = rng.random()
        if roll < 0.07:
            said.append(dj.greet_user("ana", "Ana"))
        elif roll < 0.17:
            pick = dj.last_pick("ana")
            if pick is not None:
                said.append(dj.commentary("ana", dj.now_playing, pick))
        else:
            said.append(dj.respond("ana", rng.choice(TURNS)).text)
    assert not repeated(said), repeated(said)[:4]


@pytest.mark.parametrize(
    "text",
    [
        *("louder for me", "pause please", "blorp the wibble", "what year is this"),
        *("hello there dj", "no", "what's my trust level please", "i'm feeling happy"),
        *("how long have we known each other please", "what do you know about me please"),
        *("what mood am i in please", "what album is this"),
    ],
)
def test_the_same_turn_again_and_again_repeats_no_sentence(dj: PersonalizedDJ, text: str) -> None:
    dj.respond("ana", "i love jazz")
    dj.respond("ana", "i don't like rock")
    said = [dj.respond("ana", text).text for _ in range(MEMORY + 5)]
    assert not repeated(said), repeated(said)[:3]


def test_a_new_listener_greeted_again_and_again_repeats_no_sentence(dj: PersonalizedDJ) -> None:
    said = [dj.greet_user("kim", "Kim") for _ in range(MEMORY + 2)]
    assert not repeated(said), repeated(said)[:3]


def test_asked_again_what_it_knows_the_listener_hears_every_fact_again(
    dj: PersonalizedDJ,
) -> None:
    """The profile's summary asked again and again: the likes, what is kept away, the artists
    listening shows, the mood, how long, the trust level: each time all of them."""
    dj.respond("ana", "i love jazz")
    dj.respond("ana", "i don't like rock")
    dj.respond("ana", "i'm feeling happy")
    for _ in range(MEMORY + 2):
        level = dj.get_trust_level("ana")  # as it stands when the answer is made
        about = dj.respond("ana", "what do you know about me please").text
        for fact in ("jazz", "rock", "happy", level.casefold(), "visit"):
            assert fact in about.casefold(), (fact, about)


def test_each_situation_can_be_said_more_times_than_answers_remembered() -> None:
    """The pool can always choose a phrasing none of whose sentences came in the last MEMORY
    answers, even with the same values each time (the same track, the same year): each
    situation of the phrasebook, chosen MEMORY + 1 times in a row, never repeats a sentence."""
    book = load_phrasebook()
    fields = {
        **dict.fromkeys(("track", "title", "artist", "album", "genre", "thing", "what"), "X"),
        **dict.fromkeys(("name", "dj", "station", "part", "setting", "wider", "other"), "Y"),
    }
    situations = [(f"talk.{kind}", bands.get("any", ())) for kind, bands in book.talk.items()] + [
        (f"{section}.{situation}", book.lines(section, situation))
        for section in SECTIONS[1:]
        for situation in book.sections.get(section, {})
        if situation not in ("said_again", "asked_again", "trust_meaning")
    ]
    short = []
    for (name, lines), called in itertools.product(situations, ("Y", "")):  # a name, or none
        known = {**fields, "name": called}
        options = [fill(text, known) for text in sayable(lines, known)]
        pool = LinePool(random.Random(0))
        answers = []
        for _ in range(MEMORY + 1):
            answers.append(pool.choose(options, shuffle=True))
            pool.said(answers[-1])
        if repeated(answers):
            short.append(f"{name} ({'named' if called else 'no name'})")
    assert short == []


def test_a_question_asked_again_is_asked_in_other_words(dj: PersonalizedDJ) -> None:
    """A "yes" heard too unsure to act on: the DJ asks again, not with the same sentence."""
    dj.respond("ana", "play some jazz for me")
    asked = [dj.respond("ana", "skip this song", confidence=0.3)]
    for _ in range(4):
        asked.append(dj.respond("ana", "yes", confidence=0.3))
    assert all(reply.question for reply in asked), [reply.text for reply in asked]
    assert not repeated([reply.text for reply in asked]), [reply.text for reply in asked]

"""No DJ sentence comes back within 20 answers: small talk has more phrasings than the answers
remembered (a listener saying goodbye again and again), and a fact asked again (the same question
over and over, a track announced twice) may have one sentence put another way ("..., like I
said"), never small talk, a joke or a "no"."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.answers import FACTUAL
from appliance.dj.pool import MEMORY, LinePool, sentences
from appliance.dj.reply import Reply
from appliance.dj.talk import load_phrasebook
from appliance.library import Library
from tests.dj.test_talk import library  # noqa: F401  (the module's small library fixture)
from tests.support.conversation_truth import again_forms, plain


def repeats(answers: list[str]) -> list[tuple[int, str]]:
    """(index, answer) of each answer with a sentence said in the 19 answers before it."""
    found = []
    for index, text in enumerate(answers):
        before = {
            s for earlier in answers[max(0, index - MEMORY + 1) : index] for s in sentences(earlier)
        }
        if set(sentences(text)) & before:
            found.append((index, text))
    return found


def unfair_repeats(replies: list[Reply]) -> list[tuple[int, str]]:
    """(index, answer) of each answer saying again a sentence of the 19 answers before it, the
    words saying it again ("..., like I said") taken off; but for a fact asked again, put
    another way in one sentence at most."""
    forms = again_forms()
    raw = [set(sentences(reply.text)) for reply in replies]
    bare = [{plain(sentence, forms) for sentence in said} for said in raw]
    found = []
    for index, reply in enumerate(replies):
        window = slice(max(0, index - MEMORY + 1), index)
        again = bare[index] & set().union(*bare[window])
        reworded = bare[index] != raw[index]
        factual = all(name in FACTUAL for name in (reply.intents or (reply.intent,)))
        if factual:
            fair = not raw[index] & set().union(*raw[window]) and len(raw[index] - bare[index]) <= 1
        else:
            fair = not again and not reworded
        if not fair:
            found.append((index, reply.text))
    return found


@pytest.fixture
def dj(library: Library) -> Iterator[PersonalizedDJ]:  # noqa: F811
    dj = PersonalizedDJ(library=library, seed=5)
    yield dj
    dj.close()


@pytest.mark.parametrize(
    "texts",
    [
        ["bye"],  # 17 phrasings for a newcomer: all of them said before the 20th goodbye
        ["what's my trust level", "no"],  # a few meanings per level; "no" with nothing asked
        ["what's playing", "thanks"],
        ["play some jazz", "why did you go for this one"],
    ],
)
def test_the_same_turn_forty_times_repeats_no_sentence(
    dj: PersonalizedDJ, texts: list[str]
) -> None:
    replies = [dj.respond("ana", texts[n % len(texts)]) for n in range(40)]
    assert not unfair_repeats(replies), unfair_repeats(replies)[:3]


def test_commentary_between_tracks_repeats_no_sentence(dj: PersonalizedDJ) -> None:
    """The same track announced again and again between answers."""
    dj.respond("ana", "play some jazz")
    pick = dj.last_pick("ana")
    assert pick is not None
    said = []
    for _ in range(25):
        said.append(dj.commentary("ana", pick.track, pick))
        said.append(dj.respond("ana", "what's playing").text)
    assert not repeats(said), repeats(said)[:3]


@pytest.mark.parametrize("text", ["That's all the jazz I have.", "Skip this one?"])
def test_a_sentence_said_in_every_answer_never_comes_back(text: str) -> None:
    book = load_phrasebook()
    pool = LinePool(random.Random(0))
    forms = book.lines("lines", "said_again"), book.lines("lines", "asked_again")
    answers = []
    for _ in range(3 * MEMORY):
        answers.append(pool.reword(text, *forms))
        pool.said(answers[-1])
    assert not repeats(answers), repeats(answers)[:3]
    assert all(text.rstrip(".?") in answer for answer in answers)  # the words stay


def test_there_are_more_ways_to_say_it_again_than_answers_remembered() -> None:
    """A sentence can come in each of the last MEMORY answers: it needs as many forms, the
    plain one and the ones in talk.yaml."""
    book = load_phrasebook()
    for situation in ("said_again", "asked_again"):
        forms = book.lines("lines", situation)
        assert len(set(forms)) >= MEMORY, situation
        assert all("{line}" in form for form in forms), situation


def test_a_greeting_is_remembered_as_said(dj: PersonalizedDJ) -> None:
    """A greeting goes through the line pool like any answer: the next answers avoid it."""
    greeting = dj.greet_user("ana", "Ana")
    assert dj.lines.pool.recent(greeting), greeting

"""A question with two choices: "can you play the last song again" is the track on air to some
and the one before it to others, so the DJ asks "this one again, or 'X' before it?" and the next
turn's answer picks one ("this one", "the first", "yes"; "the one before", "the second", "the
other one"), or neither ("no"). Words that say which ("the one before", "the previous song",
"play this again"), no track before, or a track before that the listener moved off the turn
just before ("skip it", then "play the last one again"), are acted on without asking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from appliance.dj import PersonalizedDJ, confirm
from appliance.dj.reply import Reply
from appliance.dj.understand import Intent
from appliance.library import Library
from tests.benchmarks.bench_conversation import Player
from tests.dj.test_talk import library, on_air  # noqa: F401  (the module's small library fixture)
from tests.support.conversation_truth import same, started

USER = "ana"
AMBIGUOUS = [
    "can you play the last song again",
    "play the last one again",
    "play that last track again",
]


@pytest.fixture
def rig(library: Library) -> Iterator[tuple[PersonalizedDJ, Player]]:  # noqa: F811
    with on_air(library, USER, seed=7) as both:
        yield both


def said(dj: PersonalizedDJ, player: Player, text: str, confidence: float = 1.0) -> Reply:
    reply = dj.respond(USER, text, confidence=confidence)
    player.apply(reply)
    return reply


def skipped_once(dj: PersonalizedDJ, player: Player) -> None:
    """A track before the one on air, and a turn since that moved nothing."""
    said(dj, player, "skip this one for me")
    said(dj, player, "what's playing")
    assert player.previous is not None and player.track is not None


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_the_last_song_again_is_asked_about_naming_the_track_before(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    dj, player = rig
    skipped_once(dj, player)
    before, now = player.previous, player.track
    asked = said(dj, player, text)
    assert asked.question and not asked.actions, asked
    assert asked.text == f"This one again, or '{before.title}' before it?", asked.text
    assert same(player.track, now)


@pytest.mark.parametrize(
    ("answer", "which"),
    [
        ("this one", "now"),
        ("this one again please", "now"),
        ("the first", "now"),
        ("the first one", "now"),
        ("yes", "now"),
        ("the one before", "before"),
        ("the one before this", "before"),
        ("the second one", "before"),
        ("the other one", "before"),
        ("before", "before"),
        ("no, the other one", "before"),
    ],
)
def test_the_answer_plays_the_track_it_names(
    rig: tuple[PersonalizedDJ, Player], answer: str, which: str
) -> None:
    dj, player = rig
    skipped_once(dj, player)
    meant = {"now": player.track, "before": player.previous}[which]
    said(dj, player, "can you play the last song again")
    done = said(dj, player, answer)
    assert not done.question and len(done.actions) == 1, done
    assert same(started(done), meant), (done, meant)
    assert done.intents == (("replay",) if which == "now" else ("play_previous",)), done


@pytest.mark.parametrize("answer", ["no", "neither", "no thanks", "never mind"])
def test_a_no_plays_neither(rig: tuple[PersonalizedDJ, Player], answer: str) -> None:
    dj, player = rig
    skipped_once(dj, player)
    now = player.track
    said(dj, player, "play the last one again")
    dropped = said(dj, player, answer)
    assert not dropped.question and not dropped.actions, dropped
    assert same(player.track, now)
    after = said(dj, player, "yes")  # the question is gone
    assert not after.actions, after


def test_an_answer_heard_unsure_asks_again(rig: tuple[PersonalizedDJ, Player]) -> None:
    dj, player = rig
    skipped_once(dj, player)
    before = player.previous
    asked = said(dj, player, "play the last one again")
    again = said(dj, player, "the second one", confidence=0.3)
    assert again.question and not again.actions and again.text == asked.text, again
    done = said(dj, player, "the second one")
    assert same(started(done), before), done


def test_an_answer_after_a_minute_answers_nothing(rig: tuple[PersonalizedDJ, Player]) -> None:
    dj, player = rig
    skipped_once(dj, player)
    now = player.track
    said(dj, player, "can you play the last song again")
    dj._clock.now += confirm.ANSWER_WITHIN + timedelta(seconds=1)  # type: ignore[attr-defined]
    late = said(dj, player, "yes")
    assert not late.question and not late.actions, late
    assert same(player.track, now)


def test_other_words_after_the_question_are_a_request_of_their_own(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    dj, player = rig
    skipped_once(dj, player)
    said(dj, player, "can you play the last song again")
    other = said(dj, player, "what's playing")
    assert other.intents == ("whats_playing",) and not other.question, other
    late = said(dj, player, "the first")  # the question waited one turn only
    assert not late.actions, late


def test_with_no_track_before_the_last_song_again_is_this_one(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    dj, player = rig
    assert player.previous is None
    now = player.track
    done = said(dj, player, "can you play the last song again")
    assert not done.question and done.intents == ("replay",), done
    assert same(started(done), now), done


@pytest.mark.parametrize("text", ["skip this one for me", "not that one", "play some jazz"])
def test_right_after_moving_off_a_track_the_last_one_again_is_that_one(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    dj, player = rig
    said(dj, player, "play some rock")
    left = player.track
    said(dj, player, text)
    assert player.previous is not None and same(player.previous, left)
    done = said(dj, player, "play the last one again")
    assert not done.question and done.intents == ("play_previous",), done
    assert same(started(done), left), done


@pytest.mark.parametrize(
    ("text", "which"),
    [
        ("the one before", "before"),
        ("play the previous song again", "before"),
        ("play the song before this one again", "before"),
        ("go back to the last song", "before"),
        ("play this again", "now"),
        ("play it again", "now"),
    ],
)
def test_words_that_say_which_are_acted_on_without_asking(
    rig: tuple[PersonalizedDJ, Player], text: str, which: str
) -> None:
    dj, player = rig
    skipped_once(dj, player)
    meant = {"now": player.track, "before": player.previous}[which]
    done = said(dj, player, text)
    assert not done.question and len(done.actions) == 1, done
    assert same(started(done), meant), (done, meant)


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        ("this one", 0),
        ("the first", 0),
        ("yes", 0),
        ("yeah, this one", 0),
        ("the one before", 1),
        ("the one before it", 1),
        ("the second", 1),
        ("the other one", 1),
        ("before", 1),
        ("no", confirm.NEITHER),
        ("play some jazz", None),
        ("this one or the one before", None),
        ("the last one", None),
        ("", None),
    ],
)
def test_a_question_with_two_choices_takes_the_one_the_words_name(
    answer: str, chosen: int | None
) -> None:
    first, second = Intent("replay", text="x"), Intent("play_previous", text="x")
    now = datetime(2026, 3, 14, 19, 30)
    question = confirm.Question(first, now, choices=(first, second))
    assert question.choose(Intent("unknown", text=answer)) == chosen
    assert confirm.Question(first, now).choose(Intent("confirm", text="yes")) is None  # yes/no

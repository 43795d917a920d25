"""A question with two choices: "can you play the last song again" is the track on air to some
and the one before it to others, so the DJ asks "this one again, or 'X' before it?" and the next
turn's answer picks one ("this one", "the first", "yes"; "the one before", "the second", "the
other one"; "either", "whichever", "i don't mind": the one on air), or neither ("no"), a yes or
a no as the understanding reads it; the answer plays the track the question named, though the
track on air ended in between. Words that say which ("the one before", "the previous song",
"play this again"), no track before, the music stopped or paused (the one just stopped, again),
or a track before that the listener moved off the turn just before ("skip it", then "play the
last one again"), are acted on without asking."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from appliance.dj import PersonalizedDJ, confirm
from appliance.dj.reply import Pause, PlayTrack, Reply, Resume, Skip
from appliance.dj.understand import Intent, Understanding
from appliance.library import Library
from appliance.state import PlayState, StationState
from tests.benchmarks.bench_conversation import Player
from tests.dj.test_talk import Clock, library, on_air  # noqa: F401  (the module's small library fixture)
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


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding()


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        ("this one", 0),
        ("the first", 0),
        ("yes", 0),
        ("yeah, this one", 0),
        ("whichever", 0),
        ("either", 0),
        ("either one", 0),
        ("either is fine", 0),
        ("both", 0),
        ("don't mind", 0),
        ("i don't mind", 0),
        ("any", 0),
        ("yes, the one before", 1),
        ("never mind", confirm.NEITHER),
        ("neither", confirm.NEITHER),
        ("no thanks", confirm.NEITHER),
        ("skip this one", None),
        ("any jazz", None),
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
    understanding: Understanding, answer: str, chosen: int | None
) -> None:
    """A yes or a no is what the understanding reads as confirm or deny, not a list of words
    of the question's own."""
    first, second = Intent("replay", text="x"), Intent("play_previous", text="x")
    now = datetime(2026, 3, 14, 19, 30)
    question = confirm.Question(first, now, choices=(first, second))
    heard = understanding.parse(answer) if answer else Intent("unknown", text="")
    reading = lambda words: understanding.parse(words).name  # noqa: E731
    assert question.choose(heard, reading) == chosen, heard
    assert confirm.Question(first, now).choose(Intent("confirm", text="yes")) is None  # yes/no


class PausingPlayer(Player):
    """The benchmark's player, which also pauses: a pause keeps the track on air, paused."""

    paused = False

    def state(self) -> StationState:
        state = super().state()
        return dataclasses.replace(state, play_state=PlayState.PAUSED) if self.paused else state

    def apply(self, reply: Reply) -> None:
        super().apply(reply)
        for action in reply.actions:
            self.paused = isinstance(action, Pause) or (
                self.paused and not isinstance(action, PlayTrack | Skip | Resume)
            )


@pytest.mark.parametrize("halt", ["stop", "pause"])
@pytest.mark.parametrize("text", AMBIGUOUS)
def test_after_a_stop_or_pause_the_last_song_again_is_the_one_just_stopped(
    library: Library,  # noqa: F811
    halt: str,
    text: str,
) -> None:
    dj = PersonalizedDJ(library=library, seed=7, clock=Clock())
    player = PausingPlayer(dj, USER)
    player.start(dj.next_track(USER))
    try:
        skipped_once(dj, player)
        halted = player.track
        reply = said(dj, player, halt)
        assert player.stopped or player.paused, reply
        done = said(dj, player, text)
        assert not done.question and done.intents == ("replay",), done
        assert same(started(done), halted), done
    finally:
        dj.close()


def test_after_a_stop_the_previous_song_is_still_the_one_before(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    dj, player = rig
    skipped_once(dj, player)
    before = player.previous
    said(dj, player, "stop")
    assert player.stopped
    done = said(dj, player, "play the previous song again")
    assert not done.question and same(started(done), before), done


@pytest.mark.parametrize(
    "answer", ["whichever", "either", "either one", "both", "don't mind", "i don't mind", "any"]
)
def test_an_answer_that_leaves_it_to_the_dj_plays_the_one_on_air(
    rig: tuple[PersonalizedDJ, Player], answer: str
) -> None:
    dj, player = rig
    skipped_once(dj, player)
    now = player.track
    said(dj, player, "can you play the last song again")
    done = said(dj, player, answer)
    assert not done.question and done.intents == ("replay",), done
    assert same(started(done), now), done


@pytest.mark.parametrize(("answer", "which"), [("the other one", 1), ("this one", 0)])
def test_the_answer_plays_the_track_the_question_named_though_the_track_ended(
    rig: tuple[PersonalizedDJ, Player], answer: str, which: int
) -> None:
    dj, player = rig
    skipped_once(dj, player)
    named = (player.track, player.previous)
    said(dj, player, "can you play the last song again")
    ended = player.track
    player.end_of_track()  # within the minute: another track on air, the one before is new
    assert not same(player.track, ended) and same(player.previous, ended)
    done = said(dj, player, answer)
    assert not done.question and len(done.actions) == 1, done
    assert same(started(done), named[which]), (done, named[which])
    assert named[which] is not None and named[which].title in done.text, done.text

"""The dialogue: a real DJ (in memory, with a small real library) answering turns, a player that
records what it was told to do and when, and a voice that records what was said."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from appliance.dialogue import Dialogue, Turn
from appliance.dj import PersonalizedDJ, confirm
from appliance.dj.reply import Pause, PlayTrack, Resume, SetVolume, Skip, Stop
from appliance.library import Library
from appliance.library.track import Track
from tests.support.music import make_track

GENRES = {"Rock": 330.0, "Jazz": 440.0, "Reggae": 550.0}


class RecordingPlayer:
    """The player's controls; every call lands in ``calls`` (shared with the voice, in order)."""

    def __init__(self, calls: list[tuple[str, object]]) -> None:
        self.calls = calls
        self.volume = 50

    def play(self, track: Track, end_reason: str = "replaced") -> None:
        self.calls.append(("play", track))

    def skip(self) -> None:
        self.calls.append(("skip", None))

    def pause(self) -> None:
        self.calls.append(("pause", None))

    def resume(self) -> None:
        self.calls.append(("resume", None))

    def stop(self, fade: float = 0.0) -> None:
        self.calls.append(("stop", None))

    def set_volume(self, level: int) -> None:
        self.volume = level
        self.calls.append(("volume", level))

    def actions(self) -> list[str]:
        return [name for name, _ in self.calls if name != "say"]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    folder = tmp_path_factory.mktemp("music")
    for number in range(2):
        for genre, freq in GENRES.items():
            make_track(
                folder / f"{genre}{number}.flac",
                seconds=1.0,
                freq=freq + number * 7,
                noise=0.01,
                artist=f"{genre} Band {number}",
                title=f"{genre} Song {number}",
                genre=genre,
            )
    with Library(tmp_path_factory.mktemp("db") / "library.db") as lib:
        lib.scan([folder], progress=False)
        yield lib


@pytest.fixture
def rig(library: Library) -> Iterator[tuple[Dialogue, RecordingPlayer, PersonalizedDJ]]:
    calls: list[tuple[str, object]] = []
    player = RecordingPlayer(calls)

    def say(text: str, cancel: threading.Event, on_start: Callable[[float], None] | None) -> bool:
        calls.append(("say", text))
        return True

    dj = PersonalizedDJ(db_path=None, library=library, seed=3)
    yield Dialogue(dj, "alex", player=player, say=say), player, dj
    dj.close()


def turn(dialogue: Dialogue, text: str, confidence: float = 1.0) -> Turn:
    return dialogue.handle(Turn(text=text, user_id=dialogue.user_id, confidence=confidence))


# -- asking before acting -----------------------------------------------------------------------


def test_a_skip_heard_unsure_is_asked_and_a_yes_does_it(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "play some rock")
    player.calls.clear()
    asked = turn(dialogue, "skip", confidence=0.5)
    assert asked.reply is not None and asked.reply.question
    assert asked.reply.text == "Sorry, skip this one?"
    assert player.actions() == []
    done = turn(dialogue, "yeah")
    assert done.reply is not None and not done.reply.question
    assert player.actions() == ["play"]  # the DJ picked what comes next


def test_a_no_drops_the_question(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "stop", confidence=0.4)
    answer = turn(dialogue, "no")
    assert answer.reply is not None and answer.reply.text == "Okay, leaving it."
    assert player.actions() == []
    again = turn(dialogue, "yes")  # the question is gone: nothing to say yes to
    assert player.actions() == []
    assert again.reply is not None and not again.reply.actions


def test_a_question_waits_only_one_turn(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "pause", confidence=0.3)
    turn(dialogue, "what's playing")
    turn(dialogue, "do it")
    assert "pause" not in player.actions()


def test_harmless_answers_need_less_confidence_than_destructive_actions(rig) -> None:
    dialogue, player, _dj = rig
    answered = turn(dialogue, "what's playing", confidence=0.6)
    assert answered.reply is not None and not answered.reply.question
    stopped = turn(dialogue, "stop", confidence=0.6)
    assert stopped.reply is not None and stopped.reply.question
    louder = turn(dialogue, "turn it up", confidence=0.7)
    assert louder.reply is not None and not louder.reply.question
    volume = turn(dialogue, "set the volume to thirty", confidence=0.7)
    assert volume.reply is not None and volume.reply.question
    assert player.actions() == ["volume"]  # the harmless step up only
    assert player.volume == 60


def test_a_misheard_pause_never_sets_the_volume(rig) -> None:
    dialogue, player, _dj = rig
    for confidence in (1.0, 0.5):
        heard = turn(dialogue, "forty", confidence=confidence)
        assert heard.reply is not None and heard.reply.intent == "unknown"
    assert player.actions() == []
    assert player.volume == 50


def test_typed_commands_are_done_at_once(rig) -> None:
    dialogue, player, _dj = rig
    typed = dialogue.handle("pause")
    assert typed.confidence == 1.0
    assert player.actions() == ["pause"]


# -- several requests in one utterance ----------------------------------------------------------


def test_requests_said_together_are_done_in_order(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "pause and turn it down")
    assert player.actions() == ["pause", "volume"]
    assert player.volume == 40
    player.calls.clear()
    done = turn(dialogue, "resume, then louder")
    assert done.reply is not None and done.reply.intents == ("resume", "volume_up")
    # the volume changes at once, before the DJ speaks; the music comes back after its words
    assert [name for name, _ in player.calls] == ["volume", "say", "resume"]


def test_a_dislike_and_a_skip_move_on_once(rig) -> None:
    dialogue, player, dj = rig
    turn(dialogue, "play some jazz")
    played = [value for name, value in player.calls if name == "play"]
    player.calls.clear()
    hated = turn(dialogue, "i hate this, next")
    assert hated.reply is not None and hated.reply.intents == ("dislike", "skip")
    assert player.actions() == ["play"]
    assert played and [value for name, value in player.calls if name == "play"] != played
    events = [e["event"] for e in dj.store.recent_plays("alex", 10)]
    assert "disliked" in events


def test_two_genres_in_one_request_are_both_learned_and_both_played(rig) -> None:
    dialogue, player, dj = rig
    asked = turn(dialogue, "play some rock and some jazz")
    assert asked.reply is not None and asked.reply.slots == {"genre": ("rock", "jazz")}
    first = [value for name, value in player.calls if name == "play"][-1]
    assert "rock" in first.genres
    assert dj.user_profiles["alex"].music_preferences == ["rock", "jazz"]
    following = dj.next_track("alex")
    assert following is not None and "jazz" in following.genres


# -- corrections --------------------------------------------------------------------------------


def test_a_correction_replays_the_request_and_teaches_the_right_value(rig) -> None:
    dialogue, player, dj = rig
    turn(dialogue, "play some reggae")
    assert dj.user_profiles["alex"].music_preferences == ["reggae"]
    player.calls.clear()
    fixed = turn(dialogue, "no, i said jazz")
    assert fixed.reply is not None and fixed.reply.intent == "correct"
    now = [value for name, value in player.calls if name == "play"]
    assert len(now) == 1 and "jazz" in now[0].genres
    assert dj.user_profiles["alex"].music_preferences == ["jazz"]  # reggae was never meant


def test_a_correction_keeps_what_was_liked_before(rig) -> None:
    dialogue, _player, dj = rig
    dj.update_preferences("alex", ["rock"])
    turn(dialogue, "play some reggae")
    turn(dialogue, "not reggae, jazz")
    assert dj.user_profiles["alex"].music_preferences == ["rock", "jazz"]


def test_a_correction_of_a_volume_level(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "set the volume to fifteen")
    turn(dialogue, "no, i said fifty")
    assert [value for name, value in player.calls if name == "volume"] == [15, 50]


def test_a_correction_of_a_mood(rig) -> None:
    dialogue, _player, dj = rig
    turn(dialogue, "i'm feeling sad")
    turn(dialogue, "no i said happy")
    assert dj.current_mood("alex") == "happy"


def test_a_correction_with_nothing_before_is_a_request(rig) -> None:
    dialogue, player, dj = rig
    turn(dialogue, "no, i said jazz")
    assert player.actions() == ["play"]
    assert dj.user_profiles["alex"].music_preferences == ["jazz"]


def test_the_worker_passes_the_recognisers_confidence(rig, tmp_path: Path) -> None:
    dialogue, player, _dj = rig
    dialogue.start()
    try:
        spoken = dialogue.submit("stop", spoken=True, confidence=0.3)
        typed = dialogue.ask("what's playing")
        assert typed.reply is not None
        assert spoken.reply is not None and spoken.reply.question
        assert "stop" not in player.actions()
    finally:
        dialogue.stop()


# -- review of the questions and corrections: no wrong action ---------------------------------


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 20, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clocked(library: Library) -> Iterator[tuple[Dialogue, RecordingPlayer, PersonalizedDJ, Clock]]:
    calls: list[tuple[str, object]] = []
    player = RecordingPlayer(calls)
    clock = Clock()

    def say(text: str, cancel: threading.Event, on_start: Callable[[float], None] | None) -> bool:
        calls.append(("say", text))
        return True

    dj = PersonalizedDJ(db_path=None, library=library, seed=3, clock=clock)
    yield Dialogue(dj, "alex", player=player, say=say), player, dj, clock
    dj.close()


def played(player: RecordingPlayer) -> list[Track]:
    return [value for name, value in player.calls if name == "play"]  # type: ignore[misc]


def test_a_yes_heard_unsure_does_not_carry_out_a_stop(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "play some rock")
    player.calls.clear()
    turn(dialogue, "stop", confidence=0.5)
    noise = turn(dialogue, "yes", confidence=0.2)  # noise often comes out as "Yes."
    assert "stop" not in player.actions()
    assert noise.reply is not None and noise.reply.question  # asked again
    sure = turn(dialogue, "yes", confidence=0.9)
    assert sure.reply is not None and not sure.reply.question
    assert player.actions() == ["stop"]


def test_a_question_expires_after_its_minute(clocked) -> None:
    dialogue, player, _dj, clock = clocked
    turn(dialogue, "play some rock")
    player.calls.clear()
    turn(dialogue, "stop", confidence=0.5)
    clock.now += confirm.ANSWER_WITHIN + timedelta(seconds=1)
    late = turn(dialogue, "yes")
    assert player.actions() == []
    assert late.reply is not None and not late.reply.actions
    turn(dialogue, "stop", confidence=0.5)
    clock.now += confirm.ANSWER_WITHIN - timedelta(seconds=1)
    turn(dialogue, "yes")
    assert player.actions() == ["stop"]


CHATTER_CORRECTIONS = (
    "i said hello to my neighbour",
    "i meant to call you yesterday",
    "i said no",
    "i said i'd be there by five",
    "i mean it was a long day",
    "actually i think so",
)


@pytest.mark.parametrize("confidence", [1.0, 0.9])
def test_saying_what_i_said_or_meant_is_not_a_correction(rig, confidence: float) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "play some jazz")
    player.calls.clear()
    for text in CHATTER_CORRECTIONS:
        heard = turn(dialogue, text, confidence=confidence)
        assert player.actions() == [], text
        assert heard.reply is not None and "don't have" not in heard.reply.text, text


def test_a_correction_of_another_kind_than_the_volume_is_a_new_request(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "set the volume to fifteen")
    turn(dialogue, "no, i said jazz")
    assert [value for name, value in player.calls if name == "volume"] == [15]
    assert player.volume == 15
    assert "jazz" in played(player)[-1].genres


def test_a_correction_after_another_request_mends_nothing(rig) -> None:
    dialogue, player, dj = rig
    turn(dialogue, "i don't like reggae")
    turn(dialogue, "turn it down")
    fixed = turn(dialogue, "no, i said jazz")
    assert fixed.reply is not None and "No more" not in fixed.reply.text
    assert dj.user_profiles["alex"].blocked_genres == ["reggae"]
    assert "jazz" in played(player)[-1].genres


def test_a_genre_said_after_a_mood_is_played_and_the_mood_stays(rig) -> None:
    dialogue, player, dj = rig
    turn(dialogue, "i'm feeling sad")
    turn(dialogue, "no i said rock")
    assert dj.current_mood("alex") == "sad"
    assert played(player) and "rock" in played(player)[-1].genres


def test_a_genre_after_an_artist_plays_the_genre(rig) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "play something by reggae band 0")
    fixed = turn(dialogue, "no, i said jazz")
    assert fixed.reply is not None and fixed.reply.slots == {"genre": "jazz"}
    assert "jazz" in played(player)[-1].genres


def test_a_correction_hours_later_mends_nothing(clocked) -> None:
    dialogue, _player, dj, clock = clocked
    turn(dialogue, "play some reggae")
    clock.now += timedelta(hours=3)
    turn(dialogue, "no, i said rock")
    assert dj.user_profiles["alex"].music_preferences == ["reggae", "rock"]


def test_correcting_a_dislike_of_an_artist_lifts_its_block(rig) -> None:
    dialogue, _player, dj = rig
    turn(dialogue, "i don't like reggae band 0")
    assert "reggae band 0" in dj._taste("alex").blocked_artists()
    turn(dialogue, "no, i said rock band 0")
    assert dj._taste("alex").blocked_artists() == {"rock band 0"}


def test_a_correction_that_replays_a_dislike_needs_its_bar(rig) -> None:
    dialogue, _player, dj = rig
    turn(dialogue, "i don't like reggae")
    asked = turn(dialogue, "no, jazz", confidence=0.6)
    assert asked.reply is not None and asked.reply.question
    assert dj.user_profiles["alex"].blocked_genres == ["reggae"]
    turn(dialogue, "yes")
    assert dj.user_profiles["alex"].blocked_genres == ["jazz"]


@pytest.mark.parametrize(
    ("said", "asked"),
    [
        ("i like rock and jazz", "You like rock and jazz?"),
        ("play rock and jazz", "Play rock and jazz?"),
    ],
)
def test_a_question_names_every_value(rig, said: str, asked: str) -> None:
    dialogue, _player, _dj = rig
    question = turn(dialogue, said, confidence=0.4)
    assert question.reply is not None and question.reply.text == asked


@pytest.mark.parametrize("yes", ["ok", "okay"])
def test_ok_is_a_yes(rig, yes: str) -> None:
    dialogue, player, _dj = rig
    turn(dialogue, "play some rock")
    player.calls.clear()
    turn(dialogue, "skip", confidence=0.5)
    turn(dialogue, yes)
    assert player.actions() == ["play"]


def test_an_introduction_after_a_greeting_welcomes_only_the_new_listener(rig) -> None:
    dialogue, _player, _dj = rig
    turn(dialogue, "hello")
    met = turn(dialogue, "hi this is sam")
    assert met.reply is not None and met.reply.user_id == "sam"
    assert "alex" not in met.reply.text.casefold()
    assert "Sam" in met.reply.text


def test_a_question_about_the_words_has_no_quote_marks(rig) -> None:
    dialogue, _player, _dj = rig
    asked = turn(dialogue, "what's playing", confidence=0.05)
    assert asked.reply is not None and asked.reply.question
    assert asked.reply.text == "Sorry, did you say what's playing?"


CHATTER = Path(__file__).with_name("corpus") / "chatter.tsv"
CHATTER_IGNORED = 0.95
PLAYER_ACTIONS = (PlayTrack, Skip, Stop, SetVolume, Pause, Resume)


@pytest.mark.parametrize("confidence", [1.0, 0.5])
def test_chatter_makes_the_dj_do_nothing(library: Library, confidence: float) -> None:
    """The promise of no wrong action: talk near the appliance, heard one line after another,
    moves no music (lines that do are printed)."""
    from tests.support.corpus import read_corpus

    lines = read_corpus(CHATTER)
    dj = PersonalizedDJ(db_path=None, library=library, seed=3)
    try:
        acted = []
        for line in lines:
            reply = dj.respond("alex", line.text, confidence=confidence)
            moves = [type(a).__name__ for a in reply.actions if isinstance(a, PLAYER_ACTIONS)]
            if moves:
                acted.append((line.text, moves))
    finally:
        dj.close()
    ignored = 1 - len(acted) / len(lines)
    print(f"\nchatter at {confidence}: {len(lines)} lines, no action for {ignored:.3f}")
    for text, moves in acted:
        print(f"  acted: {text!r} -> {', '.join(moves)}")
    assert ignored >= CHATTER_IGNORED

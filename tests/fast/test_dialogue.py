"""The dialogue (appliance/dialogue.py) with a real DJ and library, a real player on fake decks
and the fake voice: the order of words and actions, one turn at a time, barge-in, failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.dialogue import Dialogue, Turn
from appliance.dj import PersonalizedDJ
from appliance.errors import PlayerError
from appliance.library import Library
from appliance.library.track import Track
from appliance.player import Player
from tests.fakes import FakeClock, FakeDecks, FakeSpeechOutput, FakeVoice
from tests.support.waiting import wait_until


class Journal:
    """What happened, in order: ("say", text) and (player call, argument)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, kind: str, value: Any = None) -> None:
        with self._lock:
            self.entries.append((kind, value))

    def kinds(self) -> list[str]:
        with self._lock:
            return [kind for kind, _ in self.entries]


class Controls:
    """The real player on fake decks, each call noted in the journal first."""

    def __init__(self, player: Player, journal: Journal) -> None:
        self.player = player
        self.journal = journal
        self.fail: set[str] = set()

    def _note(self, kind: str, value: Any = None) -> None:
        self.journal.add(kind, value)
        if kind in self.fail:
            raise PlayerError(f"the player could not {kind}", hint="none")

    def play(self, track: Track, end_reason: str = "skipped") -> None:
        self._note("play", track)
        self.player.play(track, end_reason)

    def skip(self) -> None:
        self._note("skip")
        self.player.skip()

    def pause(self) -> None:
        self._note("pause")
        self.player.pause()

    def resume(self) -> None:
        self._note("resume")
        self.player.resume()

    def stop(self, fade: float = 0.5) -> None:
        self._note("stop")
        self.player.stop(fade=0.0)

    def set_volume(self, level: int) -> None:
        self._note("volume", level)
        self.player.set_volume(level)

    @property
    def volume(self) -> int:
        return self.player.volume


@pytest.fixture(scope="module")
def library(short_music: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = Library(tmp_path_factory.mktemp("dialogue") / "library.db")
    library.scan([short_music], progress=False)
    yield library
    library.close()


@pytest.fixture(scope="module")
def dj(library: Library) -> Iterator[PersonalizedDJ]:
    """One DJ for the module (its understanding takes a moment to build); each test has its
    own dialogue, player and voice."""
    made = PersonalizedDJ(db_path=None, library=library, seed=3)
    yield made
    made.close()


class Rig:
    """A dialogue wired to the fakes."""

    def __init__(self, dj: PersonalizedDJ, speaking_s: float = 0.0) -> None:
        self.journal = Journal()
        self.voice = FakeVoice()
        self.output = FakeSpeechOutput(speaking_s)
        self.clock = FakeClock(rate=10.0)
        self.decks = FakeDecks(self.clock)
        self.player = Player(deck=self.decks, clock=self.clock)
        self.controls = Controls(self.player, self.journal)
        self.dj = dj
        self.turns: list[Turn] = []
        self.dialogue = Dialogue(
            self.dj, "guest", player=self.controls, say=self.say, on_turn=self.turns.append
        )
        self.dialogue.start()

    def say(self, text: str, cancel: threading.Event, on_start: Any) -> bool:
        self.journal.add("say", text)
        return self.output.say(self.voice.synthesize(text), on_start, cancel)

    def close(self) -> None:
        self.dialogue.stop(timeout=2.0)
        self.player.close()


@pytest.fixture
def rig(dj: PersonalizedDJ) -> Iterator[Rig]:
    made = Rig(dj)
    yield made
    made.close()


def test_a_request_for_music_is_answered_then_played(rig: Rig) -> None:
    turn = rig.dialogue.ask("play some jazz", timeout=10)
    assert turn.reply is not None and "jazz" in turn.reply.text.lower()
    assert rig.journal.kinds() == ["say", "play"]  # the music follows the DJ's words
    assert turn.thought_at is not None and turn.first_audio_at is not None
    assert turn.heard_at is not None and turn.heard_at <= turn.thought_at <= turn.first_audio_at
    wait_until(lambda: rig.decks.sounding(), timeout=3, what="the music")
    assert rig.decks.sounding()[0].genres == ("jazz",)
    assert rig.turns == [turn] and not turn.interrupted


def test_pause_and_volume_happen_before_the_dj_says_so(rig: Rig) -> None:
    rig.dialogue.ask("play some rock", timeout=10)
    rig.journal.entries.clear()
    rig.dialogue.ask("pause", timeout=10)
    rig.dialogue.ask("set the volume to forty", timeout=10)
    assert rig.journal.kinds() == ["pause", "say", "volume", "say"]
    assert rig.journal.entries[2] == ("volume", 40)
    assert rig.player.volume == 40 and rig.player.paused


def test_a_relative_volume_steps_from_the_current_level(rig: Rig) -> None:
    rig.player.set_volume(50)
    rig.dialogue.ask("turn it up", timeout=10)
    (level,) = [value for kind, value in rig.journal.entries if kind == "volume"]
    assert 50 < level <= 100


def test_requests_are_answered_one_at_a_time_in_order(dj: PersonalizedDJ) -> None:
    rig = Rig(dj, speaking_s=0.05)
    try:
        talking = []

        def say(text: str, cancel: threading.Event, on_start: Any) -> bool:
            talking.append(1)
            assert len(talking) == 1, "two answers at once"
            try:
                return Rig.say(rig, text, cancel, on_start)
            finally:
                talking.pop()

        rig.dialogue._say = say
        words = ["what's playing", "play some jazz", "what can you do", "skip"]
        for text in words:
            rig.dialogue.submit(text)
        assert rig.dialogue.drain(timeout=10)
        assert [turn.text for turn in rig.turns] == words
        assert len(rig.output.said) == len(words)
    finally:
        rig.close()


def test_barge_in_cuts_the_answer_and_the_request_still_happens(dj: PersonalizedDJ) -> None:
    rig = Rig(dj, speaking_s=30.0)
    try:
        turn = rig.dialogue.submit("play some jazz")
        wait_until(rig.output.speaking.is_set, timeout=10, what="the answer")
        assert rig.dialogue.speaking
        rig.dialogue.barge_in()
        assert rig.dialogue.drain(timeout=5)
        assert turn.interrupted and rig.output.cut and not rig.output.said
        assert rig.journal.kinds() == ["say", "play"]  # cut short, still done
    finally:
        rig.close()


def test_a_barge_in_with_nothing_said_cuts_nothing(rig: Rig) -> None:
    rig.dialogue.barge_in()
    turn = rig.dialogue.ask("what's playing", timeout=10)
    assert not turn.interrupted and rig.output.said


def test_a_player_that_fails_loses_the_action_not_the_dialogue(rig: Rig) -> None:
    rig.controls.fail.add("play")
    first = rig.dialogue.ask("play some jazz", timeout=10)
    assert first.reply is not None
    second = rig.dialogue.ask("what can you do", timeout=10)
    assert second.reply is not None and rig.dialogue.alive
    assert rig.decks.sounding() == []


def test_a_turn_listener_that_raises_never_stops_the_dialogue(rig: Rig) -> None:
    def broken(turn: Turn) -> None:
        raise RuntimeError("a face fell over")

    rig.dialogue.on_turn = broken
    rig.dialogue.ask("what's playing", timeout=10)
    assert rig.dialogue.ask("what can you do", timeout=10).reply is not None


def test_words_with_nothing_in_them_get_no_answer_but_are_reported(rig: Rig) -> None:
    turn = rig.dialogue.ask("   ", timeout=10)
    assert turn.reply is None and rig.journal.kinds() == []
    assert rig.turns == [turn]


def test_a_new_listener_is_followed_from_their_first_words(rig: Rig) -> None:
    rig.dialogue.ask("this is alex", timeout=10)
    assert rig.dialogue.user_id != "guest"
    turn = rig.dialogue.ask("what's playing", timeout=10)
    assert turn.user_id == rig.dialogue.user_id


def test_announcements_are_said_in_turn_with_requests(rig: Rig) -> None:
    rig.dialogue.submit("what's playing")
    rig.dialogue.announce("The music in Jazz is back.")
    rig.dialogue.submit("what can you do")
    assert rig.dialogue.drain(timeout=10)
    said = [value for kind, value in rig.journal.entries if kind == "say"]
    assert said[1] == "The music in Jazz is back." and len(said) == 3


def test_commentary_is_said_for_the_coming_track_and_dropped_once_the_music_changed(
    rig: Rig,
) -> None:
    rig.dialogue.ask("play some jazz", timeout=10)
    assert rig.dj.next_track("guest") is not None
    pick = rig.dj.last_pick("guest")
    assert pick is not None
    rig.dj.track_started(pick.track)
    rig.journal.entries.clear()
    rig.dialogue.submit_commentary(None, pick)
    assert rig.dialogue.drain(timeout=5)
    assert rig.journal.kinds() == ["say"]  # radio-style talk over the intro
    rig.dialogue.ask("play some rock", timeout=10)  # the music changed since
    assert rig.dj.now_playing != pick.track
    rig.journal.entries.clear()
    rig.dialogue.submit_commentary(None, pick)
    assert rig.dialogue.drain(timeout=5)
    assert rig.journal.kinds() == []  # it would talk about the wrong track


def test_drain_gives_up_when_told_to_stop(dj: PersonalizedDJ) -> None:
    rig = Rig(dj, speaking_s=30.0)
    try:
        rig.dialogue.submit("what's playing")
        wait_until(rig.output.speaking.is_set, timeout=10, what="the answer")
        stop = threading.Event()
        threading.Timer(0.1, stop.set).start()
        started = time.monotonic()
        assert rig.dialogue.drain(timeout=20, stop=stop) is False
        assert time.monotonic() - started < 2.0
    finally:
        rig.close()


def test_stop_ends_the_worker_and_drops_what_is_queued(dj: PersonalizedDJ) -> None:
    rig = Rig(dj, speaking_s=30.0)
    rig.dialogue.submit("what's playing")
    wait_until(rig.output.speaking.is_set, timeout=10, what="the answer")
    rig.dialogue.submit("play some jazz")
    rig.dialogue.stop(timeout=3.0)
    assert not rig.dialogue.alive
    assert "play" not in rig.journal.kinds()
    rig.player.close()

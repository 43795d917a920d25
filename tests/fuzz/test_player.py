"""The player under any sequence of commands, clock jumps and radio answers (slow, empty, a file
that is gone), on fake decks: it never dies, never sounds more than its two decks, ends every
track it started exactly once, and a stop or a pause is never undone by a pick arriving late."""

from __future__ import annotations

import collections
import itertools
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.events import TrackEnded, TrackStarted
from appliance.library.track import Track
from appliance.player import Player
from tests.fakes import FakeClock, FakeDecks
from tests.fuzz.conftest import fuzz_rounds

pytestmark = pytest.mark.fuzz

OPS = st.one_of(
    st.tuples(st.sampled_from(["play", "enqueue"]), st.integers(0, 3)),
    st.tuples(st.sampled_from(["skip", "previous", "pause", "resume", "stop", "duck"]), st.none()),
    st.tuples(st.just("volume"), st.integers(-10, 120)),
    st.tuples(st.just("advance"), st.sampled_from([0.2, 1.0, 5.0, 30.0, 119.0])),
)
ANSWERS = st.lists(st.sampled_from(["track", "none", "gone", "slow"]), min_size=1, max_size=5)


def make_tracks(folder: Path) -> list[Track]:
    tracks = []
    for n in range(4):
        path = folder / f"t{n}.flac"
        path.write_bytes(b"fLaC")
        tracks.append(Track(f"t{n}", str(path), f"t{n}", "Test", duration=60.0))
    tracks.append(Track("gone", str(folder / "gone.flac"), "gone", "Test", duration=60.0))
    return tracks


class Radio:
    """Answers next_track() from a cycle of kinds of answer."""

    def __init__(self, answers: list[str], tracks: list[Track]) -> None:
        self.answers = itertools.cycle(answers)
        self.tracks = itertools.cycle(tracks[:4])
        self.gone = tracks[4]

    def __call__(self) -> Track | None:
        kind = next(self.answers)
        if kind == "none":
            return None
        if kind == "gone":
            return self.gone
        if kind == "slow":
            time.sleep(0.05)
        return next(self.tracks)


class Ledger:
    """The player's events, checked as they come: each start ended once, each end started."""

    def __init__(self) -> None:
        self.open: collections.Counter[str] = collections.Counter()
        self.problems: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, event: object) -> None:
        with self.lock:
            if isinstance(event, TrackStarted):
                self.open[event.track.track_id] += 1
            elif isinstance(event, TrackEnded):
                track_id = event.track.track_id
                if self.open[track_id] > 0:
                    self.open[track_id] -= 1
                elif event.reason != "error":  # an error may end a track that never started
                    self.problems.append(f"{track_id} ended ({event.reason}) without a start")


def settle(player: Player) -> None:
    """Let the player's thread and the radio catch up."""
    time.sleep(0.01)
    assert player.queue is not None  # a round trip through the player's thread
    time.sleep(0.01)


@settings(max_examples=fuzz_rounds(12, 500))
@given(ops=st.lists(OPS, min_size=1, max_size=14), answers=ANSWERS)
def test_any_sequence_keeps_the_player_whole(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, object]], answers: list[str]
) -> None:
    tracks = make_tracks(tmp_path_factory.mktemp("fuzz-player"))
    clock = FakeClock(rate=0.0)
    decks = FakeDecks(clock, length=60.0)
    ledger = Ledger()
    player = Player(deck=decks, clock=clock, next_track=Radio(answers, tracks), on_event=ledger)
    stopped = False
    try:
        for op, arg in ops:
            if op == "play":
                player.play(tracks[int(arg)])  # type: ignore[call-overload]
            elif op == "enqueue":
                player.enqueue(tracks[int(arg)])  # type: ignore[call-overload]
            elif op == "skip":
                player.skip()
            elif op == "previous":
                player.previous()
            elif op == "pause":
                player.pause()
            elif op == "resume":
                player.resume()
            elif op == "stop":
                player.stop(fade=0.0)
            elif op == "duck":
                player.duck(-15.0, fade=0.1)
            elif op == "volume":
                player.set_volume(int(arg))  # type: ignore[call-overload]
                assert player.volume == max(0, min(100, int(arg)))  # type: ignore[call-overload]
            elif op == "advance":
                clock.advance(float(arg))  # type: ignore[arg-type]
            settle(player)
            if op in ("play", "enqueue", "skip", "previous", "resume"):
                stopped = False
            elif op == "stop":
                stopped = True
            assert player.alive
            assert len(decks.sounding()) <= 2
            if stopped:
                time.sleep(0.06)  # a slow pick on its way
                settle(player)
                assert decks.sounding() == [], "a pick that came late undid the stop"
    finally:
        player.close()
    assert not ledger.problems, ledger.problems
    assert sum(ledger.open.values()) == 0, f"started and never ended: {ledger.open}"


def test_stop_silences_a_track_still_fading_out_of_a_skip(tmp_path: Path) -> None:
    """Found by the property above: a skip's fade outlasted a stop that asked for silence now."""
    tracks = make_tracks(tmp_path)
    clock = FakeClock(rate=0.0)
    decks = FakeDecks(clock, length=60.0)
    with Player(deck=decks, clock=clock) as player:
        player.play(tracks[0])
        settle(player)
        player.skip()  # fading out over SKIP_FADE, by the clock that does not move
        settle(player)
        assert decks.sounding() == [tracks[0]]
        player.stop(fade=0.0)
        time.sleep(0.1)
        settle(player)
        assert decks.sounding() == []

"""Hand-offs that never wait: the voice's duck and a volume change return at once whatever the
player's thread is doing, and a DJ slow to pick the next track never holds up the player."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.library.track import Track
from appliance.player import Player
from appliance.player.gain import db_to_amplitude, mpv_volume
from appliance.player.player import PICK_AHEAD
from appliance.station import Ducking
from tests.fakes import FakeClock, FakeDeck, FakeDecks
from tests.support.waiting import wait_until


@pytest.fixture
def tracks(tmp_path: Path) -> list[Track]:
    """Tracks whose files exist (the fake decks never decode them)."""
    made = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.flac"
        path.write_bytes(b"fLaC")
        made.append(Track(track_id=name, path=str(path), title=name, artist="Test", duration=3.0))
    return made


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def sounding_deck(decks: FakeDecks, track: Track) -> FakeDeck:
    wait_until(lambda: track in decks.sounding(), timeout=3, what=f"{track.title} playing")
    (deck,) = [d for d in decks.made if d.track is track]
    return deck


@pytest.fixture
def player_on(clock: FakeClock) -> Iterator[list[Player]]:
    made: list[Player] = []
    yield made
    for player in made:
        player.close()


def test_a_duck_and_a_volume_change_never_wait_for_a_busy_player(
    clock: FakeClock, tracks: list[Track], player_on: list[Player]
) -> None:
    decks = FakeDecks(clock)
    player = Player(deck=decks, clock=clock, volume=70)
    player_on.append(player)
    player.play(tracks[0])
    deck = sounding_deck(decks, tracks[0])
    ducking = Ducking(player, -15.0)
    decks.hold()  # mpv stops answering: the player's thread is stuck in its tick
    try:
        time.sleep(0.2)
        started = time.monotonic()
        ducking.hold("listening", fade=0.0)
        player.set_volume(40)
        ducking.hold("answering")  # the ducking lock was let go at once
        ducking.release("listening")
        elapsed = time.monotonic() - started
        assert player.volume == 40  # what was asked, before the player has applied it
    finally:
        decks.release()
    assert elapsed < 0.2, f"the voice waited {elapsed:.2f} s for the player"
    wanted = mpv_volume(40, db_to_amplitude(-15.0))
    wait_until(lambda: deck.volume == pytest.approx(wanted), timeout=3, what="the duck applied")


def test_a_slow_pick_holds_up_neither_a_duck_nor_the_player(
    clock: FakeClock, tracks: list[Track], player_on: list[Player]
) -> None:
    thinking = threading.Event()

    def slow_dj() -> Track | None:
        if thinking.is_set():
            return None  # after the one slow pick, nothing more
        thinking.set()
        time.sleep(2.0)  # the DJ's lock, held by a long turn, and a SQLite transaction
        return tracks[1]

    decks = FakeDecks(clock, length=3.0)
    player = Player(deck=decks, clock=clock, next_track=slow_dj)
    player_on.append(player)
    player.play(tracks[0])
    deck = sounding_deck(decks, tracks[0])
    assert thinking.wait(3.0), "the radio was not asked ahead of the end"
    started = time.monotonic()
    player.duck(-15.0, fade=0.0)
    assert player.position is not None  # a round trip through the player's thread
    wanted = mpv_volume(70, db_to_amplitude(-15.0))
    wait_until(lambda: deck.volume == pytest.approx(wanted), timeout=3, what="the duck")
    elapsed = time.monotonic() - started
    assert elapsed < 0.5, f"the duck waited {elapsed:.2f} s behind the DJ's pick"
    sounding_deck(decks, tracks[1])  # and the slow pick still follows


def test_a_pick_still_coming_when_the_track_ends_starts_when_it_comes(
    clock: FakeClock, tracks: list[Track], player_on: list[Player]
) -> None:
    release = threading.Event()

    def held_dj() -> Track | None:
        release.wait(5.0)
        return tracks[2]

    decks = FakeDecks(clock, length=3.0)
    player = Player(deck=decks, clock=clock, next_track=held_dj)
    player_on.append(player)
    player.play(tracks[0])
    sounding_deck(decks, tracks[0])
    clock.advance(5.0)
    wait_until(lambda: player.now_playing is None, timeout=3, what="the end of the track")
    player.pause()
    release.set()
    time.sleep(0.2)
    assert decks.sounding() == []  # paused: the pick waits for resume
    player.resume()
    sounding_deck(decks, tracks[2])


def test_stop_while_a_pick_is_coming_keeps_the_silence(
    clock: FakeClock, tracks: list[Track], player_on: list[Player]
) -> None:
    release = threading.Event()
    asked = threading.Event()

    def held_dj() -> Track | None:
        asked.set()
        release.wait(5.0)
        return tracks[2]

    decks = FakeDecks(clock, length=3.0)
    player = Player(deck=decks, clock=clock, next_track=held_dj)
    player_on.append(player)
    player.play(tracks[0])
    sounding_deck(decks, tracks[0])
    assert asked.wait(3.0)
    clock.advance(5.0)
    wait_until(lambda: player.now_playing is None, timeout=3, what="the end of the track")
    player.stop(fade=0.0)
    release.set()
    time.sleep(0.3)
    assert decks.sounding() == [] and player.now_playing is None


def test_the_pick_is_asked_for_shortly_before_the_end_not_at_the_start(
    clock: FakeClock, tracks: list[Track], player_on: list[Player]
) -> None:
    """Late enough that a like or a mood said during the track still shapes the pick."""
    asked = threading.Event()

    def dj() -> Track | None:
        asked.set()
        return tracks[1]

    clock.set_rate(0.0)
    decks = FakeDecks(clock, length=120.0)
    player = Player(deck=decks, clock=clock, next_track=dj, crossfade=2.0)
    player_on.append(player)
    player.play(tracks[0])
    sounding_deck(decks, tracks[0])
    clock.advance(120.0 - 2.0 - PICK_AHEAD - 1.0)
    assert not asked.wait(0.3)
    clock.advance(1.5)
    assert asked.wait(2.0), "the radio was not asked ahead of the transition"

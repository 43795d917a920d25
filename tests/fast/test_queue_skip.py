"""A skip while tracks are queued plays the first queued track, however it was asked for: in
words (spoken or typed to the DJ) or as a Skip command from a face."""

from __future__ import annotations

import threading
import time

import pytest

from appliance import control as c
from appliance.library.track import Track
from appliance.player import Player
from appliance.station import QFZZStation
from tests.fakes import FakeParts
from tests.support.waiting import wait_until


@pytest.mark.parametrize("how", ["spoken", "typed", "command"])
def test_a_skip_plays_the_queued_track_before_the_djs_pick(
    station: QFZZStation, fakes: FakeParts, how: str
) -> None:
    assert station.execute(c.Play(genre="jazz", source="test")).ok
    wait_until(lambda: station.snapshot().track is not None, timeout=5, what="the music")
    playing = station.snapshot().track
    assert playing is not None
    library = station.library
    assert library is not None
    queued = next(t for t in library.tracks() if "rock" in t.genres)
    assert station.execute(c.Enqueue(track_id=queued.track_id, source="test")).ok
    if how == "spoken":
        fakes.say("skip")
    elif how == "typed":
        assert station.execute(c.Ask(text="skip", source="console")).ok
    else:
        assert station.execute(c.Skip(source="web")).ok
    wait_until(lambda: _on_air(station) != playing.track_id, timeout=10, what="the skip")
    assert _on_air(station) == queued.track_id
    wait_until(
        lambda: [t.track_id for t in fakes.decks.sounding()] == [queued.track_id],
        timeout=5,
        what="the queued track",
    )


@pytest.mark.parametrize("how", ["spoken", "typed"])
def test_a_skip_with_a_track_queued_names_the_queued_track(
    station: QFZZStation, fakes: FakeParts, how: str
) -> None:
    """The answer to a skip names what the station will really play: the queue's head, never
    the DJ's own pick that the queue plays before."""
    assert station.execute(c.Play(genre="jazz", source="test")).ok
    wait_until(lambda: station.snapshot().track is not None, timeout=5, what="the music")
    playing = station.snapshot().track
    library = station.library
    assert playing is not None and library is not None
    queued = next(t for t in library.tracks() if "rock" in t.genres)
    others = [t.title for t in library.tracks() if t.track_id != queued.track_id]
    assert station.execute(c.Enqueue(track_id=queued.track_id, source="test")).ok
    wait_until(lambda: station.snapshot().up_next, timeout=5, what="the queue")
    if how == "spoken":
        before = len(fakes.output.said)
        fakes.say("skip it please")
        wait_until(
            lambda: any(queued.title in line for line in fakes.output.said[before:]),
            timeout=10,
            what="an answer naming the queued track",
        )
        answer = " ".join(fakes.output.said[before:])
    else:
        outcome = station.execute(c.Ask(text="skip it please", source="console"))
        assert outcome.ok, outcome.error
        answer = outcome.text
    wait_until(lambda: _on_air(station) != playing.track_id, timeout=10, what="the skip")
    assert _on_air(station) == queued.track_id
    assert queued.title in answer, answer
    assert not [title for title in others if title in answer], answer


def _on_air(station: QFZZStation) -> str | None:
    track = station.snapshot().track
    return None if track is None else track.track_id


class _WatchedLock:
    """A lock that tells when someone had to wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waited = threading.Event()

    def __enter__(self) -> _WatchedLock:
        if not self._lock.acquire(blocking=False):
            self.waited.set()
            self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def test_a_late_refresh_from_a_track_start_never_empties_a_queue_filled_since(
    station: QFZZStation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A track's start reads the player's queue (empty) and, held up under load, writes it only
    after an Enqueue's own refresh: "up next" must still show the queued track, not the stale
    empty queue (which made the DJ name its own pick for a skip that plays the queued one)."""
    library = station.library
    assert library is not None
    queued = next(t for t in library.tracks() if "rock" in t.genres)
    lock = _WatchedLock()
    monkeypatch.setattr(station, "_queue_lock", lock, raising=False)
    read = Player.__dict__["queue"].fget
    held, refreshed = threading.Event(), threading.Event()
    held_up_for: list[str] = []

    def slow_read(player: Player) -> list[Track]:
        tracks = read(player)
        if threading.current_thread().name != "player-events" or held.is_set():
            return tracks
        held.set()  # the track start's read is done; its write waits until the Enqueue's refresh
        deadline = time.monotonic() + 5.0  # has written, or waits for this one to finish
        while not (lock.waited.wait(0.01) or _up_next(station) == [queued.track_id]):
            if time.monotonic() > deadline:
                held_up_for.append("neither the Enqueue's write nor its wait came")
                break
        return tracks

    refresh = station.refresh_queue

    def refresh_and_tell() -> None:
        refresh()
        if threading.current_thread().name == "player-events":
            refreshed.set()

    monkeypatch.setattr(Player, "queue", property(slow_read))
    monkeypatch.setattr(station, "refresh_queue", refresh_and_tell)
    assert station.execute(c.Play(genre="jazz", source="test")).ok
    assert held.wait(5), "the track's start never read the queue"
    assert station.execute(c.Enqueue(track_id=queued.track_id, source="test")).ok
    assert refreshed.wait(5), "the track's start never wrote the queue"
    assert not held_up_for, held_up_for
    assert _up_next(station) == [queued.track_id]
    assert station.player is not None
    assert [t.track_id for t in station.player.queue] == [queued.track_id]


def _up_next(station: QFZZStation) -> list[str]:
    return [t.track_id for t in station.snapshot().up_next]

"""Music files and an event log for the player tests."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appliance.events import TrackEnded, TrackStarted
from appliance.library.track import Track
from appliance.player import Player
from tests.support.music import make_track
from tests.support.pulse import PulseServer, Recorder

PlayerEvent = TrackStarted | TrackEnded


def track(path: Path, title: str, seconds: float, **fields: object) -> Track:
    return Track(
        track_id=title, path=str(path), title=title, artist="Test", duration=seconds, **fields
    )


@pytest.fixture(scope="session")
def music(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Track]:
    """Real encoded files: short ones for fast queue logic, long steady tones for audio checks."""
    root = tmp_path_factory.mktemp("music")
    made = {
        "one": (make_track(root / "one.ogg", 1.0, freq=440), 1.0),
        "two": (make_track(root / "two.flac", 1.0, freq=550), 1.0),
        "three": (make_track(root / "three.mp3", 1.0, freq=660), 1.0),
        "long": (make_track(root / "long.opus", 20.0, freq=440, level=0.5), 20.0),
        "long2": (make_track(root / "long2.m4a", 20.0, freq=660, level=0.5), 20.0),
        "low": (make_track(root / "low.wav", 2.0, freq=330, level=0.5), 2.0),
        "high": (make_track(root / "high.wav", 2.0, freq=880, level=0.5), 2.0),
    }
    tracks = {name: track(path, name, seconds) for name, (path, seconds) in made.items()}
    bad = root / "bad.mp3"
    bad.write_bytes(b"this is not audio " * 200)
    tracks["bad"] = track(bad, "bad", 1.0)
    tracks["gone"] = track(root / "gone.flac", "gone", 1.0)
    return tracks


class EventLog:
    """Collects the player's events; waits for one with a timeout, so a hang fails the test."""

    def __init__(self) -> None:
        self.events: list[PlayerEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: PlayerEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait(
        self, match: Callable[[PlayerEvent], bool], count: int = 1, timeout: float = 10.0
    ) -> PlayerEvent:
        """The ``count``-th event that satisfies ``match``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [event for event in self.events if match(event)]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"event not seen within {timeout} s; got {self.summary()}")
                self._cond.wait(left)

    def started(self, title: str, count: int = 1, timeout: float = 10.0) -> TrackStarted:
        event = self.wait(
            lambda e: isinstance(e, TrackStarted) and e.track.title == title, count, timeout
        )
        assert isinstance(event, TrackStarted)
        return event

    def ended(self, title: str, count: int = 1, timeout: float = 10.0) -> TrackEnded:
        event = self.wait(
            lambda e: isinstance(e, TrackEnded) and e.track.title == title, count, timeout
        )
        assert isinstance(event, TrackEnded)
        return event

    def summary(self) -> list[str]:
        with self._cond:
            return [
                f"{type(e).__name__}({e.track.title}"
                + (f", {e.reason})" if isinstance(e, TrackEnded) else ")")
                for e in self.events
            ]


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def fast_player(events: EventLog) -> Iterator[Player]:
    """Plays on mpv's null output faster than real time: for queue and event logic."""
    player = Player(audio_output="null", on_event=events, mpv_options={"ao_null_untimed": True})
    yield player
    player.close()


@pytest.fixture
def timed_player(events: EventLog) -> Iterator[Player]:
    """Plays on mpv's null output in real time: for positions, pause and skip."""
    player = Player(audio_output="null", on_event=events, crossfade=0.5)
    yield player
    player.close()


@pytest.fixture(scope="module")
def module_pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """One PulseAudio server for a whole module: a recorder takes up to 2 s to start, so the
    audio tests share one server and one recorder and slice the recording with marks."""
    if not PulseServer.available():
        pytest.fail("pulseaudio is not installed: run `make test`, which installs it")
    server = PulseServer(tmp_path_factory.mktemp("pulse")).start()
    saved = {key: os.environ.get(key) for key in server.env}
    os.environ.update(server.env)
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def recorder(module_pulse: PulseServer) -> Iterator[Recorder]:
    """Everything played to the module's server, recorded since the module's first test."""
    rec = module_pulse.recorder()
    yield rec
    rec.stop()

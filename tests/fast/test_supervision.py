"""The supervisor on fakes: a listener that dies is started again after its pause, and the
recogniser's vocabulary follows the library."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from appliance.station import RESTART_PAUSE, STALLED_AFTER, SUPERVISE_EVERY, QFZZStation
from tests.fakes import FakeParts
from tests.support import music
from tests.support.waiting import wait_until


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_listener_that_died_is_started_again_after_the_pause(
    station: QFZZStation, fakes: FakeParts
) -> None:
    first = station._listener_thread
    assert first is not None
    rate = fakes.clock.rate
    fakes.clock.set_rate(0.0)  # the test moves the time
    try:
        fakes.microphone.fail(OSError("the capture process went away"))
        wait_until(lambda: not first.is_alive(), timeout=5, what="the listener to die")
        fakes.clock.advance(RESTART_PAUSE / 2)
        time.sleep(SUPERVISE_EVERY * 1.5)
        assert station._listener_thread is first  # not before its pause
        fakes.clock.advance(RESTART_PAUSE)
        wait_until(
            lambda: station._listener_thread is not first and station.health()["listener"],
            timeout=5,
            what="the listener to be started again",
        )
    finally:
        fakes.clock.set_rate(rate)
    fakes.say("play some rock")
    wait_until(lambda: fakes.output.said, timeout=10, what="an answer from the new listener")
    assert "rock" in fakes.output.said[-1].lower()


def test_a_listener_stuck_on_its_microphone_counts_as_hung(
    station: QFZZStation, fakes: FakeParts
) -> None:
    assert station.health()["listener"]
    fakes.microphone.hang()
    try:
        reads = fakes.microphone.reads
        wait_until(lambda: fakes.microphone.reads == reads + 1, timeout=2, what="a read")
        fakes.clock.advance(STALLED_AFTER + 1)
        assert station.health()["listener"] is False  # alive, but not moving: no watchdog ping
    finally:
        fakes.microphone.flow()
    wait_until(lambda: station.health()["listener"], timeout=3, what="the listener moving")


def test_the_recogniser_learns_new_names_from_the_library(
    station: QFZZStation, fakes: FakeParts, tmp_path: Path
) -> None:
    recognizer = fakes.recognizer
    known = len(recognizer.vocabularies)
    folder = tmp_path / "new"
    music.make_track(
        folder / "zebra.flac", 1.0, title="Night Train", artist="Zebra Quartet", genre="Jazz"
    )
    library = station.library
    assert library is not None
    library.scan([folder], progress=False)

    def learned() -> bool:
        vocabularies = recognizer.vocabularies[known:]
        return any(
            "zebra" in " ".join(v.phrases + v.words).lower()
            or (v.grammar is not None and "zebra" in v.grammar.words())
            for v in vocabularies
        )

    wait_until(learned, timeout=10, what="the new artist in the recogniser's vocabulary")

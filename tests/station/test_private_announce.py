"""A private announcement (a pairing code) is spoken but never recorded: no DJSaid event, not
among the DJ's lines Home Assistant and the web page show, not in the log."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from appliance import control as c
from appliance.bus import DJSaid
from appliance.station import QFZZStation


def test_a_private_announcement_is_said_and_never_recorded(
    station: QFZZStation, caplog: pytest.LogCaptureFixture
) -> None:
    dialogue = station.dialogue
    assert dialogue is not None
    spoken: list[str] = []

    def say(text: str, _cancel: threading.Event, _on_start: Any) -> bool:
        spoken.append(text)
        return True

    dialogue._say = say  # the speech output: what reaches the speaker
    caplog.set_level(logging.DEBUG)
    with station.events.subscribe() as sub:
        outcome = station.execute(
            c.Announce(text="The pairing code is 4 1 7, 2 9 3.", source="web", private=True)
        )
        assert outcome.ok and "417" not in (outcome.text or "").replace(" ", "")
        station.execute(c.Announce(text="dinner is ready", source="web"))
        assert dialogue.drain(10)
        seen = []
        while (event := sub.get(timeout=0)) is not None:
            seen.append(event)
    assert spoken == ["The pairing code is 4 1 7, 2 9 3.", "dinner is ready"]
    assert [e.said.text for e in seen if isinstance(e, DJSaid)] == ["dinner is ready"]
    assert all("4 1 7" not in line.text for line in station.snapshot().dj_lines)
    assert "dinner is ready" in [line.text for line in station.snapshot().dj_lines]
    assert "4 1 7" not in caplog.text

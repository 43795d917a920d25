"""The log: journald's priority prefixes under systemd, timestamps and levels in a terminal."""

from __future__ import annotations

import logging

import pytest

from appliance.logs import setup_logging


@pytest.fixture(autouse=True)
def restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_under_systemd_each_line_carries_its_priority(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    setup_logging("info")
    logging.getLogger("appliance.test").warning("the microphone is gone")
    logging.getLogger("appliance.test").info("on air\nsecond line")
    logging.getLogger("appliance.test").debug("not shown at info")
    assert capsys.readouterr().err.splitlines() == [
        "<4>appliance.test: the microphone is gone",
        "<6>appliance.test: on air",
        "<6>second line",
    ]


def test_in_a_terminal_lines_carry_time_and_level(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("warning")
    logging.getLogger("appliance.test").error("mpv stopped")
    logging.getLogger("appliance.test").info("hidden")
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("ERROR   appliance.test: mpv stopped")

"""`appliance intent`: one utterance in, one line of JSON out; or a line-by-line conversation."""

from __future__ import annotations

import io
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from appliance.cli import main

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def test_text_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["intent", "play", "sum", "jazz"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {"intent": "play", "slots": {"genre": "jazz"}}


def test_quoted_text_and_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["intent", "set the volume to seventy five"]) == 0
    assert json.loads(capsys.readouterr().out) == {"intent": "set_volume", "slots": {"level": 75}}


def test_lines_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("skip this son\n\nwhat's the weather like\nhello\n")
    )
    assert main(["intent"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert answers == [
        {"intent": "skip", "slots": {}},
        {"intent": "unknown", "slots": {}},
        {"intent": "unknown", "slots": {}},
        {"intent": "greet", "slots": {}},
    ]


def test_help_lists_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    assert "intent" in capsys.readouterr().out


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "appliance", "intent", *args]


def test_as_a_subprocess() -> None:
    done = subprocess.run(
        command("play something by miles davis"),
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"intent": "play", "slots": {"query": "miles davis"}}


def test_answers_each_line_as_it_comes() -> None:
    """A program can write one utterance, wait for its answer, then write the next."""
    process = subprocess.Popen(
        command(),
        cwd=ROOT,
        env=os.environ.copy(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    answers: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [answers.put(line) for line in iter(process.stdout.readline, "")],
        daemon=True,
    )
    reader.start()
    try:
        for text, expected in [
            ("turn it up", {"intent": "volume_up", "slots": {}}),
            ("i'm into deep house", {"intent": "add_preference", "slots": {"genre": "deep house"}}),
        ]:
            process.stdin.write(text + "\n")
            process.stdin.flush()
            assert json.loads(answers.get(timeout=TIMEOUT)) == expected
        process.stdin.close()
        assert process.wait(timeout=TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)


def test_the_librarys_names_are_understood(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from appliance.library import Library
    from appliance.paths import library_db_path
    from tests.support.music import make_track

    make_track(tmp_path / "a.flac", seconds=1, artist="Nina Simone", title="Feeling Good")
    with Library(library_db_path()) as library:
        library.scan([tmp_path], progress=False)
    assert main(["intent", "play something by nina simon"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "intent": "play",
        "slots": {"artist": "nina simone"},
    }


def test_several_requests_and_values_in_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO("I hate this, next.\nplay some rock and some jazz\nSet the volume to 30.\n"),
    )
    assert main(["intent"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert answers == [
        {"intent": "dislike", "slots": {}, "also": [{"intent": "skip", "slots": {}}]},
        {"intent": "play", "slots": {"genre": ["rock", "jazz"]}},
        {"intent": "set_volume", "slots": {"level": 30}},
    ]

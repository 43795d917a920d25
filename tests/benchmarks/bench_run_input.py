"""`appliance run --input` with a voice it was not tuned on: espeak-ng's robotic voice is not
always heard right, so this only shows the file is answered (whatever was heard) and the daemon
exits; the Piper voice's exact answer is checked in make test (tests/test_run_command.py)."""

from __future__ import annotations

from pathlib import Path

from tests.test_run_command import config, request_wav, run_input  # noqa: F401 - the fixture


def test_run_input_answers_an_espeak_voice_then_exits(config: Path, tmp_path: Path) -> None:  # noqa: F811
    wav = request_wav(tmp_path / "request.wav", "play some jazz", "espeak")
    lines, reply = run_input(config, wav)
    print(f"\nespeak-ng 'play some jazz' -> {lines[reply]}")

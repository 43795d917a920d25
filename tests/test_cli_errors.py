"""Bad invocations of the command line: a clear message and an exit code (2: the command line or
the config file is wrong; 1: something at run time), never a traceback.

The table runs in-process through :func:`appliance.cli.main` (an exception escaping it is the
traceback a person would see); a few rows run as real processes for what only a process shows:
output to a full disk, a FIFO that must not hang, and an argument that is not UTF-8."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from appliance import daemon
from appliance.cli import main
from tests.support.appliance import run_appliance


@pytest.fixture
def things(tmp_path: Path) -> dict[str, str]:
    """Files of every wrong kind for the table below to name."""
    binary = tmp_path / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.toml"
    huge.write_text("# x\n" * 400_000)
    numbers = tmp_path / "numbers.toml"
    numbers.write_text(
        "[audio]\nvolume = -1\nduck_db = nan\n[voice]\nmax_utterance_s = inf\n"
        "trailing_silence_ms = 99999999999999999999999\n[dj]\ncommentary = -0.0001\n"
    )
    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(0, dtype="<i2"), 16000)
    return {
        "dir": str(tmp_path),
        "missing": str(tmp_path / "missing"),
        "binary": str(binary),
        "fifo": str(fifo),
        "huge": str(huge),
        "numbers": str(numbers),
        "silent": str(silent),
    }


@pytest.fixture
def no_daemon(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that misses lets `run` start the station: here that fails the test instead."""

    def started(*args: object, **kwargs: object) -> int:
        raise AssertionError("run started the daemon instead of refusing its arguments")

    monkeypatch.setattr(daemon, "run", started)


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """A FIFO that is opened and read waits forever: SIGALRM fails the test instead."""

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("the command hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


BAD = [
    # (argv, exit code, what stderr says)
    (["run", "--text", "--user", ""], 2, "--user: '' is not a listener id"),
    (["run", "--text", "--user", "   "], 2, "--user: '   ' is not a listener id"),
    (["run", "--input", ""], 2, "--input: an empty file name"),
    (["run", "--text", "--config", " "], 2, "' ': an empty file name"),
    (["run", "--input", "{dir}"], 2, "is a folder, not a sound file"),
    (["run", "--input", "{missing}"], 2, "no such sound file"),
    (["run", "--input", "{fifo}"], 2, "is not a regular file"),
    (["run", "--input", "{binary}"], 2, "not a sound file this can read"),
    (["run", "--input", "{silent}"], 2, "holds no sound"),
    (["run", "--text", "--config", ""], 2, "an empty file name"),
    (["run", "--text", "--config", "{dir}"], 2, "is a folder, not a regular file"),
    (["run", "--text", "--config", "{binary}"], 2, "is not UTF-8: the file must be UTF-8 text"),
    (["run", "--text", "--config", "/dev/zero"], 2, "is a device, not a regular file"),
    (["run", "--text", "--config", "{numbers}"], 2, "5 problems"),
    (["run", "--volume", "11"], 2, "unrecognized arguments"),
    (["config", "check", ""], 2, "an empty file name"),
    (["config", "check", "{fifo}"], 2, "is a FIFO (named pipe), not a regular file"),
    (["config", "check", "{huge}"], 2, "is larger than 1 MB"),
    (["config", "check", "{numbers}"], 2, ":3: audio.duck_db: nan is out of range"),
    (["config", "show", "--config", "{binary}"], 2, "byte 0x80 at column 118"),
    (["config", "frobnicate"], 2, "invalid choice"),
    (["doctor", "--no-audio", "--config", "{fifo}"], 1, "is a FIFO"),
    (["intent", "--config", "{dir}", "play", "jazz"], 2, "is a folder"),
    (["hardware", "plan", "--profile", ""], 2, "--profile: no board profile called ''"),
    (["hardware", "plan", "--profile", "{binary}"], 2, "no board profile called"),
    (["hardware", "plan", "--config", "{huge}"], 2, "is larger than 1 MB"),
    (["hardware", "bogus"], 2, "invalid choice"),
    (["install-service", "--print", "--user", ""], 2, "--user: '' cannot be a system user's"),
    (["install-service", "--print", "--user=-rf"], 2, "cannot be a system user's name"),
    (["install-service", "--print", "--config", ""], 2, "--config: an empty path"),
    (["install-service", "--print", "--data-dir", " "], 2, "--data-dir: an empty path"),
]


@pytest.mark.usefixtures("no_daemon", "hang_guard")
@pytest.mark.parametrize(("argv", "code", "says"), BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_bad_invocations_get_a_message_not_a_traceback(
    things: dict[str, str],
    argv: list[str],
    code: int,
    says: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [arg.format(**things) for arg in argv]
    try:
        got = main(argv)
    except SystemExit as exit_:  # argparse's own refusals
        got = exit_.code
    out, err = capsys.readouterr()
    assert got == code, out + err
    assert says in err + out


def test_appliance_config_naming_a_missing_file_stops_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(daemon, "run", lambda *a, **k: pytest.fail("the daemon started"))
    monkeypatch.setenv("APPLIANCE_CONFIG", str(tmp_path / "typo.toml"))
    for argv in (["config", "check"], ["config", "show"], ["run", "--text"], ["intent", "x"]):
        assert main(argv) == 2, argv
        assert "no such file (named by $APPLIANCE_CONFIG)" in capsys.readouterr().err, argv


def test_intent_reads_any_bytes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = b"play \xe9 jazz\n\xff\xfe\x00\x01\nskip\n"  # strict decoding, as a UTF-8 locale has
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(typed), encoding="utf-8"))
    assert main(["intent"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and '"intent": "skip"' in lines[2], lines
    assert "\ufffd" in lines[0] or '"intent": "play' in lines[0], lines


def test_an_argument_that_is_not_utf8_is_read(tmp_path: Path) -> None:
    done = run_appliance("intent", b"play \xe9 jazz".decode(errors="surrogateescape"), text=False)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    said = done.stdout.decode("utf-8")  # the output is UTF-8 whatever came in
    assert "\ufffd" in said or '"genre": "jazz"' in said, said


def test_a_fifo_never_hangs_a_real_process(things: dict[str, str]) -> None:
    done = run_appliance("config", "check", things["fifo"], timeout=30)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "is a FIFO (named pipe), not a regular file" in done.stderr


def test_a_full_output_is_a_message() -> None:
    with open("/dev/full", "w") as full:  # `appliance ... > file` on a disk that is full
        done = run_appliance("config", "example", stdout=full, stderr=subprocess.PIPE)
    assert done.stderr.splitlines() == [
        "appliance: error: cannot write the output: No space left on device",
        "  hint: free space on the disk it goes to (`df -h` shows which is full)",
    ]
    assert done.returncode == 1

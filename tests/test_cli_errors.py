"""Bad invocations of the command line, run as a person would: a clear message and an exit code
(2: the command line or the config file is wrong; 1: something at run time), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile


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
    (["doctor", "--no-audio", "--config", "{fifo}"], 1, ""),
    (["intent", "--config", "{dir}", "play", "jazz"], 2, "is a folder"),
    (["hardware", "plan", "--profile", ""], 1, "no board profile called ''"),
    (["hardware", "plan", "--profile", "{binary}"], 1, "no board profile called"),
    (["hardware", "plan", "--config", "{huge}"], 2, "is larger than 1 MB"),
    (["hardware", "bogus"], 2, "invalid choice"),
    (["install-service", "--print", "--user", ""], 2, "--user: '' cannot be a system user's"),
    (["install-service", "--print", "--user=-rf"], 2, "cannot be a system user's name"),
    (["install-service", "--print", "--config", ""], 2, "--config: an empty path"),
    (["install-service", "--print", "--data-dir", " "], 2, "--data-dir: an empty path"),
]


@pytest.mark.parametrize(("argv", "code", "says"), BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_bad_invocations_get_a_message_not_a_traceback(
    things: dict[str, str], argv: list[str], code: int, says: str
) -> None:
    argv = [arg.format(**things) for arg in argv]
    done = subprocess.run(
        [sys.executable, "-m", "appliance", *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, done.stdout + done.stderr
    assert says in done.stderr + done.stdout


def test_appliance_config_naming_a_missing_file_stops_every_command(tmp_path: Path) -> None:
    env = {**os.environ, "APPLIANCE_CONFIG": str(tmp_path / "typo.toml")}
    for argv in (["config", "check"], ["config", "show"], ["run", "--text"], ["intent", "x"]):
        done = subprocess.run(
            [sys.executable, "-m", "appliance", *argv],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert "Traceback" not in done.stderr and done.returncode == 2, done.stderr
        assert "no such file (named by $APPLIANCE_CONFIG)" in done.stderr


def test_intent_reads_any_bytes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "appliance", "intent"],
        input=b"play \xe9 jazz\n\xff\xfe\x00\x01\nskip\n",
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},  # strict decoding, as a UTF-8 locale has
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 3 and '"intent": "skip"' in lines[2]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "appliance",
            "intent",
            b"play \xe9".decode(errors="surrogateescape"),
        ],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize(
    "argv",
    [["config", "example"], ["config", "show"], ["hardware", "list"], ["intent", "play", "jazz"]],
    ids=" ".join,
)
def test_a_full_output_is_a_message(argv: list[str]) -> None:
    with open("/dev/full", "w") as full:  # `appliance ... > file` on a disk that is full
        done = subprocess.run(
            [sys.executable, "-m", "appliance", *argv],
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.stderr == "appliance: error: No space left on device\n"
    assert done.returncode == 1

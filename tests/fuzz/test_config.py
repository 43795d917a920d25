"""The settings file and the command line under fuzzing and faults.

Whatever the text (random TOML-ish lines, random bytes, valid TOML with random keys, values and
types, deep nesting, huge strings), the loader gives a Config or problems that each name a line,
never a traceback; random argv for the configuration and process commands gets a message, never
a traceback; a save killed at any moment leaves the old file or the new one, and a full or
read-only disk leaves the old one.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.cli import main
from appliance.config import (
    SECTIONS,
    Config,
    ConfigError,
    InvalidConfig,
    decode_config,
    load_config,
    parse_config,
    save_config,
)
from tests.fuzz.conftest import fuzz_rounds

pytestmark = pytest.mark.fuzz

KNOWN_KEYS = sorted(
    {name for cls in SECTIONS.values() for name in cls.__dataclass_fields__} | {"id", "name"}
)
SECTION_NAMES = [*SECTIONS, "users", "dj ", "Station", "x"]


def outcome(text: str) -> Config | None:
    """Parse ``text``; problems must each carry a line. Anything but InvalidConfig escapes."""
    try:
        config = parse_config(text)
    except InvalidConfig as error:
        assert error.problems
        for problem in error.problems:
            assert problem.line is not None and problem.line >= 1, problem
            assert str(problem).startswith(f"<config>:{problem.line}: ")
        return None
    assert isinstance(config, Config)
    return config


def check_valid(config: Config) -> None:
    """What the loader promises of a Config it hands out."""
    assert 0 <= config.audio.volume <= 100
    assert 0.0 <= config.dj.commentary <= 1.0 and not math.isnan(config.dj.commentary)
    assert all(folder.is_absolute() for folder in config.library.music_folders)
    assert all("\0" not in str(folder) for folder in config.library.music_folders)
    assert config.station.data_dir is None or config.station.data_dir.is_absolute()
    for warning in config.warnings:
        assert warning.line is not None


# --- text ----------------------------------------------------------------------------------------

LINE = st.one_of(
    st.sampled_from(
        [
            "[station]",
            "[dj]",
            "[[users]]",
            "[library]",
            "[audio]",
            'name = "x"',
            "volume = 50",
            "volume = nan",
            "commentary = inf",
            'music_folders = ["/srv", "rel"]',
            "music_folders = [",
            "]",
            '"""',
            "'''",
            "a.b.c = 1",
            'dj.name = "y"',
            "x = {a = {b = [1, [2, {c = 3}]]}}",
            'data_dir = "/a\\u0000b"',
            "# comment",
            "",
            "=",
            "[",
            "[[",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet="[]{}=\"'.,=#\\ \tabcdu0123456789\n", max_size=40),
)


@given(st.lists(LINE, max_size=30))
def test_tomlish_text_is_a_config_or_problems_with_lines(lines: list[str]) -> None:
    config = outcome("\n".join(lines))
    if config is not None:
        check_valid(config)


@given(st.binary(max_size=400))
def test_random_bytes_are_a_config_or_problems_with_lines(data: bytes) -> None:
    try:
        text = decode_config(data, "<config>")
    except InvalidConfig as error:
        assert error.problems[0].line is not None and "UTF-8" in error.problems[0].problem
        return
    config = outcome(text)
    if config is not None:
        check_valid(config)


# --- valid TOML with random keys, values and types ------------------------------------------------


def toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else "inf" if value == math.inf else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
        )
    return value.isoformat()  # a date


KEYS = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=12))
SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: f != -math.inf),
    st.text(max_size=30),
    st.sampled_from(["/srv/music", "~/Music", "music", "", "  ", "22:00-07:00", "alex", "auto"]),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=8,
)
DOCUMENT = st.dictionaries(
    st.sampled_from(SECTION_NAMES), st.dictionaries(KEYS, VALUES, max_size=6), max_size=6
)


def toml_document(document: dict[str, dict[str, Any]], users: list[dict[str, Any]]) -> str:
    lines = []
    for section, values in document.items():
        lines.append(f"[{toml_string(section)}]")
        lines += [f"{toml_string(key)} = {toml_value(value)}" for key, value in values.items()]
    for user in users:
        lines.append("[[users]]")
        lines += [f"{toml_string(key)} = {toml_value(value)}" for key, value in user.items()]
    return "\n".join(lines) + "\n"


@given(DOCUMENT, st.lists(st.dictionaries(KEYS, VALUES, max_size=3), max_size=3))
def test_valid_toml_with_random_keys_and_values(
    document: dict[str, dict[str, Any]], users: list[dict[str, Any]]
) -> None:
    if "users" in document:
        users = []  # [users] and [[users]] together is not valid TOML, and not the point here
    config = outcome(toml_document(document, users))
    if config is not None:
        check_valid(config)


@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["[", "{a = "]))
def test_deep_nesting_is_a_problem_with_a_line(depth: int, opener: str) -> None:
    closer = {"[": "]", "{a = ": "}"}[opener]
    text = f'[dj]\nname = "x"\ncommentary = {opener * depth}1{closer * depth}\n'
    config = outcome(text)
    assert config is None  # never a number: either too deep or the wrong type, on line 3
    with pytest.raises(InvalidConfig) as caught:
        parse_config(text)
    assert caught.value.problems[0].line == 3


@given(st.integers(min_value=1, max_value=900_000), st.sampled_from(["name", "wake_phrase"]))
def test_huge_strings_pass_or_fail_with_a_line(size: int, key: str) -> None:
    section = "dj" if key == "name" else "voice"
    config = outcome(f'[{section}]\n{key} = "{"x" * size}"\n')
    assert config is not None


# --- the command line -----------------------------------------------------------------------------

ARG = st.one_of(
    st.sampled_from(
        [
            "--config",
            "--user",
            "--input",
            "--profile",
            "--json",
            "--text",
            "--silent",
            "--print",
            "--no-audio",
            "--data-dir",
            "--unit-dir",
            "-v",
            "check",
            "show",
            "example",
            "plan",
            "list",
            "detect",
            "",
            " ",
            "-",
            "--",
            "nan",
            "-1",
            "0",
            "1e999",
            "/dev/zero",
            "/",
            "rpi-4-4gb",
        ]
    ),
    st.text(max_size=12),
)
SAFE = {  # what random argv may run in-process: nothing that starts the daemon or installs
    "config": [],
    "intent": [],
    "hardware": [],
    "install-service": ["--print"],
    "doctor": ["--no-audio"],
    "run": ["--config", "/dev/zero"],  # checks --user and --input first, then stops at the config
}


@given(command=st.sampled_from(sorted(SAFE)), args=st.lists(ARG, max_size=6))
def test_random_argv_gets_a_message_not_a_traceback(
    command: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, *args, *SAFE[command]]
    if command == "intent" and not [a for a in args if not a.startswith("-")]:
        argv.append("play jazz")  # no TEXT would read the test's stdin
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2)
        code = stop.code
    _out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code in (0, 1, 2), (argv, code, err)
    if command == "run":
        assert code == 2, (argv, err)  # never started


# --- faults while saving -----------------------------------------------------------------------

SAVER = textwrap.dedent(
    """
    import sys
    from appliance.config import save_config
    path, first, second = sys.argv[1:]
    texts = [open(first).read(), open(second).read()]
    print("saving", flush=True)
    n = 0
    while True:
        save_config(path, texts[n % 2])
        n += 1
    """
)


def two_configs(folder: Path) -> tuple[str, str]:
    """Two valid files, big enough that a write takes a while (comment padding)."""
    pad = "".join(f"# line {i} of padding, so that a write is not one block\n" for i in range(3000))
    first = '[dj]\nname = "First"\n' + pad
    second = '[dj]\nname = "Second"\ncommentary = 0.5\n' + pad + pad
    (folder / "first.toml").write_text(first)
    (folder / "second.toml").write_text(second)
    return first, second


def test_a_save_killed_at_any_moment_leaves_a_whole_file(tmp_path: Path) -> None:
    first, second = two_configs(tmp_path)
    target = tmp_path / "live" / "config.toml"
    target.parent.mkdir()
    target.write_text(first)
    for round_ in range(fuzz_rounds(12, 300)):
        saver = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SAVER,
                str(target),
                *(str(tmp_path / n) for n in ("first.toml", "second.toml")),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert saver.stdout is not None and saver.stdout.readline() == "saving\n"
        time.sleep(0.01 + (round_ * 0.037) % 0.25)
        saver.send_signal(signal.SIGKILL)
        saver.wait(timeout=10)
        assert target.read_text() in (first, second)
        assert load_config(target).dj.name in ("First", "Second")
    leftovers = [p for p in target.parent.iterdir() if p.name != "config.toml"]
    assert all(p.name.startswith(".config.toml.") for p in leftovers)  # never the real name
    fresh = target.parent / ".config.toml.running.tmp"  # a save still under way elsewhere
    fresh.write_text("")
    leftovers.append(target.parent / ".config.toml.killed.tmp")  # one for sure
    leftovers[-1].write_text(second[:1000])
    for leftover in leftovers:  # killed saves, long ago
        os.utime(leftover, (time.time() - 3600, time.time() - 3600))
    save_config(target, first)
    assert sorted(p.name for p in target.parent.iterdir()) == [fresh.name, "config.toml"]


def test_a_full_or_read_only_disk_keeps_the_old_file(small_disk: Path) -> None:
    from tests.support.disks import fill, make_read_only

    target = small_disk / "config.toml"
    target.write_text('[dj]\nname = "Old"\n')
    fill(small_disk)
    with pytest.raises(ConfigError) as caught:
        save_config(target, '[dj]\nname = "New"\n' + "# padding\n" * 20_000)
    assert "cannot save it: No space left on device; the old file is unchanged" in str(caught.value)
    assert target.read_text() == '[dj]\nname = "Old"\n'
    assert sorted(p.name for p in small_disk.iterdir()) == [".filler", "config.toml"]
    (small_disk / ".filler").unlink()
    make_read_only(small_disk)
    with pytest.raises(ConfigError) as caught:
        save_config(target, '[dj]\nname = "New"\n')
    assert "Read-only file system; the old file is unchanged" in str(caught.value)
    assert target.read_text() == '[dj]\nname = "Old"\n'
    assert os.listdir(small_disk) == ["config.toml"]

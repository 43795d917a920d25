"""The shared TOML checker under fuzzing: board profiles and model catalogs of any text give a
profile, a catalog or problems that each name the file and a line inside it, never a traceback;
and the line of every key of a generated document is where the document put it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.boards import parse_profile
from appliance.errors import HardwareError, ModelError
from appliance.models.catalog import parse_catalog
from appliance.toml_check import key_lines

pytestmark = pytest.mark.fuzz

PROFILE_LINES = [
    'name = "board"',
    'title = "A board"',
    'device_type = "embedded"',
    "ram_mb = 512",
    'ram_mb = "lots"',
    "reserved_mb = 100",
    "reserved_mb = 600",
    "storage_gb = 8",
    "ram_from_system = true",
    "[cpu]",
    "cpu = 3",
    'arch = "aarch64"',
    "cores = 4",
    "cores = 4.5",
    'class = "a53"',
    "mhz = 1000",
    "speed_factor = 0.2",
    "core = 2",
    "[audio]",
    'inputs = ["usb"]',
    "inputs = [1, 2]",
    "[gpio]",
    "push_to_talk = 17",
    "[detect]",
    'model = ["Board"]',
    "ram_min_mb = 400",
    "[colour]",
    "x = {a = 1}",
    "a.b.c = 1",
    "[",
    "=",
    '"""',
    "",
]

CATALOG_LINES = [
    '[model."x"]',
    '[model."y z"]',
    '[model."../up"]',
    'kind = "stt"',
    'kind = "sst"',
    'engine = "vosk"',
    'engine = "nope"',
    "tier = 1",
    "tier = 1.5",
    "ram_mb = 10",
    "rtf = 0.1",
    "rtff = 0.1",
    'entry = "../x"',
    '[[model."x".files]]',
    'url = "https://example.invalid/m.zip"',
    'url = "https://example.invalid/"',
    'url = "ftp://example.invalid/m.zip"',
    'unpack = "rar"',
    'strip = "/abs"',
    "bytes = -1",
    "[reference]",
    'daemon_baseline_mb = "lots"',
    "daemon_baseline_mb = 200",
    "model = 3",
    "[",
    "",
]

LINE_OF_PROBLEM = re.compile(r"^  (?P<file>.+?):(?P<line>\d+): ")


def assert_problems_have_lines(message: str, path: Path, text: str) -> None:
    """Every problem names the file, and a line of the text when it names one."""
    problems = message.split("\n")[1:] if "\n" in message else [message.split(": ", 1)[1]]
    count = len(text.split("\n"))
    for problem in (p for p in problems if p.strip() and not p.startswith("  hint:")):
        problem = problem if problem.startswith("  ") else f"  {problem}"
        assert problem.startswith(f"  {path}"), (problem, message)
        if match := LINE_OF_PROBLEM.match(problem):
            assert 1 <= int(match["line"]) <= count, (problem, text)


@given(st.lists(st.sampled_from(PROFILE_LINES) | st.text(max_size=20), max_size=25))
def test_any_profile_text_is_a_profile_or_problems_with_lines(lines: list[str]) -> None:
    path = Path("/boards/board.toml")
    text = "\n".join(lines)
    try:
        profile = parse_profile(text, path)
    except HardwareError as error:
        assert "Traceback" not in str(error)
        assert_problems_have_lines(str(error), path, text)
        return
    assert profile.name == "board" and profile.reserved_mb < profile.ram_mb


@given(st.lists(st.sampled_from(CATALOG_LINES) | st.text(max_size=20), max_size=25))
def test_any_catalog_text_is_a_catalog_or_problems_with_lines(lines: list[str]) -> None:
    path = Path("/models/catalog.toml")
    text = "\n".join(lines)
    try:
        catalog = parse_catalog(text, path)
    except ModelError as error:
        assert_problems_have_lines(str(error), path, text)
        return
    assert all(model.kind in ("stt", "tts", "wake", "vad") for model in catalog)


NAMES = st.sampled_from(["a", "b", "c-d", "e_f", "7", '"g h"', "'i.j'"])
SCALARS = st.sampled_from(["1", "2.5", '"x"', "'y'", "true", "[1, 2]", '["a", "b"]', "{ k = 1 }"])


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[tuple[str | int, ...], int]]:
    """A TOML document of tables, arrays of tables and keys, and the line each key is on."""
    lines: list[str] = []
    expected: dict[tuple[str | int, ...], int] = {}
    counts: dict[str, int] = {}
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["t", "u", "v w"]))
        quoted = f'"{name}"' if " " in name else name
        if draw(st.booleans()):
            lines.append(f"[[arr.{quoted}]]")
            index = counts.get(name, 0)
            counts[name] = index + 1
            table: tuple[str | int, ...] = ("arr", name, index)
        else:
            if any(key[:1] == (name,) for key in expected):
                continue  # a table is defined once
            lines.append(f"[{quoted}]")
            table = (name,)
        expected.setdefault(table, len(lines))
        used: set[str] = set()
        for _ in range(draw(st.integers(0, 4))):
            raw = draw(NAMES)
            key = raw.strip("\"'")
            if key in used:
                continue
            used.add(key)
            lines.append(f"{raw} = {draw(SCALARS)}")
            expected[(*table, key)] = len(lines)
            if draw(st.booleans()):
                lines.append("# a comment")
    return "\n".join(lines) + "\n", expected


@given(documents())
def test_every_key_is_found_on_its_line(
    document: tuple[str, dict[tuple[str | int, ...], int]],
) -> None:
    text, expected = document
    tomllib.loads(text)  # the generator writes valid TOML
    found = key_lines(text)
    for key, line in expected.items():
        assert found.get(key) == line, (key, text)

"""The house in order: the TOML files checked alike, and the shape of the import graph."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from appliance import audio_format
from appliance.config import InvalidConfig, parse_config
from appliance.errors import HardwareError, ModelError
from appliance.hardware import parse_profile
from appliance.models.catalog import parse_catalog

PROFILE = """name = "myboard"
title = "My board"
device_type = "embedded"
ram_mb = 512
reserved_mb = 100
storage_gb = 8
[cpu]
arch = "aarch64"
core = 4
class = "cortex-a53"
mhz = 1000
speed_factor = 0.2
"""

CATALOG = """[model."x"]
kind = "stt"
engine = "vosk"
tier = 1
ram_mb = 10
rtf = 0.1
ramm_mb = 3
"""

CONFIG = """[audio]
volume = 50
[voice]
wake_wrd = "alexa"
"""


def problem_of(kind: str, tmp_path: Path) -> str:
    """The message each checker gives for its file with one misspelt key."""
    if kind == "profile":
        path = tmp_path / "myboard.toml"
        with pytest.raises(HardwareError) as caught:
            parse_profile(PROFILE, path)
    elif kind == "catalog":
        path = tmp_path / "catalog.toml"
        with pytest.raises(ModelError) as caught:
            parse_catalog(CATALOG, path)
    else:
        path = tmp_path / "config.toml"
        with pytest.raises(InvalidConfig) as caught:
            parse_config(CONFIG, path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("profile", ":9: cpu.core: unknown field; did you mean 'cores'? (valid: arch, cores,"),
        ("catalog", ":7: x.ramm_mb: unknown field; did you mean 'ram_mb'? (valid: kind, engine,"),
        ("config", ":4: voice.wake_wrd: unknown setting; did you mean 'wake_word'? (valid: "),
    ],
)
def test_a_misspelt_key_is_said_alike_in_every_toml_file(
    kind: str, expected: str, tmp_path: Path
) -> None:
    message = problem_of(kind, tmp_path)
    assert expected in message
    assert "Traceback" not in message


def test_a_wrong_type_says_what_was_found_and_what_is_valid(tmp_path: Path) -> None:
    with pytest.raises(HardwareError) as caught:
        parse_profile(PROFILE.replace("ram_mb = 512", 'ram_mb = "lots"'), tmp_path / "myboard.toml")
    assert (
        f"{tmp_path / 'myboard.toml'}:4: ram_mb: wrong type: a string where a number is expected "
        "(valid: a number)"
    ) in str(caught.value)
    with pytest.raises(ModelError) as caught:
        parse_catalog(CATALOG.replace("tier = 1", "tier = 1.5"), tmp_path / "catalog.toml")
    assert ":4: x.tier: wrong type: a number where a whole number is expected" in str(caught.value)


@pytest.mark.parametrize("kind", ["profile", "catalog"])
def test_a_file_that_is_not_toml_names_its_line(kind: str, tmp_path: Path) -> None:
    text = "title = 1\n[cpu\narch = 2\n"
    error = HardwareError if kind == "profile" else ModelError
    with pytest.raises(error) as caught:
        if kind == "profile":
            parse_profile(text, tmp_path / "myboard.toml")
        else:
            parse_catalog(text, tmp_path / "catalog.toml")
    message = str(caught.value)
    assert ":2: not valid TOML: " in message and "(at line" not in message


def test_a_catalog_entry_of_an_unknown_kind_names_the_kinds(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        parse_catalog(CATALOG.replace('"stt"', '"sst"'), tmp_path / "catalog.toml")
    assert ":2: x.kind: 'sst' is no kind (valid: stt, tts, wake, vad)" in str(caught.value)


APPLIANCE = Path(__file__).resolve().parents[1] / "appliance"
HEARS_THE_VOICE = (
    "voice/capture.py",
    "voice/capture_worker.py",
    "voice/wake.py",
    "voice/vad.py",
    "voice/listener.py",
    "voice/stt_vosk.py",
    "voice/stt_pocketsphinx.py",
    "voice/stt_whisper.py",
)

FORMAT_NAMES = {"SAMPLE_RATE", "RATE", "WIDTH", "BYTES_PER_SAMPLE", "FRAME_MS", "FRAME_BYTES"}


@pytest.mark.parametrize("module", HEARS_THE_VOICE)
def test_the_voice_format_is_written_in_one_place(module: str) -> None:
    """16 kHz, 2 bytes and 10 ms frames come from appliance/audio_format.py, not bare numbers."""
    tree = ast.parse((APPLIANCE / module).read_text(encoding="utf-8"))
    bare = [
        f"{module}:{node.lineno}: {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and not isinstance(node.value, bool)
        and node.value in (16000, 32000)
    ]
    own = [
        f"{module}:{node.lineno}: {target.id}"
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id in FORMAT_NAMES
    ]
    assert bare == [] and own == []
    assert audio_format.FRAME_BYTES == audio_format.bytes_for(audio_format.FRAME_MS) == 320

"""The house in order: the TOML files checked alike, and the shape of the import graph."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from appliance import audio_format
from appliance.boards import parse_profile
from appliance.config import InvalidConfig, parse_config
from appliance.errors import HardwareError, ModelError
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
    checks = {
        "profile": (HardwareError, lambda: parse_profile(PROFILE, tmp_path / "myboard.toml")),
        "catalog": (ModelError, lambda: parse_catalog(CATALOG, tmp_path / "catalog.toml")),
        "config": (InvalidConfig, lambda: parse_config(CONFIG, tmp_path / "config.toml")),
    }
    error, check = checks[kind]
    with pytest.raises(error) as caught:
        check()
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
    with pytest.raises(ModelError) as wrong:
        parse_catalog(CATALOG.replace("tier = 1", "tier = 1.5"), tmp_path / "catalog.toml")
    assert ":4: x.tier: wrong type: a number where a whole number is expected" in str(wrong.value)


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
    "voice/stt_wyoming.py",
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


# --- the import graph ---------------------------------------------------------------------------

ROOT = APPLIANCE.parent
MAY_JOIN = ("appliance.station", "appliance.parts", "appliance.faces", "appliance.commands")
"""The station, its parts, its faces and the command line: the only modules that may import the
player, the voice and the DJ together."""
PARTS = ("appliance.player", "appliance.voice", "appliance.dj")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of appliance/, by dotted name."""
    return {module_name(path): path for path in sorted(APPLIANCE.rglob("*.py"))}


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The imports run when a module is imported: not inside functions, nor under
    ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not _type_checking(node.test):
                found += _top_level(node.body)
            found += _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                found += _top_level(block)
            for handler in node.handlers:
                found += _top_level(handler.body)
        elif isinstance(node, ast.With | ast.ClassDef):
            found += _top_level(node.body)
    return found


def _targets(node: ast.Import | ast.ImportFrom, package: str, known: set[str]) -> set[str]:
    """The appliance modules one import statement loads (``package``: the importer's own)."""
    if isinstance(node, ast.Import):
        wanted = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from . import x, from ..y import z
            parts = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parts, base] if base else parts)
        wanted = [f"{base}.{alias.name}" for alias in node.names]
        wanted = [item if item in known else base for item in wanted]
    found = set()
    for item in wanted:
        while item and item not in known:
            item = item.rpartition(".")[0]
        if item.startswith("appliance"):
            found.add(item)
    return found


def _anywhere(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import that can run, inside functions too: all but those under
    ``if TYPE_CHECKING:``."""
    for_types = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _type_checking(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in for_types
    ]


def import_graph(lazy: bool = False) -> dict[str, set[str]]:
    """Which appliance modules each appliance module imports when it is imported (``lazy``: or
    later, from inside a function)."""
    found = modules()
    known = set(found)
    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = set()
        for node in _anywhere(tree) if lazy else _top_level(tree.body):
            graph[name] |= _targets(node, package, known) - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_import_graph_has_no_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 50 and "appliance.models.catalog" in graph["appliance.config"]
    assert cycles(graph) == []


def test_no_cycle_hides_behind_an_import_inside_a_function() -> None:
    """A module that imports its caller inside a function still needs its caller: such a cycle
    is broken by moving the piece both need, not by deferring the import. Lazy imports that only
    keep start-up fast stay, as they close no cycle."""
    graph = import_graph(lazy=True)
    assert "appliance.models.plan" in graph["appliance.commands.hardware"]  # inside a function
    assert cycles(graph) == []


def test_the_graph_sees_a_cycle_and_skips_what_is_not_run_at_import() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree = ast.parse(
        "import os\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from appliance.dj import engine\n"
        "def f():\n    from appliance.player import Player\n"
        "try:\n    from appliance import paths\nexcept ImportError:\n    pass\n"
    )
    names = {alias.name for node in _top_level(tree.body) for alias in node.names}
    assert names == {"os", "TYPE_CHECKING", "paths"}
    lazy = {alias.name for node in _anywhere(tree) for alias in node.names}
    assert lazy == {"os", "TYPE_CHECKING", "Player", "paths"}


def test_only_the_station_and_its_faces_import_the_player_the_voice_and_the_dj_together() -> None:
    together = []
    for name, imports in sorted(import_graph().items()):
        if name.startswith(MAY_JOIN) or name.startswith(PARTS):
            continue
        reached = {part for part in PARTS for target in imports if target.startswith(part)}
        if reached == set(PARTS):
            together.append(name)
    assert together == []

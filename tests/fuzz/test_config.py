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
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.cli import main
from appliance.config import (
    MAX_BYTES,
    SECTIONS,
    Config,
    ConfigError,
    InvalidConfig,
    decode_config,
    folder_warnings,
    load_config,
    parse_config,
    save_config,
)
from tests.fuzz.conftest import fuzz_rounds
from tests.support.appliance import as_nobody

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
    st.sampled_from(["~nosuchuser/music", "~nosuchuser", "~/" + "x" * 300]),
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


@given(st.sampled_from([1, 2**16, MAX_BYTES - 64]), st.sampled_from(["name", "wake_phrase"]))
def test_huge_strings_pass_or_fail_with_a_line(size: int, key: str) -> None:
    section = "dj" if key == "name" else "voice"  # the sizes at the edges that matter
    config = outcome(f'[{section}]\n{key} = "{"x" * size}"\n')
    assert config is not None


# --- one mistake, at a known line --------------------------------------------------------------

FILLER = [  # lines of [audio] that are fine, some spanning several lines
    "# a comment",
    "",
    "   # an indented comment with = and [brackets]",
    "duck_db = -10",
    'output_device = """\npulse\n"""',
    "output_device = '''\nx = 1\n[dj]\n'''",
    'input_device = "mic = [1, 2" # a comment',
]
MISTAKES = [  # (the line, the key it is reported under)
    ("volume = 300", "audio.volume"),
    ("volume = nan", "audio.volume"),
    ('volume = "loud"', "audio.volume"),
    ("volum = 50", "audio.volum"),
    ("volume = [\n  1,\n  2,\n]", "audio.volume"),
]


@given(
    st.lists(st.sampled_from(FILLER), max_size=12),
    st.sampled_from(MISTAKES),
    st.integers(min_value=0, max_value=12),
)
def test_one_mistake_is_reported_at_its_line(
    filler: list[str], mistake: tuple[str, str], at: int
) -> None:
    seen: set[str] = set()
    kept = []
    for line in filler:  # a key twice is not TOML: keep each key's first line only
        key = line.split("=")[0].strip() if "=" in line.split("#")[0] else None
        if key is None or key not in seen:
            kept.append(line)
            seen.add(key or "")
    at = min(at, len(kept))
    before = "\n".join(["[dj]", 'name = "x"', "[audio]", *kept[:at]])
    line = before.count("\n") + 2
    text = "\n".join([before, mistake[0], *kept[at:]]) + "\n"
    with pytest.raises(InvalidConfig) as caught:
        parse_config(text)
    assert [(p.line, p.key) for p in caught.value.problems] == [(line, mistake[1])], text


# --- music folders the file system refuses --------------------------------------------------------


@pytest.fixture(scope="module")
def odd_places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Folders of every kind the file system can answer with an error."""
    top = tmp_path_factory.mktemp("places")
    (top / "music").mkdir()
    (top / "file.mp3").write_bytes(b"x")
    (top / "loop").symlink_to(top / "loop")
    (top / "dangling").symlink_to(top / "gone")
    return {
        "folder": str(top / "music"),
        "missing": str(top / "missing"),
        "file": str(top / "file.mp3"),
        "through a file": str(top / "file.mp3" / "music"),
        "link loop": str(top / "loop" / "music"),
        "dangling link": str(top / "dangling"),
        "long name": str(top / ("x" * 300)),
        "long path": str(top) + "/y" * 2100,  # past PATH_MAX
        "no such user": "~nosuchuser/music",
        "tilde only": "~nosuchuser",
        "device": "/dev/null",
        "proc": "/proc/self/fd/999999",
    }


@given(picks=st.lists(st.sampled_from(range(12)), min_size=1, max_size=5))
def test_any_music_folder_is_a_config_a_warning_or_a_problem(
    odd_places: dict[str, str], picks: list[int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    places = list(odd_places.values())
    folders = [places[pick] for pick in picks]
    path = tmp_path_factory.getbasetemp() / "folders.toml"
    path.write_text(
        '[dj]\nname = "x"\n[library]\nmusic_folders = [\n'
        + "".join(f'  "{folder}",\n' for folder in folders)
        + "]\n"
    )
    try:
        config = load_config(path)
    except InvalidConfig as error:
        assert all(problem.line == 4 for problem in error.problems), error
        assert any(odd_places[k] in folders for k in ("no such user", "tilde only"))
        return
    assert all(warning.line == 4 for warning in config.warnings)
    unusable = [f for f in config.library.music_folders if f != Path(odd_places["folder"])]
    assert len(config.warnings) == len(unusable), config.warnings
    assert config.warnings == folder_warnings(config)


def test_folders_closed_to_the_user_are_warnings(odd_places: dict[str, str]) -> None:
    """As a user who may not enter a folder (root may enter any): every mix of places still
    loads, each unusable folder a warning on its line."""
    top = Path(tempfile.mkdtemp(prefix="qfzz-closed-"))
    try:
        top.chmod(0o755)
        (top / "closed" / "music").mkdir(parents=True)
        (top / "closed").chmod(0o700)
        config = top / "config.toml"
        places = [str(top / "closed" / "music"), str(top / "closed"), *odd_places.values()]
        places = [p for p in places if "nosuchuser" not in p]
        rounds = fuzz_rounds(3, 60)
        mixes = [[places[0], *places[(i * 5) % len(places) :][:3]] for i in range(rounds)]

        def load_every_mix() -> list[int]:
            counts = []
            for folders in mixes:
                text = "[library]\nmusic_folders = [" + ", ".join(f'"{f}"' for f in folders)
                warnings = folder_warnings(parse_config(text + "]\n", config))
                assert all(warning.line == 2 for warning in warnings)
                assert "cannot be read by this user (Permission denied)" in str(warnings[0])
                counts.append(len(warnings))
            return counts

        parse_config("[models]\nstt = 'auto'\n")  # imports done as root: see as_nobody
        said = as_nobody(load_every_mix)
        assert "escaped" not in said and said.startswith("["), said
    finally:
        (top / "closed").chmod(0o755)
        shutil.rmtree(top)


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
    "run": ["--config", "/dev/zero"],  # checks --user and --input first, then stops at the config
}


def run_argv(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    """``main(argv)``'s exit code (argparse's too); an exception escaping is the traceback."""
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2)
        code = stop.code
    _out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code in (0, 1, 2), (argv, code, err)
    return code


@given(command=st.sampled_from(sorted(SAFE)), args=st.lists(ARG, max_size=6))
def test_random_argv_gets_a_message_not_a_traceback(
    command: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, *args, *SAFE[command]]
    if command == "intent" and not [a for a in args if not a.startswith("-")]:
        argv.append("play jazz")  # no TEXT would read the test's stdin
    code = run_argv(argv, capsys)
    if command == "run":
        assert code == 2, argv  # never started


@settings(max_examples=fuzz_rounds(4, 300))  # each runs every check: 0.6 s
@given(args=st.lists(ARG, max_size=6))
def test_random_argv_to_doctor_gets_a_message_not_a_traceback(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    run_argv(["doctor", *args, "--no-audio"], capsys)


# --- faults while saving -----------------------------------------------------------------------


def two_configs(folder: Path) -> tuple[str, str]:
    """Two valid files, big enough that a write takes a while (comment padding)."""
    pad = "".join(f"# line {i} of padding, so that a write is not one block\n" for i in range(3000))
    first = '[dj]\nname = "First"\n' + pad
    second = '[dj]\nname = "Second"\ncommentary = 0.5\n' + pad + pad
    (folder / "first.toml").write_text(first)
    (folder / "second.toml").write_text(second)
    return first, second


STEPS = ("fsync", "chmod", "replace")  # a save's steps that touch the disk, after its write


def save_dying_at(call: int, target: Path, texts: list[str]) -> int:
    """Save ``texts`` in turn, forever, in a forked child that dies (like kill -9: no cleanup)
    at its ``call``-th step (os.fsync, os.chmod or os.replace, counted across saves): the
    file's data written but not synced, synced, given its mode, renamed, the folder synced.
    Returns the child's exit code (9: it died where asked)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            count = 0

            def dying(real: Any) -> Any:
                def step(*args: Any, **kwargs: Any) -> Any:
                    nonlocal count
                    count += 1
                    if count == call:
                        os._exit(9)
                    return real(*args, **kwargs)

                return step

            for name in STEPS:
                setattr(os, name, dying(getattr(os, name)))
            n = 0
            while True:
                save_config(target, texts[n % 2])
                n += 1
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_save_killed_at_any_moment_leaves_a_whole_file(tmp_path: Path) -> None:
    first, second = two_configs(tmp_path)
    target = tmp_path / "live" / "config.toml"
    target.parent.mkdir()
    target.write_text(first)
    save_config(target, first)  # every import done before the forks
    # a save has 4 steps (data synced, mode, rename, folder synced): the short tier dies at
    # each of the first save's; the long one through many saves, both texts
    texts = [second, first]
    for call in range(1, fuzz_rounds(4, 40) + 1):
        assert save_dying_at(call, target, texts) == 9
        save, done = divmod(call - 1, 4)  # which save died, after how many of its steps
        renamed = done == 3  # died syncing the folder: the new file is in place
        assert target.read_text() == texts[save % 2 if renamed else (save - 1) % 2], call
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


@given(st.sampled_from([b"\xff\xfe", b"\xfe\xff"]), st.binary(max_size=40))
def test_utf16_text_is_a_problem_on_line_1(bom: bytes, data: bytes) -> None:
    with pytest.raises(InvalidConfig) as caught:
        decode_config(bom + data, "<config>")
    assert [(p.line, "UTF-16" in p.problem) for p in caught.value.problems] == [(1, True)]

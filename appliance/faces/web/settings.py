"""The settings form: built from the config schema, saved through the same check as the CLI.

``GET /api/settings`` lists every section and setting with its description, kind, valid values,
default and current value (the declarations `appliance config example` reads). ``POST`` takes
``{"values": {"section": {"key": value}}}``, edits the existing file's lines for the settings whose
value (as the loader reads it) differs from the file's, keeping every other line, and saves it
with ``config.save_config``:
the same validation and messages as `appliance config check`, an atomic write, and nothing
written at all when a value is wrong. Settings apply at the next start.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import re
import tomllib
from dataclasses import MISSING
from pathlib import Path
from typing import Any

from aiohttp import web

from appliance import paths
from appliance.config import (
    SECTIONS,
    Config,
    InvalidConfig,
    parse_config,
    read_config_file,
    save_config,
)
from appliance.errors import ConfigError
from appliance.faces.web.api import read_json
from appliance.faces.web.context import context
from appliance.faces.web.security import fail

routes = web.RouteTableDef()
NUMBERS = ("int", "float")
KEY = re.compile(r"[A-Za-z0-9_]{1,64}")  # a section's or a setting's name
FOLDER_KINDS = ("paths", "optional_path")  # settings naming folders the appliance reads or writes
SECRET_KINDS = ("password", "noise_key")  # never sent to the page, only whether they are set
MASK = "\u2022" * 8  # what the form shows for a secret that is set; sent back, it changes nothing
SYSTEM_ROOTS = ("/", "/home", "/media", "/mnt", "/root", "/var", "/var/lib", "/srv", "/opt")
SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/run",
                "/sbin", "/sys", "/usr")  # fmt: skip


def system_folder(text: str) -> bool:
    """True when ``text`` names (links resolved) a whole top folder of the system or a folder
    inside one the system keeps for itself: no place for music or the appliance's data."""
    try:
        real = os.path.realpath(os.path.expanduser(text.strip()))
    except (RuntimeError, ValueError):  # ~nobody: the loader names that problem
        return False
    return real in SYSTEM_ROOTS or any(
        real == tree or real.startswith(tree + os.sep) for tree in SYSTEM_TREES
    )


def folder_problems(values: dict[str, Any]) -> list[dict[str, Any]]:
    """A form's folder settings that name a system folder. The page (reachable by anyone on
    the network with the password) may not point the music or the data there; the settings
    file, which only the device's administrator writes, may."""
    problems = []
    for section, cls in SECTIONS.items():
        kinds = {spec.name: spec.metadata["kind"] for spec in dataclasses.fields(cls)}
        for key, value in values.get(section, {}).items():
            if kinds.get(key) not in FOLDER_KINDS:
                continue
            items = value if isinstance(value, list) else str(value).splitlines()
            for item in (str(item) for item in items if str(item).strip()):
                if system_folder(item):
                    problems.append({
                        "key": f"{section}.{key}", "line": None,
                        "problem": f"{item.strip()!r} is a system folder, not for the appliance",
                        "valid": 'a folder of your own, e.g. "/media/music" or "~/Music"',
                    })  # fmt: skip
    return problems


def shown(value: Any) -> Any:
    """A setting's value as the form edits it: text, a number, true/false, or lines."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple) and value and isinstance(value[0], _dt.time):
        return "-".join(moment.strftime("%H:%M") for moment in value)
    if isinstance(value, tuple | list):
        return "\n".join(str(item) for item in value)
    return str(value)


def masked(kind: str, value: Any) -> Any:
    """A setting's value for the page: a secret that is set (the station password, the Home
    Assistant key) only as :data:`MASK`; anyone who opens the page would otherwise read it."""
    if kind in SECRET_KINDS and value:
        return MASK
    return shown(value)


def unmasked(values: dict[str, Any]) -> dict[str, Any]:
    """A form's values without the secrets it sent back masked: those keep what is stored."""
    kept: dict[str, Any] = {}
    for section, given in values.items():
        cls = SECTIONS.get(section)
        specs = dataclasses.fields(cls) if cls else ()
        kinds = {spec.name: spec.metadata["kind"] for spec in specs}
        kept[section] = {
            key: value
            for key, value in given.items()
            if not (kinds.get(key) in SECRET_KINDS and value == MASK)
        }
    return kept


def schema(config: Config) -> list[dict[str, Any]]:
    defaults = Config()
    sections = []
    for section, cls in SECTIONS.items():
        current = getattr(config, section)
        fields = []
        for spec in dataclasses.fields(cls):
            meta = spec.metadata
            fields.append(
                {
                    "key": spec.name,
                    "doc": meta["doc"],
                    "kind": meta["kind"],
                    "choices": list(meta["choices"]),
                    "low": meta["low"],
                    "high": meta["high"],
                    "example": meta["example"],
                    "default": shown(getattr(getattr(defaults, section), spec.name)),
                    "value": masked(meta["kind"], getattr(current, spec.name)),
                }
            )
        sections.append({"name": section, "doc": cls.__doc__ or "", "fields": fields})
    return sections


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch >= " " or ch == "\t" else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


def toml_value(kind: str, value: Any) -> str | None:
    """The TOML for a form value (None: the setting at its default). A value of the
    wrong type is written as it came, for the loader to report with its line and key."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        value = "\n".join(str(item) for item in value)
    if not isinstance(value, str):
        return _quoted(str(value))
    text = value.strip()
    if text == "":
        return "[]" if kind == "paths" else None  # no folders is a choice; else the default
    if kind == "paths":
        items = [line.strip() for line in text.splitlines() if line.strip()]
        return "[" + ", ".join(_quoted(item) for item in items) + "]"
    if kind == "bool" and text in ("true", "false"):
        return text
    if kind in NUMBERS or (kind == "device" and text.isdigit()):
        try:
            float(text)
            return text
        except ValueError:
            return _quoted(text)
    return _quoted(text)


HEADER = "# Saved from the appliance's web page; `appliance config example` lists every setting."


def parsed(section: str, key: str, literal: str) -> Any:
    """``literal`` as the loader reads it for ``section.key`` (``MISSING`` when it would not
    pass on its own: the whole file's check then reports it)."""
    try:
        return getattr(getattr(parse_config(f"[{section}]\n{key} = {literal}\n"), section), key)
    except (InvalidConfig, AttributeError):
        return MISSING


def changes(values: dict[str, Any], current: Config) -> dict[tuple[str, str], str | None]:
    """What a form changes: ``(section, key)`` to its new TOML literal, or None to take the
    key out of the file (a cleared field: back to its default). A value that reads the same as
    the file's (``8`` for ``8.0``, or an untouched default) is no change."""
    defaults = Config()
    changed: dict[tuple[str, str], str | None] = {}
    for section, given in values.items():
        cls = SECTIONS.get(section)
        specs = dataclasses.fields(cls) if cls else ()
        kinds = {spec.name: spec.metadata["kind"] for spec in specs}
        for key, value in given.items():
            if key not in kinds:
                changed[section, key] = _quoted(str(value))  # reported as unknown
                continue
            literal = toml_value(kinds[key], value)
            now = getattr(getattr(current, section), key)
            if literal is None:
                if now != getattr(getattr(defaults, section), key):
                    changed[section, key] = None
            elif parsed(section, key, literal) != now:
                changed[section, key] = literal
    return changed


def user_lines(users: list[dict[str, str]]) -> list[str]:
    lines: list[str] = []
    for user in users:
        lines += ["", "[[users]]", *(f"{key} = {_quoted(value)}" for key, value in user.items())]
    return lines


def config_text(
    values: dict[str, Any],
    current: Config,
    users: list[dict[str, str]] | None = None,
    old: str = "",
) -> str:
    """The settings file ``old`` becomes with the form's changes: only the changed keys' lines
    are edited, added or taken out, the rest (comments, layout, every other setting) stays;
    ``users`` when given replace the ``[[users]]``. ``current`` is what ``old`` says. A layout
    the line edits cannot follow (dotted keys, inline tables) is rewritten whole from its data
    instead, losing comments but no setting."""
    edits = changes(values, current)
    unknown = [section for section in values if section not in SECTIONS and not values[section]]
    text = edit_lines(old, edits, unknown, users)
    try:
        expected = expected_data(old, edits, unknown, users)
        matches = expected is None or tomllib.loads(text) == expected
    except tomllib.TOMLDecodeError:
        matches = False
    if not matches and expected is not None:
        return dumped(expected)
    return text


def expected_data(
    old: str,
    edits: dict[tuple[str, str], str | None],
    unknown: list[str],
    users: list[dict[str, str]] | None,
) -> dict[str, Any] | None:
    """The data the edited file must hold (None: the old text or a new value is not TOML,
    for the loader to report)."""
    try:
        data = tomllib.loads(old)
        for (section, key), literal in edits.items():
            table = data.setdefault(section, {})
            if not isinstance(table, dict):
                return None
            if literal is None:
                table.pop(key, None)
            else:
                table[key] = tomllib.loads(f"v = {literal}")["v"]
    except tomllib.TOMLDecodeError:
        return None
    for section in unknown:
        data.setdefault(section, {})
    if users is not None:
        data.pop("users", None)
        if users:
            data["users"] = [dict(user) for user in users]
    return data


def dumped(data: dict[str, Any]) -> str:
    """A whole settings file from its data: tables, then the ``[[users]]``."""
    lines = [HEADER]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]", *(f"{k} = {literal(v)}" for k, v in table.items())]
    for name, items in data.items():
        if isinstance(items, list) and all(isinstance(item, dict) for item in items):
            for item in items:
                lines += ["", f"[[{name}]]", *(f"{k} = {literal(v)}" for k, v in item.items())]
        elif not isinstance(items, dict):
            lines.insert(1, f"{name} = {literal(items)}")  # a top-level key: the loader says so
    return "\n".join(lines) + "\n"


def literal(value: Any) -> str:
    """TOML for a value read from a settings file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_quoted(k)} = {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    return _quoted(str(value))


TABLE = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?")
ARRAY_TABLE = re.compile(r"\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\s*(#.*)?")
ANY_TABLE = re.compile(r"\s*\[")


def value_end(lines: list[str], start: int) -> int:
    """The index after the last line of the key-value starting at ``lines[start]`` (a
    multi-line array or string runs on)."""
    for end in range(start + 1, len(lines) + 1):
        try:
            tomllib.loads("\n".join(lines[start:end]))
            return end
        except tomllib.TOMLDecodeError:
            continue
    return start + 1


def with_comment(line: str, key: str, literal: str) -> str:
    """``key = literal`` keeping the old line's indent and its trailing comment."""
    indent = line[: len(line) - len(line.lstrip())]
    old = tomllib.loads(line)
    for at in (i for i, ch in enumerate(line) if ch == "#"):
        try:
            if tomllib.loads(line[:at]) == old:
                return f"{indent}{key} = {literal}  {line[at:].strip()}"
        except tomllib.TOMLDecodeError:
            continue
    return f"{indent}{key} = {literal}"


def edit_lines(
    old: str,
    edits: dict[tuple[str, str], str | None],
    unknown: list[str],
    users: list[dict[str, str]] | None,
) -> str:
    """``old`` with each edit made on its own line(s)."""
    lines = old.splitlines() if old.strip() else [HEADER]
    if users is not None:  # take out every [[users]] table, to add the new ones at the end
        kept: list[str] = []
        inside = False
        for line in lines:
            if ANY_TABLE.match(line):
                array = ARRAY_TABLE.fullmatch(line)
                inside = array is not None and array.group(1) == "users"
            if not inside:
                kept.append(line)
        lines = kept
    added: dict[str, list[str]] = {}
    for (section, key), new in edits.items():
        table = None
        last = None  # the index after the section's last key-value
        found = None
        i = 0
        while i < len(lines):
            line = lines[i]
            if ANY_TABLE.match(line):
                header = TABLE.fullmatch(line)
                table = header.group(1) if header else None
                if table == section:
                    last = i + 1
                i += 1
                continue
            end = value_end(lines, i) if table == section and "=" in line else i + 1
            if table == section and line.strip() and not line.lstrip().startswith("#"):
                name = line.split("=", 1)[0].strip().strip('"').strip("'")
                if name == key:
                    found = (i, end)
                    break
                last = end
            i = end
        if found is not None:
            at, end = found
            if new is None:
                del lines[at:end]
            elif end == at + 1:
                lines[at] = with_comment(lines[at], key, new)
            else:
                lines[at:end] = [f"{key} = {new}"]
        elif new is not None and last is not None:
            lines.insert(last, f"{key} = {new}")
        elif new is not None:
            added.setdefault(section, []).append(f"{key} = {new}")
    for section in unknown:
        added.setdefault(section, [])
    tail: list[str] = []
    for section, body in added.items():
        tail += ["", f"[{section}]", *body]
    if users:
        tail += user_lines(users)
    while lines and not lines[-1].strip() and tail:
        lines.pop()
    return "\n".join(lines + tail) + "\n"


def wake_phrase(config: Config) -> str:
    """The wake word as a person says it ("okay nabu"), for the walk-through's test."""
    voice = config.voice
    return voice.wake_phrase if voice.wake_word == "phrase" else voice.wake_word.replace("_", " ")


def config_file(config: Config) -> Path:
    if config.source is not None:
        return Path(config.source)
    variable = os.environ.get("APPLIANCE_CONFIG")
    return Path(variable) if variable else paths.config_path()


def on_disk(file: Path, running: Config) -> tuple[str, Config]:
    """The settings file's text and what it says (every default when there is none yet; the
    running settings when it no longer passes the check, which the save will then report)."""
    if not file.exists():
        return "", Config()
    text = read_config_file(file)
    try:
        return text, parse_config(text, file)
    except InvalidConfig:
        return text, running


def merged_save(
    file: Path, values: dict[str, Any], users: list[dict[str, str]] | None, running: Config
) -> Config:
    """Edit the file with the form's changes and save it (checked, atomically)."""
    old, current = on_disk(file, running)
    return save_config(file, config_text(values, current, users, old))


@routes.get("/api/settings")
async def read(request: web.Request) -> web.Response:
    ctx = context(request)
    return web.json_response(
        {
            "ok": True,
            "file": str(config_file(ctx.settings)),
            "sections": schema(ctx.settings),
        }
    )


@routes.get("/api/setup")
async def setup(request: web.Request) -> web.Response:
    """What the first-run walk-through needs: whether there is a settings file yet, and the
    name, music folders and listeners to start from."""
    ctx = context(request)
    file = config_file(ctx.settings)
    state = ctx.station.snapshot()
    return web.json_response(
        {
            "ok": True,
            "needed": not file.exists(),
            "file": str(file),
            "name": ctx.settings.station.name,
            "music_folders": [str(folder) for folder in ctx.settings.library.music_folders],
            "wake_word": wake_phrase(ctx.settings),
            "listeners": [{"id": uid, "name": name} for uid, name in state.listeners],
        }
    )


@routes.post("/api/settings")
async def save(request: web.Request) -> web.Response:
    ctx = context(request)
    body = await read_json(request)
    values = body.get("values") if isinstance(body, dict) else None
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        return fail(400, 'values: send {"values": {"section": {"key": value}}}', key="values")
    users = body.get("users")
    if users is not None and not (
        isinstance(users, list)
        and len(users) <= 100
        and all(
            isinstance(u, dict) and all(isinstance(k, str) and isinstance(v, str)
                                        for k, v in u.items())
            for u in users
        )
    ):  # fmt: skip
        return fail(400, 'users: a list of {"id": "...", "name": "..."}', key="users")
    names = [
        *values,
        *(k for v in values.values() for k in v),
        *(k for u in users or [] for k in u),
    ]
    odd = next((name for name in names if not KEY.fullmatch(name)), None)
    if odd is not None:
        return fail(
            400, f"{odd[:80]!r}: not a setting's name (letters, digits and _)", key=odd[:80]
        )
    values = unmasked(values)
    refused = folder_problems(values)
    if refused:
        return fail(400, "the settings were not saved", problems=refused)
    file = config_file(ctx.settings)
    try:
        saved = await ctx.run(merged_save, file, values, users, ctx.settings)
    except InvalidConfig as error:
        problems = [
            {"key": p.key, "line": p.line, "problem": p.problem, "valid": p.valid}
            for p in error.problems
        ]
        return fail(400, error.message, problems=problems)
    except ConfigError as error:
        return fail(500, str(error))
    ctx.settings = dataclasses.replace(saved, source=file)
    return web.json_response(
        {
            "ok": True,
            "file": str(file),
            "note": "saved; restart the appliance to apply the new settings",
        }
    )

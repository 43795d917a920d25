"""The settings form: built from the config schema, saved through the same check as the CLI.

``GET /api/settings`` lists every section and setting with its description, kind, valid values,
default and current value (the declarations `appliance config example` reads). ``POST`` takes
``{"values": {"section": {"key": value}}}``, writes a TOML file of the settings that differ from
their defaults (and the ``[[users]]`` as they are), and saves it with ``config.save_config``:
the same validation and messages as `appliance config check`, an atomic write, and nothing
written at all when a value is wrong. Settings apply at the next start.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from appliance import paths
from appliance.config import SECTIONS, Config, InvalidConfig, UserSettings, save_config
from appliance.errors import ConfigError
from appliance.faces.web.api import read_json
from appliance.faces.web.context import context
from appliance.faces.web.security import fail

routes = web.RouteTableDef()
NUMBERS = ("int", "float")
KEY = re.compile(r"[A-Za-z0-9_]{1,64}")  # a section's or a setting's name
FOLDER_KINDS = ("paths", "optional_path")  # settings naming folders the appliance reads or writes
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
                    "value": shown(getattr(current, spec.name)),
                }
            )
        sections.append({"name": section, "doc": cls.__doc__ or "", "fields": fields})
    return sections


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch >= " " or ch == "\t" else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


def toml_value(kind: str, value: Any) -> str | None:
    """The TOML for a form value (None: leave the setting at its default). A value of the
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
        return None
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


def config_text(
    values: dict[str, Any], current: Config, users: list[dict[str, str]] | None = None
) -> str:
    """The settings file the form describes: the sections' changed values, then the users
    (``users`` when given, else those of the current file)."""
    lines = [
        "# Saved from the appliance's web page; `appliance config example` lists every setting."
    ]
    defaults = Config()
    for section, cls in SECTIONS.items():
        given = values.get(section, {})
        kinds = {spec.name: spec.metadata["kind"] for spec in dataclasses.fields(cls)}
        body = []
        for key, value in given.items():
            if key not in kinds:
                body.append(f"{key} = {_quoted(str(value))}")  # reported as an unknown key
                continue
            literal = toml_value(kinds[key], value)
            default = toml_value(kinds[key], shown(getattr(getattr(defaults, section), key)))
            if literal is not None and literal != default:
                body.append(f"{key} = {literal}")
        if body:
            lines += ["", f"[{section}]", *body]
    for section in values:
        if section not in SECTIONS:
            lines += ["", f"[{section}]"]  # reported as an unknown section
    kept = [{s.name: str(getattr(u, s.name)) for s in dataclasses.fields(UserSettings)}
            for u in current.users]  # fmt: skip
    for user in kept if users is None else users:
        lines += ["", "[[users]]"]
        lines += [f"{key} = {_quoted(value)}" for key, value in user.items()]
    return "\n".join(lines) + "\n"


def config_file(config: Config) -> Path:
    if config.source is not None:
        return Path(config.source)
    variable = os.environ.get("APPLIANCE_CONFIG")
    return Path(variable) if variable else paths.config_path()


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
    refused = folder_problems(values)
    if refused:
        return fail(400, "the settings were not saved", problems=refused)
    text = config_text(values, ctx.settings, users)
    file = config_file(ctx.settings)
    try:
        saved = await ctx.run(save_config, file, text)
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

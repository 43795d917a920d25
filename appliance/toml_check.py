"""Reading the appliance's TOML files (settings, board profiles, model catalog) with line numbers.

tomllib reports no positions for values, so :func:`key_lines` finds the line of every key, and a
:class:`Checker` collects every problem of a file as a :class:`Problem` (file, line, key, what is
wrong, what would be valid), so one message shows everything to fix. Each file's own module says
what is valid; this one only reads and reports.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import tomllib
from dataclasses import dataclass
from typing import Any

MAX_NESTING = 100  # deeper brackets than any file needs (tomllib would run out of stack)

Key = tuple[str | int, ...]
"""A key's path: ("dj", "commentary"), or ("users", 0, "id") inside an array of tables."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file."""

    file: str
    line: int | None
    key: str
    problem: str
    valid: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.key}: {self.problem}" if self.key else f"{where}: {self.problem}"
        return f"{text} (valid: {self.valid})" if self.valid else text


class NotToml(Exception):
    """The text is not TOML at all; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# --- where each key sits in the file ------------------------------------------------------------

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]\s*(#.*)?$")
_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_KEY_PART = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(\.|$)""")


def _key_parts(raw: str) -> tuple[str, ...]:
    """The parts of a dotted TOML key: 'model."en_US-x".files' -> ('model', 'en_US-x', 'files')."""
    parts = []
    for match in _KEY_PART.finditer(raw):
        part = match.group(1)
        if part[:1] == '"' and "\\" in part:
            try:  # escapes ("\u00e9", "\\"): the key as tomllib reads it
                part = next(iter(tomllib.loads(f"{part} = 0")))
            except tomllib.TOMLDecodeError:
                part = part[1:-1]
        elif part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _brackets(text: str) -> tuple[int, int]:
    """How many [ or { a line leaves open, and the most it has open at once, ignoring strings
    and comments."""
    depth = peak = 0
    quote = ""
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                escaped = True  # \" inside a basic string does not end it
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            depth += 1
            peak = max(peak, depth)
        elif char in "]}":
            depth -= 1
    return depth, peak


def lines_of(text: str) -> list[str]:
    """The lines as TOML counts them: split at newlines only (str.splitlines() would also split
    at characters like U+0085 inside a string, and every line number after it would be off)."""
    return text.split("\n")


def key_lines(text: str) -> dict[Key, int]:
    """Line numbers (1-based) of every table and key: ("dj", "commentary") -> 7.

    The text is scanned with the subset of TOML the appliance's files use: tables, arrays of
    tables ("users", 0, "id"), dotted keys, multi-line arrays and strings.
    """
    found: dict[Key, int] = {}
    counts: dict[tuple[str, ...], int] = {}
    table: Key = ()
    depth = 0
    in_string = ""
    for number, line in enumerate(lines_of(text), start=1):
        if in_string:
            if in_string in line:
                in_string = ""
            continue
        if depth > 0:
            depth += _brackets(line)[0]
            continue
        if match := _ARRAY_TABLE.match(line):
            name = _key_parts(match.group(1))
            index = counts.get(name, 0)
            counts[name] = index + 1
            table = (*name, index)
            found.setdefault(table, number)
            continue
        if match := _TABLE.match(line):
            table = _key_parts(match.group(1))
            for end in range(1, len(table) + 1):  # [a.b] makes the table a too
                found.setdefault(table[:end], number)
            continue
        if match := _KEY.match(line):
            key = (*table, *_key_parts(match.group(1)))
            for end in range(len(table) + 1, len(key) + 1):  # a.b.c = 1 makes a and a.b
                found.setdefault(key[:end], number)
            rest = line[match.end() :]
            value = rest.lstrip()
            for marker in ('"""', "'''"):  # a multi-line string begins the value, unclosed
                if value.startswith(marker) and value.count(marker) == 1:
                    in_string = marker
            if not in_string:
                depth = max(0, _brackets(rest)[0])
    return found


def _deepest_line(text: str) -> int:
    """The line where brackets first nest deeper than :data:`MAX_NESTING` (strings ignored)."""
    depth = 0
    for number, line in enumerate(lines_of(text), start=1):
        net, peak = _brackets(line)
        if depth + peak > MAX_NESTING:
            return number
        depth += net
    return 1


def load(text: str, file: str, valid: str = 'key = "value" lines') -> dict[str, Any]:
    """The TOML document in ``text``; :class:`NotToml` with the line when it is not one."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        if line is None and "(at end of document)" in message:
            line = len(lines_of(text.rstrip("\n")))  # something left open: the last line
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise NotToml(Problem(file, line, "", f"not valid TOML: {message}", valid)) from error
    except RecursionError:
        raise NotToml(
            Problem(
                file,
                _deepest_line(text),
                "",
                f"lists or tables nested more than {MAX_NESTING} deep",
                valid,
            )
        ) from None


# --- values ---------------------------------------------------------------------------------------


def type_name(value: Any) -> str:
    """What a TOML value is, as a message says it: "a number", "a list", ..."""
    if isinstance(value, _dt.date | _dt.time):
        return "a date or time"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list) else "a table"
    )


def typed(value: Any, kind: type) -> bool:
    """``value`` is of ``kind``: float takes whole numbers too, and a boolean is no number;
    list means a list of strings."""
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is list:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, kind)


KIND_NAMES: dict[type, str] = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list of strings",
    dict: "a table",
}


def close_match(name: str, known: list[str] | tuple[str, ...], cutoff: float = 0.6) -> str:
    """The hint for a misspelt name ("; did you mean 'x'?"), or "" when nothing is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- collecting problems --------------------------------------------------------------------------


class Checker:
    """Collects every problem of one file, each at the line of its key (or the nearest table).

    ``drop`` leading parts of a key are left out of the name a message shows ('model' in a
    catalog: 'x.ram_mb', not 'model.x.ram_mb'); an index in an array of tables is shown as
    [n], counted from 1.
    """

    def __init__(self, text: str, file: str, drop: int = 0) -> None:
        self.file = file
        self.lines = key_lines(text)
        self.problems: list[Problem] = []
        self._drop = drop

    def line(self, *key: str | int) -> int | None:
        """The line of ``key``, else of the nearest table holding it."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return None

    def name(self, key: Key) -> str:
        """How a message names ``key``: "users[2].id", "x.files[1].url"."""
        name = ""
        for part in key[self._drop :]:
            if isinstance(part, int):
                name += f"[{part + 1}]"
            else:
                name += f".{part}" if name else part
        return name

    def report(self, key: Key, problem: str, valid: str = "") -> None:
        self.problems.append(Problem(self.file, self.line(*key), self.name(key), problem, valid))

    def unknown(self, key: Key, known: list[str] | tuple[str, ...], what: str = "") -> None:
        """``key`` is none of the ``known`` names: said with the closest one."""
        what = what or ("section" if len(key) == 1 else "setting")
        self.report(key, f"unknown {what}{close_match(str(key[-1]), known)}", ", ".join(known))

    def check_type(self, key: Key, value: Any, kind: type) -> bool:
        """True when ``value`` is of ``kind``; else the problem is reported."""
        if typed(value, kind):
            return True
        expected = KIND_NAMES.get(kind, kind.__name__)
        self.report(key, f"wrong type: {type_name(value)} where {expected} is expected", expected)
        return False

    def sorted(self) -> list[Problem]:
        """The problems in the order of their lines."""
        return sorted(self.problems, key=lambda problem: problem.line or 0)

"""File names as the disk has them, and as people may see them.

A POSIX file name is any bytes but "/" and NUL; old USB sticks and copies from Windows hold names
that are not UTF-8 (``x\\xe9y.mp3``). Python reads them as ``str`` with lone surrogates
(``os.fsdecode``), which round-trips exactly but cannot be encoded as UTF-8: SQLite, ``print``
and JSON all refuse it. So the index stores paths as bytes, the player hands mpv bytes, and
whatever is printed, logged or spoken goes through :func:`shown` (escaped, exact) or
:func:`readable` (a name for people).
"""

from __future__ import annotations

import os
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def to_db(path: str) -> bytes:
    """The bytes of ``path`` on disk (what the index stores)."""
    return os.fsencode(path)


def from_db(value: bytes | str) -> str:
    """A path as the index stores it, back in Python's form (lossless: ``to_db`` reverses it)."""
    return os.fsdecode(value)


def shown(path: str | bytes) -> str:
    """``path`` for a message: printable UTF-8, bytes that are not UTF-8 as ``\\xe9``, control
    characters (a newline in a name) as ``\\n`` or ``\\x1b``; nothing is lost or hidden."""
    if isinstance(path, bytes):
        raw = path
    else:
        try:
            raw = os.fsencode(path)
        except UnicodeEncodeError:  # a surrogate no file name decodes to: keep it visible
            raw = path.encode("utf-8", "surrogatepass")
    text = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    escaped = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if escaped:
        return escaped
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def readable(text: str) -> str:
    """A name for people (a title guessed from a file name, a tag): bytes that were not text
    become U+FFFD, control characters and line breaks become spaces, runs of space one."""
    if not text:
        return text
    cleaned = _SURROGATE.sub("\ufffd", text)
    if cleaned != text or _CONTROL.search(cleaned):
        cleaned = _SPACES.sub(" ", _CONTROL.sub(" ", cleaned)).strip()
    return cleaned

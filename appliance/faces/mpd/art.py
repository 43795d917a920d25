"""Cover art for ``albumart`` (the folder's cover file) and ``readpicture`` (the picture in the
file's tags), read only for tracks of the library that lie inside a music folder.

The bytes go to the client as they are, so a cover file is served only when it, too, lies inside
a music folder once its links are resolved (a ``cover.jpg`` linking to a key or a password file
elsewhere is not a cover) and is a picture (its first bytes say so).
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from appliance.faces.web.covers import FOLDER_FILES, MAX_PICTURE, embedded_picture, inside
from appliance.library.track import Track

CACHE_BUDGET = 32 * 1024 * 1024  # bytes of pictures kept for all clients together
MAX_KEPT = 256  # pictures (or their absence) kept at once
FRESH = 30.0  # seconds a kept picture is served before it is read again (a cover replaced)

_MIME = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"BM", "image/bmp"),
)


def picture(track: Track, roots: Sequence[Path], kind: str) -> bytes | None:
    """The picture MPD's ``kind`` ("albumart" or "readpicture") gives for ``track``."""
    if not inside(track.path, roots):
        return None
    data = folder_cover(track.path, roots) if kind == "albumart" else embedded_picture(track.path)
    if data is None or len(data) > MAX_PICTURE or not mime(data).startswith("image/"):
        return None
    return data


def folder_cover(path: str, roots: Sequence[Path]) -> bytes | None:
    """The first cover file beside ``path`` that is a regular file inside the music folders."""
    folder = os.path.dirname(path)
    for name in FOLDER_FILES:
        candidate = os.path.join(folder, name)
        try:
            if not inside(candidate, roots) or not os.path.isfile(candidate):
                continue
            if os.path.getsize(candidate) > MAX_PICTURE:
                continue
            with open(candidate, "rb") as file:
                data = file.read(MAX_PICTURE + 1)
        except OSError:
            continue
        if mime(data).startswith("image/"):
            return data
    return None


def mime(data: bytes) -> str:
    for magic, kind in _MIME:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


class Pictures:
    """The pictures clients are reading piece by piece (``binarylimit`` bytes per request),
    kept for all of them together within ``budget`` bytes, the least recently read dropped
    first: a hundred clients each reading a large cover hold one copy of each, not a copy per
    client. A picture that is not there is remembered as None; at most :data:`MAX_KEPT` are
    kept, and any is read again after :data:`FRESH` seconds."""

    def __init__(self, budget: int = CACHE_BUDGET) -> None:
        self.budget = budget
        self.size = 0
        self._kept: OrderedDict[tuple[str, str], bytes | None] = OrderedDict()
        self._read_at: dict[tuple[str, str], float] = {}

    def get(self, key: tuple[str, str]) -> tuple[bool, bytes | None]:
        """(found, picture) for ``key`` (kind, URI)."""
        if key not in self._kept:
            return False, None
        if time.monotonic() - self._read_at[key] > FRESH:
            self.forget(key)
            return False, None
        self._kept.move_to_end(key)
        return True, self._kept[key]

    def put(self, key: tuple[str, str], data: bytes | None) -> None:
        size = len(data) if data else 0
        if size > self.budget:
            return  # served from this read only; read again for the next piece
        self.forget(key)
        while self._kept and (self.size + size > self.budget or len(self._kept) >= MAX_KEPT):
            self.forget(next(iter(self._kept)))
        self._kept[key] = data
        self._read_at[key] = time.monotonic()
        self.size += size

    def forget(self, key: tuple[str, str]) -> None:
        dropped = self._kept.pop(key, None)
        self._read_at.pop(key, None)
        self.size -= len(dropped) if dropped else 0

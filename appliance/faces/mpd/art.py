"""Cover art for ``albumart`` (the folder's cover file) and ``readpicture`` (the picture in the
file's tags), read only for tracks of the library that lie inside a music folder.

The bytes go to the client as they are, so a cover file is served only when it, too, lies inside
a music folder once its links are resolved (a ``cover.jpg`` linking to a key or a password file
elsewhere is not a cover) and is a picture (its first bytes say so).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from appliance.faces.web.covers import FOLDER_FILES, MAX_PICTURE, embedded_picture, inside
from appliance.library.track import Track

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

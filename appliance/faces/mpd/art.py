"""Cover art for ``albumart`` (the folder's cover file) and ``readpicture`` (the picture in the
file's tags), read only for tracks of the library that lie inside a music folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from appliance.faces.web.covers import embedded_picture, folder_picture, inside
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
    if kind == "albumart":
        return folder_picture(track.path)
    return embedded_picture(track.path)


def mime(data: bytes) -> str:
    for magic, kind in _MIME:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"

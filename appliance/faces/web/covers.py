"""Cover art for a track: its embedded picture, else its folder's cover file, scaled and kept.

A cover is asked for by track id only; the file read is the one the library indexed for that id,
and only when it lies inside a configured music folder, as must a cover file beside it once its
links are resolved. The scaled JPEG is kept in the data folder's ``cache/covers`` (written
atomically), so each cover is decoded and scaled once.
"""

from __future__ import annotations

import io
import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from appliance.atomic import write_atomically
from appliance.library.track import Track

log = logging.getLogger("appliance.faces.web")

SIZES = (96, 300, 600)
FOLDER_FILES = ("cover.jpg", "cover.jpeg", "cover.png", "folder.jpg", "folder.png", "front.jpg")
MAX_PICTURE = 20 * 1024 * 1024  # bytes of a cover file worth decoding
LOOK_AGAIN = 60.0  # seconds before a cover not found is looked for again
MAX_PIXELS = 4096 * 4096  # pixels decoded at most (50 MB as RGB; a Pi Zero has 512 MB)
TRACK_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def root_of(path: str, folders: Sequence[Path]) -> str | None:
    """The music folder (links resolved) that ``path`` (links resolved) lies within, or None."""
    real = os.path.realpath(path)
    for folder in folders:
        root = os.path.realpath(os.path.expanduser(str(folder)))
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return root
    return None


def inside(path: str, folders: Sequence[Path]) -> bool:
    """True when ``path`` (links resolved) lies within one of ``folders``."""
    return root_of(path, folders) is not None


def embedded_picture(path: str) -> bytes | None:
    """The first picture in a music file's tags (ID3 APIC, FLAC/Vorbis pictures, MP4 covr)."""
    import base64

    import mutagen
    from mutagen.flac import Picture

    try:
        audio = mutagen.File(path)
    except Exception:  # any unreadable file: no picture
        return None
    if audio is None:
        return None
    pictures = getattr(audio, "pictures", None)
    if pictures:
        return bytes(pictures[0].data)
    tags = audio.tags
    if tags is None:
        return None
    for key in list(tags.keys()):
        if str(key).startswith("APIC"):
            return bytes(tags[key].data)
    covers = tags.get("covr") if hasattr(tags, "get") else None
    if covers:
        return bytes(covers[0])
    blocks = tags.get("metadata_block_picture") if hasattr(tags, "get") else None
    if blocks:
        try:
            return bytes(Picture(base64.b64decode(blocks[0])).data)
        except Exception:
            return None
    return None


def folder_picture(path: str, folders: Sequence[Path]) -> bytes | None:
    """The first cover file beside ``path`` that is a regular file of at most
    :data:`MAX_PICTURE` bytes inside ``folders`` once its links are resolved (a ``cover.jpg``
    linking to a private picture elsewhere is not this folder's cover)."""
    folder = os.path.dirname(path)
    for name in FOLDER_FILES:
        candidate = os.path.join(folder, name)
        try:
            if not inside(candidate, folders) or not os.path.isfile(candidate):
                continue
            if os.path.getsize(candidate) > MAX_PICTURE:
                continue
            with open(candidate, "rb") as file:
                return file.read(MAX_PICTURE + 1)
        except OSError:
            continue
    return None


def scaled(picture: bytes, size: int) -> bytes | None:
    """``picture`` as a JPEG at most ``size`` pixels on its longer side; None if not an image
    or larger than :data:`MAX_PIXELS` once a JPEG's own reduction is used (a small file can
    describe a picture of gigabytes)."""
    from PIL import Image

    if len(picture) > MAX_PICTURE:
        return None
    try:
        with Image.open(io.BytesIO(picture)) as opened:
            opened.draft("RGB", (size, size))
            width, height = opened.size
            if width * height > MAX_PIXELS:
                log.warning("a cover of %d x %d pixels is too large to decode", width, height)
                return None
            image = opened.convert("RGB")
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()
    except Exception:  # Pillow raises many kinds for a damaged picture
        return None


class Covers:
    """Finds, scales and keeps covers (see the module docstring). A cover looked for and not
    found is looked for again after :data:`LOOK_AGAIN` seconds (a cover.jpg added later)."""

    def __init__(
        self, cache: Path, folders: Sequence[Path], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.cache = cache
        self.folders = tuple(folders)
        self._clock = clock
        self._none: dict[tuple[str, int], float] = {}  # not found, and when it was looked for

    def get(self, track: Track, size: int) -> bytes | None:
        """The JPEG cover of ``track`` at ``size`` (one of :data:`SIZES`), or None."""
        if size not in SIZES or not TRACK_ID.fullmatch(track.track_id):
            return None
        key = (track.track_id, size)
        if self._clock() - self._none.get(key, -LOOK_AGAIN) < LOOK_AGAIN:
            return None
        kept = self.cache / f"{track.track_id}-{size}.jpg"
        try:
            return kept.read_bytes()
        except OSError:
            pass
        if not inside(track.path, self.folders):
            log.warning("no cover for a track outside the music folders: %s", track.track_id)
            self._none[key] = self._clock()
            return None
        picture = embedded_picture(track.path) or folder_picture(track.path, self.folders)
        jpeg = scaled(picture, size) if picture else None
        if jpeg is None:
            self._none[key] = self._clock()
            return None
        try:
            self.cache.mkdir(parents=True, exist_ok=True)
            write_atomically(kept, jpeg)
        except OSError as error:
            log.warning("cannot keep a cover in %s: %s", self.cache, error)
        return jpeg

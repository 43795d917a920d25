"""The content id: a short hash of a file's audio, so a moved or renamed file keeps its history.

Hashing whole files would read every byte of the library; a few blocks (start, middle, end of
the audio) plus the audio's length tell files apart just as well and cost three reads. Only the
audio part is hashed (see :mod:`appliance.library.container`), so editing tags keeps the id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import BinaryIO

from appliance.library.container import Payload

BLOCK = 65536


def content_id(handle: BinaryIO, payload: Payload) -> str:
    """20 hex digits naming the audio in ``payload`` of the open file ``handle``."""
    length = max(0, payload.end - payload.start)
    digest = hashlib.blake2b(digest_size=10)
    digest.update(length.to_bytes(8, "little"))
    if length <= 3 * BLOCK:
        handle.seek(payload.start)
        digest.update(handle.read(length))
    else:
        for offset in (0, (length - BLOCK) // 2, length - BLOCK):
            handle.seek(payload.start + offset)
            digest.update(handle.read(BLOCK))
    return digest.hexdigest()


def track_id_for(content: str, path: bytes, taken: Callable[[str], bool]) -> str:
    """The track id of a new file: the content id for the first file with this audio; for a
    further copy, the content id and a hash of the copy's path, so every file is its own track
    (``taken`` says whether an id is in use)."""
    if not taken(content):
        return content
    salt = 0
    while True:
        digest = hashlib.blake2b(path + salt.to_bytes(4, "little"), digest_size=4).hexdigest()
        track_id = f"{content}-{digest}"
        if not taken(track_id):
            return track_id
        salt += 1

"""The track id: a short hash of a file's audio, so a moved or renamed file keeps its history.

Hashing whole files would read every byte of the library; a few blocks (start, middle, end of
the audio) plus the audio's length tell files apart just as well and cost three reads. Only the
audio part is hashed (see :mod:`appliance.library.container`), so editing tags keeps the id.
"""

from __future__ import annotations

import hashlib
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

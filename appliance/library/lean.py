"""Reading tags without reading pictures.

mutagen reads a whole ID3v2 tag into memory and copies what is left of it after every frame, and
it reads every FLAC metadata block, pictures included: a 60 MB cover made a scan use 260 MB. When
a file's tags are large, the scan hands mutagen a view of the file in which the tag holds only
the small frames it needs (text frames; FLAC's stream info and comments) followed by the file's
own audio, read in place. Small tags, the usual case, are read as they are.
"""

from __future__ import annotations

import io
from typing import BinaryIO

LARGE_TAG = 1 << 20  # tags bigger than this are slimmed down before mutagen sees them
_KEPT_FRAME = 1 << 16  # largest ID3 text frame (or FLAC block) passed on
_FLAC_PICTURE, _FLAC_PADDING = 6, 1


class Spliced(io.RawIOBase):
    """A read-only file made of ``prefix`` bytes followed by ``source`` from ``offset`` on."""

    def __init__(self, prefix: bytes, source: BinaryIO, offset: int, size: int) -> None:
        super().__init__()
        self._prefix = prefix
        self._source = source
        self._offset = offset
        self._length = len(prefix) + max(0, size - offset)
        self._position = 0
        self.name = getattr(source, "name", None)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._length}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), max(0, self._length - self._position))
        done = 0
        while done < wanted:
            at = self._position + done
            if at < len(self._prefix):
                piece = self._prefix[at : at + wanted - done]
            else:
                self._source.seek(self._offset + at - len(self._prefix))
                piece = self._source.read(wanted - done)
                if not piece:
                    break
            view[done : done + len(piece)] = piece
            done += len(piece)
        self._position += done
        return done


def lean_view(handle: BinaryIO, size: int) -> BinaryIO:
    """``handle`` itself, or a :class:`Spliced` view of it when its tags are large."""
    handle.seek(0)
    header = handle.read(10)
    handle.seek(0)
    if header[:3] == b"ID3" and len(header) == 10:
        tag_end = 10 + _syncsafe(header[6:10]) + (10 if header[5] & 0x10 else 0)
        if header[3] == 4 or header[3] == 3:
            handle.seek(tag_end)
            after = handle.read(4)
            handle.seek(0)
            if after == b"fLaC":
                return _lean_flac(handle, size, tag_end)
        if tag_end - 10 > LARGE_TAG:
            return _lean_id3(handle, size, header, tag_end)
        return handle
    if header[:4] == b"fLaC":
        return _lean_flac(handle, size, 0)
    return handle


def _syncsafe(data: bytes) -> int:
    value = 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
    return value


def _to_syncsafe(value: int) -> bytes:
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


def _lean_id3(handle: BinaryIO, size: int, header: bytes, tag_end: int) -> BinaryIO:
    """The ID3v2 tag rebuilt from its small text frames (none for v2.2 or an unsynchronised
    v2.3 tag, whose frames cannot be found without reading it all): the file is then named by
    its path, as an untagged file is."""
    major, flags = header[3], header[5]
    frames = bytearray()
    if major in (3, 4) and not (major == 3 and flags & 0x80):
        position = 10
        if flags & 0x40:  # an extended header comes first
            handle.seek(10)
            raw = handle.read(4)
            position += _syncsafe(raw) if major == 4 else 4 + int.from_bytes(raw, "big")
        limit = tag_end - (10 if flags & 0x10 else 0)
        while position + 10 <= limit:
            handle.seek(position)
            frame = handle.read(10)
            name = frame[:4]
            if len(frame) < 10 or not all(48 <= c <= 57 or 65 <= c <= 90 for c in name):
                break  # padding, or a frame this reading cannot follow
            raw_size = frame[4:8]
            syncsafe = major == 4 and not any(byte & 0x80 for byte in raw_size)
            length = _syncsafe(raw_size) if syncsafe else int.from_bytes(raw_size, "big")
            if name[:1] == b"T" and length <= _KEPT_FRAME:
                frames += frame + handle.read(length)
            position += 10 + length
    prefix = b""
    if frames:
        prefix = b"ID3" + bytes((major, 0, 0)) + _to_syncsafe(len(frames)) + bytes(frames)
    handle.seek(0)
    return Spliced(prefix, handle, tag_end, size)


def _lean_flac(handle: BinaryIO, size: int, start: int) -> BinaryIO:
    """FLAC metadata without pictures, padding or other large blocks (when it is large)."""
    position = start + 4
    blocks: list[tuple[int, int, int]] = []  # (kind, where its body starts, length)
    while True:
        handle.seek(position)
        block = handle.read(4)
        if len(block) < 4:
            handle.seek(0)
            return handle  # damaged: let mutagen and the container check say so
        length = int.from_bytes(block[1:4], "big")
        blocks.append((block[0] & 0x7F, position + 4, length))
        position += 4 + length
        if block[0] & 0x80:
            break
    if position - start <= LARGE_TAG:
        handle.seek(0)
        return handle
    kept = [
        (kind, body, length)
        for kind, body, length in blocks
        if kind not in (_FLAC_PICTURE, _FLAC_PADDING) and length <= _KEPT_FRAME
    ]
    prefix = bytearray(b"fLaC")
    for number, (kind, body, length) in enumerate(kept):
        last = 0x80 if number == len(kept) - 1 else 0
        handle.seek(body)
        prefix += bytes((kind | last,)) + length.to_bytes(3, "big") + handle.read(length)
    handle.seek(0)
    return Spliced(bytes(prefix), handle, position, size)

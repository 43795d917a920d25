"""Reading tags without reading pictures.

mutagen reads a whole ID3v2 tag into memory and copies what is left of it after every frame, and
it reads every FLAC metadata block and MP4 tag item, pictures included: a 60 MB cover made a
scan use 260 MB. When a file's tags are large, the scan hands mutagen a view of the file in
which the tags hold only the small items it needs (ID3 text frames; FLAC's stream info and
comments; MP4 items but big ones), the rest of the file read in place. Small tags, the usual
case, are read as they are. Ogg Vorbis and Opus keep pictures in their comment packet: it is
rebuilt without its big entries, on pages of its own.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

LARGE_TAG = 1 << 20  # tags bigger than this are slimmed down before mutagen sees them
_KEPT_FRAME = 1 << 16  # largest ID3 text frame (or FLAC block) passed on
_FLAC_PICTURE, _FLAC_PADDING = 6, 1
MAX_ITEMS = 4096  # blocks or atoms looked at before a damaged file is left to mutagen


class Spliced(io.RawIOBase):
    """A read-only file made of ``parts``: bytes of its own, or (offset, length) ranges of
    ``source`` read in place."""

    def __init__(self, parts: list[bytes | tuple[int, int]], source: BinaryIO) -> None:
        super().__init__()
        self._parts: list[tuple[int, bytes | tuple[int, int]]] = []  # (where it starts, part)
        at = 0
        for part in parts:
            length = len(part) if isinstance(part, bytes) else max(0, part[1])
            if length:
                self._parts.append((at, part))
                at += length
        self._source = source
        self._length = at
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
        for start, part in self._parts:
            if done >= wanted:
                break
            at = self._position + done
            length = len(part) if isinstance(part, bytes) else part[1]
            if at >= start + length:
                continue
            take = min(wanted - done, start + length - at)
            if isinstance(part, bytes):
                piece = part[at - start : at - start + take]
            else:
                self._source.seek(part[0] + at - start)
                piece = self._source.read(take)
                if not piece:
                    break
            view[done : done + len(piece)] = piece
            done += len(piece)
            if len(piece) < take:
                break
        self._position += done
        return done


def lean_view(handle: BinaryIO, size: int) -> BinaryIO | Spliced:
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
    if header[4:8] == b"ftyp":
        return _lean_mp4(handle, size)
    if header[:4] == b"OggS":
        return _lean_ogg(handle, size)
    return handle


def _syncsafe(data: bytes) -> int:
    value = 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
    return value


def _to_syncsafe(value: int) -> bytes:
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


def _lean_id3(handle: BinaryIO, size: int, header: bytes, tag_end: int) -> BinaryIO | Spliced:
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
        for _ in range(MAX_ITEMS):
            if position + 10 > limit:
                break
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
    return Spliced([prefix, (tag_end, size - tag_end)], handle)


def _lean_flac(handle: BinaryIO, size: int, start: int) -> BinaryIO | Spliced:
    """FLAC metadata without pictures, padding or other large blocks (when it is large)."""
    position = start + 4
    blocks: list[tuple[int, int, int]] = []  # (kind, where its body starts, length)
    while len(blocks) < MAX_ITEMS:
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
    else:  # no last block in sight: refused here (mutagen would walk every empty block)
        raise ValueError(f"more than {MAX_ITEMS:,} metadata blocks")
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
    return Spliced([bytes(prefix), (position, size - position)], handle)


# MP4 atoms whose children are rebuilt (the rest is copied whole); "meta" has 4 bytes of
# version and flags before its children. Only items of "ilst" (the tags) are left out, when big.
_MP4_REBUILT = {b"moov": 0, b"udta": 0, b"meta": 4, b"ilst": 0}


def _atoms(handle: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """(kind, where it starts, header length, total length) of the atoms in [start, end)."""
    found: list[tuple[bytes, int, int, int]] = []
    position = start
    while position + 8 <= end and len(found) < MAX_ITEMS:
        handle.seek(position)
        head = handle.read(8)
        length, kind = int.from_bytes(head[:4], "big"), head[4:8]
        header = 8
        if length == 1:
            length, header = int.from_bytes(handle.read(8), "big"), 16
        elif length == 0:
            length = end - position
        if length < header or position + length > end:
            break  # damaged: what follows is left as it is
        found.append((kind, position, header, length))
        position += length
    return found


def _mp4_atom(handle: BinaryIO, kind: bytes, start: int, header: int, length: int) -> bytes:
    """The atom at ``start``, with big tag items left out of it (and of what it holds)."""
    skip = _MP4_REBUILT.get(kind)
    if skip is None:
        if length - header > _KEPT_FRAME:
            return b""  # a big tag item (a cover): left out
        handle.seek(start)
        return handle.read(length)
    handle.seek(start + header)
    body = bytearray(handle.read(skip))
    for child in _atoms(handle, start + header + skip, start + length):
        if kind == b"ilst" or child[0] in _MP4_REBUILT:
            body += _mp4_atom(handle, *child)
        else:
            handle.seek(child[1])
            body += handle.read(child[3])
    return (8 + len(body)).to_bytes(4, "big") + kind + bytes(body)


def _lean_mp4(handle: BinaryIO, size: int) -> BinaryIO | Spliced:
    """The file with its "moov" atom rebuilt without big tag items, when "moov" is large."""
    top = _atoms(handle, 0, size)
    moov = next((atom for atom in top if atom[0] == b"moov"), None)
    if moov is None or moov[3] <= LARGE_TAG:
        handle.seek(0)
        return handle
    kind, start, header, length = moov
    rebuilt = _mp4_atom(handle, kind, start, header, length)
    handle.seek(0)
    return Spliced([(0, start), rebuilt, (start + length, size - start - length)], handle)


def _ogg_pages(handle: BinaryIO, size: int) -> Iterator[tuple[int, int, bytes, int]]:
    """(where, header length, lacing values, serial) of each Ogg page, bodies unread."""
    position = 0
    while position + 27 <= size:
        handle.seek(position)
        header = handle.read(27)
        if header[:4] != b"OggS" or len(header) < 27:
            return
        lacing = handle.read(header[26])
        if len(lacing) < header[26]:
            return
        yield position, 27 + len(lacing), lacing, int.from_bytes(header[14:18], "little")
        position += 27 + len(lacing) + sum(lacing)


class _PacketReader:
    """Reads one packet spread over pages: a list of (file offset, length) pieces."""

    def __init__(self, handle: BinaryIO, pieces: list[tuple[int, int]]) -> None:
        self._handle = handle
        self._pieces = pieces
        self._at = 0  # offset in the packet
        self.length = sum(length for _, length in pieces)

    def read(self, count: int) -> bytes:
        out = bytearray()
        start = 0
        for where, length in self._pieces:
            if len(out) >= count:
                break
            if self._at < start + length:
                take = min(count - len(out), start + length - self._at)
                self._handle.seek(where + self._at - start)
                out += self._handle.read(take)
                self._at += take
            start += length
        return bytes(out)

    def skip(self, count: int) -> None:
        self._at += count

    @property
    def left(self) -> int:
        return self.length - self._at


def _ogg_header_packets(
    handle: BinaryIO, size: int, wanted: int
) -> tuple[int, int, list[list[tuple[int, int]]], int] | None:
    """For a stream whose first ``wanted`` packets are headers ending on a page of their own:
    (serial, end of the first page, pieces of packets 1 .. wanted-1, where the audio begins)."""
    packets: list[list[tuple[int, int]]] = [[]]
    first_end = serial = -1
    for where, header, lacing, page_serial in _ogg_pages(handle, size):
        if serial == -1:
            serial, first_end = page_serial, where + header + sum(lacing)
        if page_serial != serial:
            return None  # several streams interleaved: left as it is
        body = where + header
        for value in lacing:
            if len(packets) > wanted:
                return None  # audio on a header page: not the usual layout
            packets[-1].append((body, value))
            body += value
            if value < 255:
                packets.append([])
        if len(packets) == wanted + 1 and not packets[-1]:
            if packets[1][0][0] < first_end:
                return None  # the first page holds more than the first packet: unusual
            return serial, first_end, packets[1:wanted], body
    return None


def _lean_ogg(handle: BinaryIO, size: int) -> BinaryIO | Spliced:
    """An Ogg Vorbis or Opus file with its comment packet rebuilt without big entries (when it
    is large), on new header pages before the file's own audio pages."""
    from mutagen.ogg import OggPage

    handle.seek(28)
    codec = handle.read(8)
    handle.seek(0)
    if codec[:7] == b"\x01vorbis":
        magic, wanted, framing = b"\x03vorbis", 3, True
    elif codec == b"OpusHead":
        magic, wanted, framing = b"OpusTags", 2, False
    else:
        return handle
    found = _ogg_header_packets(handle, size, wanted)
    if found is None:
        handle.seek(0)
        return handle
    serial, first_end, pieces, audio = found
    comments = _PacketReader(handle, pieces[0])
    if comments.length <= LARGE_TAG or comments.read(len(magic)) != magic:
        handle.seek(0)
        return handle
    vendor = comments.read(int.from_bytes(comments.read(4), "little"))
    kept = []
    for _ in range(int.from_bytes(comments.read(4), "little")):
        if comments.left < 4:
            break  # a damaged count: the packet ends here
        length = int.from_bytes(comments.read(4), "little")
        if length > _KEPT_FRAME:
            comments.skip(length)  # a picture
        else:
            kept.append(length.to_bytes(4, "little") + comments.read(length))
    packet = magic + len(vendor).to_bytes(4, "little") + vendor
    packet += len(kept).to_bytes(4, "little") + b"".join(kept) + (b"\x01" if framing else b"")
    rest = [_PacketReader(handle, piece).read(_KEPT_FRAME * 16) for piece in pieces[1:]]
    pages = OggPage.from_packets([packet, *rest], sequence=1)
    for page in pages:
        page.serial = serial
    rebuilt = b"".join(page.write() for page in pages)
    handle.seek(0)
    return Spliced([(0, first_end), rebuilt, (audio, size - audio)], handle)

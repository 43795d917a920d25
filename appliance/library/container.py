"""Where a music file keeps its audio, and whether all of it is there.

Tags sit around the audio (ID3 in front of MP3 frames, metadata blocks in front of FLAC frames,
chunks and atoms beside the samples), so the audio itself is located by reading the container's
headers: the content id hashes that part, which keeps a track's id when only its tags change.
The same headers say how much audio the file claims to hold, which is how a file cut short by a
failed copy is told apart from a short song without decoding it.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from appliance.library.lean import MAX_ITEMS

_TAIL_BYTES = 65536


@dataclass(frozen=True, slots=True)
class Payload:
    """The byte range holding the audio, and why the file looks incomplete (None: it does not)."""

    start: int
    end: int
    problem: str | None = None


def inspect(handle: BinaryIO, path: Path, size: int, audio: Any) -> Payload:
    """Locate the audio of an open file of ``size`` bytes; ``audio`` is what mutagen made of it
    (its type says the container, whatever the file's name claims)."""
    kind = type(audio).__name__
    if kind in ("MP3", "EasyMP3"):
        return _mp3(handle, size, audio.info)
    if kind == "FLAC":
        return _flac(handle, path, size)
    if kind.startswith("Ogg"):
        return _ogg(handle, size)
    if kind == "WAVE":
        return _riff(handle, size, b"RIFF", "<", b"data")
    if kind == "AIFF":
        return _riff(handle, size, b"FORM", ">", b"SSND")
    if kind in ("MP4", "EasyMP4"):
        return _mp4(handle, size)
    return Payload(0, size)


def _id3v2_length(handle: BinaryIO) -> int:
    """Bytes taken by an ID3v2 tag at the current position (0 when there is none)."""
    start = handle.tell()
    header = handle.read(10)
    handle.seek(start)
    if len(header) < 10 or header[:3] != b"ID3":
        return 0
    body = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]
    footer = 10 if header[5] & 0x10 else 0
    return 10 + body + footer


def _trailing_tags(handle: BinaryIO, size: int) -> int:
    """Where the audio ends once an ID3v1 tag and an APEv2 tag at the end are left out."""
    end = size
    if end >= 128:
        handle.seek(end - 128)
        if handle.read(3) == b"TAG":
            end -= 128
    if end >= 32:
        handle.seek(end - 32)
        footer = handle.read(32)
        if footer[:8] == b"APETAGEX":
            length, _count, flags = struct.unpack("<III", footer[12:24])
            end -= length + (32 if flags & 0x80000000 else 0)
    return max(0, end)


def _mp3(handle: BinaryIO, size: int, info: Any) -> Payload:
    handle.seek(0)
    start = _id3v2_length(handle)
    end = _trailing_tags(handle, size)
    start = min(max(start, int(getattr(info, "frame_offset", start) or start)), end)
    claimed = int(getattr(info, "bitrate", 0) or 0) * float(getattr(info, "length", 0.0)) / 8
    held = end - start
    if claimed > held * 1.1 + 4096:
        missing = 100 * (1 - held / claimed)
        return Payload(start, end, f"truncated: about {missing:.0f}% of the audio is missing")
    return Payload(start, end)


def _flac(handle: BinaryIO, path: Path, size: int) -> Payload:
    handle.seek(0)
    position = _id3v2_length(handle)
    handle.seek(position)
    if handle.read(4) != b"fLaC":
        return Payload(0, size, "corrupt: no FLAC stream marker")
    position += 4
    for _ in range(MAX_ITEMS):  # a damaged chain of empty blocks must not keep it looping
        header = handle.read(4)
        if len(header) < 4:
            return Payload(0, size, "truncated: the file ends inside its metadata")
        length = int.from_bytes(header[1:4], "big")
        position += 4 + length
        handle.seek(position)
        if header[0] & 0x80:
            break
    else:
        return Payload(0, size, f"corrupt: more than {MAX_ITEMS:,} FLAC metadata blocks")
    if position >= size:
        return Payload(0, size, "truncated: the file holds no audio frames")
    return Payload(position, size, _decodes_to_the_end(path))


def _decodes_to_the_end(path: Path) -> str | None:
    """Seek to the last samples the stream claims and read them: a cut-off file fails here."""
    import soundfile

    try:
        with soundfile.SoundFile(os.fsencode(path)) as audio:  # any name: its bytes
            frames = audio.frames
            if frames <= 0:
                return "truncated: the stream holds no samples"
            audio.seek(max(0, frames - 1024))
            if len(audio.read(1024, dtype="int16")) == 0:
                return "truncated: the last samples are missing"
    except (RuntimeError, soundfile.LibsndfileError) as error:
        return f"truncated or corrupt: cannot decode to the end ({error})"
    return None


def _ogg(handle: BinaryIO, size: int) -> Payload:
    """Audio begins at the first page with a granule position (after the header pages); a
    complete stream ends with a page flagged end-of-stream."""
    start = 0
    handle.seek(0)
    offset = 0
    while offset + 27 <= size:
        handle.seek(offset)
        header = handle.read(27)
        if header[:4] != b"OggS" or len(header) < 27:
            return Payload(0, size, "corrupt: broken Ogg page structure")
        granule = struct.unpack("<q", header[6:14])[0]
        segments = header[26]
        body = sum(handle.read(segments))
        if granule > 0:
            start = offset
            break
        offset += 27 + segments + body
    tail_start = max(0, size - _TAIL_BYTES)
    handle.seek(tail_start)
    tail = handle.read()
    last = tail.rfind(b"OggS\x00")
    if last < 0 or len(tail) < last + 6 or not tail[last + 5] & 0x04:
        return Payload(start, size, "truncated: the Ogg stream has no final page")
    return Payload(start, size)


def _riff(handle: BinaryIO, size: int, magic: bytes, order: str, data_id: bytes) -> Payload:
    handle.seek(0)
    header = handle.read(12)
    if header[:4] != magic:
        return Payload(0, size)
    offset = 12
    while offset + 8 <= size:
        handle.seek(offset)
        chunk_id, length = struct.unpack(f"{order}4sI", handle.read(8))
        if chunk_id == data_id:
            start = offset + 8
            if length in (0, 0xFFFFFFFF):
                return Payload(start, size)
            end = start + length
            if end > size:
                return Payload(
                    start,
                    size,
                    f"truncated: the audio should be {length} bytes, the file holds {size - start}",
                )
            return Payload(start, end)
        offset += 8 + length + (length & 1)
    return Payload(0, size, "truncated: no audio data chunk")


def _mp4(handle: BinaryIO, size: int) -> Payload:
    offset = 0
    payload: Payload | None = None
    while offset + 8 <= size:
        handle.seek(offset)
        length, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if length == 1:
            length = struct.unpack(">Q", handle.read(8))[0]
            header = 16
        elif length == 0:
            length = size - offset
        if length < header:
            return Payload(0, size, f"corrupt: broken atom {kind!r} at byte {offset}")
        if offset + length > size:
            return Payload(0, size, f"truncated: the {kind.decode('latin-1')} atom is cut off")
        if kind == b"mdat":
            payload = Payload(offset + header, offset + length)
        offset += length
    return payload or Payload(0, size)

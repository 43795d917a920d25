"""MPD's wire format: splitting a command line into words, ACK errors, closing a client, and the
reply being built.

A request is one line: a command name, then arguments, bare or in double quotes with ``\\"`` and
``\\\\`` escaped (as libmpdclient and python-mpd2 write them). A reply is ``key: value`` lines
and ``OK``, or one ``ACK [code@index] {command} message`` line. Values never hold a line break:
everything that reaches a reply goes through :meth:`Reply.add`, which refuses one.
"""

from __future__ import annotations

import asyncio
import enum

MAX_LINE = 4096  # bytes of one request line, MPD's own order of size
FLUSH_AT = 64 * 1024  # bytes of reply held before they are handed to the socket


class Code(enum.IntEnum):
    """MPD's ACK error codes (``enum ack`` of its protocol)."""

    NOT_LIST = 1
    ARG = 2
    PASSWORD = 3
    PERMISSION = 4
    UNKNOWN = 5
    NO_EXIST = 50
    PLAYLIST_MAX = 51
    SYSTEM = 52
    PLAYLIST_LOAD = 53
    UPDATE_ALREADY = 54
    PLAYER_SYNC = 55
    EXIST = 56


class Ack(Exception):
    """A refusal, sent as an ACK line; nothing the command would have changed has changed."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def line(self, index: int, command: str) -> bytes:
        message = " ".join(self.message.split())  # one line, whatever the station said
        return f"ACK [{int(self.code)}@{index}] {{{command}}} {message}\n".encode()


class Closed(Exception):
    """The client asked to close, or must be closed."""


def split(line: str) -> list[str]:
    """The words of a request line; raises :class:`Ack` for an unclosed quote or bad escape."""
    words: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return words
        if line[i] == '"':
            i += 1
            word: list[str] = []
            while True:
                if i >= n:
                    raise Ack(Code.ARG, "Missing closing '\"'")
                char = line[i]
                if char == "\\":
                    if i + 1 >= n:
                        raise Ack(Code.ARG, "Missing closing '\"'")
                    word.append(line[i + 1])
                    i += 2
                    continue
                if char == '"':
                    i += 1
                    break
                word.append(char)
                i += 1
            if i < n and line[i] not in " \t":
                raise Ack(Code.ARG, "Space expected after closing '\"'")
            words.append("".join(word))
        else:
            start = i
            while i < n and line[i] not in " \t":
                if line[i] == '"':
                    raise Ack(Code.ARG, "Invalid unquoted character")
                i += 1
            words.append(line[start:i])


class Reply:
    """One command's (or one command list's) answer, handed to the socket in pieces so that a
    listing of the whole library never sits in memory at once."""

    def __init__(self, writer: asyncio.StreamWriter | None, timeout: float) -> None:
        self._writer = writer
        self._timeout = timeout
        self._parts: list[bytes] = []
        self._size = 0

    @classmethod
    def lines(cls) -> Reply:
        """A reply kept in memory (an answer to keep), read with :meth:`data`."""
        return cls(None, 0.0)

    def data(self) -> bytes:
        return b"".join(self._parts)

    def add(self, key: str, value: object) -> None:
        text = str(value)
        if "\n" in text or "\r" in text:  # a tag read from a file, never a protocol break
            text = " ".join(text.splitlines())
        self._push(f"{key}: {text}\n".encode())

    def binary(self, data: bytes) -> None:
        self._push(f"binary: {len(data)}\n".encode() + data + b"\n")

    def raw(self, data: bytes) -> None:
        self._push(data)

    def _push(self, data: bytes) -> None:
        self._parts.append(data)
        self._size += len(data)

    async def flush_if_big(self) -> None:
        """Send what is held once it is large (and wait for the client to take it)."""
        if self._size >= FLUSH_AT and self._writer is not None:
            await self.flush()

    async def flush(self) -> None:
        if not self._parts or self._writer is None:
            return
        self._writer.write(b"".join(self._parts))
        self._parts.clear()
        self._size = 0
        await drain(self._writer, self._timeout)


async def drain(writer: asyncio.StreamWriter, timeout: float) -> None:
    """Wait until the client takes what was written; one that takes nothing for ``timeout`` s
    is cut off (its unread replies would otherwise pile up, and its connection stay forever)."""
    try:
        await asyncio.wait_for(writer.drain(), timeout)
    except TimeoutError:
        writer.transport.abort()
        raise ConnectionResetError("the client stopped reading its replies") from None


def integer(word: str, low: int | None = None, high: int | None = None) -> int:
    """An integer argument, refused in MPD's words."""
    try:
        value = int(word)
    except ValueError:
        raise Ack(Code.ARG, f"Integer expected: {word}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise Ack(Code.ARG, f"Number out of range: {word}")
    return value


def number(word: str) -> float:
    """A (possibly fractional, possibly signed) number of seconds."""
    try:
        value = float(word)
    except ValueError:
        raise Ack(Code.ARG, f"Number expected: {word}") from None
    if value != value or abs(value) > 86_400 * 7:  # NaN, or beyond any track
        raise Ack(Code.ARG, f"Number out of range: {word}")
    return value


def boolean(word: str) -> bool:
    if word not in ("0", "1"):
        raise Ack(Code.ARG, f"Boolean (0/1) expected: {word}")
    return word == "1"


def span(word: str) -> tuple[int, int | None]:
    """``N`` (one position) or ``START:END`` (END may be empty: to the end)."""
    if ":" not in word:
        position = integer(word, 0)
        return position, position + 1
    start_word, end_word = word.split(":", 1)
    start = integer(start_word, 0)
    if not end_word:
        return start, None
    end = integer(end_word, 0)
    if end < start:
        raise Ack(Code.ARG, "Bad song index")
    return start, end

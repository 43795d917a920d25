"""One MPD client's connection: its lines, its password, its command lists and its ``idle``.

MPD's rules, kept: nothing but ``password``, ``ping``, ``close``, ``commands``, ``notcommands``
and ``tagtypes`` before the password; a command list answers once at its end (``list_OK`` after
each command with ``command_list_ok_begin``) and stops at the first error, whose ACK names the
command's index; while in ``idle`` a client may only send ``noidle`` (anything else closes it).
A line longer than :data:`MAX_LINE`, a command list over :data:`MAX_LIST_BYTES`, a client silent
for :attr:`MpdFace.timeout` seconds outside ``idle``, or one that takes none of its reply for as
long, is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from appliance.faces.mpd.commands import COMMANDS, PUBLIC
from appliance.faces.mpd.protocol import MAX_LINE, Ack, Closed, Code, Reply, drain, split
from appliance.faces.mpd.songs import DEFAULT_TAGS

if TYPE_CHECKING:
    from appliance.faces.mpd.face import MpdFace

log = logging.getLogger("appliance.faces.mpd")

MAX_LIST = 4096  # commands in one command list
MAX_LIST_BYTES = 256 * 1024  # bytes of one command list (a client's whole pending request)
SUBSYSTEMS = (
    "database", "update", "stored_playlist", "playlist", "player", "mixer", "output", "options",
    "partition", "sticker", "subscription", "message", "neighbor", "mount",
)  # fmt: skip


class Session:
    """One client (see the module docstring)."""

    def __init__(
        self,
        face: MpdFace,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: str,
    ) -> None:
        self.face = face
        self.reader = reader
        self.writer = writer
        self.peer = peer
        self.authenticated = False
        self.binary_limit = 8192
        self.tags: set[str] = set(DEFAULT_TAGS)
        self.pending: set[str] = set()  # subsystems changed since this client last heard
        self.wake = asyncio.Event()
        self.waiting = False  # in idle
        self.wanted: set[str] = set()  # the subsystems this client's idle waits for
        self._next_line: asyncio.Task[bytes] | None = None
        self.task: asyncio.Task[Any] | None = None  # the task serving this client

    def changed(self, subsystems: set[str]) -> None:
        """The station changed these subsystems (called on the faces' loop). Only a client
        idling for one of them is woken: a volume change leaves 50 apps in `idle player` be."""
        self.pending |= subsystems
        if self.waiting and subsystems & self.wanted:
            self.wake.set()

    async def serve(self) -> None:
        version = self.face.VERSION
        self.writer.write(f"OK MPD {version}\n".encode())
        with contextlib.suppress(Closed, ConnectionError, asyncio.IncompleteReadError):
            await self.writer.drain()
            while True:
                line = await self._line(self.face.timeout)
                await self._handle(line)

    async def _line(self, timeout: float | None) -> str:
        """The next request line, decoded; closes the client on a long or broken line."""
        if self._next_line is None:
            self._next_line = asyncio.ensure_future(self.reader.readuntil(b"\n"))
        try:
            data = await asyncio.wait_for(asyncio.shield(self._next_line), timeout)
        except TimeoutError:
            log.info("mpd: closing %s, silent for %.0f s", self.peer, timeout or 0)
            raise Closed from None
        except (asyncio.LimitOverrunError, ValueError):
            await self._say(Ack(Code.ARG, "line too long").line(0, ""))
            raise Closed from None
        finally:
            if self._next_line is not None and self._next_line.done():
                self._next_line = None
        if len(data) > MAX_LINE:
            await self._say(Ack(Code.ARG, "line too long").line(0, ""))
            raise Closed
        try:
            return data.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError:
            return "\x00"  # refused by _handle below as malformed

    async def _say(self, data: bytes) -> None:
        self.writer.write(data)
        await drain(self.writer, self.face.timeout)

    async def _handle(self, line: str) -> None:
        if line == "\x00":
            await self._say(Ack(Code.ARG, "Malformed UTF-8 in the request").line(0, ""))
            return
        if line in ("command_list_begin", "command_list_ok_begin"):
            await self._command_list(ok=line == "command_list_ok_begin")
            return
        if line == "noidle":  # not idling: MPD ignores it
            return
        try:
            words = split(line)
        except Ack as error:
            await self._say(error.line(0, ""))
            return
        if words and words[0] == "idle":
            await self._idle(words[1:])
            return
        reply = Reply(self.writer, self.face.timeout)
        try:
            await self._run(words, reply)
        except Ack as error:
            reply.raw(error.line(0, words[0] if words else ""))
            await reply.flush()
            return
        reply.raw(b"OK\n")
        await reply.flush()

    async def _command_list(self, ok: bool) -> None:
        lines: list[str] = []
        size = 0
        while True:
            line = await self._line(self.face.timeout)
            if line == "command_list_end":
                break
            if line in ("command_list_begin", "command_list_ok_begin") or line == "\x00":
                await self._say(Ack(Code.NOT_LIST, "not in a command list").line(len(lines), ""))
                return
            lines.append(line)
            size += len(line) + 1
            if len(lines) > MAX_LIST or size > MAX_LIST_BYTES:
                await self._say(Ack(Code.ARG, "command list too long").line(len(lines), ""))
                raise Closed
        reply = Reply(self.writer, self.face.timeout)
        for index, line in enumerate(lines):
            words: list[str] = []
            try:
                words = split(line)
                if words and words[0] in ("idle", "noidle"):
                    raise Ack(Code.ARG, f"{words[0]} is not allowed in a command list")
                await self._run(words, reply)
            except Ack as error:
                reply.raw(error.line(index, words[0] if words else ""))
                await reply.flush()
                return
            if ok:
                reply.raw(b"list_OK\n")
        reply.raw(b"OK\n")
        await reply.flush()

    async def _run(self, words: list[str], reply: Reply) -> None:
        if not words:
            raise Ack(Code.UNKNOWN, "No command given")
        name = words[0]
        spec = COMMANDS.get(name)
        if spec is None:
            raise Ack(Code.UNKNOWN, f'unknown command "{name}"')
        if not self.authenticated and name not in PUBLIC:
            raise Ack(Code.PERMISSION, f'you don\'t have permission for "{name}"')
        args = words[1:]
        if not spec.low <= len(args) <= spec.high:
            raise Ack(Code.ARG, f'wrong number of arguments for "{name}"')
        await spec.handler(self, args, reply)

    async def _idle(self, names: list[str]) -> None:
        if not self.authenticated:
            refusal = Ack(Code.PERMISSION, 'you don\'t have permission for "idle"')
            await self._say(refusal.line(0, "idle"))
            return
        wanted = set()
        for name in names:
            if name not in SUBSYSTEMS:
                await self._say(Ack(Code.ARG, f"Unrecognized idle event: {name}").line(0, "idle"))
                return
            wanted.add(name)
        wanted = wanted or set(SUBSYSTEMS)
        self.waiting, self.wanted = True, wanted
        try:
            await self._wait(wanted)
        finally:
            self.waiting = False
        hit = self.pending & wanted
        self.pending -= hit
        data = "".join(f"changed: {name}\n" for name in SUBSYSTEMS if name in hit) + "OK\n"
        await self._say(data.encode())

    async def _wait(self, wanted: set[str]) -> None:
        """Until a wanted subsystem changes or the client sends ``noidle``."""
        while not (self.pending & wanted):
            self.wake.clear()
            if self._next_line is None:
                self._next_line = asyncio.ensure_future(self.reader.readuntil(b"\n"))
            waker = asyncio.ensure_future(self.wake.wait())
            done, _ = await asyncio.wait(
                {self._next_line, waker}, return_when=asyncio.FIRST_COMPLETED
            )
            waker.cancel()
            if self._next_line in done:
                line = await self._line(None)
                if line != "noidle":  # MPD's rule: a command during idle closes the client
                    log.info("mpd: %s sent a command while idle; closing it", self.peer)
                    raise Closed
                return

    def close(self, abort: bool = False) -> None:
        """Close the connection (``abort``: at once, dropping what the client has not read)."""
        with contextlib.suppress(Exception):
            if abort:
                self.writer.transport.abort()
            else:
                self.writer.close()

    def forget(self) -> None:
        if self._next_line is not None:
            self._next_line.cancel()
            self._next_line = None

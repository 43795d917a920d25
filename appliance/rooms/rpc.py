"""Snapcast's JSON-RPC control API (TCP, port 1705 by default): one connection, asyncio.

Requests and their replies are matched by id; the server's notifications ("Client.OnVolumeChanged",
"Server.OnUpdate", …) go to ``on_notice`` in the order they arrive. Messages are one JSON object
per line; a line longer than :data:`MAX_LINE` (a broken or hostile server) ends the connection
rather than the appliance's memory. The server must be on this device or the LAN
(:func:`appliance.faces.lan.allowed`): the appliance sends its rooms to no one else.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import socket
from collections.abc import Callable
from typing import Any

from appliance.errors import ApplianceError
from appliance.faces.lan import allowed

log = logging.getLogger("appliance.rooms")

MAX_LINE = 4 * 2**20  # a status of a few hundred clients is well under this
CONNECT_TIMEOUT = 3.0
CALL_TIMEOUT = 5.0

Notice = Callable[[str, dict[str, Any]], None]


class RoomsError(ApplianceError):
    """The Snapcast server cannot be reached, or refused what was asked of it."""


async def resolve_lan(host: str, port: int) -> str:
    """The address of ``host`` if it is on this device or the LAN; else a RoomsError."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise RoomsError(
            f"the Snapcast server {host!r} cannot be found ({error.strerror or error})",
            "set [snapcast] server to the address of the board or home server running snapserver",
        ) from error
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        if allowed(address, "lan"):
            return address
    raise RoomsError(
        f"the Snapcast server {host!r} ({', '.join(addresses)}) is not on this network",
        "the rooms are sent only to a server on this device or the local network",
    )


class SnapcastControl:
    """One JSON-RPC connection to a snapserver. ``await connect()``, ``await call(...)``,
    ``await close()``; ``closed`` is set when the connection has ended for any reason."""

    def __init__(self, host: str, port: int, on_notice: Notice | None = None) -> None:
        self.host = host
        self.port = port
        self.on_notice = on_notice
        self.closed = asyncio.Event()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._task: asyncio.Task[None] | None = None

    async def connect(self, timeout: float = CONNECT_TIMEOUT) -> None:
        address = await resolve_lan(self.host, self.port)
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(address, self.port, limit=MAX_LINE), timeout
            )
        except (OSError, TimeoutError) as error:
            raise RoomsError(
                f"the Snapcast server at {self.host}:{self.port} does not answer "
                f"({getattr(error, 'strerror', None) or error or 'timed out'})",
                "start snapserver there (`systemctl start snapserver`), or set [snapcast] "
                "server and control_port to where it runs",
            ) from error
        self.closed.clear()
        self._task = asyncio.create_task(self._read(), name="snapcast-rpc")

    async def call(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = CALL_TIMEOUT
    ) -> Any:
        """The ``result`` of ``method``; a RoomsError when the server refuses or is gone."""
        if self._writer is None or self.closed.is_set():
            raise RoomsError("not connected to the Snapcast server")
        request_id = next(self._ids)
        message: dict[str, Any] = {"id": request_id, "jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            self._writer.write(json.dumps(message).encode() + b"\r\n")
            await self._writer.drain()
            return await asyncio.wait_for(future, timeout)
        except (OSError, ConnectionError) as error:
            raise RoomsError(f"the Snapcast server went away during {method}") from error
        except TimeoutError as error:
            raise RoomsError(f"the Snapcast server did not answer {method} in {timeout:g} s") from (
                error
            )
        finally:
            self._pending.pop(request_id, None)

    async def _read(self) -> None:
        assert self._reader is not None
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                self._handle(line)
        except (OSError, ConnectionError, ValueError, asyncio.LimitOverrunError) as error:
            # ValueError: a line over MAX_LINE
            log.warning("the Snapcast connection ended: %s", error)
        finally:
            self._end()

    def _handle(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            log.warning("the Snapcast server sent something that is not JSON; ignored")
            return
        for item in message if isinstance(message, list) else [message]:
            if not isinstance(item, dict):
                continue
            if "method" in item and "id" not in item:
                self._notice(str(item["method"]), item.get("params"))
                continue
            request_id = item.get("id")
            future = self._pending.get(request_id) if isinstance(request_id, int) else None
            if future is None or future.done():
                continue
            if "error" in item:
                error = item["error"]
                text = error.get("message") if isinstance(error, dict) else error
                data = error.get("data") if isinstance(error, dict) else None
                detail = f" ({data})" if data else ""
                future.set_exception(RoomsError(f"the Snapcast server refused: {text}{detail}"))
            else:
                future.set_result(item.get("result"))

    def _notice(self, method: str, params: object) -> None:
        if self.on_notice is None or not isinstance(params, dict):
            return
        try:
            self.on_notice(method, params)
        except Exception:  # a listener that fails never ends the connection
            log.exception("handling the Snapcast notification %s failed", method)

    def _end(self) -> None:
        self.closed.set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RoomsError("the Snapcast server went away"))
        self._pending.clear()
        if self._writer is not None:
            self._writer.close()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._end()
        if self._writer is not None:
            with contextlib.suppress(OSError, ConnectionError):
                await self._writer.wait_closed()

"""The Home Assistant face: the station as an ESPHome device on the local network.

Listens on ``[home_assistant] port``, lets in only this network's peers (``[faces] bind``),
encrypts with the key from :mod:`appliance.faces.secrets` (a client without it is refused, as
ESPHome refuses one), serves each connection with a :class:`Session` and advertises itself
over mDNS. The device's MAC-like id is made once and kept in the data folder, so Home Assistant
knows it again after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from pathlib import Path

from appliance.atomic import write_atomically
from appliance.config import Config
from appliance.control import Station
from appliance.faces import lan, mdns, secrets
from appliance.faces.esphome.discovery import announcement
from appliance.faces.esphome.session import Device, Session
from appliance.faces.esphome.wire import NoiseWire, PlainWire, decode_key

log = logging.getLogger("appliance.faces.esphome")

ID_FILE = "home-assistant-id"
MAX_CLIENTS = 8
STOP_WAIT = 2.0
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def device_mac(data_dir: Path) -> str:
    """This device's MAC-like id (aa:bb:cc:dd:ee:ff), made at random once and kept (Home
    Assistant knows a device by it); marked locally administered, as random addresses are."""
    path = data_dir / ID_FILE
    with contextlib.suppress(OSError, UnicodeDecodeError):
        kept = path.read_text(encoding="ascii").strip()
        if _MAC.match(kept):
            return kept
    raw = bytearray(os.urandom(6))
    raw[0] = (raw[0] | 0x02) & 0xFE  # locally administered, unicast
    mac = ":".join(f"{byte:02x}" for byte in raw)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(path, (mac + "\n").encode("ascii"))
    except OSError as error:
        raise OSError(f"cannot keep the device's id in {path}: {error.strerror}") from error
    return mac


def device_name(station_name: str, mac: str) -> str:
    """The ESPHome name (also the mDNS host): the station's name as a host label and the end
    of the MAC, at most 31 characters ("Kitchen Speaker" -> "kitchen-speaker-a1b2c3")."""
    label = re.sub(r"[^a-z0-9]+", "-", station_name.casefold()).strip("-")[:24].strip("-")
    return f"{label or 'qfzz'}-{mac.replace(':', '')[-6:]}"


class EsphomeFace:
    """Serves the ESPHome native API to Home Assistant. ``plaintext=True`` turns encryption
    off (tests of the unencrypted format; the config always supplies a key)."""

    name = "home_assistant"

    def __init__(
        self, station: Station, settings: Config, data_dir: Path, *, plaintext: bool = False
    ) -> None:
        self.station = station
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.bind = settings.faces.bind
        self.plaintext = plaintext
        self.port = settings.home_assistant.port
        self.device: Device | None = None
        self._key: bytes | None = None
        self._server: asyncio.Server | None = None
        self._advertisement: mdns.Announcement | None = None
        self._advertising: asyncio.Task[None] | None = None
        self._sessions: dict[asyncio.Task[None], Session] = {}

    async def start(self) -> None:
        if not self.plaintext:
            try:
                self._key = decode_key(secrets.encryption_key(self.settings, self.data_dir))
            except ValueError as error:
                if self.settings.home_assistant.encryption_key:
                    raise ValueError(f"[home_assistant] encryption_key: {error}") from None
                kept = self.data_dir / secrets.KEY_FILE  # made here, and damaged since
                raise ValueError(
                    f"{kept}: the kept Home Assistant key is damaged ({error}); delete it and "
                    "a new one is made at the next start (Home Assistant then asks for it)"
                ) from None
        mac = device_mac(self.data_dir)
        station_name = self.settings.station.name
        self.device = Device(
            name=device_name(station_name, mac),
            friendly_name=station_name[:120] or "QFZZ",
            mac=mac,
            encrypted=self._key is not None,
        )
        self._server = await asyncio.start_server(
            self._accept, host=lan.listen_host(self.bind), port=self.port
        )
        sockets = self._server.sockets
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self._advertisement = announcement(self.device, self.port, self.bind)
        self._advertising = asyncio.create_task(self._advertisement.start())

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        closing = [asyncio.create_task(s.close()) for s in list(self._sessions.values())]
        if closing:  # all at once: the host gives the whole stop a few seconds
            await asyncio.wait(closing, timeout=STOP_WAIT)
        if self._advertising is not None:
            self._advertising.cancel()
            with contextlib.suppress(BaseException):
                await self._advertising
        if self._advertisement is not None:
            await self._advertisement.stop()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), STOP_WAIT)
            self._server = None

    def addresses(self) -> list[str]:
        if self.device is None:
            return []
        return [
            f"{address}:{self.port} (ESPHome device {self.device.name})"
            for address in mdns.lan_addresses(self.bind) or ["127.0.0.1"]
        ]

    @property
    def clients(self) -> int:
        """How many clients are connected now."""
        return len(self._sessions)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        peer = str(peername[0]) if peername else ""
        if not lan.allowed(peer, self.bind):
            log.warning("refused Home Assistant connection from %s: not this network", peer)
            writer.transport.abort()
            return
        if len(self._sessions) >= MAX_CLIENTS or self.device is None:
            log.warning("refused Home Assistant connection from %s: %d already", peer, MAX_CLIENTS)
            writer.transport.abort()
            return
        if self._key is not None:
            wire: PlainWire | NoiseWire = NoiseWire(
                self._key, self.device.name, self.device.mac_plain
            )
        else:
            wire = PlainWire()
        session = Session(self.station, self.device, wire, reader, writer, peer, self.bind)
        task = asyncio.current_task()
        assert task is not None
        self._sessions[task] = session
        try:
            await session.run()
        finally:
            self._sessions.pop(task, None)

"""WebFace: the appliance's own web page and HTTP + WebSocket API, run by the FaceHost.

It listens on ``[web] port`` (every interface with ``[faces] bind = "lan"``, the loopback with
"localhost"), answers only peers that bind allows, asks for the station password, and announces
itself over mDNS so a phone finds it as ``http://<name>.local:<port>/``.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from aiohttp import web

from appliance.config import Config
from appliance.control import Station
from appliance.faces import lan, secrets
from appliance.faces.mdns import Announcement, host_label, lan_addresses
from appliance.faces.web.api import Encoded
from appliance.faces.web.app import make_app
from appliance.faces.web.context import Context
from appliance.faces.web.covers import Covers
from appliance.faces.web.security import SESSIONS_FILE, Sessions
from appliance.faces.web.system import LogTail

log = logging.getLogger("appliance.faces.web")
SERVICE = "_http._tcp.local."


def listen_socket(host: str | None, port: int) -> socket.socket:
    """One listening socket: ``host``, or every interface (IPv6 and IPv4 on the same port,
    which two sockets on port 0 would not share)."""
    if host is None and socket.has_ipv6:
        try:
            listening = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        except OSError:
            listening = None
        if listening is not None:
            try:
                listening.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listening.bind(("::", port))
                return listening
            except OSError:
                listening.close()
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host or "0.0.0.0", port))
    except OSError:
        listening.close()
        raise
    return listening


class WebFace:
    """The web face; ``advertise``: None announces on every interface (the loopback only with
    bind = "localhost"), a list announces on those interfaces only, False not at all;
    ``catalog``: the model catalog the System page offers (None: the one that ships)."""

    name = "web"

    def __init__(
        self,
        station: Station,
        settings: Config,
        data_dir: Path,
        advertise: list[str] | bool | None = None,
        catalog: Path | None = None,
    ) -> None:
        self.station = station
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.advertise = advertise
        self.port = 0
        password = secrets.password(settings, self.data_dir)
        self.context = Context(
            station=station,
            settings=settings,
            data_dir=self.data_dir,
            password=password,
            covers=Covers(self.data_dir / "cache" / "covers", settings.library.music_folders),
            sessions=Sessions(self.data_dir / SESSIONS_FILE, password),
            catalog=catalog,
        )
        self.app: web.Application | None = None
        self.context.encoded = Encoded()
        self.context.log_tail = LogTail()
        self._runner: web.AppRunner | None = None
        self._announcement: Announcement | None = None

    async def start(self) -> None:
        bind = self.settings.faces.bind
        self.context.log_tail.attach()
        self.app = make_app(self.context)
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        try:
            listening = listen_socket(lan.listen_host(bind), self.settings.web.port)
            await web.SockSite(self._runner, listening).start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            self.context.log_tail.detach()
            raise
        self.port = int(listening.getsockname()[1])
        if self.advertise is not False:
            await self._announce(bind)

    async def _announce(self, bind: str) -> None:
        name = self.settings.station.name
        interfaces = list(self.advertise) if isinstance(self.advertise, list) else None
        self._announcement = Announcement(
            SERVICE,
            name,
            self.port,
            bind=bind,
            server=f"{host_label(name)}.local.",
            properties={"path": "/"},
            interfaces=interfaces,
        )
        await self._announcement.start()  # a failure is a warning: the address still works

    async def stop(self) -> None:
        if self._announcement is not None:
            await self._announcement.stop()
            self._announcement = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.context.log_tail.detach()

    def addresses(self) -> list[str]:
        found = [
            f"http://{address}:{self.port}/" for address in lan_addresses(self.settings.faces.bind)
        ]
        return [*found, f"http://127.0.0.1:{self.port}/"]

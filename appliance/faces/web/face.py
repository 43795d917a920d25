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
from appliance.faces.web.advertise import Advertiser
from appliance.faces.web.api import Encoded
from appliance.faces.web.app import make_app
from appliance.faces.web.context import Context
from appliance.faces.web.covers import Covers
from appliance.faces.web.system import LogTail

log = logging.getLogger("appliance.faces.web")


def lan_address() -> str | None:
    """This device's address on the local network (the interface of its default route), found
    without sending anything; None without a network."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET: a UDP connect only picks the route
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return address if lan.allowed(address, "lan") and not address.startswith("127.") else None


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
    bind = "localhost"), a list announces on those addresses, False not at all."""

    name = "web"

    def __init__(
        self,
        station: Station,
        settings: Config,
        data_dir: Path,
        advertise: list[str] | bool | None = None,
    ) -> None:
        self.station = station
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.advertise = advertise
        self.port = 0
        self.context = Context(
            station=station,
            settings=settings,
            data_dir=self.data_dir,
            password=secrets.password(settings, self.data_dir),
            covers=Covers(self.data_dir / "cache" / "covers", settings.library.music_folders),
        )
        self.app: web.Application | None = None
        self.context.encoded = Encoded()
        self.context.log_tail = LogTail()
        self._runner: web.AppRunner | None = None
        self._advertiser: Advertiser | None = None

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
        if isinstance(self.advertise, list):
            interfaces: list[str] | None = list(self.advertise)
            addresses = list(self.advertise)
        elif bind == "localhost":
            interfaces = addresses = ["127.0.0.1"]
        else:
            interfaces = None
            addresses = [a for a in [lan_address()] if a] or ["127.0.0.1"]
        advertiser = Advertiser(self.settings.station.name, self.port, addresses, interfaces)
        try:
            await advertiser.start()
            self._advertiser = advertiser
        except Exception as error:  # no multicast route: the page still works by address
            log.warning("the web page could not be announced on the network: %s", error)

    async def stop(self) -> None:
        if self._advertiser is not None:
            await self._advertiser.stop()
            self._advertiser = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.context.log_tail.detach()

    def addresses(self) -> list[str]:
        found = []
        if self.settings.faces.bind != "localhost":
            address = lan_address()
            if address:
                found.append(f"http://{address}:{self.port}/")
        found.append(f"http://127.0.0.1:{self.port}/")
        return found

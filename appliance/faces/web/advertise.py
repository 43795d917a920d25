"""Finding the page on the network: mDNS/zeroconf ``_http._tcp`` under the speaker's name."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from typing import Any

log = logging.getLogger("appliance.faces.web")

SERVICE = "_http._tcp.local."
GOODBYE_TIMEOUT = 1.0  # seconds the "gone" announcement may take when the face stops


def host_label(name: str) -> str:
    """The speaker's name as a host label ("Kitchen Speaker" -> "kitchen-speaker")."""
    label = re.sub(r"[^a-z0-9-]+", "-", name.casefold()).strip("-")[:63]
    return label or "qfzz"


class Advertiser:
    """Registers the page while the face runs; ``interfaces`` limits where it is announced."""

    def __init__(self, name: str, port: int, addresses: list[str], interfaces: list[str] | None):
        self.name = name
        self.port = port
        self.addresses = addresses
        self.interfaces = interfaces
        self._zeroconf: Any = None
        self._info: Any = None
        self._announcing: Any = None

    async def start(self) -> None:
        from zeroconf import InterfaceChoice, IPVersion
        from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

        label = host_label(self.name)
        self._info = AsyncServiceInfo(
            SERVICE,
            f"{self.name}.{SERVICE}",
            addresses=[socket.inet_aton(address) for address in self.addresses],
            port=self.port,
            properties={"path": "/"},
            server=f"{label}.local.",
        )
        self._zeroconf = AsyncZeroconf(
            interfaces=self.interfaces or InterfaceChoice.All, ip_version=IPVersion.V4Only
        )
        # the first await registers; the task it gives back sends the announcements
        self._announcing = await self._zeroconf.async_register_service(
            self._info, allow_name_change=True
        )
        log.info("the web page is announced as http://%s.local:%d/", label, self.port)

    async def stop(self) -> None:
        if self._zeroconf is None:
            return
        if self._announcing is not None and not self._announcing.done():
            self._announcing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._announcing
        try:
            if self._info is not None:
                goodbye = await self._zeroconf.async_unregister_service(self._info)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(goodbye, GOODBYE_TIMEOUT)
        finally:
            await self._zeroconf.async_close()
            self._zeroconf = None

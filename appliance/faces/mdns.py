"""Announcing a face on the home network over mDNS (zeroconf), from its start to its stop.

Apps find the station by name this way (music apps ``_mpd._tcp``, Home Assistant
``_esphomelib._tcp``). With ``bind = "localhost"`` the announcement stays on the loopback, where
only this device hears it. A network without multicast only loses discovery (the face is still
reached by its address), so a failure to announce is one warning, never an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import Mapping, Sequence
from typing import Any

from appliance.faces import lan

log = logging.getLogger("appliance.faces.mdns")

GOODBYE_TIMEOUT = 1.0  # seconds the "gone" announcement may take when a face stops


def host_label(name: str) -> str:
    """A name as a host label ("Kitchen Speaker" -> "kitchen-speaker")."""
    label = re.sub(r"[^a-z0-9-]+", "-", name.casefold()).strip("-")[:63]
    return label or "qfzz"


def lan_addresses(bind: str = "lan") -> list[str]:
    """This device's IPv4 addresses a peer may reach it on under ``[faces] bind``: the home
    network's (not the loopback) for "lan", none for "localhost"."""
    if bind == "localhost":
        return []
    from zeroconf import get_all_addresses

    return [a for a in get_all_addresses() if lan.allowed(a) and not a.startswith("127.")]


class Announcement:
    """One service's mDNS record: ``instance`` (a name people read) of ``service`` on ``port``,
    answered for by the host ``server``; ``interfaces`` limits where it is heard (default: the
    loopback with ``bind = "localhost"``, else every interface)."""

    def __init__(
        self,
        service: str,
        instance: str,
        port: int,
        *,
        bind: str,
        server: str,
        properties: Mapping[str, str] | None = None,
        interfaces: Sequence[str] | None = None,
    ) -> None:
        self.service = service
        self.instance = instance
        self.port = port
        self.server = server
        self.properties = dict(properties or {})
        loopback = ["127.0.0.1"] if bind == "localhost" else None
        self.interfaces = list(interfaces) if interfaces else loopback
        self.bind = bind
        self._zeroconf: Any = None
        self._info: Any = None

    async def start(self) -> None:
        """Register and send the announcements; a failure is logged and leaves nothing open."""
        from zeroconf import InterfaceChoice, IPVersion
        from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

        try:
            hosts = self.interfaces or lan_addresses(self.bind) or ["127.0.0.1"]
            self._zeroconf = AsyncZeroconf(
                interfaces=self.interfaces or InterfaceChoice.All, ip_version=IPVersion.V4Only
            )
            self._info = AsyncServiceInfo(
                self.service,
                f"{self.instance}.{self.service}",
                addresses=[socket.inet_aton(host) for host in hosts],
                port=self.port,
                properties=self.properties,
                server=self.server,
            )
            # the first await registers; the task it gives back sends the announcements
            announcing = await self._zeroconf.async_register_service(
                self._info, allow_name_change=True
            )
            await announcing
        except asyncio.CancelledError:
            raise
        except Exception as error:  # no multicast route, a name taken: discovery only
            log.warning(
                "%s could not be announced on the network (mDNS): %s; apps can still be "
                "given its address",
                self.instance,
                error,
            )
            await self.stop()

    async def stop(self) -> None:
        """Say goodbye (so apps drop it at once) and close, within :data:`GOODBYE_TIMEOUT`."""
        zeroconf, self._zeroconf = self._zeroconf, None
        info, self._info = self._info, None
        if zeroconf is None:
            return
        try:
            if info is not None:
                goodbye = await zeroconf.async_unregister_service(info)
                await asyncio.wait_for(goodbye, GOODBYE_TIMEOUT)
        except Exception as error:  # a network gone already: nothing to say goodbye on
            log.debug("mDNS goodbye of %s: %s", self.instance, error)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(zeroconf.async_close(), GOODBYE_TIMEOUT)

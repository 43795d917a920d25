"""Telling Home Assistant the device is here: ``_esphomelib._tcp`` over mDNS (zeroconf).

Home Assistant's ESPHome integration reads the TXT records ``mac`` (its unique id),
``friendly_name``, ``version`` and ``api_encryption`` (so it asks for the key), and takes the
device's name from the host name. With ``bind = "localhost"`` the advertisement stays on the
loopback interface. A network without multicast only loses discovery: the device can still be
added by address, so a failure here is a warning.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from zeroconf import InterfaceChoice, IPVersion, get_all_addresses
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from appliance import __version__
from appliance.faces import lan
from appliance.faces.esphome.session import ESPHOME_VERSION, Device

log = logging.getLogger("appliance.faces.esphome")

SERVICE = "_esphomelib._tcp.local."
NOISE = "Noise_NNpsk0_25519_ChaChaPoly_SHA256"
UNREGISTER_WAIT = 1.0


def lan_addresses(bind: str) -> list[str]:
    """The IPv4 addresses Home Assistant may reach the device on."""
    if bind == "localhost":
        return ["127.0.0.1"]
    found = [a for a in get_all_addresses() if lan.allowed(a) and not a.startswith("127.")]
    return found or ["127.0.0.1"]


def txt_records(device: Device) -> dict[str, str]:
    records = {
        "friendly_name": device.friendly_name,
        "version": ESPHOME_VERSION,
        "mac": device.mac_plain,
        "platform": "HOST",
        "board": "host",
        "network": "ethernet",
        "project_name": "qfzz.appliance",
        "project_version": __version__,
    }
    records["api_encryption" if device.encrypted else "api_encryption_supported"] = NOISE
    return records


class Advertisement:
    """The device's mDNS record, from :meth:`start` until :meth:`stop`."""

    def __init__(self, device: Device, port: int, bind: str) -> None:
        self.device = device
        self.port = port
        self.bind = bind
        self._zeroconf: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None

    async def start(self) -> None:
        try:
            loopback = self.bind == "localhost"
            self._zeroconf = AsyncZeroconf(
                interfaces=["127.0.0.1"] if loopback else InterfaceChoice.All,
                ip_version=IPVersion.V4Only,
            )
            self._info = AsyncServiceInfo(
                SERVICE,
                f"{self.device.name}.{SERVICE}",
                port=self.port,
                properties=txt_records(self.device),
                server=f"{self.device.name}.local.",
                addresses=[socket.inet_aton(a) for a in lan_addresses(self.bind)],
            )
            await self._zeroconf.async_register_service(self._info)
        except Exception as error:  # no multicast route, a name taken: discovery only
            log.warning(
                "Home Assistant will not discover the device by itself (%s); add it by its "
                "address instead",
                error,
            )
            await self.stop()

    async def stop(self) -> None:
        zeroconf, self._zeroconf = self._zeroconf, None
        info, self._info = self._info, None
        if zeroconf is None:
            return
        try:
            if info is not None:  # the goodbye, so Home Assistant marks it gone at once
                await asyncio.wait_for(zeroconf.async_unregister_service(info), UNREGISTER_WAIT)
        except Exception as error:
            log.debug("mDNS unregistration: %s", error)
        finally:
            await zeroconf.async_close()

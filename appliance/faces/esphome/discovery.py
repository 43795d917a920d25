"""Telling Home Assistant the device is here: ``_esphomelib._tcp`` over mDNS (zeroconf).

Home Assistant's ESPHome integration reads the TXT records ``mac`` (its unique id),
``friendly_name``, ``version`` and ``api_encryption`` (so it asks for the key), and takes the
device's name from the host name. The announcing itself is :mod:`appliance.faces.mdns`'s.
"""

from __future__ import annotations

from appliance import __version__
from appliance.faces.esphome.session import ESPHOME_VERSION, Device
from appliance.faces.mdns import Announcement

SERVICE = "_esphomelib._tcp.local."
NOISE = "Noise_NNpsk0_25519_ChaChaPoly_SHA256"


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


def announcement(device: Device, port: int, bind: str) -> Announcement:
    """The device's mDNS record, to :meth:`~Announcement.start` and :meth:`~Announcement.stop`
    with the face."""
    return Announcement(
        SERVICE,
        device.name,
        port,
        bind=bind,
        server=f"{device.name}.local.",
        properties=txt_records(device),
    )

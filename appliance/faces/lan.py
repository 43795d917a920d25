"""Who may talk to a network face: this device, and with ``bind = "lan"`` this network.

"This network" is what a home router hands out: private (RFC 1918, IPv6 unique-local) and
link-local addresses. Anything else (a public address reaching the device through a forwarded
port) is refused before a byte of the request is read.
"""

from __future__ import annotations

import ipaddress

PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)
LOOPBACK_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("127.0.0.0/8", "::1/128"))


def allowed(address: str | None, bind: str = "lan") -> bool:
    """True when a peer at ``address`` may connect under the ``[faces] bind`` setting."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    networks = LOOPBACK_NETWORKS if bind == "localhost" else PRIVATE_NETWORKS
    return any(ip in network for network in networks)


def listen_host(bind: str) -> str | None:
    """The address a face listens on: every interface for "lan" (peers are checked one by
    one with :func:`allowed`), the loopback for "localhost"."""
    return "127.0.0.1" if bind == "localhost" else None

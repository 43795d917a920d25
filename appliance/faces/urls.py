"""The one check a URL to play passes before the station fetches it, whichever face sent it.

A face (Home Assistant, the web page, a music app) may ask the station to play a stream; the
station must never become a way to fetch from another network, nor from the device itself or
link-local addresses (another service's port on this device, a router's or a cloud's metadata
address). Only http/https, and every address the host resolves to must be one a peer could
connect from under ``[faces] bind`` (:func:`appliance.faces.lan.allowed`): with "lan" a
private address that is neither loopback nor link-local; with "localhost" this device alone
(a station that serves only itself plays what it serves itself). Resolving a name can hang on
a broken resolver, so it runs on a thread of its own with a deadline: the caller (a face's
executor thread, the command path) waits at most that long.

The name is resolved here once: :func:`check` returns the addresses it checked, and the player
connects to those and no others (:mod:`appliance.player.relay`), so a name that resolves to this
network now and elsewhere a moment later (DNS rebinding) cannot send the fetch off it. Only that
URL is checked: mpv opens no host a fetched playlist or HLS index names (``access_references``).
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from appliance.faces import lan

SCHEMES = ("http", "https")
MAX_URL = 2048
RESOLVE_TIMEOUT = 5.0  # seconds a host name may take to resolve
BAD_URL = "a URL to play starts with http:// or https:// and names a host"
NOT_HERE = "a URL to play must be on this network (its host resolves to another one)"

_resolver = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="url-check")


def _addresses(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in found]


@dataclass(frozen=True)
class Checked:
    """A URL that passed, with every address its host resolved to (all on this network)."""

    url: str
    addresses: tuple[str, ...]


class NotPlayable(ValueError):
    """Why a URL must not be played, in words for the face that sent it."""


def check(url: str, bind: str, timeout: float = RESOLVE_TIMEOUT) -> Checked:
    """``url`` with the addresses it may be fetched from under ``[faces] bind``; raises
    :class:`NotPlayable` when it may not be played."""
    if len(url) > MAX_URL:
        raise NotPlayable(f"a URL to play is at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port out of range, a malformed address
        raise NotPlayable(BAD_URL) from None
    if parts.scheme not in SCHEMES or not host:
        raise NotPlayable(BAD_URL)
    future = _resolver.submit(_addresses, host, port)
    try:
        addresses = future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise NotPlayable(
            f"the host of a URL to play did not resolve within {timeout:g} s"
        ) from None
    if not addresses or not all(playable(address, bind) for address in addresses):
        raise NotPlayable(NOT_HERE)
    return Checked(url, tuple(dict.fromkeys(addresses)))


def playable(address: str, bind: str) -> bool:
    """True when a URL's host at ``address`` may be fetched under ``[faces] bind``."""
    if not lan.allowed(address, bind):
        return False
    if bind == "localhost":
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_loopback or ip.is_link_local)


def refusal(url: str, bind: str, timeout: float = RESOLVE_TIMEOUT) -> str | None:
    """Why the station must not play ``url`` under ``[faces] bind``; None when it may."""
    try:
        check(url, bind, timeout)
    except NotPlayable as refused:
        return str(refused)
    return None


def on_this_network(url: str, bind: str) -> bool:
    """True when ``url`` may be played under ``[faces] bind`` (see :func:`check`)."""
    return refusal(url, bind) is None

"""The one check a URL to play passes before the station fetches it, whichever face sent it.

A face (Home Assistant, the web page, a music app) may ask the station to play a stream; the
station must never become a way to fetch from another network. Only http/https, and every
address the host resolves to must pass :func:`appliance.faces.lan.allowed` under ``[faces]
bind``. Resolving a name can hang on a broken resolver, so it runs on a thread of its own with a
deadline: the caller (a face's executor thread, the command path) waits at most that long.
"""

from __future__ import annotations

import concurrent.futures
import socket
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


def refusal(url: str, bind: str, timeout: float = RESOLVE_TIMEOUT) -> str | None:
    """Why the station must not play ``url`` under ``[faces] bind``; None when it may."""
    if len(url) > MAX_URL:
        return f"a URL to play is at most {MAX_URL} characters"
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port out of range, a malformed address
        return BAD_URL
    if parts.scheme not in SCHEMES or not host:
        return BAD_URL
    future = _resolver.submit(_addresses, host, port)
    try:
        addresses = future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        return f"the host of a URL to play did not resolve within {timeout:g} s"
    if not addresses or not all(lan.allowed(address, bind) for address in addresses):
        return NOT_HERE
    return None


def on_this_network(url: str, bind: str) -> bool:
    """True when ``url`` may be played under ``[faces] bind`` (see :func:`refusal`)."""
    return refusal(url, bind) is None

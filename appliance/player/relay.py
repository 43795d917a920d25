"""A stream from another system (a URL Home Assistant sends) reaches mpv only through this relay
on 127.0.0.1, which connects to the addresses checked when the URL arrived and to no others.

Why a relay: the URL's host is checked to be on this network when the command comes in
(:func:`appliance.faces.urls.check`), but mpv would resolve the name again when it opens it, and
a name can answer with a LAN address to the check and a public one a moment later (DNS
rebinding). mpv is handed ``http://127.0.0.1:<port>/<token>/<file name>`` instead; the relay
sends the request to the pinned address with the URL's own ``Host``, and streams the answer
back. It never resolves a name. A redirect is checked like a new URL (resolved once, every
address on this network) and pinned in turn; one off this network ends the fetch.

https: the relay speaks TLS to the pinned address itself, with the URL's host name as SNI (so
a server with several names sends the right certificate); mpv sees plain http on the loopback.
The certificate is not verified, as mpv does not verify by default: servers on a home network
mostly have self-signed ones, and what keeps the fetch on this network is the pinned, checked
address, not the certificate.

A URL is pinned when a face sends it; the relay keeps the last :data:`KEEP`. A URL track played
again after its pin was dropped (many newer ones) is checked and pinned anew with the last check
it was given; with no check to hand (after a restart) the relay logs that the URL must be sent
again and mpv gets a 404. At most :data:`SLOTS` connections are served at once (more get a 503),
and a request's head must arrive within :data:`HEAD_DEADLINE` seconds however slowly it trickles.

An http(s) path that was never pinned gets a 404 from the relay. What comes through is played as
it is: mpv runs with ``access_references=no`` (both option sets: the player's decks and an
announcement's), so the entries of a playlist (.m3u, .pls) or the segments of an HLS index it
fetches here are not opened: mpv would resolve and fetch those hosts itself, unchecked.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import ipaddress
import logging
import secrets
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit

log = logging.getLogger("appliance.player")

Recheck = Callable[[str], tuple[str, ...]]
"""A redirect's URL -> the addresses it may be fetched from (raises ValueError: not allowed)."""

KEEP = 64  # pinned URLs kept (a redirect pins one more)
SLOTS = 16  # connections served at once (mpv opens one or two per stream)
MAX_HEAD = 16 * 1024  # bytes of a request's or an answer's head
HEAD_DEADLINE = 10.0  # seconds a client has to send its whole request head
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0  # seconds the server may send nothing (a live stream sends all the time)
CHUNK = 64 * 1024
HOP_BY_HOP = frozenset({"host", "connection", "keep-alive", "proxy-connection", "te", "upgrade",
                        "proxy-authorization", "trailer", "transfer-encoding"})  # fmt: skip
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Pin:
    url: str
    addresses: tuple[str, ...]
    recheck: Recheck
    name: str  # the URL's file name, last in the relay's URL: mpv guesses the format by it


class Relay:
    """The relay (one per process, started on the first :meth:`pin`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pins: collections.OrderedDict[str, Pin] = collections.OrderedDict()
        self._tokens: dict[str, str] = {}  # URL -> its latest token
        self._recheck: Recheck | None = None  # the last check given: a dropped pin's renewal
        self._slots = threading.BoundedSemaphore(SLOTS)
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        with self._lock:
            return self._start()

    def _start(self) -> int:
        if self._server is None:
            relay = self

            class Handler(socketserver.BaseRequestHandler):
                def handle(self) -> None:
                    if not relay._slots.acquire(blocking=False):
                        with contextlib.suppress(OSError):
                            self.request.sendall(_status(503))
                        return
                    try:
                        relay._serve(self.request)
                    finally:
                        relay._slots.release()

            server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, name="url-relay", daemon=True).start()
            self._server = server
        return int(self._server.server_address[1])

    def pin(self, url: str, addresses: tuple[str, ...], recheck: Recheck) -> str:
        """Pin ``url`` to ``addresses`` (already checked); the URL mpv is to open for it."""
        token = secrets.token_urlsafe(12)
        name = unquote(urlsplit(url).path.rpartition("/")[2]) or "stream"
        with self._lock:
            port = self._start()
            self._pins[token] = Pin(url, addresses, recheck, name)
            self._tokens[url] = token
            self._recheck = recheck
            while len(self._pins) > KEEP:
                old, pin = self._pins.popitem(last=False)
                if self._tokens.get(pin.url) == old:
                    del self._tokens[pin.url]
        return _address(port, token, name)

    def local(self, path: str) -> str:
        """What mpv opens for a track's ``path``: a file as it is; an http(s) URL through the
        relay, pinned again (checked anew) when its pin was dropped; a 404 there when it
        cannot be."""
        if not path.startswith(("http://", "https://")):
            return path
        with self._lock:
            port = self._start()
            token = self._tokens.get(path)
            pin = None if token is None else self._pins.get(token)
            recheck = self._recheck
        if token is not None and pin is not None:
            return _address(port, token, pin.name)
        parts = urlsplit(path)
        shown = f"{parts.scheme}://{parts.hostname}{parts.path}"  # no credentials, no query
        if recheck is None:
            log.warning("%s was not checked since the appliance started: send the URL again",
                        shown[:120])  # fmt: skip
            return _address(port, "not-pinned", "stream")
        try:
            return self.pin(path, recheck(path), recheck)
        except ValueError as refused:
            log.warning("%s may no longer be played: %s", shown[:120], refused)
            return _address(port, "not-pinned", "stream")

    # -- one connection from mpv ----------------------------------------------------------

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        answered = False
        try:
            head = _read_head(client, time.monotonic() + HEAD_DEADLINE)
            method, target, headers = _parse_request(head)
            with self._lock:
                pin = self._pins.get(target.lstrip("/").split("/", 1)[0])
            if pin is None or method not in ("GET", "HEAD"):
                client.sendall(_status(404 if pin is None else 405))
                return
            upstream = _connect(pin)
            upstream.sendall(_request(method, pin.url, headers))
            answer = _read_head(upstream)
            answer = self._follow(answer, pin)
            client.settimeout(None)
            answered = True
            client.sendall(answer)
            while data := upstream.recv(CHUNK):
                client.sendall(data)
        except (OSError, ValueError) as error:
            log.debug("url relay: %s", error)
            if not answered:
                with contextlib.suppress(OSError):
                    client.sendall(_status(502))
        finally:
            if upstream is not None:
                upstream.close()
            client.close()

    def _follow(self, answer: bytes, pin: Pin) -> bytes:
        """The answer's head, a redirect's Location pinned through the relay (checked first)."""
        lines = answer.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) not in REDIRECTS:
            return answer
        for index, line in enumerate(lines[1:], start=1):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"location":
                target = urljoin(pin.url, value.strip().decode("latin-1"))
                try:
                    addresses = pin.recheck(target)
                except ValueError as refused:
                    log.warning("a stream redirected to %s: refused, %s", target[:80], refused)
                    raise ValueError("redirected off this network") from None
                lines[index] = b"Location: " + self.pin(target, addresses, pin.recheck).encode()
        return b"\r\n".join(lines)


RELAY = Relay()


def _address(port: int, token: str, name: str) -> str:
    """The relay's URL for a pin: its token, then the file name (mpv's format guess)."""
    return f"http://127.0.0.1:{port}/{token}/{quote(name)}"


def _read_head(sock: socket.socket, deadline: float | None = None) -> bytes:
    """Bytes up to and including the blank line that ends an HTTP head; what follows it (a
    body's start) stays with the head, so nothing is lost. With a ``deadline``
    (time.monotonic()), the whole head must have come by then (a trickle is not let hold a
    connection)."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD:
            raise ValueError("an HTTP head over 16 KiB")
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ValueError("the request's head did not arrive in time")
            sock.settimeout(min(CONNECT_TIMEOUT, left))
        more = sock.recv(4096)
        if not more:
            raise ValueError("the connection closed before its head ended")
        data += more
    return data


def _parse_request(head: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    text = head.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    first, *rest = text.split("\r\n")
    words = first.split(" ")
    if len(words) != 3:
        raise ValueError("a malformed request line")
    headers = []
    for line in rest:
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name.strip(), value.strip()))
    return words[0], words[1], headers


def _request(method: str, url: str, headers: list[tuple[str, str]]) -> bytes:
    """mpv's request for ``url``, for its own host: hop-by-hop headers dropped, one request
    per connection (the relay streams the answer until the server closes)."""
    parts = urlsplit(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kept = [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP]
    kept += [("Host", host), ("Connection", "close")]
    if userinfo and not any(n.lower() == "authorization" for n, _ in kept):
        credentials = base64.b64encode(unquote(userinfo).encode()).decode()
        kept.append(("Authorization", f"Basic {credentials}"))
    lines = [f"{method} {target} HTTP/1.1", *(f"{n}: {v}" for n, v in kept)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _connect(pin: Pin) -> socket.socket:
    """A connection to the first pinned address that answers (TLS for https); no name is
    resolved here."""
    parts = urlsplit(pin.url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    failure: OSError | None = None
    for address in pin.addresses:
        family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(CONNECT_TIMEOUT)
        try:
            sock.connect((address, port))
        except OSError as error:
            sock.close()
            failure = error
            continue
        sock.settimeout(READ_TIMEOUT)
        if not https:
            return sock
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # see the module docstring
        host = parts.hostname or ""
        try:
            ipaddress.ip_address(host)
            name = None  # no SNI for an address
        except ValueError:
            name = host
        try:
            return context.wrap_socket(sock, server_hostname=name)
        except OSError as error:
            sock.close()
            failure = error
    raise failure or OSError("no address to connect to")


def _status(code: int) -> bytes:
    reason = {404: "Not Found", 405: "Method Not Allowed", 502: "Bad Gateway",
              503: "Service Unavailable"}[code]  # fmt: skip
    return f"HTTP/1.1 {code} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()

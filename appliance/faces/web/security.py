"""Who gets in: the LAN check, the password login, sessions, CSRF and the security headers.

Every request passes :func:`guard` first: a peer outside the network ``[faces] bind`` allows is
refused before its body is read, and so is a request for the page under a public name (DNS
rebinding, see :func:`own_name`); then a body larger than :data:`MAX_BODY` is refused from its
Content-Length. The API wants a session (an HttpOnly, SameSite=Strict cookie given for the
station password, kept across restarts, ended by logout with its live pages); a request that
changes anything also wants the session's CSRF token in the ``X-CSRF-Token`` header and, when
the browser sends an Origin, one matching the Host. Every answer, errors included, is JSON or
one of the page's files, with the security headers of :data:`HEADERS`.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets as random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from appliance.atomic import write_atomically
from appliance.faces import lan

log = logging.getLogger("appliance.faces.web")

COOKIE = "qfzz_session"
CSRF_HEADER = "X-CSRF-Token"
MAX_BODY = 64 * 1024  # the largest request the API takes (a settings form is a few KB)
SESSION_LIFE = 30 * 24 * 3600.0  # seconds a login lasts
SESSIONS_FILE = "web-sessions.json"  # in the data folder
MAX_SESSIONS = 200  # the oldest go first beyond this
FREE_FAILURES = 5  # wrong passwords from one address before it has to wait
FREE_FAILURES_ANYWHERE = 30  # wrong passwords from all addresses before every one waits
FORGET_AFTER = 3600.0  # seconds after which a wrong password no longer counts for all
MAX_WAIT = 300.0  # the longest wait after wrong passwords, in seconds
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS = frozenset(
    {"/", "/index.html", "/api/login", "/api/session", "/api/pair", "/api/pair/start"}
)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


ERRORS = {
    404: "no such page or endpoint (the README lists the API)",
    405: "this endpoint does not take that method (the README lists the API)",
    413: f"the request is larger than {MAX_BODY // 1024} KB",
}


def fail(status: int, message: str, **extra: object) -> web.Response:
    """A JSON error a page (or a script) can show as it is."""
    return web.json_response({"ok": False, "error": message, **extra}, status=status)


class Refused(Exception):
    """Raised by a handler's helpers for input it refuses; the guard answers with ``response``
    (a :func:`fail`), its security headers on."""

    def __init__(self, status: int, message: str, key: str = "") -> None:
        super().__init__(message)
        self.response = fail(status, message, **({"key": key} if key else {}))


@dataclass
class Session:
    token: str
    csrf: str
    expires: float
    pages: set[Any] = field(default_factory=set)  # its live WebSockets, closed at logout


class Sessions:
    """The logged-in browsers. Each lasts :data:`SESSION_LIFE` from its login and is kept in
    ``path`` (mode 0600, written atomically) so a restart of the appliance does not log every
    phone out. The file holds each cookie only as its HMAC under ``key`` (the station
    password): the file is no cookie, and a new password ends every session."""

    def __init__(
        self, path: Path | None = None, key: str = "", clock: Callable[[], float] = time.time
    ) -> None:
        self._path = path
        self._key = key.encode("utf-8", "surrogateescape")
        self._clock = clock
        self._by_hash: dict[str, Session] = {}
        self._load()

    def _hash(self, token: str) -> str:
        return hmac.new(self._key, token.encode("ascii", "replace"), hashlib.sha256).hexdigest()

    def open(self) -> Session:
        self._expire()
        if len(self._by_hash) >= MAX_SESSIONS:
            oldest = min(self._by_hash, key=lambda digest: self._by_hash[digest].expires)
            del self._by_hash[oldest]
        session = Session(
            random.token_urlsafe(32), random.token_urlsafe(24), self._clock() + SESSION_LIFE
        )
        self._by_hash[self._hash(session.token)] = session
        self._save()
        return session

    def find(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        session = self._by_hash.get(self._hash(token))
        if session is None or self._clock() > session.expires:
            return None
        return session

    def close(self, token: str | None) -> Session | None:
        """End the session of ``token`` (None: there was none); its pages are the caller's."""
        if not token or len(token) > 100:
            return None
        session = self._by_hash.pop(self._hash(token), None)
        if session is not None:
            self._save()
        return session

    def _expire(self) -> None:
        now = self._clock()
        for digest in [d for d, s in self._by_hash.items() if now > s.expires]:
            del self._by_hash[digest]

    def _load(self) -> None:
        if self._path is None:
            return
        try:
            kept = json.loads(self._path.read_text(encoding="utf-8"))
            rows = [(str(r["hash"]), str(r["csrf"]), float(r["expires"])) for r in kept]
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError) as error:
            log.warning("the kept web sessions in %s are unreadable (%s): log in again",
                        self._path, error)  # fmt: skip
            return
        for digest, csrf, expires in rows[-MAX_SESSIONS:]:
            self._by_hash[digest] = Session("", csrf, expires)  # the token itself is not kept
        self._expire()

    def _save(self) -> None:
        if self._path is None:
            return
        rows = [
            {"hash": digest, "csrf": session.csrf, "expires": session.expires}
            for digest, session in self._by_hash.items()
        ]
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self._path, json.dumps(rows).encode("utf-8"), mode=0o600)
        except OSError as error:  # the session works until the next restart
            log.warning("cannot keep the web sessions in %s: %s", self._path, error)


def network_of(address: str) -> str:
    """Who is guessing: an IPv4 address (its IPv6-mapped form too), or an IPv6 address's /64
    network (a device on it may pick any address in it)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class Attempts:
    """Wrong passwords per address (per :func:`network_of`): after :data:`FREE_FAILURES`,
    each one doubles the wait before the next try is even checked (a guesser gets a handful
    of tries an hour). Beyond :data:`FREE_FAILURES_ANYWHERE` wrong passwords from all
    addresses within :data:`FORGET_AFTER` seconds, every address waits the same way: many
    addresses do not buy many guesses."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # network -> (count, last failure)
        self._anywhere: collections.deque[float] = collections.deque()

    def wait(self, address: str) -> float:
        """Seconds ``address`` must still wait before its next try is checked (0: none)."""
        now = self._clock()
        while self._anywhere and now - self._anywhere[0] > FORGET_AFTER:
            self._anywhere.popleft()
        count, last = self._failures.get(network_of(address), (0, 0.0))
        mine = self._pause(count, FREE_FAILURES, last, now)
        anywhere = self._anywhere[-1] if self._anywhere else 0.0
        return max(mine, self._pause(len(self._anywhere), FREE_FAILURES_ANYWHERE, anywhere, now))

    @staticmethod
    def _pause(count: int, free: int, last: float, now: float) -> float:
        if count < free:
            return 0.0
        return max(0.0, last + min(MAX_WAIT, 2.0 ** (count - free + 1)) - now)

    def failed(self, address: str) -> None:
        key = network_of(address)
        count, _ = self._failures.get(key, (0, 0.0))
        if len(self._failures) > 10_000:  # many addresses: forget the oldest half
            for old in sorted(self._failures, key=lambda k: self._failures[k][1])[:5000]:
                del self._failures[old]
        now = self._clock()
        self._failures[key] = (count + 1, now)
        self._anywhere.append(now)
        if len(self._anywhere) > 10_000:
            self._anywhere.popleft()

    def succeeded(self, address: str) -> None:
        self._failures.pop(network_of(address), None)


def peer(request: web.Request) -> str | None:
    """The connecting address, from the socket itself (never from a header)."""
    transport = request.transport
    name = transport.get_extra_info("peername") if transport is not None else None
    return name[0] if isinstance(name, tuple) and name else None


LOCAL_SUFFIXES = (  # the names home networks give devices
    ".local", ".lan", ".home", ".home.arpa", ".internal", ".localdomain", ".fritz.box"
)  # fmt: skip


def own_name(request: web.Request) -> bool:
    """False when the browser asked for this page under a public name: another site that
    points its name at this device (DNS rebinding) to read the page as its own. An address,
    ``localhost``, a name without dots or a home network's name (``.local``, ``.lan``,
    ``.home.arpa``...) is this device's."""
    host = request.headers.get("Host")
    if host is None:
        return True  # HTTP/1.0 without a Host: no browser
    try:
        name = (urlsplit(f"//{host}").hostname or "").rstrip(".").lower()
    except ValueError:  # "[", an unclosed IPv6 address: no name at all
        return False
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name == "localhost" or "." not in name or name.endswith(LOCAL_SUFFIXES)


def same_origin(request: web.Request) -> bool:
    """False when the browser says the request comes from another site's page."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser's cross-site request (browsers send Origin on those)
    try:
        parts = urlsplit(origin)
    except ValueError:  # "http://[": no site at all
        return False
    return bool(parts.netloc) and parts.netloc == request.host


def session_of(request: web.Request, sessions: Sessions) -> Session | None:
    return sessions.find(request.cookies.get(COOKIE))


def make_guard(bind: str, sessions: Sessions) -> Any:
    """The middleware every request passes first (see the module docstring)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not lan.allowed(peer(request), bind):
            return _headed(fail(403, "this page answers only on the local network"))
        if not own_name(request):
            return _headed(fail(403, "refused: use the device's address or its .local name"))
        length = request.content_length
        if length is not None and length > MAX_BODY:
            return _headed(fail(413, ERRORS[413]))
        path = request.path
        if path.startswith("/api/") and path not in OPEN_PATHS:
            session = session_of(request, sessions)
            if session is None:
                return _headed(fail(401, "log in first (the station password)"))
            if request.method in CHANGES:
                if not same_origin(request):
                    return _headed(fail(403, "refused: the request came from another site"))
                if not random.compare_digest(request.headers.get(CSRF_HEADER, ""), session.csrf):
                    return _headed(fail(403, "refused: the page's CSRF token is missing or stale"))
        elif request.method in CHANGES and not same_origin(request):
            return _headed(fail(403, "refused: the request came from another site"))
        try:
            response = await handler(request)
        except Refused as refused:
            return _headed(refused.response)
        except web.HTTPException as error:
            if error.status < 400:
                raise
            return _headed(fail(error.status, ERRORS.get(error.status, error.reason)))
        return _headed(response)

    return guard


def _headed(response: web.StreamResponse) -> web.StreamResponse:
    if not response.prepared:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
    return response

"""Who gets in: the LAN check, the password login, sessions, CSRF and the security headers.

Every request passes :func:`guard` first: a peer outside the network ``[faces] bind`` allows is
refused before its body is read; then a body larger than :data:`MAX_BODY` is refused from its
Content-Length. The API wants a session (an HttpOnly, SameSite=Strict cookie given for the
station password); a request that changes anything also wants the session's CSRF token in the
``X-CSRF-Token`` header and, when the browser sends an Origin, one matching the Host.
"""

from __future__ import annotations

import secrets as random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from appliance.faces import lan

COOKIE = "qfzz_session"
CSRF_HEADER = "X-CSRF-Token"
MAX_BODY = 64 * 1024  # the largest request the API takes (a settings form is a few KB)
SESSION_IDLE = 30 * 24 * 3600.0  # seconds a session lasts unused
MAX_SESSIONS = 200  # the oldest go first beyond this
FREE_FAILURES = 5  # wrong passwords from one address before it has to wait
MAX_WAIT = 300.0  # the longest wait after wrong passwords, in seconds
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS = frozenset({"/", "/index.html", "/api/login", "/api/session"})

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


def fail(status: int, message: str, **extra: object) -> web.Response:
    """A JSON error a page (or a script) can show as it is."""
    return web.json_response({"ok": False, "error": message, **extra}, status=status)


@dataclass
class Session:
    token: str
    csrf: str
    used: float = field(default_factory=time.monotonic)


class Sessions:
    """The logged-in browsers, in memory (a restart asks for the password again)."""

    def __init__(self) -> None:
        self._by_token: dict[str, Session] = {}

    def open(self) -> Session:
        self._expire()
        if len(self._by_token) >= MAX_SESSIONS:
            oldest = min(self._by_token.values(), key=lambda session: session.used)
            del self._by_token[oldest.token]
        session = Session(random.token_urlsafe(32), random.token_urlsafe(24))
        self._by_token[session.token] = session
        return session

    def find(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        session = self._by_token.get(token)
        if session is None or time.monotonic() - session.used > SESSION_IDLE:
            return None
        session.used = time.monotonic()
        return session

    def close(self, token: str | None) -> None:
        if token:
            self._by_token.pop(token, None)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, s in self._by_token.items() if now - s.used > SESSION_IDLE]:
            del self._by_token[token]


class Attempts:
    """Wrong passwords per address: after :data:`FREE_FAILURES`, each one doubles the wait
    before the next try is even checked (a guesser gets a handful of tries an hour)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # address -> (count, last failure)

    def wait(self, address: str) -> float:
        """Seconds ``address`` must still wait before its next try is checked (0: none)."""
        count, last = self._failures.get(address, (0, 0.0))
        if count < FREE_FAILURES:
            return 0.0
        pause = min(MAX_WAIT, 2.0 ** (count - FREE_FAILURES + 1))
        return max(0.0, last + pause - self._clock())

    def failed(self, address: str) -> None:
        count, _ = self._failures.get(address, (0, 0.0))
        if len(self._failures) > 10_000:  # many addresses: forget the oldest half
            for key in sorted(self._failures, key=lambda k: self._failures[k][1])[:5000]:
                del self._failures[key]
        self._failures[address] = (count + 1, self._clock())

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


def peer(request: web.Request) -> str | None:
    """The connecting address, from the socket itself (never from a header)."""
    transport = request.transport
    name = transport.get_extra_info("peername") if transport is not None else None
    return name[0] if isinstance(name, tuple) and name else None


def same_origin(request: web.Request) -> bool:
    """False when the browser says the request comes from another site's page."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser's cross-site request (browsers send Origin on those)
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc == request.host


def session_of(request: web.Request, sessions: Sessions) -> Session | None:
    return sessions.find(request.cookies.get(COOKIE))


def make_guard(bind: str, sessions: Sessions) -> Any:
    """The middleware every request passes first (see the module docstring)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not lan.allowed(peer(request), bind):
            return fail(403, "this page answers only on the local network")
        length = request.content_length
        if length is not None and length > MAX_BODY:
            return fail(413, f"the request is larger than {MAX_BODY // 1024} KB")
        path = request.path
        if path.startswith("/api/") and path not in OPEN_PATHS:
            session = session_of(request, sessions)
            if session is None:
                return fail(401, "log in first (the station password)")
            if request.method in CHANGES:
                if not same_origin(request):
                    return fail(403, "refused: the request came from another site")
                if not random.compare_digest(request.headers.get(CSRF_HEADER, ""), session.csrf):
                    return fail(403, "refused: the page's CSRF token is missing or stale")
        elif request.method in CHANGES and not same_origin(request):
            return fail(403, "refused: the request came from another site")
        try:
            response = await handler(request)
        except web.HTTPException as error:
            if error.status == 413:
                return _headed(fail(413, f"the request is larger than {MAX_BODY // 1024} KB"))
            raise
        return _headed(response)

    return guard


def _headed(response: web.StreamResponse) -> web.StreamResponse:
    if not response.prepared:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
    return response

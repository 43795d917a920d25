"""Pairing by a spoken code: a phone logs in with six digits the speaker says aloud.

Anyone in the room hears the code; nobody elsewhere on the network does. ``POST
/api/pair/start`` makes one code (one at a time, a new one at most every
:data:`CODE_EVERY` seconds), logs it and has the DJ say it through the station's command path
(a private ``Announce``: spoken, never among the DJ's lines Home Assistant and the page show);
``POST /api/pair`` with the code opens the same session the password does.
A code lasts :data:`CODE_LIFE` seconds, is used up by its first right answer and void for a
network after :data:`MAX_TRIES` wrong ones from it (for all after :data:`MAX_TRIES_ANYWHERE`);
a start refused because a code was made a moment ago counts as a wrong guess. Every wrong code
also counts as a wrong password for the address's wait
(:class:`~appliance.faces.web.security.Attempts`), so guessing codes is no faster than guessing
the password; both go through :func:`appliance.faces.web.api.guess`.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from appliance.control import Announce
from appliance.faces.web.api import admitted, guess
from appliance.faces.web.context import Context
from appliance.faces.web.security import fail, network_of

log = logging.getLogger("appliance.faces.web")
routes = web.RouteTableDef()

CODE_LIFE = 120.0  # seconds a code can be used
CODE_EVERY = 15.0  # seconds between two new codes
MAX_TRIES = 5  # wrong answers from one network before the code is void for it
MAX_TRIES_ANYWHERE = 20  # wrong answers from all networks before the code is void
DIGITS = 6


@dataclass
class _Code:
    digits: str
    expires: float
    tries: dict[str, int] = field(default_factory=dict)  # network of the address -> wrong ones


class Pairing:
    """The one pairing code that may be out (used only from the face's event loop)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._code: _Code | None = None
        self._made = -CODE_EVERY

    def new(self) -> tuple[str | None, float]:
        """A fresh code and its life in seconds; or None and the seconds until one may be
        made (a code is still out, or one was made a moment ago)."""
        now = self._clock()
        if self._code is not None and now < self._code.expires:
            return None, self._code.expires - now
        if now - self._made < CODE_EVERY:
            return None, self._made + CODE_EVERY - now
        self._code = _Code(f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}", now + CODE_LIFE)
        self._made = now
        return self._code.digits, CODE_LIFE

    def check(self, given: str, address: str) -> str | None:
        """None when ``given`` is the code (which is then used up); else why it is refused.
        Wrong tries count per network of ``address`` (one guesser cannot void the code for the
        phone in the room), and :data:`MAX_TRIES_ANYWHERE` from all of them void it."""
        code = self._code
        if code is None:
            return "no pairing code is out: press Pair for one"
        if self._clock() >= code.expires:
            self._code = None
            return "that code has expired (it lasts two minutes): press Pair for a new one"
        network = network_of(address)
        too_many = "wrong code, and too many for this one: press Pair for a new one"
        if code.tries.get(network, 0) >= MAX_TRIES:
            return too_many
        if secrets.compare_digest(given.encode("utf-8"), code.digits.encode("ascii")):
            self._code = None
            return None
        code.tries[network] = code.tries.get(network, 0) + 1
        if sum(code.tries.values()) >= MAX_TRIES_ANYWHERE:
            self._code = None
        if self._code is None or code.tries[network] >= MAX_TRIES:
            return too_many
        return "wrong code: type the six digits the speaker said"


def spoken(digits: str) -> str:
    """The code as the DJ says it: digit by digit, in two groups of three."""
    half = len(digits) // 2
    return f"{' '.join(digits[:half])}, {' '.join(digits[half:])}"


@routes.post("/api/pair/start")
async def start(request: web.Request) -> web.Response:
    ctx, address = admitted(request)
    digits, seconds = ctx.pairing.new()
    if digits is None:  # counted as a wrong guess: pressing Pair over and over is not free
        ctx.attempts.failed(address)
        response = fail(
            429, f"a pairing code was given a moment ago: use it, or ask again in {seconds:.0f} s"
        )
        response.headers["Retry-After"] = str(int(seconds) + 1)
        return response
    log.warning("web pairing code for %s: %s (valid for two minutes)", address, digits)
    outcome = await ctx.run(
        ctx.station.execute,
        Announce(text=f"The pairing code is {spoken(digits)}.", source="web", private=True),
    )
    where = "the speaker says it now, and it is in the appliance's log"
    if not outcome.ok:
        log.warning("the pairing code could not be said: %s", outcome.error)
        where = "it is in the appliance's log (the speaker could not say it)"
    return web.json_response({"ok": True, "seconds": int(seconds), "note": where})


@routes.post("/api/pair")
async def pair(request: web.Request) -> web.Response:
    hint = 'send {"code": "123456"} (the digits the speaker said)'
    return await guess(request, "code", 40, hint, _wrong_code, "pairing code")


def _wrong_code(ctx: Context, given: str, address: str) -> str | None:
    return ctx.pairing.check("".join(given.split()), address)

"""The core endpoints: login, the state, commands, the live events and cover art."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from appliance.bus import DJSaid, Heard, Lagged, Notice, StateChanged
from appliance.faces import secrets
from appliance.faces.web.context import Context, context
from appliance.faces.web.covers import SIZES, TRACK_ID
from appliance.faces.web.security import (
    COOKIE,
    SESSION_LIFE,
    Refused,
    fail,
    peer,
    same_origin,
    session_of,
)
from appliance.faces.web.shapes import BadInput, outcome_json, parse_command, state_json

log = logging.getLogger("appliance.faces.web")

routes = web.RouteTableDef()
PING_EVERY = 20.0  # seconds between WebSocket pings (a phone that slept is noticed)
MAX_PAGES = 100  # live pages at once: more is a runaway script, not a household


async def read_json(request: web.Request) -> Any:
    """The request's JSON body; a clear 400 (raised) when it is not JSON."""
    if request.content_type != "application/json":
        raise Refused(400, "send JSON (Content-Type: application/json)")
    try:
        return await request.json()
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "the body is not valid JSON") from None


def bad(error: BadInput) -> web.Response:
    return fail(400, str(error), key=error.key)


def admitted(request: web.Request) -> tuple[Context, str]:
    """The context and the caller's address for a request that guesses (a password, a pairing
    code); refused (raised) when it came from another site or the address must still wait
    after wrong guesses."""
    ctx = context(request)
    if not same_origin(request):
        raise Refused(403, "refused: the request came from another site")
    address = peer(request) or "?"
    _no_wait(ctx, address)
    return ctx, address


def _no_wait(ctx: Context, address: str) -> None:
    wait = ctx.attempts.wait(address)
    if wait > 0:
        refused = Refused(429, "")
        refused.response = too_many(wait)
        raise refused


async def guess(
    request: web.Request,
    key: str,
    longest: int,
    hint: str,
    wrong: Callable[[Context, str, str], str | None],
    what: str,
) -> web.Response:
    """One guess at a secret sent as ``{key: "..."}``: checked against the address's wait
    before and after the body is read (guesses sent at once all passed the first check); a
    wrong one (``wrong(ctx, given, address)`` says why) counts against the address, a right
    one opens a session."""
    ctx, address = admitted(request)
    body = await read_json(request)
    given = body.get(key) if isinstance(body, dict) else None
    if not isinstance(given, str) or len(given) > longest:
        return fail(400, f"{key}: {hint}", key=key)
    _no_wait(ctx, address)
    problem = wrong(ctx, given, address)
    if problem is not None:
        ctx.attempts.failed(address)
        log.warning("a wrong %s from %s", what, address)
        return fail(401, problem)
    ctx.attempts.succeeded(address)
    log.info("a right %s from %s: a session is opened", what, address)
    return await opened(ctx, request)


def _wrong_password(ctx: Context, given: str, _address: str) -> str | None:
    if secrets.same(given, ctx.password):
        return None
    return "wrong password (`appliance run` shows it in its log)"


@routes.post("/api/login")
async def login(request: web.Request) -> web.StreamResponse:
    hint = 'send {"password": "..."} (the station password)'
    return await guess(request, "password", 200, hint, _wrong_password, "web password")


async def opened(ctx: Context, request: web.Request) -> web.Response:
    """A new session for this browser (ending the one it had): the cookie and the CSRF token,
    for a right password or a right pairing code alike."""
    await _end(ctx, request.cookies.get(COOKIE))
    session = ctx.sessions.open()
    response = web.json_response({"ok": True, "csrf": session.csrf})
    response.set_cookie(
        COOKIE,
        session.token,
        httponly=True,
        samesite="Strict",
        path="/",
        max_age=int(SESSION_LIFE),
    )
    return response


def too_many(seconds: float) -> web.Response:
    """The answer to a try while this address must wait after wrong passwords or codes."""
    response = fail(429, f"too many wrong passwords or codes: try again in {seconds:.0f} s")
    response.headers["Retry-After"] = str(int(seconds) + 1)
    return response


async def _end(ctx: Context, token: str | None) -> None:
    """End the session of ``token`` and close the live pages it opened."""
    session = ctx.sessions.close(token)
    for page in list(session.pages if session is not None else ()):
        await page.close(message=b"logged out")


@routes.get("/api/session")
async def session_info(request: web.Request) -> web.Response:
    """Whether this browser is logged in, and its CSRF token when it is (after a reload); and
    the station's name, for the page's title (the name is announced on the network anyway)."""
    ctx = context(request)
    name = ctx.settings.station.name
    session = session_of(request, ctx.sessions)
    if session is None:
        return web.json_response({"ok": False, "logged_in": False, "name": name})
    return web.json_response({"ok": True, "logged_in": True, "csrf": session.csrf, "name": name})


@routes.post("/api/logout")
async def logout(request: web.Request) -> web.Response:
    await _end(context(request), request.cookies.get(COOKIE))
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


@routes.get("/api/state")
async def state(request: web.Request) -> web.Response:
    ctx = context(request)
    return web.json_response(state_json(ctx.station.snapshot()))


@routes.post("/api/command")
async def command(request: web.Request) -> web.Response:
    ctx = context(request)
    body = await read_json(request)
    try:
        cmd = parse_command(body)
    except BadInput as error:
        return bad(error)
    outcome = await ctx.run(ctx.station.execute, cmd)
    return web.json_response(outcome_json(outcome), status=200 if outcome.ok else 409)


def event_json(event: object, ctx: Context) -> dict[str, Any] | None:
    """What a page is sent for one event of the station's bus (None: nothing)."""
    if isinstance(event, StateChanged):
        return {
            "type": "state",
            "changed": sorted(event.changed),
            "state": state_json(event.state),
        }
    if isinstance(event, Lagged):
        return {"type": "state", "changed": [], "state": state_json(ctx.station.snapshot())}
    if isinstance(event, DJSaid):
        said = event.said
        return {"type": "said", "text": said.text, "user_id": said.user_id, "at": said.at}
    if isinstance(event, Heard):
        return {
            "type": "heard",
            "text": event.text,
            "user_id": event.user_id,
            "source": event.source,
            "at": event.at,
        }
    if isinstance(event, Notice):
        return {"type": "notice", "kind": event.kind, "detail": event.detail, "at": event.at}
    return None


@routes.get("/api/events")
async def events(request: web.Request) -> web.StreamResponse:
    """The live stream: the state at once, then every change (see the README's API section)."""
    ctx = context(request)
    if not same_origin(request):
        return fail(403, "refused: the request came from another site")
    if len(ctx.sockets) >= MAX_PAGES:
        return fail(503, f"{MAX_PAGES} pages are following the station already: close one")
    session = session_of(request, ctx.sessions)
    if session is None:  # the guard let it in a moment ago; it may have ended since
        return fail(401, "log in first (the station password)")
    socket = web.WebSocketResponse(heartbeat=PING_EVERY, max_msg_size=4096)
    await socket.prepare(request)
    ctx.sockets.add(socket)
    session.pages.add(socket)
    subscription = ctx.station.events.subscribe(loop=asyncio.get_running_loop())
    sender = asyncio.create_task(_send_events(socket, subscription, ctx))
    try:
        async for message in socket:  # the page sends nothing; this notices it going away
            if message.type == WSMsgType.ERROR:
                break
    finally:
        subscription.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
        ctx.sockets.discard(socket)
        session.pages.discard(socket)
    return socket


class Encoded:
    """Each event as JSON text once, however many pages it goes to (they all get the same
    event object from the bus, one after the other)."""

    def __init__(self, keep: int = 8) -> None:
        self._recent: collections.OrderedDict[int, tuple[object, str | None]] = (
            collections.OrderedDict()
        )
        self._keep = keep

    def text(self, event: object, ctx: Context) -> str | None:
        found = self._recent.get(id(event))
        if found is not None and found[0] is event:
            return found[1]
        message = event_json(event, ctx)
        text = json.dumps(message) if message is not None else None
        if not isinstance(event, Lagged):  # a Lagged is answered with the state of its moment
            self._recent[id(event)] = (event, text)
            while len(self._recent) > self._keep:
                self._recent.popitem(last=False)
        return text


async def _send_events(socket: web.WebSocketResponse, subscription: Any, ctx: Context) -> None:
    encoded: Encoded = ctx.encoded
    try:
        await socket.send_json(
            {"type": "state", "changed": [], "state": state_json(ctx.station.snapshot())}
        )
        while not socket.closed:
            event = await subscription.next()
            text = encoded.text(event, ctx)
            if text is not None:
                await socket.send_str(text)
    except (ConnectionError, RuntimeError):  # the page went away, or the bus closed
        pass
    finally:
        if not socket.closed:
            await socket.close()


@routes.get("/api/cover/{track_id}")
async def cover(request: web.Request) -> web.Response:
    """A track's cover as JPEG, by track id (``?size=96|300|600``)."""
    ctx = context(request)
    track_id = request.match_info["track_id"]
    if not TRACK_ID.fullmatch(track_id):
        return fail(400, "track_id: letters, digits, '-' or '_' only", key="track_id")
    try:
        size = int(request.query.get("size", "300"))
    except ValueError:
        size = 0
    if size not in SIZES:
        return fail(400, f"size: one of {', '.join(map(str, SIZES))}", key="size")
    library = ctx.open_library()
    track = await ctx.run(library.get, track_id)
    if track is None:
        return fail(404, f"no track {track_id!r} in the library")
    jpeg = await ctx.run(ctx.covers.get, track, size)
    if jpeg is None:
        return fail(404, "this track has no cover art")
    response = web.Response(body=jpeg, content_type="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response

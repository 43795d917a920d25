"""The first run's microphone check: a live level and a "say the wake word now" test.

Both come from the station, never from the phone's own microphone: the level is the station's
read of what its listener hears (``microphone_level()``), the wake-word test waits on its event
stream for the station's "wake" notice saying the wake word itself woke it: push-to-talk (a
button, an empty line) starts listening too, and must not pass. With no microphone
(``listen = "none"``, typed requests, a file) both say so plainly.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from appliance.bus import Notice
from appliance.faces.web.api import read_json
from appliance.faces.web.context import Context, context
from appliance.faces.web.security import fail
from appliance.faces.web.settings import wake_phrase

routes = web.RouteTableDef()
LONGEST_TEST = 30  # seconds a wake-word test may wait
NO_MICROPHONE = {
    "none": 'the appliance is not listening (listen = "none"): no microphone to test',
    "keyboard": "the appliance reads typed requests, not a microphone: nothing to test",
    "file": "the appliance is listening to a sound file, not a microphone",
}


def absent(ctx: Context) -> str | None:
    """Why there is no microphone to test (None: there is one)."""
    mode = str(getattr(ctx.station, "listen_mode", "none"))
    if mode == "microphone" and hasattr(ctx.station, "microphone_level"):
        return None
    return NO_MICROPHONE.get(mode, NO_MICROPHONE["none"])


def heard_wake_word(event: object) -> bool:
    """Whether ``event`` is the station's notice that its wake word (not a button or an empty
    line) woke it. Events lost to a ``Lagged`` are not guessed at: the test goes on waiting."""
    return isinstance(event, Notice) and event.kind == "wake" and event.detail["wake_word"] is True


@routes.get("/api/setup/microphone")
async def level(request: web.Request) -> web.Response:
    """The microphone's level now (dBFS), for the walk-through's meter."""
    ctx = context(request)
    why = absent(ctx)
    if why is not None:
        return web.json_response({"ok": True, "available": False, "level_db": None, "note": why})
    found = ctx.station.microphone_level()  # type: ignore[attr-defined]
    answer: dict[str, Any] = {"ok": True, "available": True, "level_db": found, "note": ""}
    if found is None:
        answer["note"] = "no sound comes from the microphone: is it plugged in? (appliance doctor)"
    elif ctx.station.snapshot().microphone_muted:
        answer["note"] = "the microphone is muted: the appliance hears it but does not act on it"
    return web.json_response(answer)


@routes.post("/api/setup/wake-test")
async def wake_test(request: web.Request) -> web.Response:
    """Wait up to ``seconds`` for the wake word: whether it fired, and after how long."""
    ctx = context(request)
    body = await read_json(request)
    seconds = body.get("seconds", 10) if isinstance(body, dict) else None
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not (1 <= seconds <= LONGEST_TEST)
    ):
        return fail(400, f"seconds: a number from 1 to {LONGEST_TEST}", key="seconds")
    why = absent(ctx)
    if why is not None:
        return fail(409, why)
    if ctx.settings.voice.wake_word == "none":
        return fail(409, 'no wake word is set ([voice] wake_word = "none"): push-to-talk only')
    phrase = wake_phrase(ctx.settings)
    started = time.monotonic()
    with ctx.station.events.subscribe(loop=asyncio.get_running_loop()) as events:
        try:
            async with asyncio.timeout(float(seconds)):
                while not heard_wake_word(await events.next()):
                    pass
        except TimeoutError:
            return web.json_response({
                "ok": True, "fired": False, "wake_word": phrase, "seconds": float(seconds),
                "note": f'"{phrase}" was not heard within {seconds:g} s: say it a little louder '
                "or closer, and watch the level",
            })  # fmt: skip
    after = round(time.monotonic() - started, 2)
    return web.json_response(
        {"ok": True, "fired": True, "wake_word": phrase, "seconds": after,
         "note": f'heard "{phrase}" after {after:g} s'}
    )  # fmt: skip

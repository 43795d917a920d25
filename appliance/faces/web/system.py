"""System: the doctor's checks, the hardware plan and the log's last lines, for reading.

The checks are those of `appliance doctor` except the audio devices, which the running daemon
holds (probing them from inside it could disturb the music); `appliance doctor` still checks
them. The log tail is kept in memory by a handler on the root logger while the face runs.
"""

from __future__ import annotations

import collections
import logging
import time
from dataclasses import asdict
from typing import Any

from aiohttp import web

from appliance.faces.web.context import Context, context
from appliance.faces.web.security import fail
from appliance.faces.web.settings import config_file

routes = web.RouteTableDef()
LOG_LINES = 300  # records the page can show
MAX_LINE = 2000  # characters of one record shown


class LogTail(logging.Handler):
    """The last :data:`LOG_LINES` log records, formatted, in memory."""

    def __init__(self, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.lines: collections.deque[dict[str, Any]] = collections.deque(maxlen=LOG_LINES)
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)[:MAX_LINE]
        except Exception:  # a record that cannot be formatted is not worth a crash
            return
        self.lines.append(
            {"at": record.created, "level": record.levelname.lower(), "logger": record.name,
             "text": text}
        )  # fmt: skip

    def attach(self) -> None:
        logging.getLogger().addHandler(self)

    def detach(self) -> None:
        logging.getLogger().removeHandler(self)


def _doctor(ctx: Context) -> list[dict[str, str]]:
    from appliance.doctor import run_checks

    file = config_file(ctx.settings)
    checks = run_checks(str(file) if file.exists() else None, audio=False)
    return [asdict(check) for check in checks]


def _plan(ctx: Context) -> dict[str, Any]:
    from appliance.boards import detect_profile
    from appliance.models.plan import plan_models

    return plan_models(detect_profile().profile, ctx.settings).to_dict()


@routes.get("/api/system/doctor")
async def doctor(request: web.Request) -> web.Response:
    ctx = context(request)
    started = time.monotonic()
    checks = await ctx.run(_doctor, ctx)
    return web.json_response(
        {"ok": True, "checks": checks, "seconds": round(time.monotonic() - started, 2)}
    )


@routes.get("/api/system/plan")
async def plan(request: web.Request) -> web.Response:
    ctx = context(request)
    try:
        found = await ctx.run(_plan, ctx)
    except Exception as error:  # a board or catalogue problem: said, not a 500
        message = getattr(error, "message", None) or str(error)
        return fail(500, f"no hardware plan: {message}")
    return web.json_response({"ok": True, "plan": found})


@routes.get("/api/system/log")
async def log_tail(request: web.Request) -> web.Response:
    ctx = context(request)
    tail: LogTail | None = ctx.log_tail
    lines = list(tail.lines) if tail is not None else []
    try:
        count = max(1, min(LOG_LINES, int(request.query.get("lines", "100"))))
    except ValueError:
        return fail(400, f"lines: a whole number from 1 to {LOG_LINES}", key="lines")
    return web.json_response({"ok": True, "lines": lines[-count:]})

"""The web face's aiohttp application: the guard in front, then the API's routes and the page."""

from __future__ import annotations

from aiohttp import web

from appliance.faces.web import (
    api,
    library,
    listeners,
    microphone,
    models,
    pages,
    pairing,
    settings,
    system,
)
from appliance.faces.web.context import CONTEXT, Context
from appliance.faces.web.security import MAX_BODY, make_guard


def make_app(ctx: Context) -> web.Application:
    app = web.Application(
        middlewares=[make_guard(ctx.settings.faces.bind, ctx.sessions)],
        client_max_size=MAX_BODY,
    )
    app[CONTEXT] = ctx
    if ctx.pairing is None:
        ctx.pairing = pairing.Pairing()
    if ctx.model_jobs is None:
        ctx.model_jobs = models.ModelJobs()
    tables = (api.routes, pairing.routes, library.routes, listeners.routes, settings.routes,
              system.routes, models.routes, microphone.routes)  # fmt: skip
    for table in (*tables, pages.routes):
        app.add_routes(table)
    app.on_shutdown.append(_close_sockets)
    return app


async def _close_sockets(app: web.Application) -> None:
    for socket in list(app[CONTEXT].sockets):
        await socket.close(message=b"the appliance is stopping")

"""The page itself: a few files that ship in the package, served by name from memory.

Only the names in :data:`FILES` exist; a request for anything else (``/static/../x``) is a 404,
and nothing is ever looked up on the disk from a request's path.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from appliance.faces.web.security import Refused

routes = web.RouteTableDef()
FILES = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "style.css": "text/css",
    "icon.svg": "image/svg+xml",
}
_loaded: dict[str, bytes] = {}


def asset(name: str) -> bytes:
    if name not in _loaded:
        _loaded[name] = (resources.files(__package__) / "static" / name).read_bytes()
    return _loaded[name]


def _serve(name: str) -> web.Response:
    response = web.Response(body=asset(name), content_type=FILES[name], charset="utf-8")
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    return _serve("index.html")


@routes.get("/static/{name}")
async def static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in FILES or name == "index.html":
        raise Refused(404, f"no such file {name[:80]!r} in the page")
    return _serve(name)

"""Listeners: who is known, what the DJ keeps about each, their friends, export and delete.

Reads go through the DJ's public methods (``favourites``, ``get_trust_level``, ``current_mood``,
``export_profile``); the listener's own data is changed only by their request here: a friend added
or removed, or everything deleted for good (``delete_profile``, confirmed by typing the id).
Switching who listens and the mood are commands (``/api/command``), like everything else.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from appliance.faces.web.api import read_json
from appliance.faces.web.context import Context, context
from appliance.faces.web.security import Refused, fail
from appliance.listener_id import RULE, is_user_id

routes = web.RouteTableDef()
RECENT = 20  # plays shown as recent history


def _user(request: web.Request) -> str:
    user_id = request.match_info["user_id"]
    if not is_user_id(user_id):
        raise Refused(400, f"user_id: {RULE}", "user_id")
    return user_id


def _profile(ctx: Context, user_id: str) -> dict[str, Any] | None:
    """What the page shows about one listener (runs in a worker thread)."""
    dj = ctx.dj
    if dj is None:
        return None
    data = dj.export_profile(user_id)
    if data is None:
        return None
    profile = data["profile"]
    library = ctx.library

    def titled(row: dict[str, Any]) -> dict[str, Any]:
        track = library.get(row["track_id"]) if library is not None else None
        return {
            "track_id": row["track_id"],
            "event": row["event"],
            "at": row["ts"],
            "title": track.title if track else "",
            "artist": track.artist if track else "",
        }

    listening = data["listening"]
    return {
        "id": user_id,
        "name": profile.get("name", ""),
        "favourites": dj.favourites(user_id, 5),
        "preferences": profile.get("preferences", []),
        "blocked_genres": profile.get("blocked", []),
        "trust": round(dj.get_trust_score(user_id), 3),
        "trust_level": dj.get_trust_level(user_id),
        "mood": dj.current_mood(user_id),
        "community": [row["friend_id"] for row in data["community"]],
        "recent": [titled(row) for row in listening[-RECENT:]][::-1],
        "likes": [titled(row) for row in listening if row["event"] == "liked"][-RECENT:][::-1],
    }


@routes.get("/api/listeners")
async def everyone(request: web.Request) -> web.Response:
    ctx = context(request)
    state = ctx.station.snapshot()
    return web.json_response(
        {
            "ok": True,
            "current": state.listener,
            "listeners": [{"id": uid, "name": name} for uid, name in state.listeners],
        }
    )


@routes.get("/api/listeners/{user_id}")
async def one(request: web.Request) -> web.Response:
    ctx = context(request)
    user_id = _user(request)
    ctx.open_dj()  # a 503 before the DJ is open
    found = await ctx.run(_profile, ctx, user_id)
    if found is None:
        return fail(404, f"no listener {user_id!r}")
    return web.json_response({"ok": True, "listener": found})


@routes.get("/api/listeners/{user_id}/export")
async def export(request: web.Request) -> web.Response:
    """Everything the DJ keeps about the listener, as a JSON download."""
    ctx = context(request)
    user_id = _user(request)
    dj = ctx.open_dj()
    data = await ctx.run(dj.export_profile, user_id)
    if data is None:
        return fail(404, f"no listener {user_id!r}")
    response = web.json_response(data, dumps=lambda d: json.dumps(d, indent=2, default=str))
    response.headers["Content-Disposition"] = f'attachment; filename="{user_id}.json"'
    return response


@routes.delete("/api/listeners/{user_id}")
async def delete(request: web.Request) -> web.Response:
    """Forget the listener for good; the body must repeat the id: ``{"confirm": "<id>"}``."""
    ctx = context(request)
    user_id = _user(request)
    body = await read_json(request)
    if not isinstance(body, dict) or body.get("confirm") != user_id:
        return fail(
            400, f'confirm: send {{"confirm": "{user_id}"}} to delete for good', key="confirm"
        )
    dj = ctx.open_dj()
    deleted = await ctx.run(dj.delete_profile, user_id)
    if not deleted:
        return fail(404, f"no listener {user_id!r}")
    return web.json_response({"ok": True, "deleted": user_id})


@routes.post("/api/listeners/{user_id}/friends")
async def befriend(request: web.Request) -> web.Response:
    ctx = context(request)
    user_id = _user(request)
    body = await read_json(request)
    friend = body.get("friend_id") if isinstance(body, dict) else None
    if not isinstance(friend, str) or not is_user_id(friend):
        return fail(400, f"friend_id: {RULE}", key="friend_id")
    if friend == user_id:
        return fail(400, "friend_id: a listener cannot befriend themselves", key="friend_id")
    dj = ctx.open_dj()
    known = await ctx.run(dj.export_profile, user_id)
    if known is None:
        return fail(404, f"no listener {user_id!r}")
    await ctx.run(dj.add_to_community, user_id, friend)
    return web.json_response({"ok": True})


@routes.delete("/api/listeners/{user_id}/friends/{friend_id}")
async def unfriend(request: web.Request) -> web.Response:
    ctx = context(request)
    user_id = _user(request)
    friend = request.match_info["friend_id"]
    if not is_user_id(friend):
        return fail(400, f"friend_id: {RULE}", key="friend_id")
    dj = ctx.open_dj()
    removed = await ctx.run(dj.remove_from_community, user_id, friend)
    if not removed:
        return fail(404, f"{friend!r} is not among {user_id!r}'s friends")
    return web.json_response({"ok": True})

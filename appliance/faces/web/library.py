"""Browsing the music: artists, albums, genres, folders, search and the library's counts.

Everything here reads the library's index through its public methods; nothing touches the disk.
Folders are the folders of indexed tracks, named relative to their music folder, so a folder
asked for is looked up among those and never opened as a path.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from appliance.faces.web.context import context
from appliance.faces.web.covers import root_of
from appliance.faces.web.security import Refused, fail
from appliance.faces.web.shapes import MAX_TEXT, track_json
from appliance.library.track import Track

routes = web.RouteTableDef()
MAX_ITEMS = 500  # tracks in one answer


def _text(request: web.Request, key: str) -> str | None:
    value = request.query.get(key)
    if value is None:
        return None
    if len(value) > MAX_TEXT or "\x00" in value:
        raise Refused(400, f"{key}: at most {MAX_TEXT} characters, no NUL", key)
    return value


def folder_of(track: Track, roots: Sequence[Path]) -> str | None:
    """The track's folder relative to its music folder ("" at the top), shown as
    "<music folder name>/<sub>/<dir>"; None when it lies outside them all."""
    parent = os.path.dirname(os.path.realpath(track.path))
    root = root_of(parent, roots)
    if root is None:
        return None
    rest = os.path.relpath(parent, root)
    name = os.path.basename(root.rstrip(os.sep)) or root
    return name if rest == "." else f"{name}/{rest}"


def _listing(tracks: list[Track]) -> dict[str, Any]:
    return {
        "ok": True,
        "tracks": [track_json(t) for t in tracks[:MAX_ITEMS]],
        "more": max(0, len(tracks) - MAX_ITEMS),
    }


@routes.get("/api/library/stats")
async def stats(request: web.Request) -> web.Response:
    ctx = context(request)
    library = ctx.open_library()
    counts = await ctx.run(library.stats)
    return web.json_response({"ok": True, "stats": counts.as_dict()})


@routes.get("/api/library/{kind:artists|albums|genres|folders}")
async def names(request: web.Request) -> web.Response:
    """The names to browse by: every artist, album (with its artist), genre or folder."""
    ctx = context(request)
    library = ctx.open_library()
    kind = request.match_info["kind"]
    tracks: list[Track] = await ctx.run(library.tracks)
    items: list[dict[str, Any]]
    if kind == "artists":
        items = [
            {"name": name}
            for name in sorted({t.artist for t in tracks if t.artist}, key=str.casefold)
        ]
    elif kind == "albums":
        seen: dict[str, str] = {}
        for t in tracks:
            if t.album:
                seen.setdefault(t.album, t.album_artist or t.artist)
        items = [{"name": a, "artist": seen[a]} for a in sorted(seen, key=str.casefold)]
    elif kind == "genres":
        items = [{"name": g} for g in sorted({g for t in tracks for g in t.genres})]
    else:
        roots = ctx.settings.library.music_folders
        folders = {folder_of(t, roots) for t in tracks}
        items = [{"name": f} for f in sorted(f for f in folders if f is not None)]
    return web.json_response({"ok": True, "items": items})


@routes.get("/api/library/tracks")
async def tracks(request: web.Request) -> web.Response:
    """Tracks of one ``artist``, ``album``, ``genre`` or ``folder`` (exactly one)."""
    ctx = context(request)
    library = ctx.open_library()
    given = {key: _text(request, key) for key in ("artist", "album", "genre", "folder")}
    chosen = [(key, value) for key, value in given.items() if value]
    if len(chosen) != 1:
        return fail(400, "give exactly one of artist, album, genre, folder", key="query")
    key, value = chosen[0]
    if key == "genre":
        found: list[Track] = await ctx.run(library.tracks_for_genre, value)
    else:
        everything: list[Track] = await ctx.run(library.tracks)
        roots = ctx.settings.library.music_folders
        if key == "artist":
            found = [t for t in everything if value in (t.artist, t.album_artist)]
        elif key == "album":
            found = [t for t in everything if t.album == value]
        else:
            found = [t for t in everything if folder_of(t, roots) == value]
            if not found:
                return fail(404, f"no folder {value!r} in the library", key="folder")
    return web.json_response(_listing(found))


@routes.get("/api/library/search")
async def search(request: web.Request) -> web.Response:
    ctx = context(request)
    library = ctx.open_library()
    text = _text(request, "q") or ""
    if not text.strip():
        return fail(400, "q: the words to look for", key="q")
    found = await ctx.run(library.search, text, 50)
    return web.json_response(_listing(found))


@routes.get("/api/library/track/{track_id}")
async def track(request: web.Request) -> web.Response:
    ctx = context(request)
    library = ctx.open_library()
    track_id = request.match_info["track_id"]
    found = await ctx.run(library.get, track_id) if len(track_id) <= 128 else None
    if found is None:
        return fail(404, "no such track in the library")
    return web.json_response({"ok": True, "track": track_json(found)})

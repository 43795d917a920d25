"""A track as an MPD song block (``file:`` first, then the tags this client asked for)."""

from __future__ import annotations

from collections.abc import Collection

from appliance.faces.mpd.filters import TAGS, Song, tag_values
from appliance.faces.mpd.protocol import Reply

# what a client gets until it narrows it with `tagtypes`
DEFAULT_TAGS = frozenset(TAGS)


def song(reply: Reply, item: Song, tags: Collection[str] = DEFAULT_TAGS) -> None:
    uri, track = item
    reply.add("file", uri)
    for name, spelled in TAGS.items():
        if name in tags and name != "comment":
            for value in tag_values(item, name):
                reply.add(spelled, value)
    if track.duration > 0:
        reply.add("Time", round(track.duration))
        reply.add("duration", f"{track.duration:.3f}")

"""Corrections ("no, i said jazz"): what the last request was, and what it stands for once
mended with the slots the correction names. Pure: the turn (turns.py) undoes and redoes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from appliance.dj.taste import Evidence

if TYPE_CHECKING:
    from appliance.dj.understand import Intent

CORRECTABLE = frozenset({"play", "set_volume", "mood", "add_preference", "remove_preference"})
"""Requests a correction ("no, i said jazz") mends."""

NAME_SLOTS = frozenset({"artist", "album", "title", "query"})


@dataclasses.dataclass(frozen=True)
class Done:
    """The last correctable request and what the listener's profile was before it."""

    intent: Intent
    preferences: list[str]
    blocked: list[str]
    mood: str | None
    mood_at: datetime | None
    at: datetime
    undo: tuple[Evidence, ...] = ()  # taste rows that reverse the request's


SLOT_FAMILIES = {"album": "name", "title": "name", "query": "name", "activity": "mood"}
"""Slots a correction may swap for one another ("not kind of blue, miles davis")."""


def families(slots: Iterable[str]) -> set[str]:
    return {SLOT_FAMILIES.get(slot, "name" if slot == "artist" else slot) for slot in slots}


def mend(done: Done | None, fixed: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The request a correction with the slots ``fixed`` stands for: the last request mended
    when it used the kinds of slot the correction names, else a new request (its kind and
    slots). A genre or mood put right drops the names and search text said before; a search
    text alone is no request ("unknown")."""
    if not fixed or set(fixed) <= {"query"}:
        return "unknown", {}
    if set(fixed) == {"name"}:  # "no, it's dai, not di": the listener is who they say
        return "identify", fixed
    if done is None or not families(fixed) <= families(done.intent.slots):
        kind = "set_volume" if set(fixed) == {"level"} else "play"
        if set(fixed) <= {"mood", "activity"}:
            kind = "mood"
        return kind, fixed
    slots = dict(done.intent.slots)
    if families(fixed) & {"name", "genre", "mood"}:
        slots = {k: v for k, v in slots.items() if k not in NAME_SLOTS}
    slots.update(fixed)
    if done.intent.name != "set_volume":
        slots.pop("level", None)
    return done.intent.name, slots

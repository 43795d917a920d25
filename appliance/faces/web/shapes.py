"""The API's JSON: the station's state and tracks out, validated commands in.

A command arrives as ``{"command": "volume", "level": 40, "by": "alex"}``; its name picks a class
of :mod:`appliance.control` and every other key must be one of that class's fields, of its type
and size. Anything else is a :class:`BadInput` naming the key and what would be valid, which the
API answers with a 400 and nothing done.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

from appliance import control
from appliance.library.track import Track
from appliance.listener_id import RULE, is_user_id
from appliance.state import PlayState, StationState

MAX_TEXT = 500  # characters of any text field (a request to the DJ is a sentence)
MAX_INT = 100_000

COMMANDS: dict[str, type[control.Command]] = {
    "play": control.Play,
    "enqueue": control.Enqueue,
    "skip": control.Skip,
    "previous": control.Previous,
    "like": control.Like,
    "dislike": control.Dislike,
    "pause": control.Pause,
    "resume": control.Resume,
    "stop": control.Stop,
    "volume": control.SetVolume,
    "mute": control.Mute,
    "seek": control.Seek,
    "remove_queued": control.RemoveQueued,
    "move_queued": control.MoveQueued,
    "clear_queue": control.ClearQueue,
    "switch_listener": control.SwitchListener,
    "mood": control.SetMood,
    "ask": control.Ask,
    "announce": control.Announce,
    "commentary": control.SetCommentary,
    "mute_microphone": control.MuteMicrophone,
    "room": control.SetRoom,
    "rescan": control.Rescan,
}
LIMITS: dict[str, tuple[float, float]] = {
    "level": (0, 100),
    "step": (-100, 100),
    "seconds": (-86_400, 86_400),
    "index": (0, MAX_INT),
    "to": (0, MAX_INT),
    "position": (0, MAX_INT),
    "volume": (0, 100),
    "latency_ms": (0, 10_000),
}
SELECTORS = ("track_id", "query", "artist", "album", "genre")


class BadInput(ValueError):
    """Input the API refuses: ``key`` is where, the message says what would be valid."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.key = key


def track_json(track: Track) -> dict[str, Any]:
    return {
        "id": track.track_id,
        "title": track.title,
        "artist": track.artist,
        "album": track.album,
        "genres": list(track.genres),
        "year": track.year,
        "duration": round(track.duration, 2),
    }


def state_json(state: StationState) -> dict[str, Any]:
    """The snapshot as the page and the API show it."""
    playing = state.now_playing
    at = time.time()
    now: dict[str, Any] | None = None
    if playing is not None:
        duration = playing.duration or playing.track.duration
        position = playing.position
        if state.play_state == PlayState.PLAYING and playing.started_at:
            position = at - playing.started_at  # where it is now, not at the last change
        now = {
            "track": track_json(playing.track),
            "position": round(max(0.0, min(position, duration or position)), 2),
            "duration": round(duration, 2),
            "started_at": playing.started_at,
            "chosen_by": playing.chosen_by,
            "why": playing.why,
        }
    return {
        "version": state.version,
        "at": at,
        "now_playing": now,
        "up_next": [track_json(track) for track in state.up_next],
        "play_state": str(state.play_state),
        "volume": state.volume,
        "muted": state.muted,
        "ducked": state.ducked,
        "listener": state.listener,
        "listener_name": state.listener_name,
        "mood": state.mood,
        "voice": str(state.voice),
        "microphone_muted": state.microphone_muted,
        "commentary": state.commentary,
        "dj_lines": [
            {"text": said.text, "user_id": said.user_id, "at": said.at} for said in state.dj_lines
        ],
        "rooms": [dataclasses.asdict(room) for room in state.rooms],
        "listeners": [{"id": user_id, "name": name} for user_id, name in state.listeners],
    }


def outcome_json(outcome: control.Outcome) -> dict[str, Any]:
    return {"ok": outcome.ok, "text": outcome.text, "error": outcome.error}


def _typed(key: str, value: object, annotation: str) -> object:
    """``value`` checked against a field's annotation ("int | None", "str", "bool", ...)."""
    kinds = [part.strip() for part in annotation.split("|")]
    if value is None:
        if "None" in kinds:
            return None
        raise BadInput(f"{key}: a value is needed", key)
    if "bool" in kinds and isinstance(value, bool):
        return value
    if isinstance(value, bool):
        raise BadInput(f"{key}: expected {_said(kinds)}, not true/false", key)
    if "int" in kinds and isinstance(value, int):
        return _bounded(key, value)
    if "float" in kinds and isinstance(value, int | float):
        if not math.isfinite(value):
            raise BadInput(f"{key}: expected a finite number", key)
        return _bounded(key, float(value))
    if "str" in kinds and isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise BadInput(f"{key}: at most {MAX_TEXT} characters", key)
        if "\x00" in value:
            raise BadInput(f"{key}: has a NUL character", key)
        return value
    raise BadInput(f"{key}: expected {_said(kinds)}, not {type(value).__name__}", key)


def _bounded(key: str, value: float) -> float:
    low, high = LIMITS.get(key, (-MAX_INT, MAX_INT))
    if not low <= value <= high:
        raise BadInput(f"{key}: must be from {low:g} to {high:g}", key)
    return value


def _said(kinds: list[str]) -> str:
    names = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false"}
    return " or ".join(names[kind] for kind in kinds if kind in names)


def parse_command(body: object, default_by: str | None = None) -> control.Command:
    """The command ``body`` describes, attributed to its ``by`` (else ``default_by``), from the
    web; raises :class:`BadInput` for anything not exactly right."""
    if not isinstance(body, dict):
        raise BadInput('the body must be a JSON object such as {"command": "skip"}')
    name = body.get("command")
    if not isinstance(name, str) or name not in COMMANDS:
        raise BadInput(f"command: expected one of {', '.join(COMMANDS)}", "command")
    cls = COMMANDS[name]
    fields = {spec.name: spec for spec in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key in ("command", "by"):
            continue
        spec = fields.get(key)
        if spec is None or key == "source":
            allowed = [f for f in fields if f not in ("by", "source")]
            raise BadInput(
                f"{key}: not a field of {name!r} (fields: {', '.join(allowed) or 'none'})", key
            )
        values[key] = _typed(key, value, str(spec.type))
    by = body.get("by", default_by)
    if by is not None and (not isinstance(by, str) or not is_user_id(by)):
        raise BadInput(f"by: {RULE}", "by")
    if "user_id" in values and not is_user_id(values["user_id"]):
        raise BadInput(f"user_id: {RULE}", "user_id")
    if cls in (control.Play, control.Enqueue):
        chosen = [key for key in SELECTORS if values.get(key)]
        if len(chosen) != 1:
            raise BadInput(f"{name}: give exactly one of {', '.join(SELECTORS)}", "command")
    missing = [
        spec.name
        for spec in fields.values()
        if spec.name not in values
        and spec.name not in ("by", "source")
        and spec.default is dataclasses.MISSING
        and spec.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise BadInput(f"{name}: {', '.join(missing)} is needed", missing[0])
    try:
        return cls(**values, by=by, source="web")
    except (TypeError, ValueError) as error:
        raise BadInput(f"{name}: {error}", "command") from None

"""The keeper of the station's one state: every change made here, each one published.

Whatever changes something a face could show (the player's events, a command, the voice, the
ducking) asks the keeper to change the state; the keeper makes the next frozen snapshot with a
version one higher and publishes it, with the names of the fields that differ, on the event bus.
Changes are made under one lock, so the stream's versions come in order and none is lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from appliance.bus import DJSaid, EventBus, StateChanged
from appliance.state import Said, StationState

LINES_KEPT = 5  # the DJ's recent lines a snapshot carries


class StateKeeper:
    """Holds the current :class:`StationState` and publishes each change."""

    def __init__(self, bus: EventBus, state: StationState | None = None) -> None:
        self._bus = bus
        self._state = state or StationState()
        self._lock = threading.RLock()

    @property
    def state(self) -> StationState:
        """The current snapshot (never changes once handed out)."""
        return self._state

    def update(self, **fields: Any) -> StationState:
        """Set ``fields``; publishes a StateChanged when any of them differs."""
        return self.change(lambda _state: fields)

    def change(self, edit: Callable[[StationState], Mapping[str, Any]]) -> StationState:
        """Read-modify-write: ``edit`` sees the current state (under the lock) and returns the
        fields to set; publishes a StateChanged when any of them differs."""
        with self._lock:
            old = self._state
            fields = dict(edit(old))
            changed = frozenset(k for k, v in fields.items() if getattr(old, k) != v)
            if not changed:
                return old
            new = replace(old, version=old.version + 1, **fields)
            self._state = new
            self._bus.publish(StateChanged(new, changed))
            return new

    def said(self, text: str, user_id: str) -> Said:
        """The DJ said ``text`` (to ``user_id``): a DJSaid event, then the recent lines change."""
        line = Said(text=text, user_id=user_id, at=time.time())
        with self._lock:
            self._bus.publish(DJSaid(line))
            self.change(lambda state: {"dj_lines": (*state.dj_lines, line)[-LINES_KEPT:]})
        return line

"""The radio's next pick, asked for on a thread of its own.

``next_track`` is the DJ's choice: it takes the DJ's lock and writes SQLite, and may wait behind
a long dialogue turn. Asked on the player's thread it would stall a crossfade or a duck; here the
player asks ahead of time with a ticket and gets the pick back as a message, in its own time.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from appliance.library.track import Track

log = logging.getLogger(__name__)

# deliver(ticket, pick): how a pick goes back to whoever asked (the player's inbox)
Deliver = Callable[[int, Track | None], None]


class Radio:
    """Answers each :meth:`ask` with ``deliver(ticket, next_track())``, in order."""

    def __init__(self, next_track: Callable[[], Track | None], deliver: Deliver) -> None:
        self._next_track = next_track
        self._deliver = deliver
        self._asks: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="player-radio", daemon=True)
        self._thread.start()

    def ask(self, ticket: int) -> None:
        """Ask for a pick (returns at once); the answer comes with ``ticket``."""
        self._asks.put(ticket)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def close(self, timeout: float = 1.0) -> None:
        """Stop after the pick being made, if any (waits at most ``timeout``)."""
        self._asks.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while (ticket := self._asks.get()) is not None:
            try:
                pick = self._next_track()
            except Exception:
                log.exception("next_track() failed; the music pauses until something is played")
                pick = None
            try:
                self._deliver(ticket, pick)
            except Exception:
                log.exception("could not hand the radio's pick over")

"""The station's event stream: any number of subscribers, none of which can hold it up.

``publish`` never blocks and never raises: each subscriber has a bounded queue; when a slow one
falls behind, its oldest events are dropped and it is told once with :class:`Lagged`, after which
it reads a fresh snapshot (``station.snapshot()``) to catch up. A subscriber whose event loop has
closed is dropped. Subscribers read from a thread (``get``) or from asyncio (``next``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import threading
import time
from dataclasses import dataclass

from appliance.state import Said, StationState

log = logging.getLogger("appliance.bus")

QUEUE_SIZE = 256


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The state moved on; ``changed`` names the fields of :class:`StationState` that differ."""

    state: StationState
    changed: frozenset[str]


@dataclass(frozen=True, slots=True)
class DJSaid:
    """The DJ spoke (a reply, commentary or an announcement)."""

    said: Said


@dataclass(frozen=True, slots=True)
class Heard:
    """Words reached the DJ (heard or typed), and from which face."""

    text: str
    user_id: str
    source: str
    at: float


@dataclass(frozen=True, slots=True)
class Notice:
    """Anything else worth a face's attention: ``kind`` ("library-scan", "library-changed",
    "rooms", …) and a small JSON-able ``detail``."""

    kind: str
    detail: dict[str, object]
    at: float


@dataclass(frozen=True, slots=True)
class Lagged:
    """This subscriber fell behind and lost ``dropped`` events: read a snapshot to resync."""

    dropped: int


class Subscription:
    """One subscriber's bounded queue. Close it when done (or use it as a context manager)."""

    def __init__(
        self, bus: EventBus, size: int, loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        self._bus = bus
        self._items: collections.deque[object] = collections.deque()
        self._size = size
        self._dropped = 0
        self._ready = threading.Condition()
        self._loop = loop
        self._wakeup = asyncio.Event() if loop is not None else None
        self.closed = False

    def _offer(self, event: object) -> bool:
        """Queue ``event``; False when this subscriber is gone and should be dropped."""
        with self._ready:
            if self.closed:
                return False
            if len(self._items) >= self._size:
                self._items.popleft()
                self._dropped += 1
            self._items.append(event)
            self._ready.notify()
        if self._loop is not None and self._wakeup is not None:
            try:
                self._loop.call_soon_threadsafe(self._wakeup.set)
            except RuntimeError:  # its event loop has closed
                self.closed = True
                return False
        return True

    def _take(self) -> object | None:
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            return Lagged(dropped)
        return self._items.popleft() if self._items else None

    def get(self, timeout: float | None = None) -> object | None:
        """The next event, waiting up to ``timeout`` seconds (None: for ever); None on timeout
        or when closed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._ready:
            while True:
                event = self._take()
                if event is not None or self.closed:
                    return event
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._ready.wait(left)

    async def next(self) -> object:
        """The next event, from the event loop this subscription was made for."""
        if self._wakeup is None:
            raise RuntimeError("subscribe with loop= to read from asyncio")
        while True:
            with self._ready:
                event = self._take()
                if event is not None:
                    return event
                if self.closed:
                    raise ConnectionError("the subscription is closed")
                self._wakeup.clear()
            await self._wakeup.wait()

    def close(self) -> None:
        with self._ready:
            self.closed = True
            self._ready.notify_all()
        if self._loop is not None and self._wakeup is not None:
            with contextlib.suppress(RuntimeError):  # its event loop has closed already
                self._loop.call_soon_threadsafe(self._wakeup.set)
        self._bus._forget(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    """Fan-out of the station's events to every subscriber."""

    def __init__(self) -> None:
        self._subscribers: list[Subscription] = []
        self._lock = threading.Lock()

    def subscribe(
        self, size: int = QUEUE_SIZE, loop: asyncio.AbstractEventLoop | None = None
    ) -> Subscription:
        """A new subscription; pass the running ``loop`` to read it with ``await next()``."""
        subscription = Subscription(self, size, loop)
        with self._lock:
            self._subscribers.append(subscription)
        return subscription

    def publish(self, event: object) -> None:
        """Hand ``event`` to every subscriber. Never blocks, never raises."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            try:
                keep = subscription._offer(event)
            except Exception:  # a subscriber must never take the station down
                log.exception("an event subscriber failed; it is dropped")
                keep = False
            if not keep:
                self._forget(subscription)

    def _forget(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)

    def __len__(self) -> int:
        with self._lock:
            return len(self._subscribers)

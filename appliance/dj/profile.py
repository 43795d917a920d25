"""The listener's profile and the trust bands that set the DJ's tone.

Trust measures the relationship: it starts neutral at 0.5, grows by 0.01 with each interaction
(never with explicit negative feedback) and stays within [0, 1]. Its band decides how the DJ talks:
a Stranger or Acquaintance gets exploratory questions, a Close or Best Friend gets confident picks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, overload

from appliance.errors import UsageError
from appliance.listener_id import RULE, is_user_id

SESSION_GAP = timedelta(minutes=30)
"""A pause longer than this ends a sitting (a session): the next word begins another."""
TRUST_START = 0.5
TRUST_STEP = 0.01

# (upper bound, name): a score belongs to the first band whose bound it is below.
TRUST_BANDS: tuple[tuple[float, str], ...] = (
    (0.3, "Stranger"),
    (0.5, "Acquaintance"),
    (0.7, "Friend"),
    (0.9, "Close Friend"),
    (float("inf"), "Best Friend"),
)


USER_ID_RULE = RULE


def check_user_id(value: str, option: str = "USER") -> str:
    """``value`` when it can name a listener; else a UsageError saying what an id may hold.

    Every way in from the command line checks here, so "" never silently means the default
    listener and "   " never reaches the store; the rule is the one the DJ makes ids by.
    """
    if not is_user_id(value):
        raise UsageError(f"{option}: {value!r} is not a listener id", hint=USER_ID_RULE)
    return value


def trust_level(score: float) -> str:
    """The band of a trust score: Stranger, Acquaintance, Friend, Close Friend, Best Friend."""
    for bound, name in TRUST_BANDS:
        if score < bound:
            return name
    return TRUST_BANDS[-1][1]


def clamp_trust(score: float) -> float:
    """Keep trust in [0, 1], rounded so that steps of 0.01 do not drift (0.5 + 10 steps = 0.6)."""
    return round(min(1.0, max(0.0, score)), 6)


@dataclass
class UserProfile:
    """One listener, as the product guide documents it, plus what the DJ learns on the way.

    ``interaction_history`` holds dicts with ``timestamp`` (datetime), ``message`` and ``type``
    (``user_message`` or ``dj_response``). For a profile held by a :class:`PersonalizedDJ` it is a
    read-only view of the history in the DJ's store, so years of conversation never have to sit in
    memory; a profile made by hand holds a plain list.
    """

    user_id: str
    name: str
    music_preferences: list[str] = field(default_factory=list)
    interaction_history: Sequence[dict[str, Any]] = field(default_factory=list)
    trust_score: float = TRUST_START
    community_connections: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=datetime.now)
    blocked_genres: list[str] = field(default_factory=list)
    mood: str | None = None
    mood_set_at: datetime | None = None
    sessions: int = 0
    last_seen: datetime | None = None

    @property
    def trust_level(self) -> str:
        """The trust band: Stranger, Acquaintance, Friend, Close Friend or Best Friend."""
        return trust_level(self.trust_score)


class HistoryView(Sequence[dict[str, Any]]):
    """A listener's interaction history read from the store on demand (oldest first)."""

    def __init__(
        self,
        count: Callable[[], int],
        fetch: Callable[[int, int], list[dict[str, Any]]],
    ) -> None:
        self._count = count
        self._fetch = fetch

    def __len__(self) -> int:
        return self._count()

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        size = len(self)
        if isinstance(index, slice):
            start, stop, step = index.indices(size)
            if start >= stop:
                return []
            rows = self._fetch(start, stop - start)
            return rows[::step] if step != 1 else rows
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("history index out of range")
        return self._fetch(index, 1)[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        size = len(self)
        for start in range(0, size, 500):
            yield from self._fetch(start, min(500, size - start))

    def __repr__(self) -> str:
        return f"<history of {len(self)} messages>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

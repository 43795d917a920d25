"""What a recogniser choosing among its readings asks of the understanding (appliance/voice/
reading_sense.py): how sure it is of a reading, and what the reading asks for. One reading of an
Intent for the station and for every test and benchmark that weighs readings as it does."""

from __future__ import annotations

from appliance.dj.understand_intent import Intent

Meaning = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
"""Each request of a reading, in order, with its slots as sorted (name, value) text pairs."""


def _understood(intent: Intent | None) -> tuple[Intent, ...]:
    parts = () if intent is None else intent.each()
    return () if any(part.name == "unknown" for part in parts) else tuple(parts)


def verdict(intent: Intent | None) -> float:
    """How sure the understanding is that a reading is a request it can act on: the least sure
    of its parts, 0 when any is not understood."""
    return min((part.confidence for part in _understood(intent)), default=0.0)


def meaning(intent: Intent | None) -> Meaning | None:
    """What a reading asks for: each request and its slots, None when any part is not
    understood (readings that mean the same agree)."""
    parts = _understood(intent)
    if not parts:
        return None
    return tuple(
        (part.name, tuple(sorted((k, str(v)) for k, v in part.slots.items()))) for part in parts
    )

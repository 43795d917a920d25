"""What may name a listener: one rule for the ids the DJ makes from spoken names, the config's
listeners and every command that takes an id.

An id names files too (an export's ``USER.json``), so it holds no '.', '/' or space: letters of
any script (names are spoken in many languages), digits, '-' and '_', at most 64 of them.
"""

from __future__ import annotations

import re

MAX_LENGTH = 64
RULE = (
    f"a listener id is 1 to {MAX_LENGTH} letters, digits, '-' or '_', without spaces or dots "
    "(e.g. alex or user_001)"
)
_ID = re.compile(rf"[\w-]{{1,{MAX_LENGTH}}}")
_NOT_IN_ID = re.compile(r"[^\w]+")


def is_user_id(value: str) -> bool:
    """True when ``value`` can name a listener (the whole of it: no trailing newline)."""
    return _ID.fullmatch(value) is not None


def why_not(value: str) -> str | None:
    """What keeps ``value`` from naming a listener, said after it; None when it can."""
    if is_user_id(value):
        return None
    if not value:
        return "is empty"
    if len(value) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    return "has characters an id cannot have"


def make_user_id(name: str) -> str | None:
    """The id the DJ gives a listener who says their name ("Ωμέγα Άλφα" -> "ωμέγα-άλφα");
    None when the name has no letter or digit to make one of."""
    made = _NOT_IN_ID.sub("-", name.casefold()).strip("-_")[:MAX_LENGTH].rstrip("-_")
    return made if made and is_user_id(made) else None

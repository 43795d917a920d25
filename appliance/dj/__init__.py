"""The DJ brain: understands what is said, learns each listener, remembers, picks what plays next.

It is pure: no audio and no threads; state goes through a store (SQLite or memory). The classes the
product guide documents are importable from here; they are loaded on first use so that importing
one part of the brain (say, understanding) does not load all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.profile import UserProfile

__all__ = ["PersonalizedDJ", "UserProfile"]


def __getattr__(name: str) -> Any:
    if name == "PersonalizedDJ":
        from appliance.dj.engine import PersonalizedDJ

        return PersonalizedDJ
    if name == "UserProfile":
        from appliance.dj.profile import UserProfile

        return UserProfile
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

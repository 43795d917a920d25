"""The local music library: scanning, tags, audio features, the index and the genre map.

``Library`` (the index), ``ScanReport``, ``LibraryStats`` and ``ensure_demo_library`` are loaded
on first use, so that importing the :class:`Track` record (which every stage does) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appliance.library.genres import default_genres
from appliance.library.track import Track

if TYPE_CHECKING:
    from appliance.library.demo import ensure_demo_library
    from appliance.library.index import Library, LibraryStats
    from appliance.library.scan import ScanReport

__all__ = [
    "Library",
    "LibraryStats",
    "ScanReport",
    "Track",
    "default_genres",
    "ensure_demo_library",
]

_LAZY = {
    "Library": "appliance.library.index",
    "LibraryStats": "appliance.library.index",
    "ScanReport": "appliance.library.scan",
    "ensure_demo_library": "appliance.library.demo",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

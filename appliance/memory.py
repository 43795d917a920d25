"""Keeping the daemon's heap small: glibc's malloc, tuned for a long-running, many-threaded process.

glibc gives each thread that allocates its own heap (arena), up to eight per core, and keeps
what is freed in each of them for reuse. The daemon has a dozen threads (the player's decks, the
speech producer, the listener, the dialogue, the library's analysis) that allocate in bursts, so
freed memory piles up in many arenas: over 300 turns of simulated use the daemon grew from
300 MB to 380-570 MB between replies. With two arenas it stayed at 304-343 MB, its peak
fell from 674 to 453 MB, and nothing measurable got slower.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # from glibc's <malloc.h>
ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl, macOS): nothing to tune
        return None


def limit_arenas(arenas: int = ARENAS) -> None:
    """Let glibc make at most ``arenas`` heaps. Call first thing, before threads start;
    ``MALLOC_ARENA_MAX`` in the environment wins (glibc reads it itself)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return
    if not libc.mallopt(M_ARENA_MAX, arenas):
        log.debug("mallopt(M_ARENA_MAX) was refused; the heap keeps glibc's defaults")


def give_memory_back() -> None:
    """Return freed heap memory to the system (glibc keeps it otherwise)."""
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(AttributeError):
            libc.malloc_trim(0)

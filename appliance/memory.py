"""Keeping the daemon's heap small: glibc's malloc, tuned for a long-running, many-threaded process.

glibc gives each thread that allocates its own heap (arena), up to eight per core, and keeps
what is freed in each of them for reuse. The daemon has a dozen threads (the player's decks, the
speech producer, the listener, the dialogue, the library's analysis) that allocate in bursts, so
freed memory piles up in many arenas: over 300 turns of simulated use the daemon grew from
300 MB to 380-570 MB between replies. With two arenas it stayed at 304-343 MB, its peak
fell from 674 to 453 MB, and nothing measurable got slower. What is freed is handed back to the
system now and then (:func:`trim_when_grown`), not after every reply."""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import threading

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # from glibc's <malloc.h>
ARENAS = 2


@functools.cache
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


TRIM_SLACK_MB = 48.0
"""How far the process may grow past its size after the last trim before freed memory is
handed back to the system."""

_trim_lock = threading.Lock()
_trimmed_at_mb: float | None = None


def resident_mb() -> float:
    """This process's resident memory (MB), from /proc/self/statm."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def trim_when_grown(slack_mb: float = TRIM_SLACK_MB) -> bool:
    """Hand freed heap memory back to the system once the process has grown ``slack_mb``
    past its size after the last trim; True when it did.

    Trimming after every reply kept the daemon flat but made the next reply's first words
    20-40 ms later (the system has to hand the memory out again); never trimming let it
    creep from 290 to 480 MB over 300 turns. Trimming only past the slack keeps it within
    the slack of its floor and leaves most replies untouched.
    """
    global _trimmed_at_mb
    libc = _libc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    try:
        size = resident_mb()
    except (OSError, ValueError, IndexError):
        return False
    with _trim_lock:
        if _trimmed_at_mb is not None and size < _trimmed_at_mb + slack_mb:
            return False
        libc.malloc_trim(0)
        _trimmed_at_mb = resident_mb()
        log.debug("heap trimmed: %.0f MB -> %.0f MB", size, _trimmed_at_mb)
        return True

"""The daemon's heap: at most two glibc arenas, however many threads allocate."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

PROGRAM = textwrap.dedent(
    """
    import ctypes, sys, threading
    from appliance.memory import limit_arenas
    if sys.argv[1] == "limit":
        limit_arenas()
    barrier = threading.Barrier(8)

    def work():
        barrier.wait()  # all at once, so that they contend for the heap
        for _ in range(200):
            blocks = [bytearray(4096) for _ in range(50)]
            del blocks

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ctypes.CDLL("libc.so.6").malloc_stats()  # one "Arena N:" section per arena, on stderr
    """
)


def arenas(mode: str, **env: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode],
        env={k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


GLIBC_ONLY = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")


@GLIBC_ONLY
def test_threads_share_two_arenas() -> None:
    assert arenas("free") > 2  # what glibc does by itself: a heap for nearly every thread
    assert arenas("limit") <= 2


@GLIBC_ONLY
def test_the_environment_wins() -> None:
    assert arenas("limit", MALLOC_ARENA_MAX="4") > 2


@GLIBC_ONLY
def test_freed_memory_goes_back_once_the_process_has_grown_past_the_slack() -> None:
    program = textwrap.dedent(
        """
        import ctypes
        from appliance import memory
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc.restype = ctypes.c_void_p
        libc.free.argtypes = [ctypes.c_void_p]
        libc.mallopt(-1, 1 << 20)  # M_TRIM_THRESHOLD: glibc must not trim by itself here
        memory.trim_when_grown()  # the floor
        floor = memory.resident_mb()
        blocks = [libc.malloc(65536) for _ in range(1600)]  # 100 MB in the heap
        for block in blocks:
            ctypes.memset(block, 1, 65536)
        for block in blocks[:-1]:  # the last one stays: the heap's top cannot shrink by itself
            libc.free(block)
        grown = memory.resident_mb()
        print(grown - floor > 90, memory.trim_when_grown(), memory.resident_mb() - floor < 20,
              memory.trim_when_grown())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    # grew by 100 MB, trimmed back to its floor, and no second trim right after
    assert done.stdout.split() == ["True", "True", "True", "False"]

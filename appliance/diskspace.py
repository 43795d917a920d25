"""Free space on the disk a folder lives on, and telling a full disk from other write failures.

A full SD card is an ordinary event on the appliance: every writer that can meet one says where
it is and how much to free, instead of a traceback or "try again".
"""

from __future__ import annotations

import errno
import math
import os
import shutil
from pathlib import Path

MB = 2**20
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def free_bytes(folder: Path) -> int | None:
    """Bytes an unprivileged writer can still use on ``folder``'s disk (None: unknown).

    Measured at the nearest existing ancestor, so a folder not yet made still has an answer.
    """
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def read_only_disk(folder: Path) -> bool:
    """True when ``folder`` is on a disk mounted read-only (a worn SD card remounts itself so)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def is_no_space(error: BaseException) -> bool:
    """True when ``error`` is the disk (or the user's quota) being full."""
    return isinstance(error, OSError) and error.errno in _NO_SPACE


def mb_to_free(needed: int, folder: Path) -> int:
    """Whole MB to free on ``folder``'s disk so that ``needed`` more bytes fit (at least 1)."""
    free = free_bytes(folder) or 0
    return max(1, math.ceil((needed - free) / MB))


def enough_space(folder: Path, needed: int) -> bool:
    """True when ``needed`` bytes fit on ``folder``'s disk (or its free space is unknown)."""
    free = free_bytes(folder)
    return free is None or free >= needed


def space_for(sizes: list[int], folder: Path) -> int:
    """Bytes that files of ``sizes`` take on ``folder``'s disk: each file fills whole blocks
    (a model of a thousand small files takes far more than the sum of their sizes)."""
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        block = os.statvfs(path).f_bsize or 4096
    except OSError:
        block = 4096
    return sum(-(-size // block) * block for size in sizes)

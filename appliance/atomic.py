"""Writing a file so that a crash or power cut leaves either the old file or the whole new one.

A temporary file next to the target (same folder, so the rename cannot cross disks), fsynced,
renamed over the target, then the folder fsynced so the rename itself survives a power cut. A
failed write (disk full, read-only disk) removes the temporary file and leaves the target alone.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (where the system allows it)."""
    with suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def fsync_file(path: Path) -> None:
    """Make a file's written bytes durable before it is renamed into place."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` all at once. Raises OSError (ENOSPC, EROFS, EACCES...)."""
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_folder(path.parent)

"""Which of the indexed music is on disk right now.

A USB stick pulled out or a folder renamed away leaves the index full of tracks that cannot
play. Rather than forget them (the stick comes back), the library hides them: a file that
fails to open is looked at on disk, and the highest folder of it that is gone (or left empty,
as a mount point is when its drive is pulled) is marked gone at once, so one missing folder is
one change, noticed once. The music folders themselves are watched with a cheap stat; what
was marked gone is looked at again at each check and shown again when it is back.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
from dataclasses import dataclass

from appliance.library.filenames import shown

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Change:
    """Music that went away (``gone``) or came back; ``path`` is a folder or one file;
    ``first``: a folder that was not there when the watch began, here for the first time."""

    path: str
    gone: bool
    folder: bool
    first: bool = False


_GONE_ERRORS = (errno.ENOENT, errno.ENOTDIR)
_unlistable: set[tuple[str, int]] = set()  # folders whose listing failed, said once each


def present(folder: str) -> bool:
    """A folder that is there and holds something (an empty mount point holds nothing). A
    folder that cannot be listed for another reason (too many open files, no permission, a
    failing card) is kept: hiding all its music and saying it has gone would be wrong."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except OSError as error:
        if error.errno in _GONE_ERRORS:
            return False
        if (folder, error.errno or 0) not in _unlistable:
            _unlistable.add((folder, error.errno or 0))
            log.warning("cannot look at %s (%s); its music stays", shown(folder), error.strerror)
        return True


class Presence:
    """The folders and files found gone, and a ``version`` that moves when they change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._folders: set[str] = set()
        self._files: set[str] = set()
        self.version = 0

    def hides(self, path: str) -> bool:
        """True when ``path`` is gone, or lies in a folder that is."""
        with self._lock:
            return self._hides(path)

    def _hides(self, path: str) -> bool:
        if not self._folders and not self._files:
            return False
        if path in self._files or path in self._folders:
            return True
        return any(path.startswith(folder + "/") for folder in self._folders)

    @property
    def gone(self) -> list[str]:
        """Every folder and file found gone, sorted."""
        with self._lock:
            return sorted(self._folders | self._files)

    def notice(self, path: str, roots: list[str]) -> Change | None:
        """Look at a file that failed to open: the folder (or the file) that is gone, the first
        time it is found so; None when the file is there or this is already known."""
        if os.path.isfile(path) or self.hides(path):
            return None
        root = next((r for r in roots if path.startswith(r.rstrip("/") + "/")), None)
        top = (root or os.path.dirname(path)).rstrip("/") or "/"
        gone, folder = path, False
        parent = os.path.dirname(path)
        while len(parent) >= len(top) and not present(parent):
            gone, folder = parent, True
            if parent == top:
                break
            parent = os.path.dirname(parent)
        return self._mark(Change(gone, gone=True, folder=folder))

    def check(self, roots: list[str]) -> list[Change]:
        """The periodic look: music folders gone (or emptied) since the last one, and anything
        marked gone that is back."""
        changes: list[Change] = []
        for root in roots:
            if not self.hides(root) and not present(root):
                gone = self._mark(Change(root, gone=True, folder=True))
                if gone is not None:
                    changes.append(gone)
        with self._lock:
            marked = [(path, True) for path in self._folders]
            marked += [(path, False) for path in self._files]
        for path, folder in marked:
            if present(path) if folder else os.path.isfile(path):
                changes.append(self._unmark(Change(path, gone=False, folder=folder)))
        return changes

    def _mark(self, change: Change) -> Change | None:
        """Mark it gone; None when it already was (the watch and a failed track may find the
        same folder gone at the same moment: it is one change)."""
        with self._lock:
            if self._hides(change.path):
                return None
            (self._folders if change.folder else self._files).add(change.path)
            if change.folder:  # what was gone inside it is now part of it
                inside = change.path + "/"
                self._folders = {f for f in self._folders if not f.startswith(inside)}
                self._files = {f for f in self._files if not f.startswith(inside)}
            self.version += 1
        return change

    def _unmark(self, change: Change) -> Change:
        with self._lock:
            (self._folders if change.folder else self._files).discard(change.path)
            self.version += 1
        return change

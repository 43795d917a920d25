"""Unpacking a model archive (zip or tar.gz) without letting it reach outside its folder.

Every member is checked before anything is written. Model archives hold plain files and folders
(the Vosk zips and every catalog download do), so everything else is refused outright: symbolic
links (a chain such as ``s -> .``, ``t -> s/..`` escapes however each link looks on its own),
hard links, devices, FIFOs and sockets; so are absolute names, ``..``, and an archive that would
unpack to far more than the catalog says the model takes (a decompression bomb).
"""

from __future__ import annotations

import errno
import gzip
import os
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, TypeVar

from appliance.atomic import fsync_folder
from appliance.errors import ModelError
from appliance.models.catalog import stays_inside as _inside
from appliance.models.store import MANIFEST

CHUNK = 1 << 20
MB = 2**20
MAX_MEMBERS = 100_000  # members and the folders they imply, together
MAX_DEPTH = 32  # folders deep (the deepest Vosk model is 4)
MAX_COMPONENT = 255  # bytes in one name: what Linux file systems allow
MAX_NAME = 1024  # bytes in a member's whole path
FOLDER_BLOCK = 4096  # what one folder takes on disk, counted against the model's size
SIZE_SLACK = 2.0  # unpacked may exceed the catalog's disk_mb by this factor ...
SIZE_FLOOR = 64 * MB  # ... or by this much, whichever is more (disk_mb is often an estimate)
MAX_RATIO = 100  # unpacked bytes per archive byte, beyond the floor below
RATIO_FLOOR = 16 * MB  # small archives of text may compress well: no ratio check below this

T = TypeVar("T")
# failures of the disk, not of the archive: reported as such by the caller
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
_HOSTILE = "the archive is corrupt or hostile; nothing was installed"
# what a damaged archive raises while it is read (gzip's is an OSError; an encrypted or oddly
# compressed zip member raises RuntimeError or NotImplementedError)
_UNREADABLE = (
    zipfile.BadZipFile,
    tarfile.TarError,
    gzip.BadGzipFile,
    zlib.error,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)


@dataclass(frozen=True)
class Member:
    """One member to write: its path inside the target (after stripping) and its size."""

    name: str
    is_dir: bool
    size: int = 0
    executable: bool = False


def size_limit(disk_mb: float) -> int:
    """The most a model's archives may unpack to, from the catalog's declared size."""
    return max(int(disk_mb * SIZE_SLACK * MB), int(disk_mb * MB) + SIZE_FLOOR)


def _refuse(archive: Path, what: str) -> ModelError:
    return ModelError(f"{archive.name}: refusing to unpack: {what}", hint=_HOSTILE)


def _relative(raw: str, strip: str, archive: Path) -> str | None:
    """A member's path inside the target, or None for the stripped folder itself."""
    if not _inside(raw):
        raise _refuse(archive, f"member {raw!r} lands outside the model folder")
    normal = posixpath.normpath(raw)
    if strip:
        if normal == strip:
            return None
        if not normal.startswith(strip + "/"):
            raise ModelError(
                f"{archive.name}: unexpected member {raw!r} outside {strip}/",
                hint="the archive's layout is not what the catalog describes",
            )
        normal = normal[len(strip) + 1 :]
    if normal == ".":
        return None
    parts = normal.split("/")
    if len(normal.encode("utf-8", "surrogateescape")) > MAX_NAME or any(
        len(part.encode("utf-8", "surrogateescape")) > MAX_COMPONENT for part in parts
    ):
        raise _refuse(archive, f"member {raw[:80]!r}... has a name too long for a file system")
    if len(parts) > MAX_DEPTH:
        raise _refuse(archive, f"member {raw[:80]!r}... is more than {MAX_DEPTH} folders deep")
    if normal == MANIFEST:
        raise _refuse(archive, f"member {raw!r} takes the name of the install manifest")
    return normal


def _zip_kind(info: zipfile.ZipInfo) -> str:
    """A member's kind: "file", "dir", or what else its Unix mode (if any) says it is."""
    mode = info.external_attr >> 16
    if info.is_dir():
        return "dir"
    if not stat.S_IFMT(mode) or stat.S_ISREG(mode):  # no Unix mode (made on Windows): a file
        return "file"
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISDIR(mode):
        return "dir"
    return "special file (device, FIFO or socket)"


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.isfile():
        return "file"
    if member.isdir():
        return "dir"
    if member.issym():
        return f"symbolic link (to {member.linkname!r})"
    if member.islnk():
        return f"hard link (to {member.linkname!r})"
    return "special file (device, FIFO or socket)"


def _zip_members(archive: Path, strip: str) -> Iterator[tuple[Member, zipfile.ZipInfo]]:
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            kind = _zip_kind(info)
            if kind not in ("file", "dir"):
                raise _refuse(archive, f"member {info.filename!r} is a {kind}")
            name = _relative(info.filename.rstrip("/"), strip, archive)
            if name is None:
                continue
            if info.file_size > RATIO_FLOOR and info.file_size > info.compress_size * MAX_RATIO:
                raise _refuse(
                    archive,
                    f"member {info.filename!r} would grow from {info.compress_size} to "
                    f"{info.file_size} bytes (a decompression bomb)",
                )
            executable = bool((info.external_attr >> 16) & 0o111)
            yield Member(name, kind == "dir", info.file_size, executable), info


def _tar_members(
    archive: Path, strip: str, limit: int | None
) -> Iterator[tuple[Member, tarfile.TarInfo]]:
    """Checked as each header is read: a gzip stream is only skipped through by decompressing
    it, so a bomb is refused before its data is, not after."""
    packed = archive.stat().st_size
    total = 0
    with tarfile.open(archive, "r:gz") as tarred:
        count = 0
        while (member := tarred.next()) is not None:
            count += 1
            if count > MAX_MEMBERS:
                raise _refuse(archive, f"more than {MAX_MEMBERS} members")
            kind = _tar_kind(member)
            if kind not in ("file", "dir"):
                raise _refuse(archive, f"member {member.name!r} is a {kind}")
            name = _relative(member.name.rstrip("/"), strip, archive)
            if name is None:
                continue
            total += member.size
            _check_total(archive, total, packed, limit)
            yield Member(name, kind == "dir", member.size, bool(member.mode & 0o111)), member


def folders_of(members: list[Member]) -> set[str]:
    """Every folder the members make, named or implied by a deeper member's path."""
    folders = set()
    for member in members:
        parts = member.name.split("/")
        for depth in range(1, len(parts) if not member.is_dir else len(parts) + 1):
            folders.add("/".join(parts[:depth]))
    return folders


def _check_sizes(archive: Path, members: list[Member], limit: int | None) -> int:
    """The bytes the archive unpacks to (each folder one block), once it is known not to be a
    bomb of data or of folders."""
    folders = folders_of(members)
    files = sum(not member.is_dir for member in members)
    if files + len(folders) > MAX_MEMBERS:
        raise _refuse(archive, f"more than {MAX_MEMBERS} files and folders")
    total = sum(member.size for member in members) + FOLDER_BLOCK * len(folders)
    _check_total(archive, total, archive.stat().st_size, limit)
    return total


def _check_total(archive: Path, total: int, packed: int, limit: int | None) -> None:
    if limit is not None and total > limit:
        raise _refuse(
            archive,
            f"it would unpack to {total / MB:.0f} MB, more than the {limit / MB:.0f} MB "
            "allowed for this model (a decompression bomb, or the catalog's disk_mb is wrong)",
        )
    if total > RATIO_FLOOR and total > packed * MAX_RATIO:
        raise _refuse(
            archive,
            f"it would grow from {packed} to {total} bytes (a decompression bomb)",
        )


def list_members(
    archive: Path, kind: str, strip: str = "", limit: int | None = None
) -> tuple[list[tuple[Member, object]], int]:
    """Every member to write, checked, and the bytes they unpack to."""
    try:
        members: list[tuple[Member, object]] = list(
            _zip_members(archive, strip) if kind == "zip" else _tar_members(archive, strip, limit)
        )
    except (OSError, *_UNREADABLE) as error:  # only reading here: any failure is the archive's
        raise ModelError(
            f"{archive.name}: not a readable {kind} archive ({error})",
            hint="run the command again to download it afresh",
        ) from error
    if not any(not member.is_dir for member, _ in members):
        raise ModelError(
            f"{archive.name}: holds no files{f' under {strip}/' if strip else ''}",
            hint="run the command again to download it afresh; if it happens again the "
            "archive upstream is not what the catalog describes",
        )
    total = _check_sizes(archive, [member for member, _ in members], limit)
    return members, total


def unpack(
    archive: Path, kind: str, target: Path, members: list[tuple[Member, object]]
) -> list[str]:
    """Unpack the members :func:`list_members` checked into the empty folder ``target``; the
    names written. Every folder made is synced, so the rename that publishes ``target`` never
    survives a power cut without them. OSErrors of the disk itself (full, read-only,
    unreadable) reach the caller, which knows the space the install needs; any other failure to
    write a member is the archive's.
    """
    root = target.resolve()
    written = []
    member = None
    try:
        if kind == "zip":
            with zipfile.ZipFile(archive) as zipped:
                for member, info in members:
                    _write(member, root, lambda info=info: zipped.open(info))  # type: ignore[misc]
                    written.append(member.name)
        else:
            with tarfile.open(archive, "r:gz") as tarred:
                for member, info in members:
                    _write(member, root, lambda info=info: tarred.extractfile(info))  # type: ignore[misc]
                    written.append(member.name)
        for folder in sorted(folders_of([m for m, _ in members]), key=len, reverse=True):
            fsync_folder(root / folder)
    except (_Unreadable, *_UNREADABLE) as error:
        raise ModelError(
            f"{archive.name}: not a readable {kind} archive ({error})",
            hint="run the command again to download it afresh",
        ) from error
    except (IsADirectoryError, NotADirectoryError, FileExistsError) as error:
        name = member.name if member is not None else error.filename
        raise _refuse(archive, f"member {name!r} is both a file and a folder") from error
    except OSError as error:
        if error.errno in _DISK_ERRORS or member is None:
            raise
        raise _refuse(
            archive, f"member {member.name!r} cannot be written ({error.strerror})"
        ) from error
    return written


class _Unreadable(Exception):
    """Reading the archive failed (as opposed to writing the model: a full disk)."""


def _reading(read: Callable[[], T]) -> T:
    try:
        return read()
    except (OSError, *_UNREADABLE) as error:  # a damaged archive can even seek before its start
        raise _Unreadable(error) from error


def _write(member: Member, root: Path, opener: Callable[[], IO[bytes] | None]) -> None:
    path = root / member.name
    if member.is_dir:
        path.mkdir(parents=True, exist_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.parent.resolve().is_relative_to(root):  # cannot happen without links: belt
        raise ModelError(f"refusing to write {member.name!r} outside {root}", hint=_HOSTILE)
    if path.is_dir():
        raise IsADirectoryError(0, "is a folder", member.name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    descriptor = os.open(path, flags, 0o755 if member.executable else 0o644)
    with os.fdopen(descriptor, "wb") as out:
        source = _reading(opener)
        if source is not None:
            with source:
                remaining = member.size  # never more than the checked size, whatever it holds
                while remaining > 0 and (
                    chunk := _reading(partial(source.read, min(CHUNK, remaining)))
                ):
                    out.write(chunk)
                    remaining -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, 0o755 if member.executable else 0o644)

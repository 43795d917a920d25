"""Installed models: where they live, whether they are complete and intact, and removing them.

A downloaded model is the folder <data dir>/models/<name> holding its files and a manifest
(``.installed.json``: every file's size and sha256, written last, before the folder is renamed
into place). A folder without a manifest is not a model: nothing half-installed is ever loaded.
Models that ship in a Python wheel are found in their package.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance.atomic import fsync_folder
from appliance.errors import ModelError
from appliance.models.catalog import Catalog, CatalogModel

MANIFEST = ".installed.json"
DOWNLOADS = ".downloads"
CHUNK = 1 << 20


def models_dir(data_dir: Path) -> Path:
    """The folder downloaded models live in."""
    return data_dir / "models"


def file_digests(path: Path) -> tuple[str, str]:
    """The sha256 and md5 of a file, read once."""
    sha256 = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            sha256.update(chunk)
            md5.update(chunk)
    return sha256.hexdigest(), md5.hexdigest()


def package_root(package: str) -> Path | None:
    """The folder of an installed Python package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin).parent if spec.origin else None


def package_location(model: CatalogModel) -> Path | None:
    """Where a wheel-shipped model's files are, when its package is installed."""
    if not model.package:
        return None
    root = package_root(model.package)
    if root is None:
        return None
    path = root / model.package_path if model.package_path else root
    return path if path.exists() else None


@dataclass(frozen=True)
class Installed:
    """One installed model: where it is and how it got there."""

    model: CatalogModel
    folder: Path
    source: str  # "download" or "package"
    verified: bool  # installed from files whose published digests matched

    @property
    def load_path(self) -> Path:
        """The path an engine loads: the entry file, or the folder itself."""
        if self.source == "package":
            return self.folder
        return self.folder / self.model.entry if self.model.entry else self.folder


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The install manifest of a model folder; None when it has none (not installed)."""
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def find_installed(model: CatalogModel, data_dir: Path) -> Installed | None:
    """A model's installation: a completed download first, else its wheel; None when neither."""
    folder = models_dir(data_dir) / model.name
    manifest = read_manifest(folder)
    if manifest is not None:
        return Installed(model, folder, "download", bool(manifest.get("verified")))
    location = package_location(model)
    if location is not None:
        return Installed(model, location, "package", True)
    return None


def installed_models(catalog: Catalog, data_dir: Path) -> dict[str, Installed]:
    """Every installed model of the catalog, by name."""
    found = {}
    for model in catalog:
        installed = find_installed(model, data_dir)
        if installed is not None:
            found[model.name] = installed
    return found


def verify_installed(installed: Installed) -> list[str]:
    """Problems with an installed model's files (empty: intact)."""
    if installed.source == "package":
        return _verify_package(installed)
    manifest = read_manifest(installed.folder) or {}
    problems = []
    for relative, expected in sorted(manifest.get("files", {}).items()):
        path = installed.folder / relative
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        if path.stat().st_size != expected["bytes"]:
            problems.append(f"{path}: size {path.stat().st_size}, expected {expected['bytes']}")
            continue
        if file_digests(path)[0] != expected["sha256"]:
            problems.append(f"{path}: contents changed since it was installed (sha256 differs)")
    if not manifest.get("files"):
        problems.append(f"{installed.folder}: the install manifest lists no files")
    return problems


def _verify_package(installed: Installed) -> list[str]:
    """A wheel-shipped model: present, and its files match the published digests we have."""
    if not installed.folder.exists():
        return [f"{installed.folder}: missing (reinstall the {installed.model.package} package)"]
    problems = []
    base = installed.folder if installed.folder.is_dir() else installed.folder.parent
    for file in installed.model.files:
        path = base / file.name
        if file.unpack or not path.is_file():
            continue
        sha256, md5 = file_digests(path)
        if (file.sha256 and sha256 != file.sha256) or (file.md5 and md5 != file.md5):
            problems.append(f"{path}: does not match the published digest")
    return problems


def write_manifest(folder: Path, model: CatalogModel, verified: bool, sources: list[str]) -> None:
    """Record every file of a freshly unpacked model (sizes and sha256), durably."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path != folder / MANIFEST:
            files[path.relative_to(folder).as_posix()] = {
                "bytes": path.stat().st_size,
                "sha256": file_digests(path)[0],
            }
    manifest = {
        "name": model.name,
        "kind": model.kind,
        "engine": model.engine,
        "verified": verified,
        "sources": sources,
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": files,
    }
    path = folder / MANIFEST
    with path.open("w", encoding="utf-8") as stream:
        json.dump(manifest, stream, indent=2)
        stream.flush()
        os.fsync(stream.fileno())


def remove_model(model: CatalogModel, data_dir: Path) -> Path:
    """Delete a downloaded model; it disappears at once (renamed aside, then deleted)."""
    folder = models_dir(data_dir) / model.name
    if not folder.exists():
        if package_location(model) is not None:
            raise ModelError(
                f"{model.name} ships in the {model.package} Python package, not in {folder}",
                hint=f"it cannot be removed here; uninstall the {model.package} package instead",
            )
        raise ModelError(f"{model.name} is not installed", hint="`appliance models list`")
    trash = folder.with_name(f".trash-{model.name}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        with installing(folder.parent):
            os.replace(folder, trash)
            fsync_folder(folder.parent)
            shutil.rmtree(trash, ignore_errors=True)
    except OSError as error:
        raise ModelError(
            f"cannot remove {folder}: {error.strerror or error}",
            hint="check that the data directory is writable (a read-only disk cannot be changed)",
        ) from error
    return folder


@contextlib.contextmanager
def installing(base: Path) -> Iterator[None]:
    """Hold the models folder's shared lock while installing or removing, so that
    :func:`clean_leftovers` (at every start) never deletes a temporary folder still in use.

    The lock is on the folder itself (no file to create on a full disk) and the kernel releases
    it when its holder dies, even by ``kill -9``.
    """
    descriptor = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def one_fetch(base: Path, name: str) -> Iterator[None]:
    """Hold a model's own lock while it is fetched: a second fetch of the same model at once
    would append to the same partial download. The lock is on the model's download folder
    (made here), so it too needs no file on a full disk and dies with its holder."""
    folder = base / DOWNLOADS / name
    while True:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise ModelError(
                f"{name} is already being fetched by another `appliance models fetch`",
                hint="wait for that one to finish (it installs the model for both)",
            ) from None
        try:  # the holder before us may have removed the folder just before we locked it
            if os.stat(folder).st_ino == os.fstat(descriptor).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(descriptor)
    try:
        yield
    finally:
        os.close(descriptor)


def clean_leftovers(data_dir: Path) -> list[Path]:
    """Remove what interrupted installs and removals left behind (never a finished model, never
    the work of a fetch still running) and download folders left empty; the paths removed."""
    base = models_dir(data_dir)
    try:
        descriptor = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # no models folder, or not ours to tidy: nothing to do
        return []
    removed = []
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # an install or removal is under way: its folders are not leftovers
            return []
        for path in sorted(base.iterdir()):
            if not path.is_dir() or path.is_symlink():
                continue
            if path.name.startswith(".old-"):  # cut off between moving the old model aside
                name = path.name.removeprefix(".old-").rsplit("-", 1)[0]  # and the new one in
                if name and not (base / name).exists():
                    with contextlib.suppress(OSError):  # a read-only disk: left as it is
                        os.replace(path, base / name)
                    continue
            if path.name.startswith((".tmp-", ".trash-", ".old-")):
                shutil.rmtree(path, ignore_errors=True)
                if not path.exists():  # a read-only disk keeps them: nothing to report
                    removed.append(path)
        downloads = base / DOWNLOADS
        if downloads.is_dir():
            for folder in downloads.iterdir():
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty: a .part file is a download to resume
                    removed.append(folder)
            with contextlib.suppress(OSError):
                downloads.rmdir()
    finally:
        os.close(descriptor)
    return removed

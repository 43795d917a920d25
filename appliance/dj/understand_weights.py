"""The classifier's fitted weights, kept on disk so a start reads them instead of fitting again.

Fitting (appliance.dj.understand_linear) takes CPU time (about 1.2 s on an x86-64 server core,
several times that on a Pi-class board) in every process that builds an understanding, and the same
examples and settings always give the same weights. So they are kept in the data folder
(``cache/understanding``), named by a hash of the examples, the fit's settings and its code. A
file is written whole under a temporary name and renamed into place; one that cannot be read or
does not fit is removed and the weights fitted again, with a log line. Only the :data:`KEEP` most
recently used are kept. Without a data folder (an understanding built in a test, say) nothing is
kept: it fits as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import math
import os
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from appliance import paths
from appliance.atomic import write_atomically
from appliance.dj import understand_linear
from appliance.dj.understand_linear import LinearModel
from appliance.memory import trim_when_grown

log = logging.getLogger("appliance.dj.understand_weights")

KEEP = 3
"""Weights kept: the appliance's, and a couple for templates or learned files it had before."""
FOLDER = Path("cache") / "understanding"
_SUFFIX = ".npz"

MODELS = FOLDER / "models"
"""Where whole models are kept (the neighbours' model, its unsaid meanings and the classifier):
a start that finds one builds no examples at all."""

Examples = Sequence[tuple[str, Sequence[str]]]
Kept = TypeVar("Kept")


def default_folder() -> Path | None:
    """The cache folder, when the data folder exists (None: keep nothing)."""
    data = paths.caches_home()
    return data / FOLDER if data.is_dir() else None


def weights_key(examples: Examples) -> str:
    """A hash of the examples, the fit's settings and the fitting code."""
    assert understand_linear.__file__ is not None
    digest = hashlib.sha256(Path(understand_linear.__file__).read_bytes())
    for intent, features in examples:
        digest.update(intent.encode())
        digest.update(b"\t")
        digest.update("\x1f".join(features).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:32]


def models_folder() -> Path | None:
    """The folder whole models are kept in, when the data folder exists (None: keep nothing)."""
    data = paths.caches_home()
    return data / MODELS if data.is_dir() else None


def code_key(parts: Iterable[str]) -> str:
    """A hash of ``parts`` (what a model is made from: its files' digests, its lists) and of
    the understanding's code, which decides how it is made from them."""
    digest = hashlib.sha256()
    code = Path(__file__).parent
    for source in sorted([*code.glob("understand*.py"), code.parent / "grammar.py"]):
        digest.update(source.read_bytes())
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def fitted(examples: Examples, folder: Path | None) -> LinearModel:
    """The classifier of ``examples``: read from ``folder`` when fitted before, else fitted and
    kept there (``folder`` None: fitted, not kept)."""
    if folder is None:
        fresh = LinearModel(examples)
        trim_when_grown(0.0)  # see below
        return fresh
    key = weights_key(examples)
    path = folder / f"{key}{_SUFFIX}"
    model = _read(path)
    if model is not None:
        return model
    started = time.monotonic()
    model = LinearModel(examples)
    log.info("fitted the understanding's classifier in %.1f s", time.monotonic() - started)
    _write(folder, path, model)
    # the fit and the file freed tens of MB at once: handed back to the system now, else the
    # heap keeps them for the daemon's life
    trim_when_grown(0.0)
    return model


def hand_back() -> None:
    """Hand the heap's free memory back to the system now, whatever the process's size: what
    building the understanding left (its examples, the fit's arrays) is tens of MB that glibc
    would otherwise keep for the daemon's life."""
    trim_when_grown(-math.inf)


def _read(path: Path) -> LinearModel | None:
    return read_kept(path, _restored_linear, "classifier")


def _restored_linear(saved: Mapping[str, np.ndarray]) -> LinearModel:
    intents = saved["intents"]
    if intents.dtype.kind != "U" or intents.ndim != 1:
        raise ValueError(f"intents of type {intents.dtype}")
    return LinearModel.restored(tuple(intents.tolist()), saved["vocabulary"], saved["weights"])


def read_kept(
    path: Path, restore: Callable[[Mapping[str, np.ndarray]], Kept], what: str
) -> Kept | None:
    """What ``restore`` makes of the arrays kept in ``path``; None when there is none, or when
    it is damaged or does not fit (then it is removed, with a log line, and made again)."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            made = restore(saved)
    except (
        OSError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        EOFError,
        zipfile.BadZipFile,
    ) as error:
        log.warning("the kept %s %s is damaged (%s): making it again", what, path, error)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept before older ones
    return made


def _write(folder: Path, path: Path, model: LinearModel) -> None:
    intents, vocabulary, weights = model.saved()
    keep(path, {"intents": intents, "vocabulary": vocabulary, "weights": weights}, "classifier")


def keep(path: Path, arrays: Mapping[str, np.ndarray], what: str) -> bool:
    """Keep ``arrays`` whole under ``path``, or not at all (read-only, full disk: False, with a
    log line); only the :data:`KEEP` most recently used files of its folder stay."""
    packed = io.BytesIO()
    np.savez(packed, **arrays)  # type: ignore[arg-type]  # numpy's stubs take it for allow_pickle
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, packed.getvalue())
    except OSError as error:
        log.warning("the %s is not kept in %s (%s): made again next start", what, path, error)
        return False
    _prune(path.parent)
    return True


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP` most recently used files."""
    try:
        kept = sorted(((p.stat().st_mtime, p) for p in folder.glob(f"*{_SUFFIX}")), reverse=True)
    except OSError:
        return
    for _, old in kept[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()

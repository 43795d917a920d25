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
from collections.abc import Sequence
from pathlib import Path

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

Examples = Sequence[tuple[str, Sequence[str]]]


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
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            intents = saved["intents"]
            if intents.dtype.kind != "U" or intents.ndim != 1:
                raise ValueError(f"intents of type {intents.dtype}")
            model = LinearModel.restored(
                tuple(intents.tolist()), saved["vocabulary"], saved["weights"]
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        log.warning("the kept classifier %s is damaged (%s): fitting it again", path, error)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept before older ones
    return model


def _write(folder: Path, path: Path, model: LinearModel) -> None:
    """Keep the weights whole under their final name, or not at all (read-only, full disk)."""
    intents, vocabulary, weights = model.saved()
    packed = io.BytesIO()
    np.savez(packed, intents=intents, vocabulary=vocabulary, weights=weights)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, packed.getvalue())
    except OSError as error:
        log.warning("the classifier is not kept in %s (%s): fitted again next start", folder, error)
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP` most recently used weights."""
    try:
        kept = sorted(((p.stat().st_mtime, p) for p in folder.glob(f"*{_SUFFIX}")), reverse=True)
    except OSError:
        return
    for _, old in kept[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()

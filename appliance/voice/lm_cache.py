"""The recogniser's language models, kept on disk so a start reads one instead of working it out.

Working out a command grammar's model takes seconds (about 25 s of a Pi-class board's start), and
the same grammar always gives the same text. So each model is kept in the data folder
(``cache/language-models``), named by a hash of everything that shapes its text: the grammar
(wake word prefixes and their share included), the n-gram settings and the builder's own code.
A file is written whole under a temporary name and renamed into place, and its name carries a
hash of its text, so a half-written or damaged file is never used: it is rebuilt, with a log
line. A folder that cannot be written (read-only, full) only means building in memory. Only the
:data:`KEEP` most recently used models are kept.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from appliance import paths
from appliance.atomic import write_atomically
from appliance.grammar import Grammar
from appliance.voice import grammar_counts, ngram
from appliance.voice.grammar_counts import with_prefixes

log = logging.getLogger("appliance.voice.lm_cache")

KEEP = 4
"""Models kept: the daemon's, and a few of the grammars it had before (a library rescan, a
listener added) that it may well have again."""
FOLDER = Path("cache") / "language-models"
"""Where, inside the data folder."""
STALE_TEMP_S = 3600.0
"""A temporary file this old is what a crash or power cut left mid-write, not a writer's."""
_SUFFIX = ".arpa"


def default_folder() -> Path:
    """The cache folder inside the data folder (the station's, see :func:`paths.caches_home`)."""
    return paths.caches_home() / FOLDER


@functools.cache
def _builder_version() -> str:
    """A hash of the builder's code: a change to how the text is worked out is a new key."""
    digest = hashlib.sha256()
    for module in (ngram, grammar_counts):
        assert module.__file__ is not None
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def model_key(grammar: Grammar, prefixes: Sequence[str] = (), share: float = 0.0) -> str:
    """The name of the model of ``grammar`` with one of ``prefixes`` before ``share`` of its
    sentences (what is left of a wake word): a hash of them, the n-gram settings and the
    builder. The grammar is hashed before the prefixes go in: they repeat it twenty times."""
    digest = hashlib.sha256(_builder_version().encode())
    digest.update(repr((ngram.DISCOUNT, ngram.SENTENCES, ngram.FLOOR)).encode())
    digest.update(repr((list(prefixes), share)).encode())
    digest.update(grammar.digest().encode())
    return digest.hexdigest()[:32]


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def language_model(
    grammar: Grammar,
    build: Callable[[Grammar], str],
    folder: Path | None = None,
    prefixes: Sequence[str] = (),
    share: float = 0.0,
) -> str:
    """``build`` of ``grammar`` with ``prefixes`` before ``share`` of its sentences (see
    :func:`~appliance.voice.grammar_counts.with_prefixes`): read from ``folder`` (the data
    folder's cache) when it was worked out before, else built and kept there."""
    folder = default_folder() if folder is None else folder
    key = model_key(grammar, prefixes, share)
    text = _read(folder, key)
    if text is not None:
        return text
    started = time.monotonic()
    text = build(with_prefixes(grammar, prefixes, share))
    log.info("worked out the recogniser's language model in %.1f s", time.monotonic() - started)
    _write(folder, key, text)
    return text


def _read(folder: Path, key: str) -> str | None:
    """The kept text for ``key``, or None; a damaged file is removed (and rebuilt by the caller)."""
    try:
        candidates = sorted(folder.glob(f"{key}.*{_SUFFIX}"))
    except OSError:
        return None
    for path in candidates:
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            log.warning("the kept language model %s cannot be read (%s): building it", path, error)
            _remove(path)
            continue
        if path.name != f"{key}.{_text_hash(text)}{_SUFFIX}":
            log.warning("the kept language model %s is damaged: building it again", path)
            _remove(path)
            continue
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept before older ones
        return text
    return None


def _write(folder: Path, key: str, text: str) -> None:
    """Keep ``text`` whole under its final name, or not at all (a read-only or full disk)."""
    target = folder / f"{key}.{_text_hash(text)}{_SUFFIX}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(target, text.encode("utf-8"))
    except OSError as error:
        log.warning(
            "the recogniser's language model is not kept in %s (%s): it is worked out again "
            "at the next start",
            folder,
            error.strerror or error,
        )
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP` most recently used models; drop what crashed writers left."""
    try:
        models = [(p.stat().st_mtime, p) for p in folder.glob(f"*{_SUFFIX}")]
        temps = [(p.stat().st_mtime, p) for p in folder.glob(".*.tmp")]
    except OSError:
        return
    models.sort(reverse=True)
    for _, path in models[KEEP:]:
        _remove(path)
    now = time.time()
    for mtime, path in temps:
        if now - mtime > STALE_TEMP_S:
            _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()

"""The model catalog (models/catalog.toml): what each speech model is, costs and comes from.

Read-only data: the catalog never touches the network or the data directory. Installing, checking
and removing models is :mod:`appliance.models.store` and :mod:`appliance.models.fetch`.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from appliance.errors import ModelError
from appliance.toml_check import Checker, Key, NotToml, Problem, load, typed

KINDS = ("stt", "tts", "wake", "vad")
ENGINES = ("whisper", "vosk", "pocketsphinx", "piper", "microwakeword", "silero", "microvad")
UNPACK = ("", "zip", "tar.gz")

_CHECKOUT = Path(__file__).resolve().parents[2]


def shipped(*parts: str) -> Path:
    """A data file shipped with the appliance (the model catalog, board profiles, the unit).

    The source checkout's copy is the one source of truth; an installed wheel carries the same
    files under <prefix>/share/appliance/.
    """
    for base in (_CHECKOUT, Path(sys.prefix) / "share" / "appliance"):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    return _CHECKOUT.joinpath(*parts)


@dataclass(frozen=True)
class ModelFile:
    """One file `appliance models fetch` downloads for a model."""

    url: str
    sha256: str = ""
    md5: str = ""
    bytes: int = 0
    unpack: str = ""
    strip: str = ""
    digest_source: str = ""

    @property
    def name(self) -> str:
        """The file's name, from the last part of its URL."""
        return PurePosixPath(unquote(urlparse(self.url).path)).name

    @property
    def verifiable(self) -> bool:
        """True when a published digest exists to check the download against."""
        return bool(self.sha256 or self.md5)


@dataclass(frozen=True)
class CatalogModel:
    """One model of the catalog (field meanings: see the comment at the top of catalog.toml)."""

    name: str
    kind: str
    engine: str
    language: str
    tier: int
    licence: str
    description: str
    disk_mb: float
    ram_mb: float
    rtf: float
    ram_lean_mb: float | None = None
    rtf_lean: float | None = None
    peak_mb: float = 0.0
    latency_s: float = 0.0
    quality: str = ""
    entry: str = ""
    package: str = ""
    package_path: str = ""
    files: tuple[ModelFile, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def peak(self) -> float:
        """Highest resident memory while working (never below the steady figure)."""
        return max(self.peak_mb, self.ram_mb)

    @property
    def downloadable(self) -> bool:
        return bool(self.files)

    @property
    def verifiable(self) -> bool:
        """True when every file to download has a published digest."""
        return all(file.verifiable for file in self.files)


@dataclass(frozen=True)
class Reference:
    """The reference board the catalog's RTFs are for, and the daemon's own measured memory:
    its baseline (libraries imported) and the understanding it builds at start (the intents'
    templates, neighbours and classifier), steady and at its peak while building."""

    board: str
    daemon_baseline_mb: float
    sources: dict[str, str] = field(default_factory=dict)
    understanding_mb: float = 0.0
    understanding_peak_mb: float = 0.0


class Catalog:
    """Every model in a catalog file, by name and by kind."""

    def __init__(self, models: list[CatalogModel], reference: Reference, source: Path) -> None:
        self.models = {model.name: model for model in models}
        self.reference = reference
        self.source = source

    def __iter__(self) -> Iterator[CatalogModel]:
        return iter(self.models.values())

    def __len__(self) -> int:
        return len(self.models)

    def get(self, name: str) -> CatalogModel | None:
        return self.models.get(name)

    def require(self, name: str) -> CatalogModel:
        """The model called ``name``, or a ModelError that says which names exist."""
        model = self.models.get(name)
        if model is None:
            import difflib

            close = difflib.get_close_matches(name, list(self.models), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ModelError(
                f"{name!r} is not in the model catalog ({self.source})",
                hint=f"{hint}`appliance models list` shows every model",
            )
        return model

    def of_kind(self, kind: str) -> list[CatalogModel]:
        """The models of one kind, best tier first."""
        return sorted(
            (model for model in self.models.values() if model.kind == kind),
            key=lambda model: (-model.tier, model.name),
        )


_MODEL_FIELDS = {
    "kind": str,
    "engine": str,
    "language": str,
    "tier": int,
    "licence": str,
    "description": str,
    "disk_mb": float,
    "ram_mb": float,
    "rtf": float,
    "ram_lean_mb": float,
    "rtf_lean": float,
    "peak_mb": float,
    "latency_s": float,
    "quality": str,
    "entry": str,
    "package": str,
    "package_path": str,
}
_FILE_FIELDS = {
    "url": str,
    "sha256": str,
    "md5": str,
    "bytes": int,
    "unpack": str,
    "strip": str,
    "digest_source": str,
}


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def stays_inside(relative: str) -> bool:
    """True when a relative POSIX path stays inside the folder it is relative to."""
    if not relative or relative.startswith("/") or "\\" in relative or ":" in relative[:2]:
        return False
    if "\0" in relative:
        return False
    normal = posixpath.normpath(relative)
    return normal != ".." and not normal.startswith("../")


def plain_name(name: str) -> bool:
    """True for a model name that is one plain folder name (it becomes <models>/<name>)."""
    return bool(_PLAIN_NAME.fullmatch(name)) and len(name) <= 200


def parse_catalog(text: str, source: Path) -> Catalog:
    """Build a Catalog from TOML text; a ModelError names every problem with its line."""
    try:
        data = load(text, str(source), "the format described at the top of models/catalog.toml")
    except NotToml as error:
        raise ModelError(f"the model catalog is invalid: {error.problem}") from error.__cause__
    check = Checker(text, str(source), drop=1)
    models = []
    tables = data.get("model", {})
    if not isinstance(tables, dict):
        tables = {}
        check.report(("model",), "must be tables", '[model."name"]')
    for name, raw in tables.items():
        model = _model(check, name, raw)
        if model is not None:
            models.append(model)
    ref = data.get("reference", {})
    figures = ("daemon_baseline_mb", "understanding_mb", "understanding_peak_mb")
    if not isinstance(ref, dict) or not all(typed(ref.get(key, 0.0), float) for key in figures):
        check.problems.append(
            Problem(
                str(source),
                check.line("reference"),
                "reference",
                "must be a table with numbers for daemon_baseline_mb, understanding_mb and "
                "understanding_peak_mb",
                "[reference] with daemon_baseline_mb = 200, understanding_mb = 60",
            )
        )
        ref = {}
    reference = Reference(
        board=str(ref.get("board", "")),
        daemon_baseline_mb=float(ref.get("daemon_baseline_mb", 0.0)),
        sources={
            k.removesuffix("_source"): str(v) for k, v in ref.items() if k.endswith("_source")
        },
        understanding_mb=float(ref.get("understanding_mb", 0.0)),
        understanding_peak_mb=float(ref.get("understanding_peak_mb", 0.0)),
    )
    if check.problems:
        raise ModelError(
            "the model catalog is invalid:\n  " + "\n  ".join(map(str, check.sorted())),
            hint="fix the catalog file (its format is described at its top)",
        )
    return Catalog(models, reference, source)


def _model(check: Checker, name: str, raw: Any) -> CatalogModel | None:
    """One [model."name"] table, or None with its problems reported."""
    key: Key = ("model", name)
    if not plain_name(name):
        check.report(
            key,
            "a model name is a plain folder name",
            "letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("files", []), list):
        check.report(
            key, "must be a table, with files an array of tables", f'[[model."{name}".files]]'
        )
        return None
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for field_name, value in raw.items():
        if field_name.endswith("_source"):
            sources[field_name.removesuffix("_source")] = str(value)
        elif field_name == "files":
            continue
        elif field_name not in _MODEL_FIELDS:
            check.unknown((*key, field_name), list(_MODEL_FIELDS), "field")
        elif check.check_type((*key, field_name), value, _MODEL_FIELDS[field_name]):
            values[field_name] = value
    files = [
        file
        for index, item in enumerate(raw.get("files", []))
        if (file := _file(check, (*key, "files", index), item)) is not None
    ]
    if values.get("entry") and not stays_inside(values["entry"]):
        check.report(
            (*key, "entry"),
            f"{values['entry']!r} must be a path inside the model's folder",
            "a relative path without ..",
        )
        return None
    missing = [k for k in ("kind", "engine", "tier", "ram_mb", "rtf") if k not in values]
    if missing:
        check.report(key, f"missing {', '.join(missing)}", "see the top of the catalog file")
        return None
    if values["kind"] not in KINDS:
        check.report((*key, "kind"), f"{values['kind']!r} is no kind", ", ".join(KINDS))
        return None
    if values["engine"] not in ENGINES:
        check.report((*key, "engine"), f"{values['engine']!r} is no engine", ", ".join(ENGINES))
        return None
    values.setdefault("language", "")
    values.setdefault("licence", "")
    values.setdefault("description", "")
    values.setdefault("disk_mb", 0.0)
    return CatalogModel(name=name, files=tuple(files), sources=sources, **values)


def _file(check: Checker, key: Key, item: Any) -> ModelFile | None:
    """One [[model."name".files]] entry, or None with its problem reported."""
    if not isinstance(item, dict):
        item = {"": item}  # reported as needing a url below
    unknown = set(item) - set(_FILE_FIELDS)
    bad = [k for k in set(item) & set(_FILE_FIELDS) if not typed(item[k], _FILE_FIELDS[k])]
    if unknown or bad or "url" not in item or item.get("unpack", "") not in UNPACK:
        check.report(
            key,
            "needs a url, and only these fields (strings; bytes a number); unpack one of "
            + ", ".join(repr(kind) for kind in UNPACK),
            ", ".join(_FILE_FIELDS),
        )
        return None
    file = ModelFile(**item)
    if file.strip and not stays_inside(file.strip):
        check.report(
            (*key, "strip"),
            f"{file.strip!r} must be a folder inside the archive",
            "a relative path without ..",
        )
        return None
    path = urlparse(file.url).path
    if file.name in ("", ".", "..") or path.endswith("/") or "\0" in file.url:
        check.report(
            (*key, "url"),
            f"{file.url!r} does not end in a file name (it must name the file to download)",
            "https://host/path/model.zip",
        )
        return None
    if urlparse(file.url).scheme not in ("http", "https", "file"):
        check.report(
            (*key, "url"), f"{file.url!r} is not an http, https or file address", "http(s)://..."
        )
        return None
    return file


MAX_CATALOG_BYTES = 4 * 2**20


def read_catalog(path: Path, *, given: bool = True) -> Catalog:
    """Read a catalog file: a regular file of UTF-8 TOML text, or a ModelError saying so."""
    not_text = ModelError(
        f"file {path} is not a text TOML catalog",
        hint="pass --catalog the path of a catalog like models/catalog.toml (its format is "
        "described at its top), or leave --catalog out to use the shipped one",
    )
    try:
        if path.exists() and not path.is_file():  # a folder, FIFO or device: never read it
            raise not_text
        with path.open("rb") as stream:
            raw = stream.read(MAX_CATALOG_BYTES + 1)
    except OSError as error:
        raise ModelError(
            f"{path}: cannot read the model catalog: {error.strerror}",
            hint="check the path passed to --catalog (or leave it out to use the shipped one)"
            if given
            else "reinstall the appliance, or pass --catalog FILE",
        ) from error
    if len(raw) > MAX_CATALOG_BYTES or b"\0" in raw:
        raise not_text
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise not_text from error
    return parse_catalog(text, path)


@cache
def _default_catalog() -> Catalog:
    return read_catalog(shipped("models", "catalog.toml"), given=False)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog at ``path``, or the one shipped with the appliance (read once)."""
    if path is None:
        return _default_catalog()
    return read_catalog(Path(path))

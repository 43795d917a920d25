"""The model catalog (models/catalog.toml): what each speech model is, costs and comes from.

Read-only data: the catalog never touches the network or the data directory. Installing, checking
and removing models is :mod:`appliance.models.store` and :mod:`appliance.models.fetch`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from appliance.errors import ModelError

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
    homepage: str = ""
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
    """The reference board the catalog's RTFs are for, and the daemon's own measured memory."""

    board: str
    dev_machine_speed: float
    daemon_baseline_mb: float
    sources: dict[str, str] = field(default_factory=dict)


class Catalog:
    """Every model in a catalog file, by name and by kind."""

    def __init__(self, models: list[CatalogModel], reference: Reference, source: Path) -> None:
        self.models = {model.name: model for model in models}
        self.reference = reference
        self.source = source

    def __iter__(self):  # type: ignore[no-untyped-def]
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
    "homepage": str,
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


def _typed(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def plain_name(name: str) -> bool:
    """True for a model name that is one plain folder name (it becomes <models>/<name>)."""
    return bool(_PLAIN_NAME.fullmatch(name)) and len(name) <= 200


def parse_catalog(text: str, source: Path) -> Catalog:
    """Build a Catalog from TOML text; a ModelError names every problem with its line."""
    from appliance.config import key_lines
    from appliance.models.archive import _inside

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ModelError(f"{source}: not valid TOML: {error}") from error
    lines = key_lines(text)
    problems: list[str] = []

    def where(*key: str | int) -> str:
        while key and key not in lines:
            key = key[:-1]
        return f"{source}:{lines[key]}" if key else str(source)

    models = []
    tables = data.get("model", {})
    if not isinstance(tables, dict):
        tables = {}
        problems.append(f'{where("model")}: model: must be tables like [model."name"]')
    for name, raw in tables.items():
        if not plain_name(name):
            problems.append(
                f"{where('model', name)}: {name!r}: a model name is a plain folder name: "
                "letters, digits, '.', '_' and '-', starting with a letter or digit"
            )
            continue
        if not isinstance(raw, dict) or not isinstance(raw.get("files", []), list):
            problems.append(
                f"{where('model', name)}: {name}: must be a table, with files an array of "
                f'tables ([[model."{name}".files]])'
            )
            continue
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for key, value in raw.items():
            if key.endswith("_source"):
                sources[key.removesuffix("_source")] = str(value)
            elif key == "files":
                continue
            elif key not in _MODEL_FIELDS:
                problems.append(f"{where('model', name, key)}: {name}.{key}: unknown field")
            elif not _typed(value, _MODEL_FIELDS[key]):
                problems.append(f"{where('model', name, key)}: {name}.{key}: wrong type")
            else:
                values[key] = value
        files = []
        for index, item in enumerate(raw.get("files", [])):
            if not isinstance(item, dict):
                item = {"": item}  # reported as needing a url below
            unknown = set(item) - set(_FILE_FIELDS)
            bad = [
                key
                for key in set(item) & set(_FILE_FIELDS)
                if not _typed(item[key], _FILE_FIELDS[key])
            ]
            if unknown or bad or "url" not in item or item.get("unpack", "") not in UNPACK:
                problems.append(
                    f"{where('model', name, 'files', index)}: {name}.files[{index + 1}]: needs a "
                    f"url; fields {', '.join(_FILE_FIELDS)}; unpack one of {UNPACK}"
                )
                continue
            file = ModelFile(**item)
            if file.strip and not _inside(file.strip):
                problems.append(
                    f"{where('model', name, 'files', index, 'strip')}: {name}.files[{index + 1}]"
                    f".strip: {file.strip!r} must be a folder inside the archive"
                )
                continue
            url_key = (
                f"{where('model', name, 'files', index, 'url')}: {name}.files[{index + 1}].url"
            )
            path = urlparse(file.url).path
            if file.name in ("", ".", "..") or path.endswith("/") or "\0" in file.url:
                problems.append(
                    f"{url_key}: {file.url!r} does not end in a file name (it must name the "
                    "file to download, like https://host/path/model.zip)"
                )
                continue
            if urlparse(file.url).scheme not in ("http", "https", "file"):
                problems.append(f"{url_key}: {file.url!r} is not an http, https or file address")
                continue
            files.append(file)
        if values.get("entry") and not _inside(values["entry"]):
            problems.append(
                f"{where('model', name, 'entry')}: {name}.entry: {values['entry']!r} must be a "
                "path inside the model's folder"
            )
            continue
        missing = [key for key in ("kind", "engine", "tier", "ram_mb", "rtf") if key not in values]
        if missing:
            problems.append(f"{where('model', name)}: {name}: missing {', '.join(missing)}")
            continue
        if values["kind"] not in KINDS or values["engine"] not in ENGINES:
            problems.append(f"{where('model', name)}: {name}: kind in {KINDS}, engine in {ENGINES}")
            continue
        values.setdefault("language", "")
        values.setdefault("licence", "")
        values.setdefault("description", "")
        values.setdefault("disk_mb", 0.0)
        models.append(CatalogModel(name=name, files=tuple(files), sources=sources, **values))
    ref = data.get("reference", {})
    numbers = ("dev_machine_speed", "daemon_baseline_mb")
    if not isinstance(ref, dict) or any(not _typed(ref.get(k, 0.0), float) for k in numbers):
        problems.append(
            f"{where('reference')}: reference: a table; {' and '.join(numbers)} numbers"
        )
        ref = {}
    reference = Reference(
        board=str(ref.get("board", "")),
        dev_machine_speed=float(ref.get("dev_machine_speed", 1.0)),
        daemon_baseline_mb=float(ref.get("daemon_baseline_mb", 0.0)),
        sources={
            k.removesuffix("_source"): str(v) for k, v in ref.items() if k.endswith("_source")
        },
    )
    if problems:
        raise ModelError(
            "the model catalog is invalid:\n  " + "\n  ".join(problems),
            hint="fix the catalog file (its format is described at its top)",
        )
    return Catalog(models, reference, source)


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
